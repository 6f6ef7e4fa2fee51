"""Batch files: read a book of lines (CSV, XLSX, Parquet) in chunks that never split an entry, and write
priced chunks (CSV, XLSX, Parquet) as they come, so memory stays bounded by the chunk size.

Every cell is read as text (an HTS number or an amount is never parsed as a float); a spreadsheet's
numbers are turned back into the text that was typed. Text cells that a spreadsheet would run as a
formula (= + - @) are written with a leading apostrophe in CSV and XLSX.
"""
from __future__ import annotations

import csv
import datetime as dt
import re
from decimal import Decimal
from pathlib import Path
from typing import Iterator

from tariffs.batch_columns import COLUMN_NAMES, REQUIRED
from tariffs.errors import InputError

FORMATS = {".csv": "csv", ".xlsx": "xlsx", ".parquet": "parquet", ".pq": "parquet"}
XLSX_MAX_ROWS = 1_048_575  # a worksheet's rows, less the header


def file_format(path: str, field: str) -> str:
    fmt = FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        raise InputError(field, f"{path!r}: unknown file type {Path(path).suffix!r}", ".csv, .xlsx or .parquet")
    return fmt


def cell_text(value) -> str:
    """A cell as the text that was typed: dates as YYYY-MM-DD, a spreadsheet's float by its shortest repr."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        if value != value or abs(value) == float("inf"):
            return ""
        return format(Decimal(repr(value)).normalize(), "f")
    return str(value).strip()


def safe_cell(text: str) -> str:
    """A text cell (or a column header: user text too) that starts with = + - @ tab or CR would be read as a
    formula by a spreadsheet: it is prefixed with a quote (a plain number stays a number)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not re.fullmatch(r"-?\d+(\.\d+)?", text) else text


def _normal_header(names) -> list[str]:
    return [re.sub(r"\s+", "_", cell_text(n).lower()) for n in names]


def _check_header(header: list[str], path: str) -> None:
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise InputError("IN", f"{path}: missing column(s) {', '.join(missing)}",
                         "the documented columns: " + ", ".join(COLUMN_NAMES))


# -- readers: each yields DataFrames of text cells ------------------------------------------------------------

def _read_csv(path: str, size: int):
    import pandas as pd

    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            sample = f.read(4096)
        delimiter = ";" if sample.count(";") > sample.count(",") else ","
        reader = pd.read_csv(path, dtype=str, keep_default_na=False, chunksize=size, sep=delimiter,
                             encoding="utf-8-sig", skip_blank_lines=True)
        for frame in reader:
            frame.columns = _normal_header(frame.columns)
            yield frame
    except (UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise InputError("IN", f"{path}: not a readable UTF-8 CSV file ({type(exc).__name__}: "
                               f"{str(exc).splitlines()[0][:120]})", "CSV (UTF-8), XLSX or Parquet") from None
    except pd.errors.EmptyDataError:
        raise InputError("IN", f"{path}: the file is empty", "a header row with the documented columns") from None


def _read_xlsx(path: str, size: int):
    import zipfile

    import pandas as pd
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise InputError("IN", f"{path}: not a readable XLSX workbook ({type(exc).__name__})",
                         "CSV (UTF-8), XLSX or Parquet") from None
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        header = _normal_header(next(rows, ()) or ())
        buffer = []
        for cells in rows:
            texts = [cell_text(c) for c in cells]
            if not any(texts):
                continue
            buffer.append((texts + [""] * len(header))[:len(header)])
            if len(buffer) >= size:
                yield pd.DataFrame(buffer, columns=header, dtype=object)
                buffer = []
        if buffer or not header:
            yield pd.DataFrame(buffer, columns=header, dtype=object)
    finally:
        workbook.close()


def _read_parquet(path: str, size: int):
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputError("IN", f"{path}: not a readable Parquet file ({exc})", "CSV (UTF-8), XLSX or Parquet") from None
    for batch in parquet.iter_batches(batch_size=size):
        frame = batch.to_pandas()
        frame.columns = _normal_header(frame.columns)
        yield frame.apply(lambda column: column.map(cell_text)).astype(object)


def read_chunks(path: str, size: int = 50_000) -> Iterator:
    """DataFrames of about ``size`` rows of text; the header is checked before any row is priced."""
    if not Path(path).is_file():
        raise InputError("IN", f"{path!r} does not exist or is not a file", "a CSV, XLSX or Parquet file")
    if size < 1:
        raise InputError("--chunk-size", f"{size} is not a positive number of rows", "an integer >= 1")
    fmt = file_format(path, "IN")
    reader = {"csv": _read_csv, "xlsx": _read_xlsx, "parquet": _read_parquet}[fmt](path, size)
    first = True
    for frame in reader:
        if first:
            _check_header(list(frame.columns), path)
            first = False
        if "entry" not in frame.columns:
            frame["entry"] = ""
        yield frame
    if first:
        raise InputError("IN", f"{path}: the file is empty", "a header row with the documented columns, then rows")


def whole_entries(chunks) -> Iterator:
    """Re-cut chunks so that no entry is split: the rows of the last entry of a chunk wait for the next one.

    The rows of one entry must be adjacent in the file (sort the book by entry); an entry that comes back
    after other entries is refused on those rows, rather than priced as a second entry with the same number.
    """
    import pandas as pd

    carry = None
    closed: set[str] = set()
    for frame in chunks:
        frame = frame.reset_index(drop=True)
        if carry is not None:
            frame = pd.concat([carry, frame], ignore_index=True)
            carry = None
        entries = frame["entry"].astype(str).str.strip()
        last = entries.iloc[-1] if len(frame) else ""
        if last:
            tail = len(frame)
            while tail > 0 and entries.iloc[tail - 1] == last:
                tail -= 1
            carry, frame, entries = frame.iloc[tail:], frame.iloc[:tail], entries.iloc[:tail]
        if len(frame):
            yield _mark_reopened(frame, entries, closed)
    if carry is not None and len(carry):
        yield _mark_reopened(carry.reset_index(drop=True), carry["entry"].astype(str).str.strip(), closed)


def _mark_reopened(frame, entries, closed: set[str]):
    """Rows of an entry closed in an earlier chunk (or split by other entries here) get `entry_reopened`."""
    starts = entries.ne(entries.shift()) & entries.ne("")
    runs = entries[starts]
    seen_here: set[str] = set()
    bad: set[str] = set()
    for entry in runs:
        if entry in closed or entry in seen_here:
            bad.add(entry)
        seen_here.add(entry)
    closed.update(seen_here)
    frame = frame.copy()
    frame["_reopened"] = entries.isin(bad) if bad else False
    return frame


# -- writers: open once, write priced chunks, close ----------------------------------------------------------

class CsvWriter:
    def __init__(self, path: str, columns: list[str]):
        self.file = open(path, "w", encoding="utf-8", newline="")
        self.writer = csv.writer(self.file, lineterminator="\r\n")
        self.writer.writerow([safe_cell(c) for c in columns])
        self.rows = 0

    def write(self, frame) -> None:
        self.writer.writerows([safe_cell(c) for c in cells] for cells in frame.itertuples(index=False, name=None))
        self.rows += len(frame)

    def close(self) -> None:
        self.file.close()


class XlsxWriter:
    def __init__(self, path: str, columns: list[str]):
        from openpyxl import Workbook

        self.path = path
        self.workbook = Workbook(write_only=True)
        self.sheet = self.workbook.create_sheet("priced")
        self.sheet.append([safe_cell(c) for c in columns])
        self.rows = 0

    def write(self, frame) -> None:
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        if self.rows + len(frame) > XLSX_MAX_ROWS:
            raise InputError("-o", f"more than {XLSX_MAX_ROWS} rows do not fit in one worksheet", "CSV or Parquet")
        for cells in frame.itertuples(index=False, name=None):
            # Control characters cannot be stored in a worksheet; they carry nothing a desk needs.
            self.sheet.append([safe_cell(ILLEGAL_CHARACTERS_RE.sub("", c)) for c in cells])
        self.rows += len(frame)

    def close(self) -> None:
        self.workbook.save(self.path)


class ParquetWriter:
    """All columns as UTF-8 text: money stays exact (read it back with Decimal, or cast to decimal(20,2))."""

    def __init__(self, path: str, columns: list[str]):
        import pyarrow as pa
        import pyarrow.parquet as pq

        self.schema = pa.schema([(c, pa.string()) for c in columns])
        self.writer = pq.ParquetWriter(path, self.schema)
        self.rows = 0

    def write(self, frame) -> None:
        import pyarrow as pa

        self.writer.write_table(pa.Table.from_pandas(frame, schema=self.schema, preserve_index=False))
        self.rows += len(frame)

    def close(self) -> None:
        self.writer.close()


def open_writer(path: str, columns: list[str], field: str = "-o"):
    fmt = file_format(path, field)
    return {"csv": CsvWriter, "xlsx": XlsxWriter, "parquet": ParquetWriter}[fmt](path, columns)

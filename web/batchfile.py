"""Batch files: the documented columns, reading CSV/XLSX uploads into rows, pricing the rows,
and writing the priced file back (CSV or XLSX).

Each row is one line; rows with the same `entry` are one entry (MPF and HMF once per entry, allocated
to its lines), a row without one is an entry of its own. Rows are priced by the library's batch path,
`tariffs.batch.quote_frame` (the same columns as `tariffs batch` and the pandas API).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal

import tariffs
from tariffs import InputError
from tariffs.model import Quote

from tariffs.batch import (  # noqa: E402 -- the columns are the library's (tariffs.batch)
    COLUMN_NAMES,
    COLUMNS,
    REQUIRED,
    field_of,
    quote_frame,
    shipment_of_values,
)
from tariffs.batch import result_columns as batch_result_columns
from tariffs.batch_io import safe_cell as _safe_cell

XLSX_MAGIC = b"PK\x03\x04"


@dataclass
class Row:
    number: int  # as in the file: the header is row 1
    values: dict[str, str]
    quote: Quote | None = None
    error: InputError | None = None
    result: dict[str, str] = field(default_factory=dict)


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        # Spreadsheets store numbers as binary floats; their shortest repr is what was typed.
        return format(Decimal(repr(value)).normalize(), "f") if value == value and abs(value) != float("inf") \
            else str(value)
    if isinstance(value, int):
        return str(value)
    return str(value).strip()


def _header(cells) -> list[str]:
    return [re.sub(r"\s+", "_", _cell_text(c).strip().lower()) for c in cells]


def read_rows(data: bytes, filename: str | None, max_rows: int) -> list[Row]:
    """Rows of an uploaded CSV or XLSX file (recognised by content, not by name)."""
    if data.startswith(XLSX_MAGIC):
        table = _read_xlsx(data, max_rows)
    else:
        table = _read_csv(data, max_rows)
    if not table:
        raise InputError("file", "the file is empty", "a header row with the documented columns, then rows")
    header, body = table[0], table[1:]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise InputError("file", f"missing column(s) {', '.join(missing)}",
                         "the columns of the template: " + ", ".join(COLUMN_NAMES))
    rows = []
    for offset, cells in enumerate(body):
        texts = [_cell_text(c) for c in cells]
        if not any(texts):
            continue
        values = {name: (texts[i] if i < len(texts) else "") for i, name in enumerate(header) if name}
        rows.append(Row(offset + 2, values))
    if not rows:
        raise InputError("file", "the file has a header but no rows", "at least one row under the header")
    return rows


class TooLarge(InputError):
    """Input over a size bound (rows, expanded size, strings, cells): answered 413 by the API."""

    status = 413


def _too_many(max_rows: int) -> InputError:
    return TooLarge("file", f"more than {max_rows} rows", f"at most {max_rows} rows per file")


def _read_csv(data: bytes, max_rows: int) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("file", "not a UTF-8 CSV file or an XLSX workbook", "CSV (UTF-8) or XLSX") from None
    if "\x00" in text:
        raise InputError("file", "not a CSV file (binary content)", "CSV (UTF-8) or XLSX")
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    table = []
    try:
        for cells in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            table.append(cells)
            if len(table) > max_rows + 1:
                raise _too_many(max_rows)
    except csv.Error as exc:
        raise InputError("file", f"malformed CSV: {exc}", "CSV (UTF-8) or XLSX") from None
    return table


# What an XLSX upload may expand to. A workbook of MAX_BATCH_ROWS rows of the documented columns is a
# few MB uncompressed with a few tens of thousands of cells and strings; a zip "bomb" (a small upload
# that inflates to millions of shared strings) is refused from the zip directory and a streaming count,
# before openpyxl (which loads the whole shared-strings table into memory) ever sees it. zipfile stops
# reading a member at its declared size, so a directory that understates a member cannot get past these
# bounds either (the read then fails its CRC and the file is refused as unreadable).
XLSX_MAX_UNCOMPRESSED = 32 * 1024 * 1024
XLSX_MAX_MEMBERS = 256
XLSX_MAX_SHARED_STRINGS = 200_000
XLSX_MAX_CELLS = 250_000
_XLSX_ALLOWED = (f"an XLSX workbook that expands to at most {XLSX_MAX_UNCOMPRESSED // (1024 * 1024)} MB, "
                 f"with at most {XLSX_MAX_SHARED_STRINGS:,} shared strings and {XLSX_MAX_CELLS:,} cells")


def _unreadable(exc: Exception) -> InputError:
    return InputError("file", f"not a readable XLSX workbook ({type(exc).__name__})", "CSV (UTF-8) or XLSX")


def check_xlsx_bounds(data: bytes) -> None:
    """Refuse a workbook that would expand beyond the bounds above, reading only the zip directory and
    streaming the shared-strings part (constant memory, stops at the first string over the bound)."""
    import zipfile

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise _unreadable(exc) from None
    if len(members) > XLSX_MAX_MEMBERS:
        raise TooLarge("file", f"the workbook has {len(members)} parts", _XLSX_ALLOWED)
    expanded = sum(m.file_size for m in members)
    if expanded > XLSX_MAX_UNCOMPRESSED:
        raise TooLarge("file", f"the workbook expands to {expanded:,} bytes", _XLSX_ALLOWED)
    for member in members:
        if member.filename.lower().endswith("sharedstrings.xml"):
            count = _count_shared_strings(archive, member)
            if count > XLSX_MAX_SHARED_STRINGS:
                raise TooLarge("file", f"more than {XLSX_MAX_SHARED_STRINGS:,} shared strings", _XLSX_ALLOWED)


def _count_shared_strings(archive, member) -> int:
    """The <si> elements of a shared-strings part (tariffs.xlsx_bounds: counted on the raw bytes, stops as
    soon as the count passes the bound); a corrupt member is an unreadable workbook."""
    import zipfile

    from tariffs.xlsx_bounds import count_shared_strings

    try:
        return count_shared_strings(archive, member, XLSX_MAX_SHARED_STRINGS)
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise _unreadable(exc) from None


def _read_xlsx(data: bytes, max_rows: int) -> list[list]:
    from openpyxl import load_workbook

    check_xlsx_bounds(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 -- whatever a malformed workbook raises, it is the file's fault
        raise _unreadable(exc) from None
    try:
        sheet = workbook.worksheets[0]
        # The sheet's own dimension record is not trusted: without it, rows are as long as their cells
        # (a forged A1:XFD1048576 would otherwise pad every row to 16,384 cells).
        sheet.reset_dimensions()
        table, cells_read = [], 0
        for cells in sheet.iter_rows(values_only=True):
            cells_read += len(cells)
            if cells_read > XLSX_MAX_CELLS:
                raise TooLarge("file", f"more than {XLSX_MAX_CELLS:,} cells", _XLSX_ALLOWED)
            table.append(list(cells))
            if len(table) > max_rows + 1:
                raise _too_many(max_rows)
        return table
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 -- a malformed sheet, found while streaming it
        raise _unreadable(exc) from None
    finally:
        workbook.close()


def rows_from_json(items: list[dict], max_rows: int) -> list[Row]:
    if len(items) > max_rows:
        raise _too_many(max_rows)
    rows = []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise InputError(f"rows[{i}]", "a row is not an object", "an object with the batch columns")
        rows.append(Row(i + 2, {str(k).strip().lower(): _cell_text(v) for k, v in item.items()}))
    return rows


def shipment_of(row: Row) -> dict:
    return shipment_of_values(row.values)


def _field_of(error_field: str) -> str:
    return field_of(error_field)


def price_rows(rows: list[Row], known_at: str | None, engine=None) -> list[Row]:
    """Price the rows through quote_frame; each row gets its result columns, its entry's quote or its error."""
    import pandas as pd

    if not rows:
        return rows
    frame = pd.DataFrame([row.values for row in rows], dtype=object).fillna("")
    priced = quote_frame(frame, known_at, engine or tariffs.engine_for(), keep_quotes=True)
    columns = [c for c in priced.columns if c not in frame.columns and c != "quote"]
    for row, (_, out) in zip(rows, priced.iterrows()):
        row.result = {c: out[c] for c in columns}
        if out["status"] == "ok":
            row.quote = out["quote"]
        else:
            message, _, allowed = out["error"].partition(" (allowed: ")
            row.error = InputError(out["error_field"], message, allowed[:-1] if allowed else None)
    return rows


def result_columns(rows: list[Row]) -> list[str]:
    return batch_result_columns([row.result for row in rows])


def result_values(row: Row) -> dict[str, str]:
    if row.result:
        return row.result
    message = row.error.message + (f" (allowed: {row.error.allowed})" if row.error.allowed else "")
    return {"status": "error", "error_field": row.error.field, "error": message}


def output_table(rows: list[Row]) -> tuple[list[str], list[list[str]]]:
    input_columns = []
    for row in rows:
        for k in row.values:
            if k not in input_columns:
                input_columns.append(k)
    header = ["row"] + input_columns + result_columns(rows)
    body = []
    for row in rows:
        result = result_values(row)
        body.append([str(row.number)] + [row.values.get(k, "") for k in input_columns]
                    + [result.get(k, "") for k in header[1 + len(input_columns):]])
    return header, body


def write_csv(header: list[str], body: list[list[str]]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow([_safe_cell(c) for c in header])  # user column headers are user text too
    w.writerows([_safe_cell(c) for c in cells] for cells in body)
    return buf.getvalue().encode("utf-8-sig")


def write_xlsx(header: list[str], body: list[list[str]], title: str = "priced") -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    def cell(text: str) -> str:
        # Control characters cannot be stored in a worksheet; they carry nothing a desk needs.
        return _safe_cell(ILLEGAL_CHARACTERS_RE.sub("", text))

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append([cell(c) for c in header])
    for cells in body:
        sheet.append([cell(c) for c in cells])
    buf = io.BytesIO()
    workbook.save(buf)
    return buf.getvalue()


def template_table() -> tuple[list[str], list[list[str]]]:
    header = COLUMN_NAMES
    example = [c[3] for c in COLUMNS]
    return header, [example]

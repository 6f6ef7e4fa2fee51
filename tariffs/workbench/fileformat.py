"""The entry file format of the auditor's workbench: one row per tariff number per entry line.

This is how ACE entry-summary line reports list an entry: under each entry line, the commodity
row (its HTSUS number, the entered value) followed by the line's Chapter 99 rows, each with the
duty deposited under that tariff number. CSV, XLSX and Parquet are read; a user's own headers
are mapped onto these names with a column map (``--columns "Entry No=entry_number,..."``).

Fees: `mpf_paid` and `hmf_paid` are per entry line, on the line's commodity row (ACE prorates
the entry's MPF and HMF over its lines); the entry's fee paid is the sum over its lines (giving it on
one line and leaving the others empty works too). The same amount on every line of an entry, equal to
the entry's fee, is read once (and said so). Left empty on every line of an entry, the fee is "not
reported" and not reconciled.

The entry's columns (importer, entry_type, dates, liquidation, port, mode) may be left empty on all
but the entry's first row, and `origin` on all but the line's first row: they are carried down.

Dates are YYYY-MM-DD (or MM/DD/YYYY as ACE prints them); amounts are USD with at most two decimals
(a leading $ and thousands separators are accepted).
"""
from __future__ import annotations

import json
from pathlib import Path

from tariffs.errors import InputError
from tariffs.xlsx_bounds import check_xlsx_bounds

# name, required, description, example
COLUMNS = [
    ("entry_number", True, "Entry number: filer code, 7 digits, check digit (dashes optional).", "AB1-0012345-6"),
    ("line_number", True, "Entry line number (1, 2, ...); the rows of one line share it.", "1"),
    ("importer", True, "Importer of record (IOR number or name).", "Acme Tools Inc"),
    ("entry_type", True, "ACE entry type code: 01 consumption, 03 AD/CVD, 06 FTZ consumption, 11 informal; "
                         "or the word formal / informal.", "01"),
    ("entry_date", True, "Date of entry (release), YYYY-MM-DD.", "2025-06-10"),
    ("filed_on", True, "Entry summary date, YYYY-MM-DD: the rules are read as known at the end of this day.",
     "2025-06-20"),
    ("liquidation_date", False, "Date of liquidation (actual or scheduled), YYYY-MM-DD.", ""),
    ("liquidation_status", False, "unliquidated, scheduled, liquidated, extended, suspended or final.", ""),
    ("port", False, "Port of entry, 4-digit CBP code.", "2704"),
    ("mode", True, "Mode of transport: ocean, air, truck, rail, mail or the ACE code (10, 11, 20, 30, 40, 50...).",
     "11"),
    ("origin", True, "Country of origin of the line, ISO 3166-1 alpha-2.", "CN"),
    ("hts", True, "The tariff number of this row: the HTSUS commodity number (10 digits) or a Chapter 99 "
                  "heading (9903.xx.xx).", "9403.60.80.93"),
    ("entered_value", False, "Entered value of the line in USD, on its commodity row (ignored on Chapter 99 "
                             "rows).", "5000.00"),
    ("duty_paid", True, "Duty deposited under this tariff number, USD.", "1250.00"),
    ("quantity", False, "Quantity in the tariff's unit, on the commodity row.", "100"),
    ("unit", False, "Unit of the quantity as printed in the schedule (kg, No., doz....).", "No."),
    ("mpf_paid", False, "Merchandise processing fee paid for this line, USD, on the commodity row.", "17.32"),
    ("hmf_paid", False, "Harbor maintenance fee paid for this line, USD, on the commodity row.", "6.25"),
]
COLUMN_NAMES = [c[0] for c in COLUMNS]
REQUIRED = [c[0] for c in COLUMNS if c[1]]
MAX_BYTES = 512 * 1024 * 1024
# What an XLSX entry file may expand to before it is parsed (pandas/openpyxl hold the whole workbook and its
# shared strings in memory): about 150,000 rows of the format; a small zip "bomb" is refused from its zip
# directory and a streamed count of its shared strings (tariffs.xlsx_bounds). Larger books: CSV or Parquet.
XLSX_MAX_UNCOMPRESSED = 128 * 1024 * 1024
XLSX_MAX_SHARED_STRINGS = 1_000_000
SUFFIXES = (".csv", ".xlsx", ".parquet")


def parse_column_map(text: str | None) -> dict[str, str]:
    """``"Entry No=entry_number, Line=line_number"`` (or a JSON object, or a path to one) ->
    {their header: our column}."""
    if not text:
        return {}
    text = text.strip()
    if not text.startswith("{") and Path(text).is_file():
        text = Path(text).read_text(encoding="utf-8").strip()
    if text.startswith("{"):
        try:
            mapping = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError("--columns", f"not valid JSON: {exc.msg}", '{"their header": "entry_number", ...}') \
                from None
        if not isinstance(mapping, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                                    for k, v in mapping.items()):
            raise InputError("--columns", "expected an object of header names", '{"their header": "entry_number"}')
    else:
        mapping = {}
        for part in text.split(","):
            if not part.strip():
                continue
            if "=" not in part:
                raise InputError("--columns", f"{part.strip()!r} has no '='", "THEIRS=ours pairs separated by commas")
            theirs, ours = part.rsplit("=", 1)
            mapping[theirs.strip()] = ours.strip()
    for theirs, ours in mapping.items():
        if ours not in COLUMN_NAMES:
            raise InputError("--columns", f"{theirs!r} is mapped to unknown column {ours!r}", ", ".join(COLUMN_NAMES))
    if len(set(mapping.values())) != len(mapping):
        raise InputError("--columns", "two headers are mapped to the same column", "one header per column")
    return mapping


def read_table(path: str | Path, column_map: dict[str, str] | None = None, filename: str | None = None):
    """Read an entry file into a DataFrame of text (every cell a str, empty for blank), with the
    documented column names. Raises InputError naming the file or the missing column."""
    import pandas as pd

    path = Path(path)
    name = (filename or path.name).lower()
    if not path.is_file():
        raise InputError("FILE", f"{str(path)!r} does not exist or is not a file", "a CSV, XLSX or Parquet entry file")
    if path.stat().st_size > MAX_BYTES:
        raise InputError("FILE", f"larger than {MAX_BYTES // 2**20} MB", "a smaller file, or split it by month")
    try:
        if name.endswith(".csv"):
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        elif name.endswith(".xlsx"):
            check_xlsx_bounds(path, field="FILE", max_uncompressed=XLSX_MAX_UNCOMPRESSED,
                              max_shared_strings=XLSX_MAX_SHARED_STRINGS, unreadable_allowed=", ".join(SUFFIXES))
            frame = pd.read_excel(path, dtype=str, keep_default_na=False, engine="openpyxl")
        elif name.endswith(".parquet"):
            frame = pd.read_parquet(path).astype(str)
        else:
            raise InputError("FILE", f"unknown file type {Path(name).suffix!r}", ", ".join(SUFFIXES))
    except InputError:
        raise
    except (ValueError, OSError, UnicodeDecodeError, KeyError) as exc:
        raise InputError("FILE", f"cannot be read as {Path(name).suffix.lstrip('.').upper()}: "
                         f"{str(exc).splitlines()[0][:200]}", ", ".join(SUFFIXES)) from None
    except Exception as exc:  # the XLSX and Parquet readers raise their own types for a corrupt file
        raise InputError("FILE", f"cannot be read: {type(exc).__name__}", ", ".join(SUFFIXES)) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    mapping = column_map or {}
    for theirs in mapping:
        if theirs not in frame.columns:
            raise InputError("--columns", f"header {theirs!r} is not in the file", ", ".join(frame.columns[:30]))
    frame = frame.rename(columns=mapping)
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise InputError(missing[0], "required column is missing from the file",
                         "the documented columns (" + ", ".join(REQUIRED) + "), or map yours with --columns")
    keep = [c for c in COLUMN_NAMES if c in frame.columns]
    frame = frame[keep].copy()
    for c in COLUMN_NAMES:
        if c not in frame.columns:
            frame[c] = ""
    frame = frame[COLUMN_NAMES]
    frame = frame.map(lambda v: "" if v is None or v in ("nan", "None", "NaT", "<NA>") else str(v).strip())
    return frame


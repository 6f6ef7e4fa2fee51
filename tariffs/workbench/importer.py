"""Validate an entry file row by row and group it into entries, lines and tariff rows.

Every problem is reported with its row number (as a spreadsheet shows it: the header is row 1)
and the column to blame. A rejected row takes its whole entry with it: an entry priced without
one of its rows would be reconciled wrongly, so the other rows of that entry are listed as
rejected too ("entry has a rejected row"). What remains is written to the store in one
transaction (tariffs.workbench.store), so an import lands whole or not at all.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import pycountry

from tariffs import entrytypes
from tariffs.hts import digits, dotted

ENTRY_NUMBER = re.compile(r"^([A-Z0-9]{3})-?(\d{7})-?(\d)$")
# ACE mode-of-transport codes (ACE CATAIR, Appendix B): vessel, rail, truck, air, mail.
MODES = {"10": "ocean", "11": "ocean", "12": "ocean", "20": "rail", "21": "rail", "30": "truck", "31": "truck",
         "32": "truck", "33": "truck", "34": "truck", "40": "air", "41": "air", "50": "mail",
         "ocean": "ocean", "vessel": "ocean", "air": "air", "truck": "truck", "rail": "rail", "mail": "mail"}
LIQUIDATION_STATUSES = ("unliquidated", "scheduled", "liquidated", "extended", "suspended", "final")
STATUS_WORDS = {"not liquidated": "unliquidated", "pending": "unliquidated", "open": "unliquidated",
                "closed": "liquidated", "finally liquidated": "final", **{s: s for s in LIQUIDATION_STATUSES}}
# Columns that belong to the entry (every row of an entry must agree) and to the line.
ENTRY_FIELDS = ("importer", "entry_type", "entry_date", "filed_on", "liquidation_date", "liquidation_status", "port",
                "mode")
LINE_FIELDS = ("origin",)
ENTRY_COLUMNS = ("importer", "entry_type", "entry_date", "filed_on", "liquidation_date", "liquidation_status", "port",
                 "mode")
_COUNTRIES = {c.alpha_2 for c in pycountry.countries} | {"XK"}
_MONEY = re.compile(r"^-?\d+(\.\d{1,2})?$")
_MONEY_LIMIT = Decimal("1000000000000")


@dataclass
class TariffRow:
    row_number: int
    hts: str  # dotted: 9403.60.80.93 or 9903.88.03
    duty_paid: Decimal

    @property
    def is_chapter99(self) -> bool:
        return self.hts.startswith("99")


@dataclass
class EntryLine:
    line_number: int
    origin: str
    hts: str = ""  # the commodity number (dotted)
    entered_value: Decimal = Decimal("0")
    quantity: str = ""
    unit: str = ""
    mpf_paid: Decimal | None = None
    hmf_paid: Decimal | None = None
    rows: list[TariffRow] = field(default_factory=list)

    @property
    def chapter99(self) -> list[str]:
        return [r.hts for r in self.rows if r.is_chapter99]


@dataclass
class Entry:
    entry_number: str
    importer: str
    entry_type: str  # formal | informal
    entry_type_code: str
    entry_date: dt.date
    filed_on: dt.date
    liquidation_date: dt.date | None
    liquidation_status: str
    port: str
    mode: str
    lines: dict[int, EntryLine] = field(default_factory=dict)
    first_row: int = 0


@dataclass
class Rejected:
    row_number: int
    field: str
    message: str
    entry_number: str = ""

    def __str__(self) -> str:
        return f"row {self.row_number}: {self.field}: {self.message}"


@dataclass
class ImportBatch:
    entries: list[Entry]
    rejected: list[Rejected]
    rows_read: int

    @property
    def rows_accepted(self) -> int:
        return sum(len(line.rows) for e in self.entries for line in e.lines.values())


class _RowError(Exception):
    def __init__(self, field_name: str, message: str):
        self.field = field_name
        self.message = message


def _date(value: str, name: str, required: bool = True) -> dt.date | None:
    if not value:
        if required:
            raise _RowError(name, "is empty (required): YYYY-MM-DD")
        return None
    text = value[:10] if re.match(r"^\d{4}-\d{2}-\d{2}([ T]00:00(:00)?)?$", value) else value
    us = re.match(r"^(\d{1,2})/(\d{1,2})/(\d{4})$", text)  # ACE reports print MM/DD/YYYY
    try:
        day = dt.date(int(us.group(3)), int(us.group(1)), int(us.group(2))) if us else dt.date.fromisoformat(text)
    except ValueError:
        raise _RowError(name, f"{value!r} is not a date (allowed: YYYY-MM-DD or MM/DD/YYYY)") from None
    if not dt.date(2018, 1, 1) <= day <= dt.date(2035, 12, 31):
        raise _RowError(name, f"{value} is outside the rule tables (allowed: 2018-01-01 to 2035-12-31)")
    return day


def _money(value: str, name: str, required: bool) -> Decimal | None:
    if not value:
        if required:
            raise _RowError(name, "is empty (required): an amount in USD such as 1250.00")
        return None
    text = value[1:] if value.startswith("$") else value
    text = text.replace(",", "") if re.match(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$", text) else text
    if not _MONEY.match(text):
        raise _RowError(name, f"{value!r} is not an amount (allowed: USD with at most 2 decimals, e.g. 1250.00)")
    amount = Decimal(text)
    if amount < 0:
        raise _RowError(name, f"{value} is negative (allowed: 0 or more)")
    if amount >= _MONEY_LIMIT:
        raise _RowError(name, f"{value} is too large (allowed: below 1,000,000,000,000)")
    return amount


def _tariff_number(value: str) -> str:
    if not value or not re.match(r"^[0-9][0-9.\s]*$", value):
        raise _RowError("hts", f"{value!r} is not a tariff number (allowed: 10-digit HTSUS number or a "
                               "Chapter 99 heading such as 9903.88.03)")
    d = digits(value)
    if d.startswith("99"):
        if len(d) not in (8, 10):
            raise _RowError("hts", f"{value!r}: a Chapter 99 heading has 8 digits (9903.88.03)")
        return dotted(d[:8])
    if len(d) not in (8, 10):
        raise _RowError("hts", f"{value!r} has {len(d)} digits (allowed: 10 digits, dots optional)")
    return dotted(d)


def _row_values(raw: dict) -> dict:
    """Parse one row's own fields; raises _RowError naming the first bad one."""
    out = {}
    number = raw["entry_number"].upper().replace(" ", "")
    m = ENTRY_NUMBER.match(number)
    if not m:
        raise _RowError("entry_number", f"{raw['entry_number']!r} is not an entry number "
                                        "(allowed: filer code, 7 digits, check digit: AB1-0012345-6)")
    out["entry_number"] = f"{m.group(1)}-{m.group(2)}-{m.group(3)}"
    if not re.match(r"^\d{1,5}$", raw["line_number"]) or int(raw["line_number"]) < 1:
        raise _RowError("line_number", f"{raw['line_number']!r} is not a line number (allowed: 1 to 99999)")
    out["line_number"] = int(raw["line_number"])
    if not raw["importer"]:
        raise _RowError("importer", "is empty (required): the importer of record")
    out["importer"] = raw["importer"][:200]
    code = entrytypes.code_of(raw["entry_type"])
    kind = entrytypes.understand(code)
    if kind is None:
        raise _RowError("entry_type", f"{raw['entry_type']!r} is not supported (allowed: {entrytypes.allowed()})")
    out["entry_type"], out["entry_type_code"] = kind, code
    out["entry_date"] = _date(raw["entry_date"], "entry_date")
    out["filed_on"] = _date(raw["filed_on"], "filed_on")
    out["liquidation_date"] = _date(raw["liquidation_date"], "liquidation_date", required=False)
    status = raw["liquidation_status"].lower().replace("_", " ")
    if status and status not in STATUS_WORDS:
        raise _RowError("liquidation_status", f"{raw['liquidation_status']!r} is not a status (allowed: "
                                              + ", ".join(LIQUIDATION_STATUSES) + ")")
    status = STATUS_WORDS.get(status, "")
    if status in ("liquidated", "final") and out["liquidation_date"] is None:
        raise _RowError("liquidation_date", f"is empty but the status is {status} (allowed: the date of liquidation)")
    out["liquidation_status"] = status  # empty: not reported (the deadlines read the liquidation date)
    if raw["port"] and not re.match(r"^\d{4}$", raw["port"]):
        raise _RowError("port", f"{raw['port']!r} is not a port code (allowed: 4 digits, e.g. 2704)")
    out["port"] = raw["port"]
    mode = raw["mode"].lower()
    if mode not in MODES:
        raise _RowError("mode", f"{raw['mode']!r} is not a mode (allowed: ocean, air, truck, rail, mail or ACE codes "
                                "10-12, 20-21, 30-34, 40-41, 50)")
    out["mode"] = MODES[mode]
    origin = raw["origin"].upper()
    if origin not in _COUNTRIES:
        raise _RowError("origin", f"{raw['origin']!r} is not a country (allowed: ISO 3166-1 alpha-2, e.g. CN)")
    out["origin"] = origin
    out["hts"] = _tariff_number(raw["hts"])
    chapter99 = out["hts"].startswith("99")
    out["duty_paid"] = _money(raw["duty_paid"], "duty_paid", required=True)
    if not chapter99:
        out["entered_value"] = _money(raw["entered_value"], "entered_value", required=True)
        if raw["quantity"] and not re.match(r"^\d+(\.\d+)?$", raw["quantity"]):
            raise _RowError("quantity", f"{raw['quantity']!r} is not a quantity (allowed: a number, 0 or more)")
        out["quantity"], out["unit"] = raw["quantity"], raw["unit"]
        out["mpf_paid"] = _money(raw["mpf_paid"], "mpf_paid", required=False)
        out["hmf_paid"] = _money(raw["hmf_paid"], "hmf_paid", required=False)
    else:
        for name in ("mpf_paid", "hmf_paid"):
            if raw[name] and not (_MONEY.match(raw[name]) and Decimal(raw[name]) == 0):
                raise _RowError(name, "is on a Chapter 99 row (allowed: on the line's commodity row only)")
    return out


def validate(frame) -> ImportBatch:
    """The rows of a DataFrame read by fileformat.read_table -> entries and rejected rows."""
    entries: dict[str, Entry] = {}
    rejected: list[Rejected] = []
    bad_entries: dict[str, str] = {}
    rows_by_entry: dict[str, list[int]] = {}
    seen: dict[tuple, int] = {}
    records = frame.to_dict("records")
    first_of_entry: dict[str, dict] = {}
    first_of_line: dict[tuple, dict] = {}
    for index, raw in enumerate(records):
        row_number = index + 2
        # Entry columns may be given on an entry's first row only, the origin on a line's first row only.
        number = raw["entry_number"].upper().replace(" ", "")
        if number in first_of_entry:
            for name in ENTRY_COLUMNS:
                if not raw[name]:
                    raw[name] = first_of_entry[number][name]
        else:
            first_of_entry[number] = raw
        line_key = (number, raw["line_number"])
        if line_key in first_of_line:
            if not raw["origin"]:
                raw["origin"] = first_of_line[line_key]["origin"]
        else:
            first_of_line[line_key] = raw
        try:
            v = _row_values(raw)
        except _RowError as exc:
            number = raw.get("entry_number", "").upper()
            m = ENTRY_NUMBER.match(number.replace(" ", ""))
            key = f"{m.group(1)}-{m.group(2)}-{m.group(3)}" if m else ""
            rejected.append(Rejected(row_number, exc.field, exc.message, key))
            if key:
                bad_entries.setdefault(key, f"row {row_number}")
            continue
        key = v["entry_number"]
        rows_by_entry.setdefault(key, []).append(row_number)
        try:
            entry = entries.get(key)
            if entry is None:
                entry = entries[key] = Entry(key, v["importer"], v["entry_type"], v["entry_type_code"], v["entry_date"],
                                             v["filed_on"], v["liquidation_date"], v["liquidation_status"], v["port"],
                                             v["mode"], first_row=row_number)
            else:
                for name in ENTRY_FIELDS:
                    if getattr(entry, name) != v[name]:
                        raise _RowError(name, f"{v[name] or 'empty'} differs from {getattr(entry, name) or 'empty'} "
                                              f"on row {entry.first_row} of the same entry (allowed: one value per entry)")
            line = entry.lines.get(v["line_number"])
            if line is None:
                line = entry.lines[v["line_number"]] = EntryLine(v["line_number"], v["origin"])
            elif line.origin != v["origin"]:
                raise _RowError("origin", f"{v['origin']} differs from {line.origin} on another row of line "
                                          f"{v['line_number']} (allowed: one origin per line)")
            dup = (key, v["line_number"], v["hts"])
            if dup in seen:
                raise _RowError("hts", f"{v['hts']} appears twice on line {v['line_number']} (first on row "
                                       f"{seen[dup]}; allowed: one row per tariff number per line)")
            seen[dup] = row_number
            if not v["hts"].startswith("99"):
                if line.hts:
                    raise _RowError("hts", f"line {v['line_number']} has a second commodity number {v['hts']} "
                                           f"(first {line.hts}; allowed: one commodity row per line, the others "
                                           "Chapter 99)")
                line.hts, line.entered_value = v["hts"], v["entered_value"]
                line.quantity, line.unit = v["quantity"], v["unit"]
                line.mpf_paid, line.hmf_paid = v["mpf_paid"], v["hmf_paid"]
            line.rows.append(TariffRow(row_number, v["hts"], v["duty_paid"]))
        except _RowError as exc:
            rejected.append(Rejected(row_number, exc.field, exc.message, key))
            bad_entries.setdefault(key, f"row {row_number}")
    for key, entry in entries.items():
        if key in bad_entries:
            continue
        for line in entry.lines.values():
            if not line.hts:
                first = line.rows[0].row_number
                rejected.append(Rejected(first, "hts", f"line {line.line_number} of entry {key} has no commodity row "
                                                       "(allowed: one HTSUS number per line, with its Chapter 99 rows)",
                                         key))
                bad_entries.setdefault(key, f"row {first}")
    rejected_rows = {r.row_number for r in rejected}
    for key, where in bad_entries.items():
        for row_number in rows_by_entry.get(key, []):
            if row_number not in rejected_rows:
                rejected.append(Rejected(row_number, "entry_number", f"entry {key} has a rejected row ({where}); "
                                                                      "the whole entry is set aside", key))
        entries.pop(key, None)
    rejected.sort(key=lambda r: r.row_number)
    return ImportBatch(list(entries.values()), rejected, len(records))

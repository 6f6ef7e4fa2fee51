"""Batch pricing for developers: a pandas DataFrame of lines in, one priced row per line out.

    import pandas as pd, tariffs.batch
    priced = tariffs.batch.quote_frame(pd.read_csv("book.csv", dtype=str), known_at="2026-11-21")

Input: the columns of COLUMNS (strings or numbers). Rows with the same non-empty ``entry`` form one
multi-line entry (their entry-level columns must agree); a row without ``entry`` is an entry of its own.
Output: the input columns, then RESULT_COLUMNS (plus one ``duty_<program>`` column per program charged):

- per line: ``duties`` (customs duty of the line) and ``duty_<program>``; ``headings_charged`` and
  ``headings_declared`` (Chapter 99 headings, ``;``-separated, in CBP reporting order); ``mpf``, ``hmf``,
  ``fees``: the entry's fees **allocated to its lines pro rata by customs value** (MPF over the lines in
  its base, i.e. not exempt under 19 CFR 24.23(c)), in cents that add up exactly to the entry's fee
  (largest remainder, `tariffs.money.allocate`); freight, insurance and other costs allocated the same
  way into ``landed_cost``, so the lines' landed costs add up to the entry's; ``carbon`` (CBAM),
  ``import_vat``; ``effective_duty_rate`` (duties / customs value); ``refundable`` (as filed minus as
  known, this line's share of the entry's ``retroactive_changes``); ``warncodes`` (short codes,
  `tariffs.warncodes`) and ``warnings`` (full text: the line's own and the entry's);
- per entry, repeated on each of its rows: ``entry_lines``, ``entry_customs_value``, ``entry_duties``,
  ``entry_mpf``, ``entry_hmf``, ``entry_fees``, ``entry_carbon``, ``entry_landed_cost``,
  ``entry_refundable`` (the quote's totals, exactly);
- ``status`` ok/error, ``error_field`` (the column to blame), ``error``; a bad row fails its entry, the
  other entries are still priced; ``path``: which engine priced the row (``scalar``: the one-shipment
  engine, `tariffs.Engine`; ``columnar`` when the vectorised core prices it);
- ``ruleset_version``, ``known_at_used``.

Money is text with exactly two decimals (exact; ``decimal.Decimal(text)`` reads it back). With
``as_filed=True`` the money columns are the entry as known on its filing day (``filed_on``, default the
entry date) and ``refundable`` is unchanged.
"""
from __future__ import annotations

import re
from decimal import Decimal

from tariffs.errors import InputError
from tariffs.model import Quote
from tariffs.money import ZERO, allocate, cents
from tariffs.warncodes import warning_codes

HOME_CURRENCY = {"US": "USD", "EU": "EUR", "TW": "TWD"}

# name, required, description, example
COLUMNS = [
    ("reference", False, "Your own reference for the row; copied to the priced file.", "PO-1001"),
    ("entry", False, "Entry number: rows with the same entry are the lines of one entry (MPF/HMF once per entry); "
                     "empty: the row is an entry of its own.", ""),
    ("destination", False, "US (default), EU (with member_state) or TW.", "US"),
    ("member_state", False, "EU only: member state of import (fixes the VAT rate).", ""),
    ("entry_date", True, "Date of entry (or withdrawal) for consumption, YYYY-MM-DD.", "2025-12-01"),
    ("filed_on", False, "Date the entry was filed (default: entry_date).", "2025-12-01"),
    ("hts", True, "HTSUS number, 8 or 10 digits, dots optional.", "7408.11.60.00"),
    ("description", False, "Free text.", "Copper wire, refined"),
    ("origin", True, "Country of origin, ISO 3166-1 alpha-2.", "TW"),
    ("customs_value", True, "Customs value in `currency`.", "100000.00"),
    ("mode", False, "ocean (default), air, truck, rail or mail.", "ocean"),
    ("currency", False, "Currency of the money columns (default USD).", "USD"),
    ("fx_rate", False, "Units of the destination's currency per one unit of `currency`; required when they differ.", ""),
    ("freight", False, "Freight in `currency`.", "4200.00"),
    ("insurance", False, "Insurance in `currency`.", "300.00"),
    ("other_costs", False, "Other costs in `currency`.", "150.00"),
    ("quantity", False, "Quantity in the tariff's unit.", "10000"),
    ("unit", False, "Unit of quantity as printed in the schedule (kg, No., doz., liters, m2, t...).", "kg"),
    ("quantity2", False, "Second quantity, for lines with two units.", ""),
    ("unit2", False, "Second unit.", ""),
    ("net_weight_kg", False, "Net weight in kg.", "10000"),
    ("copper_content", False, "Value of the copper content, in `currency`.", "100000.00"),
    ("steel_content", False, "Value of the steel content, in `currency`.", ""),
    ("aluminum_content", False, "Value of the aluminum content, in `currency`.", ""),
    ("us_content_value", False, "Value of U.S. content, in `currency`.", ""),
    ("claims", False, "Special-program indicators or Chapter 99 claims, separated by spaces or ';'.", ""),
    ("loaded_on", False, "Date loaded at the port of export (in-transit rules), YYYY-MM-DD.", "2025-11-20"),
    ("mfn_rate", False, "Rate text, only for a line whose printed MFN rate cannot be computed.", ""),
    ("known_at", False, "Price as the rules were known at this date/datetime (default: the upload's).", ""),
]
COLUMN_NAMES = [c[0] for c in COLUMNS]
REQUIRED = [c[0] for c in COLUMNS if c[1]]
SHIPMENT_KEYS = ("destination", "member_state", "entry_date", "filed_on", "mode", "currency", "fx_rate", "freight",
                 "insurance", "other_costs")
LINE_KEYS = ("hts", "description", "origin", "customs_value", "quantity", "unit", "quantity2", "unit2",
             "net_weight_kg", "us_content_value", "loaded_on", "mfn_rate")
RESULT_COLUMNS = ["status", "error_field", "error", "path", "duties", "headings_charged", "headings_declared",
                  "mpf", "hmf", "fees", "carbon", "import_vat", "landed_cost", "landed_cost_incl_vat",
                  "effective_duty_rate", "refundable", "warncodes", "warnings",
                  "entry_lines", "entry_customs_value", "entry_duties", "entry_mpf", "entry_hmf", "entry_fees",
                  "entry_carbon", "entry_landed_cost", "entry_refundable", "ruleset_version", "known_at_used"]
# Programs reported in their own columns rather than as duty (carbon price, VAT / business tax).
VAT_PROGRAMS = ("import_vat", "tw_business_tax")
NOT_DUTY = ("cbam", *VAT_PROGRAMS)


def _text(value) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value).strip()


def shipment_of_rows(rows: list[dict], entry: str = "") -> dict:
    """The rows of one entry (documented columns) -> a shipment in the contract's shape, one line per row.

    Entry-level columns (SHIPMENT_KEYS, known_at) may be left empty on some rows but must not disagree."""
    texts = [{k: _text(x) for k, x in values.items()} for values in rows]
    for i, v in enumerate(texts):
        for name in REQUIRED:
            if not v.get(name):
                field = f"lines[{i}].{name}" if name not in SHIPMENT_KEYS else name
                raise InputError(field, "required column is empty", dict((c[0], c[3]) for c in COLUMNS)[name])
    entry_values = {}
    for key in (*SHIPMENT_KEYS, "known_at"):
        found = list(dict.fromkeys(v[key] for v in texts if v.get(key)))
        if len(found) > 1:
            raise InputError(key, f"the rows of entry {entry!r} disagree on {key}: {', '.join(found[:3])}",
                             "one value per entry (or empty on all but one of its rows)")
        entry_values[key] = found[0] if found else ""
    destination = (entry_values["destination"] or "US").upper()
    shipment: dict = {"destination": destination, "mode": entry_values["mode"] or "ocean",
                      "currency": (entry_values["currency"] or HOME_CURRENCY.get(destination, "USD")).upper()}
    for key in SHIPMENT_KEYS:
        if entry_values[key] and key not in ("destination", "mode", "currency"):
            shipment[key] = entry_values[key]
    shipment["lines"] = [_line_of(v) for v in texts]
    return shipment


def _line_of(v: dict) -> dict:
    line: dict = {}
    for key in LINE_KEYS:
        if v.get(key):
            line[key] = v[key].upper() if key == "origin" else v[key]
    metals = {m: v[f"{m}_content"] for m in ("copper", "steel", "aluminum") if v.get(f"{m}_content")}
    if metals:
        line["metal_content"] = metals
    if v.get("claims"):
        line["claims"] = [c for c in re.split(r"[\s,;]+", v["claims"]) if c]
    return line


def shipment_of_values(values: dict) -> dict:
    """One row of the documented columns -> a one-line shipment in the contract's shape."""
    return shipment_of_rows([values])


def field_of(error_field: str) -> str:
    """lines[0].metal_content.copper -> copper_content; lines[0].hts -> hts (the column to blame)."""
    name = re.sub(r"^lines\[\d+\]\.", "", error_field)
    if name.startswith("metal_content."):
        return name.split(".", 1)[1] + "_content"
    return name


def _line_of_field(error_field: str) -> int | None:
    match = re.match(r"^lines\[(\d+)\]", error_field)
    return int(match.group(1)) if match else None


def quote_values(q: Quote) -> dict[str, str]:
    """The priced columns of a one-line quote (its only line, and the entry's totals), as text."""
    return line_values(q, q)[0]


def line_values(shown: Quote, known: Quote) -> list[dict[str, str]]:
    """One dict of result columns per line of an entry.

    ``shown`` gives the money (as known at known_at, or as filed); ``known`` (the quote as known at
    known_at) gives ``refundable``, from its retroactive changes."""
    lines = shown.lines
    values = [line.customs_value for line in lines]
    fee_shares: dict[str, list[Decimal]] = {}
    for fee in shown.entry_charges:
        if fee.program == "mpf":
            weights = [ZERO if line.index in shown._mpf_exempt_lines else line.customs_value for line in lines]
        else:
            weights = values
        shares = allocate(fee.amount, weights)
        fee_shares[fee.program] = [a + b for a, b in zip(fee_shares.get(fee.program, [ZERO] * len(lines)), shares)]
    others = allocate(shown.totals.freight_insurance_other, values)
    refund: dict[int, Decimal] = {}
    for change in known.retroactive_changes:
        refund[change.line] = refund.get(change.line, ZERO) + change.difference
    totals = shown.totals
    entry = {
        "entry_lines": str(len(lines)), "entry_customs_value": str(totals.customs_value),
        "entry_duties": str(totals.duties), "entry_fees": str(totals.fees),
        "entry_mpf": str(sum((f.amount for f in shown.entry_charges if f.program == "mpf"), cents(ZERO))),
        "entry_hmf": str(sum((f.amount for f in shown.entry_charges if f.program == "hmf"), cents(ZERO))),
        "entry_carbon": str(totals.carbon), "entry_landed_cost": str(totals.landed_cost),
        "entry_refundable": str(known.totals.refundable),
        "ruleset_version": shown.ruleset.version, "known_at_used": shown.known_at.isoformat()}
    own_warnings: dict[int, list[str]] = {}
    entry_warnings = []
    for text in shown.warnings:
        at = _line_of_field(text)
        (own_warnings.setdefault(at, []) if at is not None else entry_warnings).append(text)
    out = []
    for i, line in enumerate(lines):
        by_program: dict[str, Decimal] = {}
        for charge in line.charges:
            by_program[charge.program] = by_program.get(charge.program, ZERO) + charge.amount
        carbon = cents(by_program.get("cbam", ZERO))
        vat = cents(sum((by_program.get(p, ZERO) for p in VAT_PROGRAMS), ZERO))
        fees = cents(sum((shares[i] for shares in fee_shares.values()), ZERO))
        landed = line.customs_value + others[i] + line.duty + fees + carbon
        charged = {c.heading for c in line.charges if c.program != "mfn"}
        warnings = own_warnings.get(line.index, []) + entry_warnings
        row = {"status": "ok", "error_field": "", "error": "", "path": "scalar", "duties": str(line.duty),
               "headings_charged": ";".join(h for h in line.reporting_order if h in charged),
               "headings_declared": ";".join(dict.fromkeys(d.heading for d in line.declarations)),
               "mpf": str(fee_shares.get("mpf", [cents(ZERO)] * len(lines))[i]),
               "hmf": str(fee_shares.get("hmf", [cents(ZERO)] * len(lines))[i]),
               "fees": str(fees), "carbon": str(carbon),
               "import_vat": str(vat) if shown.destination != "US" else "",
               "landed_cost": str(cents(landed)),
               "landed_cost_incl_vat": str(cents(landed + vat)) if shown.destination != "US" else "",
               "effective_duty_rate": str(line.effective_rate),
               "refundable": str(cents(refund.get(line.index, ZERO))),
               "warncodes": " ".join(warning_codes(warnings)), "warnings": " | ".join(warnings), **entry}
        for program, amount in by_program.items():
            if program not in NOT_DUTY:
                row[f"duty_{program}"] = str(cents(amount))
        out.append(row)
    return out


def error_values(exc: InputError, count: int, entry: str) -> list[dict[str, str]]:
    """The result columns of an entry that could not be priced: the row at fault names its column; the
    entry's other rows say which row failed them."""
    message = exc.message + (f" (allowed: {exc.allowed})" if exc.allowed else "")
    at = _line_of_field(exc.field)
    out = []
    for i in range(count):
        if at is None or at == i:
            out.append({"status": "error", "error_field": field_of(exc.field), "error": message, "path": "scalar"})
        else:
            out.append({"status": "error", "error_field": "entry", "path": "scalar",
                        "error": f"line {at + 1} of entry {entry!r} failed: {field_of(exc.field)}: {message}"})
    return out


def entry_groups(entries: list[str]) -> list[list[int]]:
    """Positions of the rows of each entry, in the order entries first appear; an empty entry is its own."""
    groups: dict[str, list[int]] = {}
    out: list[list[int]] = []
    for position, entry in enumerate(entries):
        if not entry:
            out.append([position])
            continue
        group = groups.get(entry)
        if group is None:
            group = groups[entry] = []
            out.append(group)
        group.append(position)
    return out


def price_entry(engine, rows: list[dict], known_at=None, as_filed: bool = False, entry: str = ""):
    """The result columns of one entry's rows (and its quote, or None when it failed)."""
    import datetime as dt

    try:
        shipment = shipment_of_rows(rows, entry)
        row_known = next((_text(r.get("known_at")) for r in rows if _text(r.get("known_at"))), "") or known_at
        quote, filed = engine.quote_pair(shipment, row_known)
        shown = quote
        if as_filed:
            filed_on = quote.filed_on or quote.entry_date
            shown = filed or engine.quote(shipment, dt.datetime.combine(filed_on, dt.time.max, tzinfo=dt.timezone.utc))
        return line_values(shown, quote), shown
    except InputError as exc:
        return error_values(exc, len(rows), entry), None


def result_columns(results: list[dict]) -> list[str]:
    """RESULT_COLUMNS with the duty_<program> columns met, in order, after ``duties``."""
    programs = list(dict.fromkeys(k for r in results for k in r if k.startswith("duty_")))
    at = RESULT_COLUMNS.index("duties") + 1
    return RESULT_COLUMNS[:at] + programs + RESULT_COLUMNS[at:]


def quote_frame(frame, known_at=None, engine=None, *, as_filed: bool = False, keep_quotes: bool = False):
    """Price every row of a DataFrame (columns of COLUMNS) and return a copy with the result columns added
    (see the module's docstring). ``known_at``: as for `tariffs.quote` (a ``known_at`` column overrides it
    per entry); ``engine``: a `tariffs.Engine` (default: the current rules); ``as_filed``: money as known
    on the filing day; ``keep_quotes``: add a ``quote`` column holding each entry's `Quote` (or None)."""
    import pandas as pd

    from tariffs.engine.pipeline import Engine

    engine = engine or Engine()
    records = frame.to_dict("records")
    entries = [_text(r.get("entry")) for r in records]
    results: list[dict] = [{} for _ in records]
    quotes: list = [None] * len(records)
    for positions in entry_groups(entries):
        rows = [records[p] for p in positions]
        values, quote = price_entry(engine, rows, known_at, as_filed, entries[positions[0]])
        for p, v in zip(positions, values):
            results[p], quotes[p] = v, quote
    columns = result_columns(results)
    priced = pd.DataFrame([[r.get(c, "") for c in columns] for r in results], index=frame.index, columns=columns,
                          dtype=object)
    for column in columns:
        if column.startswith("duty_"):
            # A program absent from a line charged it nothing: 0.00, not an empty cell (errors stay empty).
            priced.loc[priced["status"] == "ok", column] = priced.loc[priced["status"] == "ok", column].replace("", "0.00")
    if keep_quotes:
        priced["quote"] = quotes
    input_columns = [c for c in frame.columns if c not in priced.columns]
    return pd.concat([frame[input_columns], priced], axis=1)

"""The batch columns: what a book of lines holds (COLUMNS), how its rows become a shipment, and the priced
columns every batch output has (RESULT_COLUMNS, one duty_<program> column per duty program).

Documented for users in `tariffs.batch` and the README section "Batch".
"""
from __future__ import annotations

import re

from tariffs import entrytypes
from tariffs.errors import InputError

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
    ("mode", False, "ocean (default), air, truck, rail, mail, hand_carried, fixed_installation (any case) or an "
             "ACE mode-of-transportation code (10-12 vessel, 20-21 rail, 30-34 road, 40-41 air, 50, 60, 70).", "ocean"),
    ("entry_type", False, "US: formal, informal or de_minimis (any case), or an ACE entry type code (01, 03, 06 "
                   "formal; 11 informal); default: what the entry qualifies for.", ""),
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
    ("eu_duty_rate", False, "EU only: your own duty text for the line (12%, 10.2% + 93.10 EUR / 100 kg); wins.", ""),
    ("known_at", False, "Price as the rules were known at this date/datetime (default: the upload's).", ""),
]
COLUMN_NAMES = [c[0] for c in COLUMNS]
REQUIRED = [c[0] for c in COLUMNS if c[1]]
SHIPMENT_KEYS = ("destination", "member_state", "entry_date", "filed_on", "mode", "entry_type", "currency", "fx_rate", "freight",
                 "insurance", "other_costs")
LINE_KEYS = ("hts", "description", "origin", "customs_value", "quantity", "unit", "quantity2", "unit2",
             "net_weight_kg", "us_content_value", "loaded_on", "mfn_rate", "eu_duty_rate")
RESULT_COLUMNS = ["status", "error_field", "error", "path", "duties", "headings_charged", "headings_declared",
                  "mpf", "hmf", "fees", "carbon", "import_vat", "landed_cost", "landed_cost_incl_vat",
                  "effective_duty_rate", "refundable", "warncodes", "warnings",
                  "entry_lines", "entry_customs_value", "entry_duties", "entry_mpf", "entry_hmf", "entry_fees",
                  "entry_carbon", "entry_landed_cost", "entry_refundable", "ruleset_version", "known_at_used"]
# Programs reported in their own columns rather than as duty (carbon price, VAT / business tax).
VAT_PROGRAMS = ("import_vat", "tw_business_tax")
NOT_DUTY = ("cbam", *VAT_PROGRAMS)
# Charged once per entry (allocated to its lines in mpf / hmf / fees), never as a line's duty.
ENTRY_PROGRAMS = ("mpf", "hmf", "tw_trade_promotion_fee")


def text_of(value) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value).strip()


def shipment_of_rows(rows: list[dict], entry: str = "") -> dict:
    """The rows of one entry (documented columns) -> a shipment in the contract's shape, one line per row.

    Entry-level columns (SHIPMENT_KEYS, known_at) may be left empty on some rows but must not disagree."""
    texts = [{k: text_of(x) for k, x in values.items()} for values in rows]
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
    if entry_values["entry_type"]:
        kind = entrytypes.understand(entry_values["entry_type"])
        if kind is None:
            raise InputError("entry_type", f"{entry_values['entry_type']!r} is not an entry type", entrytypes.allowed())
        shipment["entry_type"] = kind
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


def line_of_field(error_field: str) -> int | None:
    match = re.match(r"^lines\[(\d+)\]", error_field)
    return int(match.group(1)) if match else None


def result_columns(results: list[dict]) -> list[str]:
    """RESULT_COLUMNS with the duty_<program> columns met, in order, after ``duties``."""
    programs = list(dict.fromkeys(k for r in results for k in r if k.startswith("duty_")))
    at = RESULT_COLUMNS.index("duties") + 1
    return RESULT_COLUMNS[:at] + programs + RESULT_COLUMNS[at:]


def output_columns(input_columns: list[str], programs: list[str]) -> list[str]:
    """The fixed columns of a streamed file: the input's, then RESULT_COLUMNS with a duty_<program> column for
    every duty program of the rules (a chunk that charges none of a program still has its column)."""
    at = RESULT_COLUMNS.index("duties") + 1
    result = RESULT_COLUMNS[:at] + [f"duty_{p}" for p in programs] + RESULT_COLUMNS[at:]
    return [c for c in input_columns if c not in result] + result


def conform(priced, columns: list[str]):
    """A priced chunk with exactly ``columns``: a duty program the chunk did not charge is 0.00 on priced rows."""
    frame = priced.reindex(columns=columns).astype(object)
    ok = frame["status"] == "ok"
    for column in columns:
        if column.startswith("duty_"):
            frame.loc[ok, column] = frame.loc[ok, column].fillna("0.00")
    return frame.fillna("").astype(str)


def duty_programs(rules) -> list[str]:
    """The programs charged on lines as duty, MFN first: each gets a duty_<program> column."""
    names = [p for p in rules.programs if p not in NOT_DUTY and p not in ENTRY_PROGRAMS]
    return sorted(names, key=lambda p: p != "mfn")

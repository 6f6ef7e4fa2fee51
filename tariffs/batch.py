"""Batch pricing for developers: a pandas DataFrame of one-line entries in, priced columns out.

The columns are documented in COLUMNS (the web app's CSV/XLSX upload uses the same ones). Each
row is priced through the same engine as a single quote, so batch and scalar give the same cents;
a row that cannot be priced gets status "error", the field and the message, and the other rows
are still priced. (Row by row today; the interface stays when a vectorised engine replaces it.)

    import pandas as pd, tariffs.batch
    priced = tariffs.batch.quote_frame(pd.read_csv("book.csv", dtype=str), known_at="2026-11-21")
"""
from __future__ import annotations

import re
from decimal import Decimal

from tariffs.errors import InputError
from tariffs.model import Quote

HOME_CURRENCY = {"US": "USD", "EU": "EUR", "TW": "TWD"}

# name, required, description, example
COLUMNS = [
    ("reference", False, "Your own reference for the row; copied to the priced file.", "PO-1001"),
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
SHIPMENT_KEYS = ("destination", "member_state", "entry_date", "filed_on", "mode", "currency", "fx_rate", "freight",
                 "insurance", "other_costs")
LINE_KEYS = ("hts", "description", "origin", "customs_value", "quantity", "unit", "quantity2", "unit2",
             "net_weight_kg", "us_content_value", "loaded_on", "mfn_rate", "eu_duty_rate")
RESULT_COLUMNS = ["status", "error_field", "error", "duties", "fees", "mpf", "hmf", "carbon", "landed_cost",
                  "import_vat", "landed_cost_incl_vat", "effective_duty_rate", "refundable", "warnings",
                  "ruleset_version", "known_at_used"]

def shipment_of_values(values: dict) -> dict:
    """One row of the documented columns -> a one-line shipment in the contract's shape."""
    v = {k: ("" if x is None else str(x)).strip() for k, x in values.items()}
    for name in REQUIRED:
        if not v.get(name):
            raise InputError(name, "required column is empty", dict((c[0], c[3]) for c in COLUMNS)[name])
    destination = (v.get("destination") or "US").upper()
    shipment: dict = {"destination": destination, "mode": v.get("mode") or "ocean",
                      "currency": (v.get("currency") or HOME_CURRENCY.get(destination, "USD")).upper()}
    for key in SHIPMENT_KEYS:
        if v.get(key) and key not in ("destination", "mode", "currency"):
            shipment[key] = v[key]
    line: dict = {}
    for key in LINE_KEYS:
        if v.get(key):
            line[key] = v[key].upper() if key == "origin" else v[key]
    metals = {m: v[f"{m}_content"] for m in ("copper", "steel", "aluminum") if v.get(f"{m}_content")}
    if metals:
        line["metal_content"] = metals
    if v.get("claims"):
        line["claims"] = [c for c in re.split(r"[\s,;]+", v["claims"]) if c]
    shipment["lines"] = [line]
    return shipment



def field_of(error_field: str) -> str:
    """lines[0].metal_content.copper -> copper_content; lines[0].hts -> hts (the column to blame)."""
    name = re.sub(r"^lines\[0\]\.", "", error_field)
    if name.startswith("metal_content."):
        return name.split(".", 1)[1] + "_content"
    return name


def quote_values(q: Quote) -> dict[str, str]:
    """The priced columns of one quote (totals, fees, duty per program), as text."""
    totals = q.totals.model_dump(mode="json")
    out = {"status": "ok", "duties": str(q.totals.duties), "fees": str(q.totals.fees),
           "carbon": str(q.totals.carbon), "landed_cost": str(q.totals.landed_cost),
           "import_vat": totals.get("import_vat") or "", "landed_cost_incl_vat": totals.get("landed_cost_incl_vat") or "",
           "effective_duty_rate": str(q.totals.effective_duty_rate),
           "refundable": str(q.totals.refundable), "warnings": " | ".join(q.warnings),
           "ruleset_version": q.ruleset.version, "known_at_used": q.known_at.isoformat()}
    for fee in q.entry_charges:
        if fee.program in ("mpf", "hmf"):
            out[fee.program] = str(fee.amount)
    for line in q.lines:
        for c in line.charges:
            key = f"duty_{c.program}"
            out[key] = str(Decimal(out.get(key, "0")) + c.amount)
    return out



def quote_frame(frame, known_at=None, engine=None):
    """Price every row of a DataFrame (columns of COLUMNS; strings or numbers) and return a copy with the
    result columns added: status, error_field, error, duties, fees, mpf, hmf, carbon, landed_cost, ..."""
    import pandas as pd

    from tariffs.engine.pipeline import Engine

    engine = engine or Engine()
    results = []
    for values in frame.to_dict("records"):
        values = {k: ("" if v is None or (isinstance(v, float) and v != v) else v) for k, v in values.items()}
        try:
            q = engine.quote(shipment_of_values(values), values.get("known_at") or known_at)
            results.append({"status": "ok", **quote_values(q)})
        except InputError as exc:
            message = exc.message + (f" (allowed: {exc.allowed})" if exc.allowed else "")
            results.append({"status": "error", "error_field": field_of(exc.field), "error": message})
    priced = pd.DataFrame(results, index=frame.index)
    return pd.concat([frame, priced], axis=1)

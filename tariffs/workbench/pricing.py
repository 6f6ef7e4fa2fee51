"""Price imported entries twice: as the rules were known at the end of the entry summary date
(`filed_on`) and as known at the run's knowledge date.

Each entry becomes one shipment in the contract's shape (all its lines, so the merchandise
processing fee's minimum and maximum apply per entry); the Chapter 99 headings the importer
reported on a line are passed as that line's claims, since they are its declarations (in-transit,
USMCA, Annex II and the like); the engine still decides what is due.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tariffs.model import Quote


@dataclass
class Priced:
    """An entry priced as filed and as known; or the error that stopped it (field named by line number)."""
    as_filed: Quote | None
    as_known: Quote | None
    error: str = ""


def shipment_of_entry(entry) -> dict:
    """An importer.Entry (or the same fields from the store) -> a US shipment dict."""
    lines = []
    for number in sorted(entry.lines):
        line = entry.lines[number]
        item = {"hts": line.hts, "origin": line.origin, "customs_value": format(line.entered_value, "f")}
        if line.quantity:
            item["quantity"] = line.quantity
            if line.unit:
                item["unit"] = line.unit
        claims = [r.hts for r in line.rows if r.hts.startswith("99")]
        if claims:
            item["claims"] = claims
        lines.append(item)
    return {"destination": "US", "entry_date": entry.entry_date.isoformat(), "filed_on": entry.filed_on.isoformat(),
            "mode": entry.mode, "currency": "USD", "entry_type": entry.entry_type, "lines": lines}


def frame_of_entries(entries):
    """Entries -> the rows of `tariffs.batch.quote_frame` (one per entry line, ``entry`` = the entry number)."""
    import pandas as pd

    rows = []
    for entry in entries:
        shipment = shipment_of_entry(entry)
        for line in shipment["lines"]:
            rows.append({"entry": entry.entry_number, "destination": "US", "entry_date": shipment["entry_date"],
                         "filed_on": shipment["filed_on"], "mode": shipment["mode"],
                         "entry_type": shipment["entry_type"], "currency": "USD", "hts": line["hts"],
                         "origin": line["origin"], "customs_value": line["customs_value"],
                         "quantity": line.get("quantity", ""), "unit": line.get("unit", ""),
                         "claims": ";".join(line.get("claims", []))})
    return pd.DataFrame(rows, columns=["entry", "destination", "entry_date", "filed_on", "mode", "entry_type",
                                       "currency", "hts", "origin", "customs_value", "quantity", "unit", "claims"],
                        dtype=object)


def _error_text(entry, rows) -> str:
    """The error of an entry quote_frame could not price, its line named by the entry's line number."""
    numbers = sorted(entry.lines)
    for position, row in enumerate(rows):
        if row["error_field"] != "entry":  # the row at fault (or every row, for an entry-level field)
            field_name = row["error_field"]
            entry_level = field_name in ENTRY_FIELDS or (len(rows) > 1 and all(r["error_field"] != "entry" for r in rows))
            if entry_level:
                text = f"{field_name}: {row['error']}"
            else:
                text = f"line {numbers[position]}.{field_name}: {row['error']}"
            return text[:500]
    return rows[0]["error"][:500]


# Entry-level fields of the batch columns: an error there names no line.
ENTRY_FIELDS = ("destination", "member_state", "entry_date", "filed_on", "mode", "entry_type", "currency",
                "fx_rate", "freight", "insurance", "other_costs", "known_at", "entry", "row")


def price_entries(entries, known_at: dt.datetime, engine) -> list[Priced]:
    """Both quotes of each entry, from one call of `tariffs.batch.quote_frame` for all of them
    (``keep_quotes="both"``: as known at ``known_at`` and as known at the end of the filing day)."""
    from tariffs.batch import quote_frame

    entries = list(entries)
    if not entries:
        return []
    priced = quote_frame(frame_of_entries(entries), known_at, engine, keep_quotes="both")
    records = priced[["entry", "status", "error_field", "error", "quote_as_known", "quote_as_filed"]].to_dict("records")
    by_entry: dict[str, list[dict]] = {}
    for record in records:
        by_entry.setdefault(record["entry"], []).append(record)
    out = []
    for entry in entries:
        rows = by_entry[entry.entry_number]
        if rows[0]["status"] != "ok":
            out.append(Priced(None, None, _error_text(entry, rows)))
        else:
            out.append(Priced(rows[0]["quote_as_filed"], rows[0]["quote_as_known"]))
    return out


def price_entry(entry, known_at: dt.datetime, engine) -> Priced:
    """Both quotes of one entry (`price_entries` of one)."""
    return price_entries([entry], known_at, engine)[0]

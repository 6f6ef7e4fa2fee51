"""Price imported entries twice: as the rules were known at the end of the entry summary date
(`filed_on`) and as known at the run's knowledge date.

Each entry becomes one shipment in the contract's shape (all its lines, so the merchandise
processing fee's minimum and maximum apply per entry); the Chapter 99 headings the importer
reported on a line are passed as that line's claims, since they are its declarations (in-transit,
USMCA, Annex II and the like); the engine still decides what is due.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from tariffs.errors import InputError
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


def _error_text(exc: InputError, entry) -> str:
    numbers = sorted(entry.lines)

    def line_name(m):
        index = int(m.group(1))
        return f"line {numbers[index]}" if index < len(numbers) else m.group(0)

    field_name = re.sub(r"^lines\[(\d+)\]", line_name, exc.field)
    text = f"{field_name}: {exc.message}" + (f" (allowed: {exc.allowed})" if exc.allowed else "")
    return text[:500]


def price_entry(entry, known_at: dt.datetime, engine) -> Priced:
    """Both quotes of one entry from one call of the engine's `quote_pair` (the call `tariffs.batch`
    makes per entry). The workbench builds the shipment itself rather than going through
    `tariffs.batch.quote_frame` because the ACE entry type decides formal vs informal (and so the MPF),
    and quote_frame's columns have no entry type yet."""
    shipment = shipment_of_entry(entry)
    try:
        as_known, as_filed = engine.quote_pair(shipment, known_at)
        if as_filed is None:  # known_at is not after the filing day: the same knowledge, or earlier
            as_filed = engine.quote(shipment, entry.filed_on)
    except InputError as exc:
        return Priced(None, None, _error_text(exc, entry))
    return Priced(as_filed, as_known)

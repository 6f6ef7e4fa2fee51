"""Which stored entries and recorded quotes would price differently under another version of the
rule tables (used by `tariffs rules diff OLD NEW --database URL`)."""
from __future__ import annotations

import json
from pathlib import Path

from sqlmodel import Session, select

from tariffs.engine.pipeline import Engine
from tariffs.errors import InputError
from tariffs.rules.ruleset import load_rules
from tariffs.store import QuoteRecord
from tariffs.workbench import store as wb
from tariffs.workbench.pricing import shipment_of_entry
from tariffs.workbench.run import known_at_moment


def _entry_amounts(quote) -> dict:
    out = {}
    for line in quote.lines:
        for c in line.charges:
            out[(line.index, c.program, c.heading)] = out.get((line.index, c.program, c.heading), 0) + c.amount
    for c in quote.entry_charges:
        out[(None, c.program, "")] = c.amount
    return out


def affected(old_root: Path, new_root: Path, store=None, known_at=None, limit: int = 100000) -> dict:
    """Stored workbench entries (as filed and as known at `known_at`) and recorded quotes (as recorded)
    whose charges differ between the two rule versions."""
    result = {"entries": [], "quotes": [], "entries_checked": 0, "quotes_checked": 0}
    if store is None:
        return result
    old, new = Engine(load_rules(old_root)), Engine(load_rules(new_root))
    moment = known_at_moment(known_at)

    def differs(shipment, when_list):
        for when in when_list:
            try:
                a = _entry_amounts(old.quote(shipment, when))
            except InputError as exc:
                a = ("error", str(exc))
            try:
                b = _entry_amounts(new.quote(shipment, when))
            except InputError as exc:
                b = ("error", str(exc))
            if a != b:
                return True
        return False

    for entry in wb.load_entries(store)[:limit]:
        result["entries_checked"] += 1
        if differs(shipment_of_entry(entry), [entry.filed_on, moment]):
            result["entries"].append(entry.entry_number)
    with Session(store.engine) as session:
        records = list(session.exec(select(QuoteRecord).order_by(QuoteRecord.id).limit(limit)))
    for record in records:
        result["quotes_checked"] += 1
        if differs(json.loads(record.shipment_json), [record.known_at]):
            result["quotes"].append(record.id)
    return result

"""Which kind of entry this is: formal, informal (19 CFR 143.21, value up to $2,500) or
duty-free de minimis (19 U.S.C. 1321), from the dated rows of rules_data/us/entry_types.csv.

Without an explicit ``entry_type`` the engine takes the one an importer would use: de
minimis when every line may have it, else informal when the value allows, else formal.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from tariffs.engine.normalise import NormalShipment
from tariffs.errors import InputError
from tariffs.rules.ruleset import RuleSet


def _row(rules: RuleSet, kind: str, day: dt.date, known: dt.date):
    return next((r for r in rules.entry_types if r.entry_type == kind and r.valid_on(day) and r.known_at(known)),
                None)


def _refusal(rules: RuleSet, kind: str, normal: NormalShipment, value: Decimal, known: dt.date) -> str | None:
    """Why ``kind`` is not available for this entry, or None when it is."""
    row = _row(rules, kind, normal.entry_date, known)
    if row is None:
        return f"{kind} entry is not available for entries on {normal.entry_date} in these rules"
    if value > row.max_value:
        return f"entry value {value} is above the {kind} limit {row.max_value} ({row.prov.legal_basis})"
    for line in normal.lines:
        covered = rules.matches_origin(line.origin, row.origins, normal.entry_date, known)
        excepted = row.except_origins and rules.matches_origin(line.origin, row.except_origins, normal.entry_date,
                                                               known)
        if not covered or excepted:
            return f"goods of {line.origin} may not enter as {kind} on {normal.entry_date} ({row.prov.legal_basis})"
        if kind == "de_minimis" and line.source.adcvd:
            return "goods subject to an antidumping or countervailing duty order are not entered under de minimis"
    return None


def choose_entry_type(rules: RuleSet, normal: NormalShipment, known: dt.date) -> tuple[str, list[str], object]:
    """(entry type, notes for the quote, the rule row relied on or None)."""
    value = sum((line.customs_value for line in normal.lines), Decimal(0))
    asked = normal.shipment.entry_type
    if asked == "formal":
        return "formal", [], None
    if asked:
        why = _refusal(rules, asked, normal, value, known)
        if why:
            raise InputError("entry_type", f"{asked} not allowed: {why}", "formal, or a type the entry qualifies for")
        return asked, [], _row(rules, asked, normal.entry_date, known)
    notes = []
    for kind in ("de_minimis", "informal"):
        why = _refusal(rules, kind, normal, value, known)
        if why is None:
            row = _row(rules, kind, normal.entry_date, known)
            notes.append(f"entry_type not given: priced as {kind} ({row.prov.legal_basis}); set entry_type "
                         "to formal to price a formal entry")
            return kind, notes, row
    return "formal", notes, None

"""Entry types as people give them: the engine's words (formal, informal, de_minimis, any letter case)
and the ACE entry type codes of an entry summary (rules_data/us/entry_type_codes.csv), read as the
engine's words. Shared by the batch columns and the auditor's workbench.
"""
from __future__ import annotations

import csv
from functools import lru_cache

from tariffs.rules.ruleset import ENTRY_TYPES, default_rules_path


@lru_cache(maxsize=1)
def ace_codes() -> dict[str, dict[str, str]]:
    """ACE entry type code (two digits) -> its row (entry_type, description, legal_basis, source, ...)."""
    path = default_rules_path() / "us" / "entry_type_codes.csv"
    with open(path, encoding="utf-8", newline="") as f:
        rows = {r["code"].strip(): r for r in csv.DictReader(f)}
    for code, row in rows.items():
        if row["entry_type"] not in ENTRY_TYPES:
            raise ValueError(f"{path}: code {code} maps to {row['entry_type']!r}, not one of {', '.join(ENTRY_TYPES)}")
    return rows


def allowed() -> str:
    return f"{', '.join(ENTRY_TYPES)} (any letter case), or an ACE entry type code ({', '.join(ace_codes())})"


def code_of(given) -> str:
    """The text as typed, a number zero-padded to the two digits of an ACE code (1 -> 01)."""
    text = str(given).strip().lower()
    return text.zfill(2) if text.isdigit() else text


def understand(given) -> str | None:
    """The engine's entry type for a typed value (word or ACE code), or None when it is not one."""
    if given is None or isinstance(given, bool):
        return None
    text = code_of(given)
    if text in ENTRY_TYPES:
        return text
    row = ace_codes().get(text)
    return row["entry_type"] if row else None

"""Modes of transport as people type them: the contract's names in any letter case, and the ACE
mode-of-transportation codes (rules_data/us/modes.csv) mapped to the engine's modes.

`understood(data)` rewrites a shipment mapping's `mode` to the engine's name and returns what was
given; the quote reports both (`mode_understood`).
"""
from __future__ import annotations

import csv
from functools import lru_cache
from typing import Any

from tariffs.rules.ruleset import default_rules_path

MODES = ("ocean", "air", "truck", "rail", "mail", "hand_carried", "fixed_installation")


@lru_cache(maxsize=1)
def ace_codes() -> dict[str, dict[str, str]]:
    """ACE code -> its row (mode, description, legal_basis, source, confidence, note)."""
    path = default_rules_path() / "us" / "modes.csv"
    with open(path, encoding="utf-8", newline="") as f:
        rows = {r["code"].strip(): r for r in csv.DictReader(f)}
    for code, row in rows.items():
        if row["mode"] not in MODES:
            raise ValueError(f"{path}: code {code} maps to {row['mode']!r}, not one of {', '.join(MODES)}")
    return rows


def allowed() -> str:
    codes = ", ".join(ace_codes())
    return f"{', '.join(MODES)} (any letter case), or an ACE mode-of-transportation code ({codes})"


def understand(given: Any) -> str | None:
    """The engine's mode for a typed value, or None when it is not one."""
    if isinstance(given, int) and not isinstance(given, bool):
        given = str(given)  # an ACE code sent as a JSON number
    if not isinstance(given, str):
        return None
    text = given.strip()
    if text.lower() in MODES:
        return text.lower()
    row = ace_codes().get(text)
    return row["mode"] if row else None


def understood(data: Any) -> tuple[Any, str | None]:
    """(data with `mode` as the engine's name, the mode as given) for a shipment mapping."""
    if not isinstance(data, dict) or "mode" not in data:
        return data, None
    given = data["mode"]
    if hasattr(given, "value"):  # already a Mode
        return data, given.value
    mode = understand(given)
    if mode is None:
        return data, None
    return {**data, "mode": mode}, str(given).strip()


def report(given: str | None, mode: str) -> dict:
    """What the quote says it understood."""
    out: dict = {"given": given if given is not None else mode, "mode": mode}
    row = ace_codes().get((given or "").strip())
    if row:
        out.update(ace_code=given.strip(), description=row["description"], legal_basis=row["legal_basis"],
                   source=row["source"], confidence=row["confidence"])
    return out

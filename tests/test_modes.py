"""Modes of transport as people type them: any letter case, and the ACE mode-of-transportation codes
(rules_data/us/modes.csv). HMF (19 CFR 24.24: 0.125% of the value of commercial cargo unloaded from a
vessel) follows the vessel codes."""
import csv
from decimal import Decimal
from pathlib import Path

import pytest

import tariffs
from tariffs.modes import MODES, ace_codes

ROOT = Path(__file__).resolve().parents[1]


def quote(engine, mode):
    s = {"destination": "US", "entry_date": "2025-12-01", "mode": mode, "currency": "USD",
         "lines": [{"hts": "7408.11.60.00", "origin": "TW", "customs_value": "100000.00"}]}
    return engine.quote(s, known_at="2026-11-21")


def hmf(q):
    return [f.amount for f in q.entry_charges if f.program == "hmf"]


@pytest.mark.parametrize("given, mode", [
    ("10", "ocean"), ("11", "ocean"), ("12", "ocean"), ("20", "rail"), ("21", "rail"), ("30", "truck"),
    ("31", "truck"), ("32", "truck"), ("33", "truck"), ("34", "truck"), ("40", "air"), ("41", "air"), ("50", "mail"),
    ("60", "hand_carried"), ("70", "fixed_installation"), (11, "ocean"), (" 40 ", "air"),
    ("OCEAN", "ocean"), ("Air", "air"), ("tRuck", "truck"), ("Rail", "rail"), ("MAIL", "mail"),
])
def test_codes_and_any_case_are_understood_and_reported(engine, given, mode):
    q = quote(engine, given)
    assert q.mode_understood["mode"] == mode and q.mode_understood["given"] == str(given).strip()
    if str(given).strip().isdigit():
        assert q.mode_understood["ace_code"] == str(given).strip() and q.mode_understood["description"]
    # HMF 0.125% x 100000.00 = 125.00 for the vessel codes only.
    assert hmf(q) == ([Decimal("125.00")] if mode == "ocean" else [])


def test_unknown_mode_is_refused_naming_what_is_allowed(engine):
    for bad in ("boat", "13", "", 99):
        with pytest.raises(tariffs.InputError) as exc:
            quote(engine, bad)
        assert exc.value.field == "mode" and "ACE" in exc.value.allowed


def test_modes_table_covers_the_ace_codes_and_maps_to_engine_modes():
    rows = list(csv.DictReader(open(ROOT / "rules_data" / "us" / "modes.csv", encoding="utf-8")))
    assert [r["code"] for r in rows] == ["10", "11", "12", "20", "21", "30", "31", "32", "33", "34", "40", "41", "50",
                                         "60", "70"]
    assert all(r["mode"] in MODES and r["legal_basis"] and r["source"] and r["confidence"] for r in rows)
    assert set(ace_codes()) == {r["code"] for r in rows}

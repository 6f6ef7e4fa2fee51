"""Hypothesis: edge cases the generated book meets rarely — zero and one-cent values, half cents,
content equal to the value, U.S. content at the threshold, dates on the day a rule changes,
mass-unit conversions, several lines in one entry — priced both ways; every row the columnar
path claims equals the scalar quote to the cent, and it never claims a row the scalar refuses."""
from __future__ import annotations

import datetime as dt

import pytest
from columnar_oracle import KNOWN_NOW, init, scalar_entry
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pandas as pd

from tariffs.columnar import compile_rules, price
from tariffs.columnar.book import ORIGINS, change_dates
from tariffs.engine.pipeline import Engine
from tariffs.rates import RateParseError, parse_rate
from tariffs.rules.ruleset import load_rules

RULES = load_rules()
COMPILED = compile_rules(RULES)
EDGES = change_dates(RULES)


def _codes() -> list[str]:
    """Codes in the scope of the main programs, plus specific and compound MFN rates."""
    chosen = ["7408.11.60.00", "7208.51.00.30", "7601.10.60.00", "7606.12.30.90", "8703.23.01.60",
              "8708.29.50.60", "6109.10.00.12", "8542.31.00.00", "4407.11.00.00", "9403.60.80.81",
              "8450.11.00.40", "8541.43.00.10", "0805.10.00.20", "2204.21.50.40", "6403.99.60.75"]
    lines = RULES.mfn[RULES.editions[-1].edition]
    specific = compound = None
    for digits, line in sorted(lines.items()):
        try:
            rate = parse_rate(line.general)
        except RateParseError:
            continue
        if rate.specifics and rate.ad_valorem and compound is None and len(digits) == 10:
            compound = line.hts
        if rate.specifics and not rate.ad_valorem and specific is None and len(digits) == 10 \
                and rate.specifics[0].unit == "kg":
            specific = line.hts
    return [c for c in chosen if c.replace(".", "") in lines] + [specific, compound]


CODES = _codes()
money = st.one_of(st.sampled_from([0, 1, 50, 150, 250, 80000, 250000, 250001]),
                  st.integers(0, 10**11)).map(lambda c: f"{c // 100}.{c % 100:02d}")
day = st.one_of(st.sampled_from(EDGES), st.dates(dt.date(2018, 1, 1), dt.date(2026, 11, 30)))


@st.composite
def entries(draw):
    entry_date = draw(day)
    known = draw(st.sampled_from(["entry", KNOWN_NOW, "edge"]))
    known_at = {"entry": entry_date.isoformat(), KNOWN_NOW: KNOWN_NOW,
                "edge": max(draw(st.sampled_from(EDGES)), entry_date).isoformat()}[known]
    mode = draw(st.sampled_from(["ocean", "air", "truck", "mail"]))
    rows = []
    for _ in range(draw(st.integers(1, 3))):
        value = draw(money)
        cents = int(value.replace(".", ""))
        row = {"entry_date": entry_date.isoformat(), "known_at": known_at, "mode": mode,
               "hts": draw(st.sampled_from(CODES)), "origin": draw(st.sampled_from(ORIGINS)),
               "customs_value": value,
               "claims": draw(st.sampled_from(["", "", "S", "S+", "KR", "A", "9903.88.69", "9903.01.33",
                                               "9903.94.31", "9903.01.28"]))}
        for metal in draw(st.sets(st.sampled_from(["steel", "aluminum", "copper"]), max_size=2)):
            share = draw(st.sampled_from([0, cents, cents // 2, cents // 3]))
            row[f"{metal}_content"] = f"{share // 100}.{share % 100:02d}"
        if draw(st.booleans()):
            us = draw(st.sampled_from([0, cents // 5, cents // 5 + 1, cents]))
            row["us_content_value"] = f"{us // 100}.{us % 100:02d}"
        if draw(st.booleans()):
            row["loaded_on"] = (entry_date - dt.timedelta(days=draw(st.integers(0, 120)))).isoformat()
        if draw(st.booleans()):
            row["quantity"] = draw(st.sampled_from(["0", "1", "0.5", "1000", "12.345", "99999"]))
            row["unit"] = draw(st.sampled_from(["kg", "t", "g", "No.", "doz.", "liters"]))
        rows.append(row)
    return rows


@pytest.mark.filterwarnings("ignore")
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(entries())
def test_columnar_equals_scalar_on_edge_cases(rows):
    init(Engine(RULES))
    frame = pd.DataFrame(rows).fillna("")
    frame["entry"] = 0
    out = price(COMPILED, frame, known_at=KNOWN_NOW).to_dict("records")
    scalar = scalar_entry(frame.drop(columns=["entry"]).to_dict("records"))
    if out[0]["path"] != "columnar":
        return
    assert not isinstance(scalar, str), f"claimed a row the scalar engine refuses: {scalar}"
    lines, mpf, hmf, landed = scalar
    for row, (by_program, duty, headings) in zip(out, lines):
        got = {k[len("duty_"):-len("_cents")]: int(v) for k, v in row.items() if k.startswith("duty_") and int(v)}
        assert got == by_program
        assert (int(row["duties_cents"]), int(row["mpf_cents"]), int(row["hmf_cents"]),
                int(row["landed_cost_cents"]), row["headings"]) == (duty, mpf, hmf, landed, headings)

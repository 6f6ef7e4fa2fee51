"""Invariants (hypothesis): no negative charge, charges sum to totals, cents everywhere,
deterministic JSON for the same input, ruleset and known_at."""
import datetime as dt
import json
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

CODES = ["7408.11.60.00", "7601.10.30.00", "8544.42.90.90", "8703.23.01.60", "7208.51.00.30", "8471.30.01.00",
         "6109.10.00.12", "0105.94.00.00"]  # lines of every loaded HTS edition (2019-2026)
CODES_2022 = ["8541.43.00.80", "0709.54.00.00"]  # lines from the 2022 renumbering (HTSUS 2022 Rev. 12 on)
ORIGINS = ["CN", "TW", "DE", "VN", "CA", "MX", "JP", "KR", "GB", "RU", "CU", "IN", "BR"]
CENT = Decimal("0.01")

money = st.decimals(min_value=Decimal("0"), max_value=Decimal("5000000"), places=2, allow_nan=False,
                    allow_infinity=False)


@st.composite
def shipments(draw):
    """(shipment, known_at): the codes are lines of the edition in force on the entry date as known then."""
    day = draw(st.dates(min_value=dt.date(2018, 1, 1), max_value=dt.date(2027, 9, 30)))
    known = draw(st.sampled_from(["2019-01-01", "2025-12-01", "2026-11-21"]))
    # 2022 Rev. 12 is in force from 2022-01-01 and recorded at 2023-01-01 (rules_data/us/mfn/editions.csv)
    codes = CODES + (CODES_2022 if day >= dt.date(2022, 1, 1) and known >= "2023-01-01" else [])
    lines = []
    for _ in range(draw(st.integers(1, 4))):
        value = draw(money)
        line = {"hts": draw(st.sampled_from(codes)), "origin": draw(st.sampled_from(ORIGINS)),
                "customs_value": str(value), "quantity": str(draw(st.integers(0, 100000))), "unit": "kg",
                "quantity2": str(draw(st.integers(0, 100000))), "unit2": "No."}
        if draw(st.booleans()):
            line["metal_content"] = {"copper": str((value * draw(st.sampled_from([Decimal(0), Decimal("0.4"),
                                                                                  Decimal(1)]))).quantize(CENT))}
        lines.append(line)
    return {"destination": "US", "entry_date": day.isoformat(), "mode": draw(st.sampled_from(["ocean", "air"])),
            "lines": lines}, known


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=shipments())
def test_invariants(engine, case):
    s, known = case
    q = engine.quote(s, known_at=known)
    total = Decimal(0)
    for line in q.lines:
        line_sum = Decimal(0)
        for charge in line.charges:
            assert charge.amount > 0
            assert charge.amount == charge.amount.quantize(CENT)
            line_sum += charge.amount
        assert line.duty == line_sum
        total += line.duty
    assert q.totals.duties == total
    fees = sum((f.amount for f in q.entry_charges), Decimal(0))
    assert q.totals.fees == fees and all(f.amount >= 0 and f.amount == f.amount.quantize(CENT) for f in q.entry_charges)
    assert q.totals.landed_cost == (q.totals.customs_value + q.totals.freight_insurance_other + q.totals.duties
                                    + q.totals.fees + q.totals.carbon)
    again = engine.quote(json.loads(json.dumps(s)), known_at=known)
    assert again.model_dump_json() == q.model_dump_json()

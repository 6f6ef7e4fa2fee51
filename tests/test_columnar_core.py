"""The columnar pricer on hand-computed cases (the law's arithmetic in the comments), the rows it
leaves to the scalar engine, and the compiled tables."""
from __future__ import annotations

import pandas as pd
import pytest

from tariffs.columnar import UNSUPPORTED, compile_rules, price
from tariffs.rules.ruleset import load_rules

KNOWN = "2026-11-21"


@pytest.fixture(scope="module")
def compiled():
    return compile_rules(load_rules())


def priced(compiled, rows, known_at=KNOWN):
    frame = pd.DataFrame(rows).fillna("")
    return price(compiled, frame, known_at=known_at)


def test_copper_wire_from_china(compiled):
    # 7408.11.60.00 from CN entered 2025-12-01, 100,000.00 of copper:
    # MFN 3% x 100,000.00 = 3,000.00; Section 301 list 25% x 100,000.00 = 25,000.00;
    # Section 232 copper 50% x 100,000.00 (copper content) = 50,000.00 -> duties 78,000.00.
    # MPF FY2026 0.3464% x 100,000.00 = 346.40 (between 33.58 and 651.50); HMF 0.125% = 125.00.
    # landed = 100,000.00 + 78,000.00 + 346.40 + 125.00 = 178,471.40
    out = priced(compiled, [{"entry_date": "2025-12-01", "hts": "7408.11.60.00", "origin": "CN",
                             "customs_value": "100000.00", "copper_content": "100000.00"}]).iloc[0]
    assert out["path"] == "columnar"
    assert (out["duty_mfn_cents"], out["duty_section_301_cents"], out["duty_section_232_cents"]) == \
        (300000, 2500000, 5000000)
    assert (out["duties_cents"], out["mpf_cents"], out["hmf_cents"]) == (7800000, 34640, 12500)
    assert out["landed_cost_cents"] == 17847140
    assert out["headings"].split(";")[-1] == "7408.11.60.00"
    assert set(out["headings"].split(";")[:-1]) == {"9903.88.03", "9903.78.01"}


def test_half_cent_rounds_up_per_line_within_an_entry(compiled):
    # TW, 2018-01-05 (before any Section 232 or 301 action): MFN 3% only.
    # line 0: 3% x 0.50 = 0.015 -> 0.02 (half-up, per line); line 1: 3% x 10,000.00 = 300.00.
    # The entry (10,000.50) is formal: MPF FY2018 0.3464% x 10,000.50 = 34.641732 -> 34.64
    # (min 25.67, max 497.99); HMF 0.125% x 10,000.50 = 12.500625 -> 12.50.
    # landed = 10,000.50 + 300.02 + 34.64 + 12.50 = 10,347.66
    rows = [{"entry": "E1", "entry_date": "2018-01-05", "hts": "7408.11.60.00", "origin": "TW",
             "customs_value": value} for value in ("0.50", "10000.00")]
    out = priced(compiled, rows)
    assert list(out["path"]) == ["columnar", "columnar"]
    assert list(out["duties_cents"]) == [2, 30000]
    assert list(out["mpf_cents"]) == [3464, 3464] and list(out["hmf_cents"]) == [1250, 1250]
    assert list(out["landed_cost_cents"]) == [1034766, 1034766]
    assert list(out["entry_duties_cents"]) == [30002, 30002]


def test_mpf_minimum_and_maximum(compiled):
    # FY2018 formal MPF: 0.3464%, minimum 25.67, maximum 497.99.
    # 3,000.00 alone: 10.392 -> 10.39 < 25.67 -> 25.67 (formal: above the 2,500 informal limit).
    # two lines of 100,000.00: 0.3464% x 200,000.00 = 692.80 > 497.99 -> 497.99.
    base = {"entry_date": "2018-01-05", "hts": "7408.11.60.00", "origin": "TW", "mode": "air"}
    out = priced(compiled, [{**base, "entry": "small", "customs_value": "3000.00"},
                            {**base, "entry": "large", "customs_value": "100000.00"},
                            {**base, "entry": "large", "customs_value": "100000.00"}])
    assert list(out["mpf_cents"]) == [2567, 49799, 49799]
    assert list(out["hmf_cents"]) == [0, 0, 0]  # air: no harbor maintenance fee


def test_de_minimis_and_informal_entries(compiled):
    # 500.00 on 2018-06-01: de minimis (19 U.S.C. 1321, up to 800): no duty, no fees; landed 500.00.
    # 2,000.00: informal (up to 2,500): MFN 3% = 60.00; MPF flat 2.00 (FY2018 informal);
    # HMF 0.125% x 2,000.00 = 2.50 (ocean); landed = 2,000.00 + 60.00 + 2.00 + 2.50 = 2,064.50.
    base = {"entry_date": "2018-06-01", "hts": "7408.11.60.00", "origin": "TW"}
    out = priced(compiled, [{**base, "customs_value": "500.00"}, {**base, "customs_value": "2000.00"}])
    assert list(out["duties_cents"]) == [0, 6000]
    assert list(out["mpf_cents"]) == [0, 200] and list(out["hmf_cents"]) == [0, 250]
    assert list(out["landed_cost_cents"]) == [50000, 206450]


def test_known_at_views_differ_for_voided_ieepa(compiled):
    # T-shirts 6109.10.00.12 from VN entered 2025-06-02, 10,000.00. As filed (known 2025-06-02):
    # MFN 16.5% = 1,650.00 and IEEPA reciprocal 10% = 1,000.00 -> 2,650.00. As known 2026-11-21,
    # after Learning Resources v. Trump voided IEEPA duties: MFN only, 1,650.00.
    row = {"entry_date": "2025-06-02", "hts": "6109.10.00.12", "origin": "VN", "customs_value": "10000.00"}
    filed = priced(compiled, [row], known_at="2025-06-02").iloc[0]
    now = priced(compiled, [row], known_at=KNOWN).iloc[0]
    assert (filed["duty_mfn_cents"], filed["duty_ieepa_reciprocal_cents"]) == (165000, 100000)
    assert (now["duty_mfn_cents"], now["duty_ieepa_reciprocal_cents"]) == (165000, 0)


@pytest.mark.parametrize("change", [
    {"destination": "EU", "member_state": "NL"}, {"currency": "EUR", "fx_rate": "1.1"},
    {"hts": "9999.99.99"}, {"mfn_rate": "5%"}, {"customs_value": "10.005"}, {"entry_date": "01/12/2025"},
    {"entry_date": "2017-12-31"}, {"claims": "S KR"}, {"claims": "ZZ"}, {"entry_type": "formal"},
    {"steel_content": "200.00"},
])
def test_rows_left_to_the_scalar_engine(compiled, change):
    row = {"entry_date": "2025-12-01", "hts": "7408.11.60.00", "origin": "TW", "customs_value": "100.00", **change}
    out = priced(compiled, [row, {**row, **{"hts": "7408.11.60.00", "entry_date": "2025-12-01"}}])
    assert out["path"].iloc[0] is None
    assert out["duties_cents"].iloc[0] == 0 and pd.isna(out["headings"].iloc[0])


def test_an_entry_with_one_unsupported_line_goes_whole_to_the_scalar_engine(compiled):
    rows = [{"entry": 1, "entry_date": "2025-12-01", "hts": "7408.11.60.00", "origin": "TW", "customs_value": "100.00"},
            {"entry": 1, "entry_date": "2025-12-01", "hts": "7408.11.60.00", "origin": "TW",
             "customs_value": "100.00", "currency": "EUR", "fx_rate": "1.1"},
            {"entry": 2, "entry_date": "2025-12-01", "hts": "7408.11.60.00", "origin": "TW", "customs_value": "100.00"}]
    assert list(priced(compiled, rows)["path"]) == [None, None, "columnar"]


def test_specific_rate_needs_a_quantity_in_its_unit(compiled):
    rules = load_rules()
    from tariffs.rates import parse_rate, RateParseError

    code = None
    for digits, line in sorted(rules.mfn[rules.editions[-1].edition].items()):
        try:
            rate = parse_rate(line.general)
        except RateParseError:
            continue
        if rate.specifics and not rate.ad_valorem and rate.specifics[0].unit == "kg" and len(digits) == 10:
            code, amount = line.hts, rate.specifics[0].amount
            break
    base = {"entry_date": "2018-01-05", "hts": code, "origin": "TW", "customs_value": "5000.00"}
    out = priced(compiled, [{**base}, {**base, "quantity": "2", "unit": "t"}, {**base, "quantity": "1500", "unit": "g"}])
    # no quantity: the scalar engine refuses (quantity required); 2 t = 2,000 kg; 1,500 g = 1.5 kg
    assert out["path"].iloc[0] is None
    from decimal import Decimal, ROUND_HALF_UP

    expected = [int((amount * q).quantize(Decimal("0.01"), ROUND_HALF_UP) * 100) for q in (Decimal(2000), Decimal("1.5"))]
    assert list(out["duty_mfn_cents"].iloc[1:]) == expected


def test_compiled_tables(compiled):
    rules = load_rules()
    assert compiled.sha256 == rules.sha256
    assert compiled.m["n"] == sum(1 for m in rules.measures if m.jurisdiction == "us")
    assert not compiled.unsupported_measures  # every US measure row is expressed in integers
    assert len(UNSUPPORTED) >= 5

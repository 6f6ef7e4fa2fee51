"""EU entries and CBAM. Expected figures are worked by hand from the regulation's formula:
certificates = t x (SEE - benchmark x CBAM factor x CSCF) - deduction; cost = certificates x price."""
from decimal import Decimal

import pytest

import tariffs
from tariffs.scenarios import carbon_comparison


def eu(lines, **extra):
    s = {"destination": "EU", "member_state": "NL", "entry_date": "2026-02-10", "mode": "ocean", "currency": "EUR",
         "lines": lines}
    s.update(extra)
    return s


def hrc(**extra):
    line = {"hts": "7208.51.20", "origin": "CN", "customs_value": "600000.00", "quantity": "1000", "unit": "t",
            "emissions": {"source": "default"}}
    line.update(extra)
    return line


def cbam(q):
    return [c for line in q.lines for c in line.charges if c.program == "cbam"]


def test_default_values_hot_rolled_china_q1_2026(engine):
    # SEE 3.51 (2026 default incl. +10%); SEFA 1.370 x 0.975 x 1.0 = 1.33575;
    # 1000 x (3.51 - 1.33575) = 2174.25 certificates x EUR 75.36 = 163851.48.
    q = engine.quote(eu([hrc()], cbam_ytd_tonnes="200"), known_at="2026-11-21")
    charge = cbam(q)[0]
    assert charge.certificates == Decimal("2174.25") and charge.amount == Decimal("163851.48")
    assert charge.emissions == Decimal("3.51") and charge.emissions_source == "default"
    assert charge.eur_per_tonne == Decimal("163.85")  # 163851.48 / 1000 t
    assert q.totals.carbon == Decimal("163851.48")


def test_import_vat_on_cif_plus_duties_plus_post_border_costs(engine):
    # Customs value = 600000 + freight 20000 + insurance 1000 = 621000 (UCC Art. 71); duty 0% (7208 51 20);
    # VAT NL 21% x (621000 + 0 + post-border 3000) = 131040.00, recoverable: outside landed_cost.
    q = engine.quote(eu([hrc()], freight="20000.00", insurance="1000.00", other_costs="3000.00",
                        cbam_ytd_tonnes="200"), known_at="2026-11-21")
    assert q.totals.customs_value == Decimal("621000.00")
    assert q.totals.import_vat == Decimal("131040.00")
    assert q.totals.landed_cost == Decimal("621000.00") + Decimal("3000.00") + Decimal("163851.48")
    assert q.totals.landed_cost_incl_vat == q.totals.landed_cost + Decimal("131040.00")


def test_unwrought_aluminium_duty_3_percent(engine):
    # 7601 10 00: conventional duty 3% x 2400000 = 72000.00.
    q = engine.quote(eu([{"hts": "7601.10.00", "origin": "CN", "customs_value": "2400000.00", "quantity": "1000",
                          "unit": "t", "emissions": {"source": "default"}}], member_state="DE",
                        entry_date="2026-01-15", cbam_ytd_tonnes="0"), known_at="2026-11-21")
    assert q.totals.duties == Decimal("72000.00")


def test_de_minimis_and_crossing_it(engine):
    small = hrc(customs_value="4800.00", quantity="8")
    # 40 t + 8 t = 48 t <= 50 t: no CBAM.
    q = engine.quote(eu([small], cbam_ytd_tonnes="40", entry_date="2026-05-12"), known_at="2026-11-21")
    assert cbam(q) == [] and any(n.program == "cbam" and "de minimis" in n.reason for n in q.lines[0].not_applied)
    # 45 t + 8 t = 53 t: the whole year is in scope, and the quote warns about the 45 t imported earlier.
    q = engine.quote(eu([small], cbam_ytd_tonnes="45", entry_date="2026-05-12", cbam_price="75.36"),
                     known_at="2026-11-21")
    assert cbam(q) and any("45 t imported earlier" in w for w in q.warnings)


def test_unpublished_period_price_is_an_estimate(engine):
    # Q2 2026 import; only the Q1 price is in the rules: latest published (75.36) used, flagged as an estimate.
    q = engine.quote(eu([hrc()], entry_date="2026-05-12", cbam_ytd_tonnes="200"), known_at="2026-11-21")
    charge = cbam(q)[0]
    assert charge.estimate is True and "estimate" in charge.price_period
    assert any("not published" in w for w in q.warnings)
    # With a user price of 80.00: 2174.25 x 80 = 173940.00.
    q = engine.quote(eu([hrc()], entry_date="2026-05-12", cbam_ytd_tonnes="200", cbam_price="80.00"),
                     known_at="2026-11-21")
    assert cbam(q)[0].amount == Decimal("173940.00")


def test_green_premium_default_vs_actual(engine):
    # Actual direct 2.10: 1000 x (2.10 - 1.33575) = 764.25 x 75.36 = 57593.88; default 163851.48;
    # premium 163851.48 - 57593.88 = 106257.60.
    s = eu([hrc(emissions={"source": "actual", "direct": "2.10"})], cbam_ytd_tonnes="200")
    q = engine.quote(s, known_at="2026-11-21")
    assert cbam(q)[0].amount == Decimal("57593.88")
    assert q.lines[0].green_premium["premium"] == "106257.60"
    side = carbon_comparison(s, known_at="2026-11-21", engine=engine)
    assert side[0]["default"]["cost"] == "163851.48" and side[0]["actual"]["cost"] == "57593.88"


def test_carbon_price_paid_at_origin_is_deducted(engine):
    # Deduction = 8.00 EUR/t x 3.51 t/t x 1000 t / 75.36 = 372.61146...; certificates 2174.25 - 372.611465 =
    # 1801.638535; cost = 2174.25 x 75.36 - 8.00 x 3.51 x 1000 = 163851.48 - 28080.00 = 135771.48.
    q = engine.quote(eu([hrc(emissions={"source": "default", "carbon_price_paid": "8.00"})], cbam_ytd_tonnes="200"),
                     known_at="2026-11-21")
    assert cbam(q)[0].amount == Decimal("135771.48")


def test_customs_warehouse_defers_duty_vat_and_cbam(engine):
    q = engine.quote(eu([hrc()], cbam_ytd_tonnes="200", ftz={"regime": "EU_CUSTOMS_WAREHOUSE",
                                                             "disposition": "in_zone"}), known_at="2026-11-21")
    assert q.totals.carbon == Decimal("0.00") and q.totals.import_vat == Decimal("0.00")
    assert any(n.program == "cbam" and "release for free circulation" in n.reason for n in q.lines[0].not_applied)


def test_safeguard_only_when_quota_claimed_exhausted(engine):
    # 2026-02-10, category 7 quarto plate: out-of-quota 25% x 600000 = 150000.00 when the importer says so.
    q = engine.quote(eu([hrc(claims=["EU-QUOTA-EXHAUSTED"])], cbam_ytd_tonnes="200"), known_at="2026-11-21")
    assert q.totals.duties == Decimal("150000.00")
    q = engine.quote(eu([hrc()], cbam_ytd_tonnes="200"), known_at="2026-11-21")
    assert q.totals.duties == Decimal("0.00") and any("quota" in w for w in q.warnings)


def test_missing_default_value_asks_for_actual_emissions(engine):
    # The Commission's workbook lists Albania under 2814 10 00 (anhydrous ammonia) with no value: no default
    # value exists, and the "other countries" value is not substituted for a listed country.
    with pytest.raises(tariffs.InputError) as exc:
        engine.quote(eu([hrc(hts="2814.10.00", origin="AL")], cbam_ytd_tonnes="200"), known_at="2026-11-21")
    assert exc.value.field == "lines[0].emissions" and "give no value" in str(exc.value)


def test_non_eur_needs_fx_rate(engine):
    with pytest.raises(tariffs.InputError) as exc:
        engine.quote(eu([hrc()], currency="USD"), known_at="2026-11-21")
    assert exc.value.field == "fx_rate"

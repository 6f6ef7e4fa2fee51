"""The US regime of 2018-2026 through the engine. Each expected figure is the law's
arithmetic, worked in the comment; the rows' sources are in rules_data/us/*.csv."""
from decimal import Decimal

import pytest

import tariffs


def quote(engine, day, known, mode="ocean", entry_type=None, **line):
    s = {"destination": "US", "entry_date": day, "mode": mode, "lines": [line]}
    if entry_type:
        s["entry_type"] = entry_type
    return engine.quote(s, known_at=known)


def by_heading(q):
    return {c.heading: c.amount for c in q.lines[0].charges}


def test_us_content_of_20_percent_or_more_leaves_only_non_us_content_to_reciprocal(engine):
    # Vietnam, Phase 2 rate 20% (9903.02.69, EO 14326). US content 3000 of 10000 = 30% >= 20%
    # (EO 14257 sec. 3(f)): 20% x 7000 = 1400; MFN 16.5% x 10000 = 1650.
    q = quote(engine, "2025-09-15", "2025-09-15", hts="6109.10.00.12", origin="VN", customs_value="10000.00",
              us_content_value="3000.00")
    assert by_heading(q) == {"6109.10.00": Decimal("1650.00"), "9903.02.69": Decimal("1400.00")}
    assert "9903.01.34" in {d.heading for d in q.lines[0].declarations}
    # 10% US content is below the threshold: 20% x 10000 = 2000.
    q = quote(engine, "2025-09-15", "2025-09-15", hts="6109.10.00.12", origin="VN", customs_value="10000.00",
              us_content_value="1000.00")
    assert by_heading(q)["9903.02.69"] == Decimal("2000.00")


def test_metals_2026_weight_rule(engine):
    # 8544.42.90 is Annex I-B (Proc. 11021): +25% of full value (9903.82.09) only if the metal is >= 15% of
    # the weight (outside ch. 72/73/74/76). 20 kg copper of 100 kg: 25% x 10000 = 2500; MFN 2.6% = 260.
    heavy = quote(engine, "2026-08-15", "2026-11-21", hts="8544.42.90.90", origin="TW", customs_value="10000.00",
                  net_weight_kg="100", metal_weight_kg={"copper": "20"})
    assert by_heading(heavy) == {"8544.42.90": Decimal("260.00"), "9903.82.09": Decimal("2500.00")}
    # 10 kg of 100 kg: not a 232 article (9903.82.03 declared); the 301 forced-labor action then applies to
    # Taiwan as a top-up to 10% including MFN: (10% - 2.6%) x 10000 = 740.
    light = quote(engine, "2026-08-15", "2026-11-21", hts="8544.42.90.90", origin="TW", customs_value="10000.00",
                  net_weight_kg="100", metal_weight_kg={"copper": "10"})
    assert by_heading(light) == {"8544.42.90": Decimal("260.00"), "9903.05.76": Decimal("740.00")}
    assert "9903.82.03" in {d.heading for d in light.lines[0].declarations}


def test_section_122_surcharge(engine):
    # 2026-03-15: Section 122 10% (9903.03.01, Proc. 11012): 10% x 10000 = 1000; MFN 16.5% = 1650.
    q = quote(engine, "2026-03-15", "2026-11-21", hts="6109.10.00.12", origin="VN", customs_value="10000.00")
    assert by_heading(q) == {"6109.10.00": Decimal("1650.00"), "9903.03.01": Decimal("1000.00")}
    # 2026-07-24: expired (150 days), the forced-labor 301 action instead: VN 12.5% x 10000 = 1250.
    q = quote(engine, "2026-07-24", "2026-11-21", hts="6109.10.00.12", origin="VN", customs_value="10000.00")
    assert "9903.03.01" not in by_heading(q)


def test_supreme_court_ruling_is_knowledge_of_2026_02_20(engine):
    # Taiwan reciprocal 20% (9903.02.60) on a T-shirt entered 2025-10-01: 20% x 10000 = 2000.
    before = quote(engine, "2025-10-01", "2026-02-19", hts="6109.10.00.12", origin="TW", customs_value="10000.00")
    assert by_heading(before)["9903.02.60"] == Decimal("2000.00")
    after = quote(engine, "2025-10-01", "2026-02-20", hts="6109.10.00.12", origin="TW", customs_value="10000.00")
    assert "9903.02.60" not in by_heading(after)
    assert any(n.program == "ieepa_reciprocal" and "Learning Resources" in n.reason for n in after.lines[0].not_applied)
    change = [c for c in after.retroactive_changes if c.heading == "9903.02.60"][0]
    assert (change.as_filed, change.as_known, change.difference) == (Decimal("2000.00"), Decimal("0"), Decimal("2000.00"))
    assert after.totals.refundable == Decimal("2000.00")


def test_filed_on_sets_the_as_filed_view(engine):
    # Filed on 2026-02-21, the day after the ruling: as filed already without IEEPA, so nothing to refund.
    s = {"destination": "US", "entry_date": "2025-10-01", "filed_on": "2026-02-21", "mode": "ocean",
         "lines": [{"hts": "6109.10.00.12", "origin": "TW", "customs_value": "10000.00"}]}
    assert engine.quote(s, known_at="2026-11-21").totals.refundable == Decimal("0.00")


def test_usmca_claim_on_a_free_line_exempts_canada_duty_and_mpf(engine):
    # Canada 35% (9903.01.10, from 2025-08-01) on a non-USMCA good: 35% x 10000 = 3500; MPF 0.3464% x 10000 = 34.64.
    plain = quote(engine, "2025-09-01", "2025-09-01", mode="truck", hts="9504.40.00.00", origin="CA",
                  customs_value="10000.00")
    assert by_heading(plain) == {"9903.01.10": Decimal("3500.00")}
    assert plain.entry_charges[0].amount == Decimal("34.64")
    # Claiming USMCA (S): no IEEPA duty (9903.01.14 declared) and no MPF (19 U.S.C. 58c(b)).
    usmca = quote(engine, "2025-09-01", "2025-09-01", mode="truck", hts="9504.40.00.00", origin="CA",
                  customs_value="10000.00", claims=["S"])
    assert usmca.totals.duties == Decimal("0.00") and usmca.entry_charges == []
    assert "9903.01.14" in {d.heading for d in usmca.lines[0].declarations}


def test_russian_aluminum_is_assumed_absent_and_says_so(engine):
    # Canadian aluminum, 2026-08-15: Annex I-A 50% of full value (9903.82.02): 50% x 10000 = 5000.
    q = quote(engine, "2026-08-15", "2026-11-21", hts="7601.10.30.00", origin="CA", customs_value="10000.00")
    assert by_heading(q)["9903.82.02"] == Decimal("5000.00")
    assert any("assumed not RU" in w for w in q.warnings)
    # Smelted in Russia: 200% of full value (9903.85.67, Proc. 10522, continued by Proc. 11021 cl. 8) in place
    # of the 50%: 200% x 10000 = 20000.
    ru = quote(engine, "2026-08-15", "2026-11-21", hts="7601.10.30.00", origin="CA", customs_value="10000.00",
               metal_origin={"aluminum": "RU"})
    assert by_heading(ru) == {"7601.10.30": Decimal("260.00"), "9903.85.67": Decimal("20000.00")}


def test_autos_displace_metals_and_reciprocal(engine):
    # Chinese auto part 8708.99.68, entered 2025-06-01 (fact sheet E9): MFN 2.5% + 232 parts 25% (9903.94.05)
    # + 301 List 3 25% + China fentanyl 20% = 72.5% of 100000; no reciprocal, no 232 steel/aluminum (EO 14289).
    q = quote(engine, "2025-06-01", "2025-06-01", hts="8708.99.68.90", origin="CN", customs_value="100000.00")
    assert q.totals.duties == Decimal("72500.00")
    assert {"9903.94.05", "9903.88.03", "9903.01.24"} <= set(by_heading(q))


def test_steel_2018_country_exemptions(engine):
    # 2018-07-01: EU steel pays 25% (9903.80.01, the EU exemption ended 2018-06-01): 25% x 100000 = 25000.
    assert by_heading(quote(engine, "2018-07-01", "2018-07-01", hts="7208.51.00.30", origin="DE",
                            customs_value="100000.00"))["9903.80.01"] == Decimal("25000.00")
    # Turkey 50% from 2018-08-13 (Proc. 9772, 9903.80.02): 50000.
    assert by_heading(quote(engine, "2018-09-01", "2018-09-01", hts="7208.51.00.30", origin="TR",
                            customs_value="100000.00"))["9903.80.02"] == Decimal("50000.00")
    # Canada exempt from 2019-05-20 (Proc. 9894): no 232.
    q = quote(engine, "2019-06-01", "2019-06-01", hts="7208.51.00.30", origin="CA", customs_value="100000.00")
    assert q.totals.duties == Decimal("0.00")


def test_antidumping_cash_deposit_is_charged_as_supplied(engine):
    # Case rate supplied by the importer: 25.50% x 10000 = 2550; 232 steel 25% (2024) = 2500.
    q = quote(engine, "2024-06-03", "2026-11-21", hts="7208.51.00.30", origin="CN", customs_value="10000.00",
              entry_type="formal", adcvd=[{"case": "A-570-049", "type": "antidumping", "rate": "0.2550"}])
    assert by_heading(q) == {"9903.80.01": Decimal("2500.00"), "A-570-049": Decimal("2550.00")}
    with pytest.raises(tariffs.InputError) as exc:
        quote(engine, "2024-06-03", "2026-11-21", hts="7208.51.00.30", origin="CN", customs_value="10000.00",
              adcvd=[{"case": "A-570-049", "type": "antidumping"}])
    assert exc.value.field == "lines[0].adcvd[0].rate"


def test_charges_are_listed_in_cbp_reporting_order(engine):
    q = quote(engine, "2025-12-01", "2025-12-01", hts="7408.11.60.00", origin="CN", customs_value="100000.00",
              metal_content={"copper": "100000.00"})
    order = q.lines[0].reporting_order
    # Chapter 99 headings first (301, then IEEPA, then 232), the HTS number last.
    assert order.index("9903.88.03") < order.index("9903.01.24") < order.index("9903.78.01")
    assert order[-1] == "7408.11.60.00"

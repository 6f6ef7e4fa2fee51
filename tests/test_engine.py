"""Engine behaviour. Expected figures are computed by hand in the comments."""
import datetime as dt
import json
from decimal import Decimal

import pytest
from freezegun import freeze_time

import tariffs
from tariffs.rules.ruleset import RuleSet

from conftest import ROOT, add_measure, add_stacking, shipment


def charges(quote, program=None):
    return [c for line in quote.lines for c in line.charges if program is None or c.program == program]


def test_contract_example_totals(engine):
    example = json.loads((ROOT / "examples" / "shipment.json").read_text())
    q = engine.quote(example, known_at="2026-11-21")
    # MFN 3% x 100000 = 3000; 232 copper 50% x copper content 100000 = 50000.
    assert q.totals.duties == Decimal("53000.00")
    # MPF 0.3464% x 100000 = 346.40 (FY2026 bounds 33.58..651.50); HMF 0.125% x 100000 = 125.00.
    assert [(f.program, f.amount) for f in q.entry_charges] == [("mpf", Decimal("346.40")), ("hmf", Decimal("125.00"))]
    # landed = 100000 + (4200 + 300 + 150) + 53000 + 471.40 = 158121.40
    assert q.totals.landed_cost == Decimal("158121.40")
    assert q.totals.effective_duty_rate == Decimal("0.53")
    dumped = q.model_dump(mode="json")
    assert dumped["lines"][0]["charges"][1]["heading"] == "9903.78.01"
    assert dumped["lines"][0]["charges"][1]["basis"] == "content:copper"
    assert isinstance(dumped["totals"]["duties"], str)


def test_mixed_copper_article_pays_232_on_copper_content_only(engine):
    q = engine.quote(shipment(line={"hts": "7408.11.60.00", "customs_value": "1000.00",
                                    "metal_content": {"copper": "400.00"}}), known_at="2025-12-01")
    # As assessed on 2025-12-01 (Taiwan): MFN 3% x 1000.00 = 30.00; 232 copper 50% x 400.00 = 200.00;
    # reciprocal 20% (9903.02.60) on the non-copper 600.00 only = 120.00 (copper content declared 9903.01.33).
    got = sorted((c.program, c.heading, c.base, c.amount) for c in charges(q))
    assert got == [("ieepa_reciprocal", "9903.02.60", Decimal("600.00"), Decimal("120.00")),
                   ("mfn", "7408.11.60", Decimal("1000.00"), Decimal("30.00")),
                   ("section_232", "9903.78.01", Decimal("400.00"), Decimal("200.00"))]
    assert "9903.01.33" in {d.heading for d in q.lines[0].declarations}


def test_copper_content_not_stated_is_charged_on_full_value_with_a_warning(engine):
    q = engine.quote(shipment(line={"hts": "7408.11.60.00", "customs_value": "1000.00"}), known_at="2025-12-01")
    assert charges(q, "section_232")[0].amount == Decimal("500.00")  # 50% x 1000.00
    assert any("metal_content.copper: not given" in w for w in q.warnings)


def test_before_copper_232_only_mfn(engine):
    q = engine.quote(shipment(entry_date="2025-07-31", line={"metal_content": {"copper": "100000.00"}}),
                     known_at="2026-11-21")
    assert [c.program for c in charges(q)] == ["mfn"]


def test_column_2_for_countries_denied_normal_trade_relations(engine):
    # 7408.11.60 column 2 rate is 28%: 28% x 1000.00 = 280.00 (Cuba, General Note 3(b)).
    q = engine.quote(shipment(entry_date="2024-06-03", line={"origin": "CU", "customs_value": "1000.00"}),
                     known_at="2026-11-21")
    assert charges(q, "mfn")[0].amount == Decimal("280.00")
    assert "column 2" in charges(q, "mfn")[0].legal_basis


def test_russia_column_2_starts_2022_04_09(engine):
    before = engine.quote(shipment(entry_date="2022-04-08", line={"origin": "RU", "customs_value": "1000.00"}),
                          known_at="2026-11-21")
    after = engine.quote(shipment(entry_date="2022-04-09", line={"origin": "RU", "customs_value": "1000.00"}),
                         known_at="2026-11-21")
    assert charges(before, "mfn")[0].amount == Decimal("30.00")  # general 3%
    assert charges(after, "mfn")[0].amount == Decimal("280.00")  # column 2 28%


def test_special_program_claim_applies_when_origin_eligible(engine):
    # KORUS (KR): 7408.11.60 special "Free (...KR...)": no MFN duty; the claim exempts MPF (19 U.S.C. 58c(b)).
    q = engine.quote(shipment(entry_date="2024-06-03", line={"origin": "KR", "customs_value": "1000.00",
                                                             "claims": ["KR"]}), known_at="2026-11-21")
    assert charges(q, "mfn") == []
    assert any(n.program == "mfn" and "special KR" in n.reason for n in q.lines[0].not_applied)
    assert all(f.program != "mpf" for f in q.entry_charges)


def test_special_claim_refused_for_ineligible_origin(engine):
    q = engine.quote(shipment(entry_date="2024-06-03", line={"origin": "VN", "customs_value": "1000.00",
                                                             "claims": ["KR"]}), known_at="2026-11-21")
    assert charges(q, "mfn")[0].amount == Decimal("30.00")
    assert any("claim KR refused" in w for w in q.warnings)


def test_gsp_claim_refused_after_lapse(engine):
    q = engine.quote(shipment(entry_date="2024-06-03", line={"origin": "IN", "customs_value": "1000.00",
                                                             "claims": ["A"]}), known_at="2026-11-21")
    assert charges(q, "mfn")[0].amount == Decimal("30.00")
    assert any("SPI A" == n.heading for n in q.lines[0].not_applied)


def test_unknown_claim_is_an_error(engine):
    with pytest.raises(tariffs.InputError) as exc:
        engine.quote(shipment(line={"claims": ["XYZ"]}), known_at="2026-11-21")
    assert exc.value.field == "lines[0].claims"


def test_unparseable_rate_needs_a_user_rate(engine):
    # 6103.22.00.10 cotton ensembles: "The rate applicable to each garment in the ensemble if separately entered".
    ski = {"hts": "6103.22.00.10", "origin": "VN", "customs_value": "1000.00"}
    with pytest.raises(tariffs.InputError) as exc:
        engine.quote(shipment(entry_date="2024-06-03", line=ski), known_at="2026-11-21")
    assert exc.value.field == "lines[0].hts" and "mfn_rate" in str(exc.value)
    q = engine.quote(shipment(entry_date="2024-06-03", line={**ski, "mfn_rate": "7.1%"}), known_at="2026-11-21")
    assert charges(q, "mfn")[0].amount == Decimal("71.00")  # 7.1% x 1000.00
    assert any("supplied by the user" in w for w in q.warnings)


def test_foreign_currency_needs_fx_rate_and_converts_exactly(engine):
    with pytest.raises(tariffs.InputError) as exc:
        engine.quote(shipment(currency="EUR", line={"customs_value": "1000.00"}), known_at="2026-11-21")
    assert exc.value.field == "fx_rate"
    q = engine.quote(shipment(currency="EUR", fx_rate="1.0850", freight="100.00",
                              line={"customs_value": "1000.00", "metal_content": {"copper": "1000.00"}}),
                     known_at="2025-12-01")
    # 1000 EUR x 1.0850 = 1085.00 USD; MFN 3% = 32.55; 232 50% = 542.50; freight 108.50 USD.
    assert q.totals.customs_value == Decimal("1085.00")
    assert [c.amount for c in charges(q)] == [Decimal("32.55"), Decimal("542.50")]
    assert q.totals.freight_insurance_other == Decimal("108.50")


def test_mpf_minimum_and_hmf_only_for_ocean(engine):
    q = engine.quote(shipment(mode="air", entry_date="2024-06-03", entry_type="formal",
                              line={"customs_value": "1000.00"}), known_at="2026-11-21")
    # 0.3464% x 1000 = 3.46 < FY2024 minimum 31.67
    assert [(f.program, f.amount) for f in q.entry_charges] == [("mpf", Decimal("31.67"))]
    assert any(n.program == "hmf" and "ocean" in n.reason for n in q.entry_not_applied)


def test_entry_before_earliest_edition_uses_it_with_a_warning(engine):
    # The earliest loaded edition is 2019 Rev. 20 (in force from 2019-01-01); 7408.11.60.00 is a line of it.
    q = engine.quote(shipment(entry_date="2018-06-04", line={"customs_value": "1000.00"}), known_at="2026-11-21")
    assert any("before the earliest loaded HTS edition (2019_rev_20" in w for w in q.warnings)
    q = engine.quote(shipment(entry_date="2019-06-03", line={"customs_value": "1000.00"}), known_at="2026-11-21")
    assert not any("before the earliest loaded HTS edition" in w for w in q.warnings)


def test_entry_after_knowledge_cutoff_warns(engine, rules):
    day = rules.knowledge_cutoff + dt.timedelta(days=1)
    q = engine.quote(shipment(entry_date=day.isoformat(), line={"customs_value": "1000.00"}), known_at=day.isoformat())
    assert any("knowledge cutoff" in w for w in q.warnings)


def test_secondary_rows_are_named_in_a_warning(engine):
    q = engine.quote(shipment(line={"customs_value": "10000.00"}), known_at="2026-11-21")
    # The FY2026 MPF row rests on secondary sources: the quote must say so, naming it.
    assert any("us.mpf.fy2026" in w for w in q.warnings)


@freeze_time("2026-11-21 12:00:00")
def test_default_known_at_is_now(engine):
    q = engine.quote(shipment(line={"customs_value": "1000.00"}))
    assert q.known_at == dt.datetime(2026, 11, 21, 12, 0, tzinfo=dt.timezone.utc)


def test_known_at_date_means_end_of_day(engine):
    q = engine.quote(shipment(line={"customs_value": "1000.00"}), known_at="2026-11-21")
    assert q.known_at == dt.datetime.combine(dt.date(2026, 11, 21), dt.time.max, tzinfo=dt.timezone.utc)


# --- mechanisms, on a private copy of the rules with clearly fictitious test rows ---------------------------

def test_in_transit_keeps_the_earlier_row(tmp_rules):
    add_measure(tmp_rules, measure_id="t.old", key="t.fam", rate="0.10", valid_from="2019-01-01",
                valid_to="2019-05-10", loaded_before="2019-05-10", entered_before="2019-06-15", scope="7408",
                heading="9903.88.03")
    add_measure(tmp_rules, measure_id="t.new", key="t.fam", rate="0.25", valid_from="2019-05-10", scope="7408",
                heading="9903.88.03")
    engine = tariffs.Engine(RuleSet(tmp_rules))
    line = {"origin": "CN", "customs_value": "1000.00", "loaded_on": "2019-05-01"}
    q = engine.quote(shipment(entry_date="2019-06-01", line=line), known_at="2026-11-21")
    got = {c.measure_id: c.amount for c in charges(q)}
    assert got.get("t.old") == Decimal("100.00") and "t.new" not in got  # 10% x 1000 kept in transit
    assert any(n.measure_id == "t.new" and "in transit" in n.reason for n in q.lines[0].not_applied)
    late = engine.quote(shipment(entry_date="2019-06-15", line=line), known_at="2026-11-21")
    assert {c.measure_id: c.amount for c in charges(late)}.get("t.new") == Decimal("250.00")


def test_exemption_claim_sets_aside_and_declares(tmp_rules):
    add_measure(tmp_rules, measure_id="t.duty", key="t.d", rate="0.25", heading="9903.88.03")
    add_measure(tmp_rules, measure_id="t.excl", key="t.e", kind="exemption", heading="9903.88.69", rate="",
                claim="9903.88.69", targets="section_301:9903.88.0*", note="test exclusion")
    engine = tariffs.Engine(RuleSet(tmp_rules))
    q = engine.quote(shipment(entry_date="2024-06-03", line={"origin": "CN", "customs_value": "1000.00",
                                                             "claims": ["9903.88.69"]}), known_at="2026-11-21")
    assert "t.duty" not in {c.measure_id for c in charges(q)}
    assert any(d.heading == "9903.88.69" for d in q.lines[0].declarations)
    assert q.lines[0].reporting_order[-1] == "7408.11.60.00"


def test_stacking_skip_and_non_content(tmp_rules):
    add_measure(tmp_rules, measure_id="t.metal", key="t.m", program="section_232", heading="9903.78.01",
                rate="0.50", basis="content:copper", origins="ALL", scope="7408")
    add_measure(tmp_rules, measure_id="t.recip", key="t.r", program="ieepa_reciprocal", heading="9903.01.25",
                rate="0.10", origins="ALL", scope="ALL")
    add_measure(tmp_rules, measure_id="t.other", key="t.o", program="section_122", heading="9903.03.01",
                rate="0.10", origins="ALL", scope="ALL")
    add_stacking(tmp_rules, stacking_id="t.s1", winner="section_232:9903.78.01", loser="ieepa_reciprocal:*",
                 effect="non_content", declare="9903.01.33", reason="test: reciprocal not on metal content")
    add_stacking(tmp_rules, stacking_id="t.s2", winner="section_232:*", loser="section_122:*", effect="skip",
                 declare="9903.03.06", reason="test: 122 not on 232 articles")
    engine = tariffs.Engine(RuleSet(tmp_rules))
    q = engine.quote(shipment(entry_date="2019-06-03", line={"origin": "VN", "customs_value": "1000.00",
                                                             "metal_content": {"copper": "400.00"}}),
                     known_at="2026-11-21")
    got = {c.measure_id: (c.base, c.amount) for c in charges(q)}
    assert got["t.metal"] == (Decimal("400.00"), Decimal("200.00"))  # 50% x 400
    assert got["t.recip"] == (Decimal("600.00"), Decimal("60.00"))  # 10% x (1000 - 400)
    assert "t.other" not in got
    assert {d.heading for d in q.lines[0].declarations} >= {"9903.01.33", "9903.03.06"}


def test_floor_tops_up_to_all_in_rate(tmp_rules):
    add_measure(tmp_rules, measure_id="t.floor", key="t.f", program="ieepa_reciprocal", heading="9903.02.20",
                rate="", floor="0.15", origins="DE", scope="7408")
    engine = tariffs.Engine(RuleSet(tmp_rules))
    q = engine.quote(shipment(entry_date="2019-06-03", line={"origin": "DE", "customs_value": "1000.00"}),
                     known_at="2026-11-21")
    # MFN 3% -> top-up 12% x 1000 = 120.00
    assert {c.measure_id: c.amount for c in charges(q)}["t.floor"] == Decimal("120.00")


def test_retracted_row_gives_retroactive_changes_and_refund(tmp_rules):
    # A duty recorded 2019-01-01 and retracted (voided) on 2020-03-01.
    add_measure(tmp_rules, measure_id="t.void", key="t.v", rate="0.20", origins="VN", scope="7408",
                heading="9903.01.25", program="ieepa_reciprocal", recorded_at="2019-01-01",
                retracted_at="2020-03-01")
    engine = tariffs.Engine(RuleSet(tmp_rules))
    s = shipment(entry_date="2019-06-03", line={"origin": "VN", "customs_value": "1000.00"})
    as_filed = engine.quote(s, known_at="2019-06-03")
    assert {c.measure_id for c in charges(as_filed)} >= {"t.void"}
    now = engine.quote(s, known_at="2026-11-21")
    assert "t.void" not in {c.measure_id for c in charges(now)}
    change = [c for c in now.retroactive_changes if c.heading == "9903.01.25"][0]
    assert (change.as_filed, change.as_known, change.difference) == (Decimal("200.00"), Decimal("0"), Decimal("200.00"))
    assert now.totals.refundable == Decimal("200.00")


# --- entry types: de minimis (19 U.S.C. 1321) and informal entries (19 CFR 143.21) ----------------------------

def _low_value(day, origin, **extra):
    return shipment(entry_date=day, mode="air", line={"hts": "6109.10.00.12", "origin": origin,
                                                      "customs_value": "500.00"}, **extra)


def test_de_minimis_before_its_suspension(engine):
    q = engine.quote(_low_value("2024-06-03", "VN"), known_at="2026-11-21")
    assert q.entry_type == "de_minimis" and q.totals.duties == 0 and q.entry_charges == []
    # What would have applied is still explained: MFN 16.5% x 500.00 = 82.50.
    assert any(n.program == "mfn" and "would be 82.50" in n.reason for n in q.lines[0].not_applied)


def test_no_de_minimis_for_china_from_2025_05_02(engine):
    q = engine.quote(_low_value("2025-05-02", "CN"), known_at="2026-11-21")
    # Informal entry instead: flat MPF for FY2025 (automated, 19 CFR 24.23(b)(2)(i)) $2.62.
    assert q.entry_type == "informal"
    assert [(f.program, f.amount) for f in q.entry_charges] == [("mpf", Decimal("2.62"))]
    assert engine.quote(_low_value("2025-05-01", "CN"), known_at="2026-11-21").entry_type == "de_minimis"


def test_no_de_minimis_for_anyone_from_2025_08_29_as_known_after_eo_14324(engine):
    assert engine.quote(_low_value("2025-08-29", "VN"), known_at="2026-11-21").entry_type == "informal"
    # Before EO 14324 (signed 2025-07-30) was known, the same entry looked like de minimis.
    assert engine.quote(_low_value("2025-08-29", "VN"), known_at="2025-07-01").entry_type == "de_minimis"


def test_asking_for_an_entry_type_the_entry_does_not_qualify_for(engine):
    with pytest.raises(tariffs.InputError) as exc:
        engine.quote(_low_value("2025-06-01", "CN", entry_type="de_minimis"), known_at="2026-11-21")
    assert exc.value.field == "entry_type"
    formal = engine.quote(_low_value("2025-06-01", "CN", entry_type="formal"), known_at="2026-11-21")
    assert formal.entry_type == "formal" and formal.entry_charges[0].amount == Decimal("32.71")  # FY2025 minimum

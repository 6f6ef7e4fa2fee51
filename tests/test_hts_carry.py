"""Measure scopes carried across the HTS renumbering (tariffs.rules.hts_carry).

The scope lists (e.g. the Section 301 China lists) are written in the numbers of HTSUS 2025 Basic; an
entry is classified under the edition in force on its date. Amounts below are computed by hand from
the rates of the instruments (value x rate, to the cent)."""
from decimal import Decimal

import tariffs
from tariffs.rules.hts_carry import carried, carry_map, related, scope_edition
from tariffs.rules.ruleset import RuleSet

from conftest import add_measure

KNOWN = "2026-11-21"


def quote(hts, day, origin="CN", value="100000.00", rules=None, **line):
    shipment = {"destination": "US", "entry_date": day, "mode": "ocean", "currency": "USD",
                "lines": [{"hts": hts, "origin": origin, "customs_value": value, **line}]}
    if rules is not None:
        return tariffs.Engine(rules).quote(shipment, known_at=KNOWN)
    return tariffs.quote(shipment, known_at=KNOWN)


def charges(q):
    return {c.heading: c for c in q.lines[0].charges}


def edition(rules, name):
    return next(e for e in rules.editions if e.edition == name)


def test_the_scope_edition_is_the_one_stored_in_full(rules):
    assert scope_edition(rules).edition == "2025_basic"
    assert carried(rules, scope_edition(rules)) == {}


def test_relations_the_editions_show(rules):
    e2019 = edition(rules, "2019_rev_20")
    # 8541.40.20 (LED) -> 8541.41.00 (LED): same heading, same description, new number
    assert [c.code for c in related(rules, e2019, "85414020")] == ["85414100"]
    # 8541.40.60 "Other diodes" -> 8541.49.10 "Other diodes" (8541.40 was subdivided in 2022)
    assert [c.code for c in related(rules, e2019, "85414060")] == ["85414910"]
    # 0306.19.00 -> 0306.19.01: the one subheading of 0306.19 renumbered (description reworded)
    assert [c.code for c in related(rules, e2019, "03061900")] == ["03061901"]
    # its statistical line 0306.19.00.10 "Freshwater crawfish" -> 0306.19.01.10, same description
    assert [c.code for c in related(rules, e2019, "0306190010")] == ["0306190110", "03061901"]
    # 8541.50.00 "Other semiconductor devices" was subdivided into 8541.51.00 and 8541.59.00
    assert [c.code for c in related(rules, e2019, "85415000")] == ["85415100", "85415900"]
    # a number in both editions needs no relation
    assert related(rules, e2019, "8541100080") == ()


def test_carry_map_is_symmetric_in_purpose_and_skips_chapter_99():
    class Line:
        def __init__(self, description):
            self.description = description

    base = {"12345601": Line("Widgets"), "99030101": Line("x")}
    old = {"12345600": Line("Widgets:"), "99030100": Line("x")}
    assert [c.code for c in carry_map(base, old)["12345600"]] == ["12345601"]
    assert "99030100" not in carry_map(base, old)


def test_2019_solar_modules_from_china_meet_the_301_list_of_their_goods():
    # 2019 Rev. 20: 8541.40.60.15 (photovoltaic cells assembled into modules), MFN Free. The Section 301
    # lists name the 2022 numbers; 8541.40.60 "Other diodes" is 8541.49.10 "Other diodes" from 2022 on
    # (8541.40 was subdivided), which the scope data puts on List 2 (9903.88.02, 25% from 2018-08-23).
    # Section 201 (Proclamation 9693, 9903.45.25): 30% in the first year from 2018-02-07, 25% from 2019-02-07.
    # Entry 2019-06-03, value 100,000.00: 301 = 25,000.00; 201 = 25,000.00; duties 50,000.00.
    q = quote("8541.40.60.15", "2019-06-03")
    got = charges(q)
    assert got["9903.88.02"].amount == Decimal("25000.00")
    assert got["9903.45.25"].amount == Decimal("25000.00")
    assert q.totals.duties == Decimal("50000.00")
    calc = got["9903.88.02"].calculation
    assert "scope code 8541.49.10 (HTSUS 2025_basic) matched via renumbering of 8541.40.60.15" in calc
    assert "its subheading 8541.40.60 is 8541.49.10" in calc
    # before 2019-02-07 the 201 rate of the first year: 30,000.00 + 25,000.00 = 55,000.00
    assert quote("8541.40.60.15", "2019-01-15").totals.duties == Decimal("55000.00")


def test_a_2021_entry_under_a_number_renumbered_in_2022():
    # 2021 Rev. 12: 1515.90.80.10 hemp oil, MFN 3.2%; from 2022 it is 1515.90.81.10 (same description),
    # on List 4A (9903.88.15: 7.5% from 2020-02-14). Value 100,000.00: MFN 3,200.00 + 301 7,500.00 = 10,700.00.
    q = quote("1515.90.80.10", "2021-06-01")
    got = charges(q)
    assert got["1515.90.80"].amount == Decimal("3200.00")
    assert got["9903.88.15"].amount == Decimal("7500.00")
    assert q.totals.duties == Decimal("10700.00")
    assert "matched via renumbering of 1515.90.80.10 (HTSUS 2021_rev_12)" in got["9903.88.15"].calculation
    # 2021 LED 8541.40.20.00 -> 8541.41.00.00: List 1 (9903.88.01, 25%): 25,000.00
    led = charges(quote("8541.40.20.00", "2021-06-01"))
    assert led["9903.88.01"].amount == Decimal("25000.00")
    assert "scope code 8541.41.00" in led["9903.88.01"].calculation


def test_a_number_that_did_not_change_is_unaffected():
    # 8541.10.00.80 is a line of 2021 Rev. 12 and of 2025 Basic: List 2 (9903.88.02) by its own number,
    # 25% of 100,000.00 = 25,000.00, no renumbering note.
    q = quote("8541.10.00.80", "2021-06-01")
    charge = charges(q)["9903.88.02"]
    assert charge.amount == Decimal("25000.00")
    assert "renumbering" not in charge.calculation
    assert not any("renumbering" in w or "no successor" in w for w in q.warnings)


def test_the_same_goods_after_2022_are_charged_alike():
    # The LED of 2021 and of 2023 (8541.41.00.00) bear the same List 1 duty.
    assert quote("8541.41.00.00", "2023-06-01").totals.duties == quote("8541.40.20.00", "2021-06-01").totals.duties


def test_except_scope_is_carried_too(tmp_rules):
    # A (test) measure on heading 8541 that carves out 8541.41.00 (a 2022 number): the 2021 LED
    # 8541.40.20.00 is carved out through the renumbering, 8541.10.00.80 is charged (10% of 100,000.00).
    add_measure(tmp_rules, measure_id="test.carry.except", key="test.carry.except", heading="9903.88.99",
                scope="8541", except_scope="8541.41.00", rate="0.10", valid_from="2021-01-01",
                recorded_at="2020-12-01")
    rules = RuleSet(tmp_rules)
    led = quote("8541.40.20.00", "2021-06-01", rules=rules)
    assert "9903.88.99" not in charges(led)
    reason = next(n.reason for n in led.lines[0].not_applied if n.measure_id == "test.carry.except")
    assert "carved out of the scope of 9903.88.99" in reason
    assert "scope code 8541.41.00 (HTSUS 2025_basic) matched via renumbering of 8541.40.20.00" in reason
    diode = quote("8541.10.00.80", "2021-06-01", rules=rules)
    assert charges(diode)["9903.88.99"].amount == Decimal("10000.00")


def test_an_exemption_scoped_by_a_later_number_is_carried(tmp_rules):
    # A (test) exemption of 8541.41.00 (2022 number) from List 1 declares on the 2021 LED and sets the
    # list duty aside: duties 0.00 instead of 25,000.00.
    add_measure(tmp_rules, measure_id="test.carry.exemption", key="test.carry.exemption", kind="exemption",
                heading="9903.88.98", scope="8541.41.00", rate="", targets="section_301:9903.88.01",
                valid_from="2021-01-01", recorded_at="2020-12-01")
    q = quote("8541.40.20.00", "2021-06-01", rules=RuleSet(tmp_rules))
    assert "9903.88.01" not in charges(q)
    assert q.totals.duties == Decimal("0.00")
    declared = next(d for d in q.lines[0].declarations if d.heading == "9903.88.98")
    assert "matched via renumbering of 8541.40.20.00" in declared.reason


def test_a_number_without_a_successor_is_warned():
    # 8548.10.25.00 (2021, "For recovery of lead") has no successor the editions show (HS 2022 moved
    # waste of batteries to 8549): the quote says that later lists may not be met.
    q = quote("8548.10.25.00", "2021-06-01", origin="DE")
    assert any("8548.10.25.00 (HTSUS 2021_rev_12) is not a line of HTSUS 2025_basic" in w
               and "no successor" in w for w in q.warnings)


def test_rules_show_lists_the_measures_met_through_the_renumbering():
    from tariffs.rules.show import show_measures

    report = show_measures("8541.40.60.15", "CN", "2019-06-03", known_at=KNOWN)
    row = next(m for m in report["measures"] if m["heading"] == "9903.88.02")
    assert row["applies"] and "matched via renumbering of 8541.40.60.15" in row["reason"]


def test_a_renumbering_to_several_subheadings_that_lists_split_is_not_guessed():
    # 2021's 0802.90.25.00 ("Shelled", 1¢/kg) is related to 0802.99.15 and 0802.99.98 (same subheading
    # heading 0802 and description "Shelled"); List 3 names 0802.99.15 and List 4A 0802.99.98: neither applies on
    # a guess, both are set aside with the reason. Duties: MFN only, 1¢/kg x 10,000 kg = 100.00.
    q = quote("0802.90.25.00", "2021-06-01", quantity="10000", unit="kg")
    assert q.totals.duties == Decimal("100.00")
    reasons = {n.heading: n.reason for n in q.lines[0].not_applied}
    for heading in ("9903.88.03", "9903.88.15"):
        assert "relates 0802.90.25.00 (HTSUS 2021_rev_12) to 0802.99.15, 0802.99.98" in reasons[heading]
        assert "the number does not decide whether it applies" in reasons[heading]
    assert sum("not applied: the renumbering relates" in w for w in q.warnings) == 2

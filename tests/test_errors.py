"""Bad input through the library: a typed exception naming the field."""
import pytest

import tariffs

from conftest import shipment


@pytest.mark.parametrize("mutate, field", [
    (lambda s: s["lines"][0].update(hts="1234.56.78.90"), "lines[0].hts"),
    (lambda s: s["lines"][0].update(hts="74"), "lines[0].hts"),
    (lambda s: s["lines"][0].update(origin="QQ"), "lines[0].origin"),
    (lambda s: s["lines"][0].pop("origin"), "lines[0].origin"),
    (lambda s: s["lines"][0].update(customs_value="-1"), "lines[0].customs_value"),
    (lambda s: s["lines"][0].update(customs_value="ten"), "lines[0].customs_value"),
    (lambda s: s["lines"][0].update(metal_content={"gold": "1"}), "lines[0].metal_content.gold"),
    (lambda s: s["lines"][0].update(metal_content={"copper": "200000"}), "lines[0].metal_content.copper"),
    (lambda s: s.update(entry_date="2017-06-01"), "entry_date"),
    (lambda s: s.update(entry_date="not a date"), "entry_date"),
    (lambda s: s.update(currency="GBP"), "fx_rate"),
    (lambda s: s.update(currency="GBP", fx_rate="-1"), "fx_rate"),
    (lambda s: s.update(destination="MARS"), "destination"),
    (lambda s: s.update(unexpected="x"), "unexpected"),
])
def test_library_raises_input_error_naming_the_field(engine, mutate, field):
    s = shipment()
    mutate(s)
    with pytest.raises(tariffs.InputError) as exc:
        engine.quote(s, known_at="2026-11-21")
    assert exc.value.field == field, str(exc.value)


def test_malformed_json_text(engine):
    with pytest.raises(tariffs.InputError) as exc:
        engine.quote('{"destination": ', known_at="2026-11-21")
    assert exc.value.field == "shipment"


def test_bad_known_at(engine):
    with pytest.raises(tariffs.InputError) as exc:
        engine.quote(shipment(), known_at="soon")
    assert exc.value.field == "known_at"


def test_specific_duty_without_quantity_names_quantity(engine):
    s = shipment(line={"hts": "0709.54.00.00", "origin": "JP", "customs_value": "100.00"})
    with pytest.raises(tariffs.InputError) as exc:
        engine.quote(s, known_at="2026-11-21")
    assert exc.value.field == "lines[0].quantity"


def test_unit_mismatch_names_unit(engine):
    s = shipment(line={"hts": "0709.54.00.00", "origin": "JP", "customs_value": "100.00", "quantity": "3",
                       "unit": "doz."})
    with pytest.raises(tariffs.InputError) as exc:
        engine.quote(s, known_at="2026-11-21")
    assert exc.value.field == "lines[0].unit"


def test_tonnes_convert_exactly_for_a_per_kg_rate(engine):
    # 8.8¢/kg x 2.5 t (2500 kg) = 220.00 + 20% x 10000.00 = 2000.00
    s = shipment(entry_date="2024-06-03", line={"hts": "0709.54.00.00", "origin": "JP", "customs_value": "10000.00",
                                               "quantity": "2.5", "unit": "t"})
    q = engine.quote(s, known_at="2026-11-21")
    assert str(q.totals.duties) == "2220.00"


def test_eu_entry_needs_member_state_and_a_known_cn_code(engine):
    with pytest.raises(tariffs.InputError) as exc:
        engine.quote(shipment(destination="EU", currency="EUR", entry_date="2026-02-10"), known_at="2026-11-21")
    assert exc.value.field == "member_state"
    with pytest.raises(tariffs.InputError) as exc:
        engine.quote(shipment(destination="EU", member_state="NL", currency="EUR", entry_date="2026-02-10",
                              line={"hts": "9999.99.99"}), known_at="2026-11-21")
    # Every CN8 code of the EU table is priced (tests/test_eu_duty.py); a code under no heading of it is refused.
    assert exc.value.field == "lines[0].hts" and "no chapter of the EU duty table" in str(exc.value)


# --- Input bounds (tariffs.limits), checked where the shipment enters the library ---------------------------

from decimal import Decimal  # noqa: E402

from tariffs import limits  # noqa: E402
from tariffs.money import cents  # noqa: E402


def _adcvd(**case):
    return {"adcvd": [{"case": "A-570-000", "type": "antidumping", **case}]}


@pytest.mark.parametrize("overrides, field, bound", [
    ({"line": {"customs_value": "1e26"}}, "lines[0].customs_value", "10000000000000"),
    ({"line": {"customs_value": "10000000000000.01"}}, "lines[0].customs_value", "10000000000000"),
    ({"currency": "GBP", "fx_rate": "1e30"}, "fx_rate", "1000000"),
    ({"currency": "GBP", "fx_rate": "0.0000000009"}, "fx_rate", "0.000000001"),
    ({"line": _adcvd(rate="1e40")}, "lines[0].adcvd[0].rate", "100"),
    ({"line": _adcvd(specific="1000001", unit="kg")}, "lines[0].adcvd[0].specific", "1000000"),
    ({"line": {"us_content_value": "1e40"}}, "lines[0].us_content_value", "10000000000000"),
    ({"line": {"metal_content": {"copper": "1e14"}}}, "lines[0].metal_content.copper", "10000000000000"),
    ({"line": {"quantity": "1e14", "unit": "kg"}}, "lines[0].quantity", "10000000000000"),
    ({"line": {"net_weight_kg": "1e14"}}, "lines[0].net_weight_kg", "10000000000000"),
    ({"line": {"metal_weight_kg": {"copper": "1e14"}}}, "lines[0].metal_weight_kg.copper", "10000000000000"),
    ({"freight": "1e14"}, "freight", "10000000000000"),
    ({"insurance": "1e14"}, "insurance", "10000000000000"),
    ({"other_costs": "1e14"}, "other_costs", "10000000000000"),
    ({"cbam_ytd_tonnes": "1e14"}, "cbam_ytd_tonnes", "10000000000000"),
    ({"cbam_price": "1e7"}, "cbam_price", "1000000"),
    ({"line": {"emissions": {"source": "actual", "direct": "1e14"}}}, "lines[0].emissions.direct", "10000000000000"),
    ({"line": {"emissions": {"source": "actual", "carbon_price_paid": "1e14"}}}, "lines[0].emissions.carbon_price_paid",
     "10000000000000"),
])
def test_value_beyond_its_bound_names_the_field_and_the_bound(engine, overrides, field, bound):
    with pytest.raises(tariffs.InputError) as exc:
        engine.quote(shipment(**overrides), known_at="2026-11-21")
    assert exc.value.field == field, str(exc.value)
    assert bound in exc.value.allowed


def test_every_amount_at_its_bound_prices_exactly(engine):
    # TW copper wire 7408.11.60 entered 2025-12-01 at the largest value allowed, 10^13 USD:
    # MFN 3% = 300,000,000,000.00; Section 232 copper 9903.78.01 50% = 5,000,000,000,000.00;
    # HMF 0.125% = 12,500,000,000.00; MPF 0.3464% capped at the FY2026 maximum 651.50.
    # Landed = 10^13 + 3x10^11 + 5x10^12 + 1.25x10^10 + 651.50 = 15,312,500,000,651.50.
    q = engine.quote(shipment(line={"customs_value": "1e13"}), known_at="2026-11-21")
    assert q.totals.landed_cost == Decimal("15312500000651.50")
    # An AD cash deposit at the largest rate (100 = 10,000%) on that value: 10^13 x 100 = 10^15.
    q = engine.quote(shipment(line={"customs_value": "1e13", **_adcvd(rate="100")}), known_at="2026-11-21")
    assert [c.amount for c in q.lines[0].charges if c.program == "antidumping"] == [Decimal("1000000000000000.00")]
    # A specific deposit at its bound on the largest quantity: 10^6 USD/kg x 10^13 kg = 10^19.
    q = engine.quote(shipment(line={"customs_value": "1e13", "quantity": "1e13", "unit": "kg",
                                    **_adcvd(specific="1e6", unit="kg")}), known_at="2026-11-21")
    assert [c.amount for c in q.lines[0].charges if c.program == "antidumping"] == [Decimal("10000000000000000000.00")]
    # Values in pounds at the largest rate: 10^13 GBP x 10^6 = 10^19 USD of customs value.
    q = engine.quote(shipment(currency="GBP", fx_rate="1e6", line={"customs_value": "1e13"}), known_at="2026-11-21")
    assert q.totals.customs_value == Decimal("10000000000000000000.00")


def test_cents_never_runs_out_of_digits_inside_the_bounds():
    # The largest product the bounds allow, 10^13 x 10^6 x 10^13 = 10^32, has 35 digits to the cent
    # (beyond the 28 of Decimal's default context).
    biggest = limits.MAX_MONEY * limits.MAX_FX_RATE * limits.MAX_QUANTITY
    assert str(cents(biggest)) == "1" + "0" * 32 + ".00"
    assert str(cents(Decimal("12345678901234567890123456789.005"))) == "12345678901234567890123456789.01"


@pytest.mark.parametrize("value, ok", [
    ("1" * limits.MAX_DIGITS, False),  # 10^29 order: refused by the bound, not by digits
    ("0." + "1" * limits.MAX_DIGITS, True),  # 30 significant digits, 30 places
    ("0." + "1" * (limits.MAX_DIGITS + 1), False),  # 31
    ("0E-999999999", False),  # a billion decimal places
])
def test_significant_digits_and_places_are_bounded(engine, value, ok):
    s = shipment(line={"customs_value": value})
    if ok:
        assert engine.quote(s, known_at="2026-11-21").lines[0].customs_value == Decimal("0.11")
    else:
        with pytest.raises(tariffs.InputError) as exc:
            engine.quote(s, known_at="2026-11-21")
        assert exc.value.field == "lines[0].customs_value"


@pytest.mark.parametrize("field, value", [
    ("entry_date", "1899-12-31"), ("entry_date", "9999-01-01"), ("entry_date", True), ("entry_date", 20251201),
    ("entry_date", "2025-12-01T00:00"), ("filed_on", "0001-01-01"),
])
def test_dates_out_of_range_or_not_dates(engine, field, value):
    with pytest.raises(tariffs.InputError) as exc:
        engine.quote(shipment(**{field: value}), known_at="2026-11-21")
    assert exc.value.field == field


@pytest.mark.parametrize("value", [0, True, 1.5, b"2025-11-01", "2025-11-01x", "1/11/2025"])
def test_loaded_on_must_be_a_date(engine, value):
    # An int is not a Unix timestamp: 0 used to become 1970-01-01.
    with pytest.raises(tariffs.InputError) as exc:
        engine.quote(shipment(line={"loaded_on": value}), known_at="2026-11-21")
    assert exc.value.field == "lines[0].loaded_on"


@pytest.mark.parametrize("known_at", ["9999-12-31T23:59:59-14:00", "0001-01-01", "0001-01-01T00:00:00+14:00",
                                      "9999-12-31", 0, 1.5, True, b"2026-11-21", [2026]])
def test_known_at_out_of_range_is_blamed_on_known_at(engine, known_at):
    with pytest.raises(tariffs.InputError) as exc:
        engine.quote(shipment(), known_at=known_at)
    assert exc.value.field == "known_at", str(exc.value)


def test_floats_are_taken_by_their_shortest_repr(engine):
    # 0.1 + 0.2 as binary floats is 0.30000000000000004; by repr each is exact: 1000.1 is 1000.10.
    s = tariffs.Shipment.model_validate(shipment(freight=0.1, insurance=0.2, line={"customs_value": 1000.1}))
    assert (s.freight, s.insurance, s.lines[0].customs_value) == (Decimal("0.1"), Decimal("0.2"), Decimal("1000.1"))
    q = engine.quote(shipment(currency="GBP", fx_rate=1.1, line={"customs_value": 1000.1}), known_at="2026-11-21")
    # 1000.1 GBP x 1.1 = 1100.11 USD exactly (the binary product would be 1100.1100000000001).
    assert q.lines[0].customs_value == Decimal("1100.11") and q.fx_rate == Decimal("1.1")
    from tariffs.money import to_decimal
    assert to_decimal(0.1) == Decimal("0.1") and to_decimal("1,234.5") == Decimal("1234.5")
    with pytest.raises(tariffs.InputError):
        to_decimal(True)
    with pytest.raises(tariffs.InputError):
        to_decimal(float("nan"))


@pytest.mark.parametrize("mutate, field", [
    (lambda s: s["lines"][0].update(hts=b"7408.11.60.00"), "lines[0].hts"),
    (lambda s: s["lines"][0].update(description=b"wire"), "lines[0].description"),
    (lambda s: s["lines"][0].update(origin=bytearray(b"TW")), "lines[0].origin"),
    (lambda s: s.update(currency=b"USD"), "currency"),
    (lambda s: s["lines"][0].update(customs_value=True), "lines[0].customs_value"),
    (lambda s: s["lines"][0].update(customs_value=float("inf")), "lines[0].customs_value"),
    (lambda s: s["lines"][0].update(customs_value=b"100"), "lines[0].customs_value"),
])
def test_bytes_and_booleans_are_not_text_or_numbers(engine, mutate, field):
    s = shipment()
    mutate(s)
    with pytest.raises(tariffs.InputError) as exc:
        engine.quote(s, known_at="2026-11-21")
    assert exc.value.field == field, str(exc.value)


@pytest.mark.parametrize("code", ["XYZ", "ABC", "US", "EURO", "ÜSD", "U$D", "123"])
def test_currency_must_be_iso_4217(engine, code):
    with pytest.raises(tariffs.InputError) as exc:
        engine.quote(shipment(currency=code, fx_rate="1.1"), known_at="2026-11-21")
    assert exc.value.field == "currency" and "ISO 4217" in exc.value.allowed


def test_iso_4217_code_in_lower_case_is_accepted(engine):
    q = engine.quote(shipment(currency="jpy", fx_rate="0.0065", line={"customs_value": "1000000"}),
                     known_at="2026-11-21")
    # 1,000,000 JPY x 0.0065 = 6,500.00 USD
    assert q.source_currency == "JPY" and q.lines[0].customs_value == Decimal("6500.00")


def test_misused_engine_and_load_rules_raise_a_clear_type_error():
    with pytest.raises(TypeError, match="Engine\\(rules\\).*RuleSet.*str"):
        tariffs.Engine("x")
    with pytest.raises(TypeError, match="load_rules\\(path\\).*int"):
        tariffs.load_rules(123)
    with pytest.raises(TypeError, match="RuleSet"):
        tariffs.quote(shipment(), known_at="2026-11-21", rules={"not": "rules"})


def test_json_text_is_read_strictly():
    import json

    with pytest.raises(tariffs.InputError) as exc:
        tariffs.quote('{"destination": "US", "destination": "EU"}', known_at="2026-11-21")
    assert exc.value.field == "shipment" and "'destination'" in str(exc.value)
    with pytest.raises(tariffs.InputError) as exc:
        tariffs.quote("[" * 100_000 + "]" * 100_000, known_at="2026-11-21")
    assert exc.value.field == "shipment" and "nested" in str(exc.value)
    with pytest.raises(tariffs.InputError) as exc:
        tariffs.quote(b"\xff\xfe{}", known_at="2026-11-21")
    assert "UTF-8" in str(exc.value)
    # A shipment as UTF-8 bytes, with a float, prices like its text.
    text = json.dumps(shipment(line={"customs_value": 100000.0}))
    assert tariffs.quote(text.encode(), known_at="2026-11-21").totals.duties == Decimal("53000.00")


def test_deep_python_input_is_an_input_error():
    deep = []
    for _ in range(5000):
        deep = [deep]
    with pytest.raises(tariffs.InputError):
        tariffs.quote(shipment(destination=deep), known_at="2026-11-21")


def test_user_rate_text_is_bounded(engine):
    ski = {"hts": "6103.22.00.10", "origin": "VN", "customs_value": "1000.00"}
    for text in ("10001%", "9" * 60 + "%", "$1000001/kg"):
        with pytest.raises(tariffs.InputError) as exc:
            engine.quote(shipment(entry_date="2024-06-03", line={**ski, "mfn_rate": text, "quantity": "1",
                                                                   "unit": "kg"}), known_at="2026-11-21")
        assert exc.value.field == "lines[0].mfn_rate", str(exc.value)


def test_known_at_before_the_fee_was_published_is_blamed_on_known_at(engine):
    # The FY2026 MPF row for an entry of 2025-12-01 was not published in 1950: the knowledge date is at fault,
    # not the entry date (found by tests/test_fuzz_library.py).
    with pytest.raises(tariffs.InputError) as exc:
        engine.quote(shipment(), known_at="1950-01-01")
    assert exc.value.field == "known_at", str(exc.value)


def test_scenario_dates_are_parsed_strictly(engine):
    from tariffs.scenarios import compare, inverted_tariff

    for bad in ("2026-1-5", 0, b"2025-11-01", "9999-01-01"):
        with pytest.raises(tariffs.InputError) as exc:
            inverted_tariff(shipment(), [shipment()["lines"][0]], bad, known_at="2026-11-21", engine=engine)
        assert exc.value.field == "admitted_on"
    # A variant's bad date is that variant's error, named on entry_date; the others still price.
    rows = compare(shipment(), [{"entry_date": "2025-13-01"}, {"entry_date": "2025-12-01"}], known_at="2026-11-21",
                   engine=engine)
    assert rows[0]["field"] == "entry_date" and rows[1]["duties"] == Decimal("53000.00")


@pytest.mark.parametrize("variants, field", [(None, "variants"), ("origin=CN", "variants"),
                                             ([{"origin": "CN"}, 1], "variants[1]")])
def test_compare_variants_that_are_not_a_list_of_mappings(engine, variants, field):
    from tariffs.scenarios import compare

    with pytest.raises(tariffs.InputError) as exc:  # was TypeError / AttributeError ('str' has no 'items')
        compare(shipment(), variants, known_at="2026-11-21", engine=engine)
    assert exc.value.field == field and "list of mappings" in exc.value.allowed


def test_quote_frame_of_something_else_is_a_clear_type_error(engine):
    from tariffs.batch import quote_frame

    for frame in ("book.csv", None, [{"hts": "7408.11.60.00"}]):
        with pytest.raises(TypeError, match="quote_frame\\(frame\\): expected a pandas DataFrame"):
            quote_frame(frame, known_at="2026-11-21", engine=engine)

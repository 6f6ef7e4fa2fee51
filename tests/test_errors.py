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

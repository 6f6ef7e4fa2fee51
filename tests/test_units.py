"""Units of quantity as the HTSUS prints them (tariffs.units, rules_data/us/printed_units.csv): accepted on a
line, converted only where the conversion is exact and sourced, refused with the units a rate can use."""
import csv
from decimal import Decimal
from pathlib import Path

import pytest

import tariffs
from tariffs import units
from tariffs.errors import InputError
from tariffs.hts import canonical_unit

ROOT = Path(__file__).resolve().parents[1]
KNOWN = "2026-11-21"


def quote(line, entry_date="2025-12-01"):
    shipment = {"destination": "US", "entry_date": entry_date, "mode": "ocean", "currency": "USD",
                "lines": [{"origin": "DE", "customs_value": "1000.00", **line}]}
    return tariffs.quote(shipment, known_at=KNOWN)


def test_every_unit_printed_in_the_schedule_is_understood():
    printed = set()
    for row in csv.DictReader(open(ROOT / "rules_data" / "us" / "mfn" / "hts_2025.csv", encoding="utf-8")):
        printed.update(u.strip() for u in row["units"].split(";") if u.strip())
    assert printed and [u for u in sorted(printed) if units.understand(u) is None] == []


def test_printed_unit_rows_are_sourced_and_convert_to_canonical_units():
    rows = list(csv.DictReader(open(ROOT / "rules_data" / "us" / "printed_units.csv", encoding="utf-8")))
    assert rows and all(r["legal_basis"] and r["source"].startswith("https://") and
                        r["confidence"] in ("primary", "secondary", "unverified") for r in rows)
    for r in rows:
        assert canonical_unit(r["printed"]) is None, r["printed"]  # not a spelling the engine already knows
        assert (r["rate_unit"] == "") == (r["factor"] == "")
        assert r["rate_unit"] == "" or canonical_unit(r["rate_unit"]) == r["rate_unit"]


@pytest.mark.parametrize("quantity, given, wanted, expected", [
    ("5", "Dz Pcs", "pcs", "60"),          # a dozen is 12
    ("250", "cm2", "m2", "0.0250"),        # 1 cm2 = 0.0001 m2
    ("2", "thousand m3", "m3", "2000"),
    ("1500", "g", "kg", "1.500"),          # canonical mass units still convert
    ("5", "Cu kg", "kg", None),            # copper content is not the mass of the goods
    ("5", "kg cmsc", "kg", None),
    ("5", None, "kg", None),
])
def test_conversions(quantity, given, wanted, expected):
    got = units.convert(Decimal(quantity), given, wanted)
    assert got == (None if expected is None else Decimal(expected))


def test_spellings_are_read_whatever_the_case_and_spacing():
    assert [units.understand(t) for t in ("dz  pcs", "KG CMSC", "au g", "kgs", "bananas", "", None)] == \
        ["Dz Pcs", "kg cmsc", "Au g", "kg", None, None, None]


def test_printed_units_accepted_where_the_rate_does_not_use_them():
    # 6109.10.00.12 (cotton T-shirts, printed in Dz Pcs): 16.5% x 1000.00 = 165.00, the quantity unused.
    assert quote({"hts": "6109.10.00.12", "quantity": "10", "unit": "Dz Pcs"}).lines[0].duty == Decimal("165.00")
    # 7113.19.50.90 (jewelry, printed in Au g): 5.5% x 1000.00 = 55.00.
    assert quote({"hts": "7113.19.50.90", "quantity": "100", "unit": "Au g"}).lines[0].duty == Decimal("55.00")
    # A quantity without its unit is fine where no rate needs a quantity.
    assert quote({"hts": "6109.10.00.12", "quantity": "10"}).lines[0].duty == Decimal("165.00")


def test_a_printed_unit_converted_for_a_specific_rate():
    # 7005.29.08.10 (float glass) 18.7 cents/m2: 20,000 cm2 = 2 m2 -> 2 x 0.187 = 0.374 -> 0.37.
    line = quote({"hts": "7005.29.08.10", "quantity": "20000", "unit": "cm2"}).lines[0]
    mfn = next(c for c in line.charges if c.program == "mfn")
    assert mfn.amount == Decimal("0.37") and "2 m2" in mfn.calculation


def test_a_quantity_without_unit_names_the_units_the_rate_needs():
    # 0401.20.20.00 (milk): 0.43 cents/liter; the quantity has no unit.
    with pytest.raises(InputError) as exc:
        quote({"hts": "0401.20.20.00", "quantity": "100"})
    assert exc.value.field == "lines[0].unit" and "None" not in exc.value.message
    assert "per liters" in exc.value.message and exc.value.allowed == "'liters'"


def test_a_content_unit_is_refused_by_a_rate_per_unit_of_the_goods():
    with pytest.raises(InputError) as exc:
        quote({"hts": "0401.20.20.00", "quantity": "100", "unit": "kg cmsc"})
    assert exc.value.field == "lines[0].unit" and "kg cmsc" in exc.value.message
    assert exc.value.allowed == "'liters' in unit or unit2"
    # Given in liters: 100 x 0.0043 = 0.43.
    assert quote({"hts": "0401.20.20.00", "quantity": "100", "unit": "liters"}).lines[0].duty == Decimal("0.43")


def test_an_unknown_unit_lists_every_unit_a_line_may_give():
    with pytest.raises(InputError) as exc:
        quote({"hts": "6109.10.00.12", "quantity": "10", "unit": "bananas"})
    assert exc.value.field == "lines[0].unit" and "kg cmsc" in exc.value.allowed and "Dz Pcs" in exc.value.allowed

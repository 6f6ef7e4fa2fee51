from decimal import Decimal

import pytest

from tariffs.errors import InputError
from tariffs.hts import canonical_unit, convert, dotted, normalise_code


def test_normalise_and_dot():
    assert normalise_code("7408.11.60.00", "hts") == "7408116000"
    assert normalise_code("74081160", "hts") == "74081160"
    assert dotted("7408116000") == "7408.11.60.00"
    assert dotted("74081160") == "7408.11.60"


@pytest.mark.parametrize("bad", ["7408.11", "ABC", "7408.11.60.001", ""])
def test_bad_codes_name_the_field(bad):
    with pytest.raises(InputError) as exc:
        normalise_code(bad, "lines[0].hts")
    assert exc.value.field == "lines[0].hts"


def test_units_and_exact_mass_conversion():
    assert canonical_unit("KG") == "kg"
    assert canonical_unit("doz") == "doz."
    assert canonical_unit("m²") == "m2"
    assert canonical_unit("parsecs") is None
    assert convert(Decimal("2.5"), "t", "kg") == Decimal("2500")
    assert convert(Decimal("1"), "No.", "kg") is None

"""EU entries dated before the 2026 tables: duty from the CN 2020 table's validity (2020-01-01, open-ended,
with a warning), CBAM explained as not yet due, and a date the VAT table does not cover refused naming
entry_date and the dates covered -- never a silent 0."""
from decimal import Decimal

import pytest

import tariffs
from tariffs.errors import InputError


def eu_quote(entry_date, hts="7601.10.00", origin="CN"):
    return tariffs.quote({"destination": "EU", "member_state": "DE", "entry_date": entry_date, "mode": "ocean",
                          "currency": "EUR", "lines": [{"hts": hts, "origin": origin, "customs_value": "100000.00",
                                                        "quantity": "40000", "unit": "kg"}]}, known_at="2026-11-21")


def test_aluminium_from_china_in_2025_is_priced_from_the_cn_2020_table():
    quote = eu_quote("2025-06-01")
    line = quote.lines[0]
    duty = next(c for c in line.charges if c.program == "eu_duty")
    # CN 2020 conventional duty of 7601 10 00: 3% x 100,000.00 = 3,000.00.
    assert duty.amount == Decimal("3000.00") and "2658/87" in duty.legal_basis and duty.confidence == "secondary"
    assert any("CN2020 conventional rate; the CN of 2025 is not loaded" in w for w in quote.warnings)
    # Import VAT DE 19% x (100,000.00 + 3,000.00) = 19,570.00.
    vat = next(c for c in line.charges if c.program == "import_vat")
    assert vat.amount == Decimal("19570.00")
    # No CBAM charge before 2026-01-01, and the quote says why.
    assert not any(c.program == "cbam" for c in line.charges)
    reason = next(n.reason for n in line.not_applied if n.program == "cbam")
    assert "released from 2026-01-01" in reason and "entered 2025-06-01" in reason and "2023/956" in reason


def test_from_2026_the_cbam_is_assessed_not_explained_away():
    line = eu_quote("2026-02-01").lines[0]
    assert not any("released from 2026-01-01" in n.reason for n in line.not_applied)


def test_a_non_cbam_good_gets_no_cbam_note():
    line = eu_quote("2025-06-01", hts="6109.10.00").lines[0]
    assert not any(n.program == "cbam" for n in line.not_applied)


@pytest.mark.parametrize("entry_date", ["2024-06-01", "2019-06-01"])
def test_a_date_before_the_vat_table_is_refused_naming_entry_date(entry_date):
    with pytest.raises(InputError) as exc:
        eu_quote(entry_date)
    assert exc.value.field == "entry_date"
    assert f"on {entry_date}" in exc.value.message and "covers DE from 2025-01-01" in exc.value.message
    assert exc.value.allowed == "an entry_date from 2025-01-01"


def test_an_unknown_member_state_still_names_member_state():
    with pytest.raises(InputError) as exc:
        tariffs.quote({"destination": "EU", "member_state": "XX", "entry_date": "2026-02-01", "mode": "ocean",
                       "currency": "EUR", "lines": [{"hts": "7601.10.00", "origin": "CN",
                                                     "customs_value": "100.00"}]}, known_at="2026-11-21")
    assert exc.value.field == "member_state" and "DE" in exc.value.allowed

"""EU conventional duty for every CN8 code (rules_data/eu/cn_duty_2020.csv), the user's own rate, and
the better-sourced rows of eu/duty.csv. Each figure is the duty text of CN Annex I (2020) applied by hand."""
import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

import tariffs
from tariffs.engine.eu_duty import check_cn_tables
from tariffs.eu_rates import EuRateError, EuRateUnsupported, parse_eu_rate
from tariffs.rules.eu_cet_import import read_cet

ROOT = Path(__file__).resolve().parents[1]
SHARED_CET = next((p for p in (ROOT.parent / "shared" / "data" / "eu_cet_2020",
                               ROOT.parent.parent / "shared" / "data" / "eu_cet_2020") if p.is_dir()), None)


def quote(engine, hts, day="2026-03-10", value="10000.00", **line):
    s = {"destination": "EU", "member_state": "NL", "currency": "EUR", "entry_date": day, "mode": "ocean",
         "lines": [{"hts": hts, "origin": "CN", "customs_value": value, **line}]}
    return engine.quote(s, known_at="2026-11-20")


def duty(q):
    charges = [c for c in q.lines[0].charges if c.program == "eu_duty"]
    assert len(charges) <= 1
    return charges[0] if charges else None


def test_ad_valorem_line_outside_the_old_eight(engine):
    # 6109.10.00 cotton T-shirts: CN 2020 conventional duty 12%: 12% x 10000.00 = 1200.00.
    q = quote(engine, "6109.10.00")
    c = duty(q)
    assert c.amount == Decimal("1200.00") and c.rate == Decimal("0.12") and c.confidence == "secondary"
    assert "2658/87" in c.legal_basis and c.heading == "6109.10.00"
    assert any("CN2020 conventional rate" in w for w in q.warnings)
    # Import VAT NL 21% on (10000.00 + 1200.00) = 2352.00.
    assert [v.amount for v in q.lines[0].charges if v.program == "import_vat"] == [Decimal("2352.00")]


def test_compound_duty_with_a_specific_eur_part(engine):
    # 0102.29.10 live bovine animals: 10.2% + 93.10 EUR / 100 kg. 500 kg:
    # 10.2% x 10000.00 = 1020.00; 93.10 x 500 / 100 = 465.50; total 1485.50.
    c = duty(quote(engine, "0102.29.10", quantity="500", unit="kg"))
    assert c.amount == Decimal("1485.50") and c.quantity == Decimal("500")
    # The same mass given in tonnes converts exactly: 0.5 t = 500 kg.
    assert duty(quote(engine, "0102.29.10", quantity="0.5", unit="t")).amount == Decimal("1485.50")
    with pytest.raises(tariffs.InputError) as exc:
        quote(engine, "0102.29.10")
    assert exc.value.field == "lines[0].quantity"


def test_specific_per_tonne_and_per_hectolitre(engine):
    # 0803.90.10 bananas: 114.00 EUR / tonne; 20 000 kg = 20 t: 114 x 20 = 2280.00.
    assert duty(quote(engine, "0803.90.10", quantity="20000", unit="kg")).amount == Decimal("2280.00")
    # 2204.10.11 Champagne: 32.00 EUR / hl; 750 liters = 7.5 hl: 32 x 7.5 = 240.00.
    assert duty(quote(engine, "2204.10.11", quantity="750", unit="liters")).amount == Decimal("240.00")


def test_minimum_and_maximum(engine):
    # 9101.11.00 wrist-watches of precious metal: 4.50% MIN 0.30 EUR / item MAX 0.80 EUR / item.
    # 100 watches at 10000.00: 4.5% = 450.00, capped at 0.80 x 100 = 80.00.
    assert duty(quote(engine, "9101.11.00", quantity="100", unit="No.")).amount == Decimal("80.00")
    # 100 watches at 500.00: 4.5% = 22.50, raised to 0.30 x 100 = 30.00.
    assert duty(quote(engine, "9101.11.00", value="500.00", quantity="100", unit="No.")).amount == Decimal("30.00")


def test_seasonal_duty_follows_the_entry_date(engine):
    # 0302.41.00 fresh herrings: 15% (1 Jan-14 Feb, 16 Jun-31 Dec), 0% (15 Feb-15 Jun).
    q = quote(engine, "0302.41.00", day="2026-03-01")
    assert duty(q) is None and any(n.program == "eu_duty" for n in q.lines[0].not_applied)
    # 2026-07-01: 15% x 10000.00 = 1500.00.
    assert duty(quote(engine, "0302.41.00", day="2026-07-01")).amount == Decimal("1500.00")
    assert duty(quote(engine, "0302.41.00", day="2026-02-14")).amount == Decimal("1500.00")


def test_code_created_after_2020_takes_its_parent_rate_with_a_warning(engine):
    # 3102.10.12 (urea, split from 3102.10.10 by Impl. Reg. (EU) 2024/2522) on 2025-06-01, before the
    # better-sourced 2026 row: 3102.10.10's 2020 duty 6.5% x 10000.00 = 650.00, and the assumption is named.
    q = quote(engine, "3102.10.12", day="2025-06-01")
    c = duty(q)
    assert c.amount == Decimal("650.00")
    assert any("3102.10.12 is not a code of CN2020" in w and "3102101" in w and "splitting" in w for w in q.warnings)


def test_better_sourced_rows_of_duty_csv_win_in_their_year(engine):
    # 2026: the eu/duty.csv row for 3102.10.12 (6.5%, measure eu.duty.31021012.2026) prices it; no split warning.
    q = quote(engine, "3102.10.12", day="2026-03-10", net_weight_kg="20000")  # CBAM good: mass needed
    c = duty(q)
    assert c.measure_id == "eu.duty.31021012.2026" and c.amount == Decimal("650.00")
    assert not any("not a code of CN2020" in w for w in q.warnings)


def test_user_rate_wins_and_is_reported_as_user_supplied(engine):
    # The user's 5%: 5% x 10000.00 = 500.00 instead of the table's 12%.
    q = quote(engine, "6109.10.00", eu_duty_rate="5%")
    c = duty(q)
    assert c.amount == Decimal("500.00") and c.confidence == "user-supplied"
    assert "supplied by the user" in c.legal_basis and c.measure_id == "user:lines[0].eu_duty_rate"
    assert any("supplied by the user" in w for w in q.warnings)
    # Over a duty.csv row: 2026 urea row (6.5% = 650.00) set aside for the user's rate.
    q = quote(engine, "3102.10.12", eu_duty_rate="13.10 EUR / hl", quantity="1000", unit="liters",
              net_weight_kg="1000")
    # 13.10 EUR / hl x 10 hl = 131.00.
    assert duty(q).amount == Decimal("131.00")
    assert any("replaced by the user-supplied" in n.reason for n in q.lines[0].not_applied)


def test_lines_the_table_cannot_price_ask_for_the_users_rate(engine):
    # 0405.20.10 dairy spreads: 9% + EA (agricultural component): not computable from a line.
    with pytest.raises(tariffs.InputError) as exc:
        quote(engine, "0405.20.10")
    assert exc.value.field == "lines[0].eu_duty_rate" and "EA" in str(exc.value)
    # 2204.21.11 wine: the 2020 table gives only its 10-digit subdivisions, with different duties.
    with pytest.raises(tariffs.InputError) as exc:
        quote(engine, "2204.21.11")
    assert exc.value.field == "lines[0].eu_duty_rate" and "2204.21.11.10: 13.10 EUR / hl" in str(exc.value)
    # A user rate that is not a duty.
    with pytest.raises(tariffs.InputError) as exc:
        quote(engine, "6109.10.00", eu_duty_rate="twelve")
    assert exc.value.field == "lines[0].eu_duty_rate"


@pytest.mark.parametrize("text, day, expected", [
    ("12%", None, (Decimal("0.12"), [], None, None)),
    ("Free", None, (Decimal(0), [], None, None)),
    ("10.20% + 93.10 EUR / 100 kg", None, (Decimal("0.102"), [("93.10", "100", "kg")], None, None)),
    ("1,024.00 EUR / tonne", None, (Decimal(0), [("1024.00", "1", "t")], None, None)),
    ("52.00 EUR / 1,000 items", None, (Decimal(0), [("52.00", "1000", "No.")], None, None)),
    ("6.4 + 24.6 EUR/100 kg", None, (Decimal("0.064"), [("24.6", "100", "kg")], None, None)),
    ("8.00% MAX 2.80 EUR / m2", None, (Decimal("0.08"), [], None, "2.80")),
    ("9.60% MIN 1.1\u00a0€/100\u00a0kg/net (01 JAN-14 APR, 1 DEC-31 DEC), 13.60% MIN 1.6€/100kg/net",
     dt.date(2026, 5, 1), (Decimal("0.136"), [], "1.6", None)),
])
def test_parse_eu_rate(text, day, expected):
    r = parse_eu_rate(text, day)
    av, specifics, minimum, maximum = expected
    assert r.main.ad_valorem == av
    assert [(str(s.amount), str(s.per), s.unit) for s in r.main.specifics] == [
        (a, p if u != "liters" else p, u) for a, p, u in specifics]
    assert (str(r.minimum.specifics[0].amount) if r.minimum else None) == minimum
    assert (str(r.maximum.specifics[0].amount) if r.maximum else None) == maximum


@pytest.mark.parametrize("text", ["1.75 EUR / % vol / hl", "Entry Price", "9.00% +  EA MAX 18.70%  + ADSZ",
                                  "3.80% MIN 0.60 EUR / 100 kg / gross"])
def test_components_a_line_cannot_carry_are_refused(text):
    with pytest.raises(EuRateUnsupported):
        parse_eu_rate(text)


def test_not_a_duty():
    with pytest.raises(EuRateError):
        parse_eu_rate("12 EUR / parsec")


def test_every_row_of_the_table_is_read():
    assert check_cn_tables(ROOT / "rules_data") == []
    with open(ROOT / "rules_data" / "eu" / "cn_duty_2020.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    # 8087 8-digit + 1287 7-digit (leading zero dropped) CN8 rows, and 109 CN8 codes given only as
    # 10-digit subdivisions with different duties (README of ../shared/data/eu_cet_2020: 11,830 rows).
    assert len(rows) == 8087 + 1287 + 109
    assert len({r["cn"] for r in rows}) == len(rows)


@pytest.mark.skipif(SHARED_CET is None, reason="../shared/data not present (clone alone): nothing to re-import")
def test_table_is_the_import_of_the_published_file():
    with open(ROOT / "rules_data" / "eu" / "cn_duty_2020.csv", encoding="utf-8", newline="") as f:
        stored = [(r["cn"], r["duty"], r["subdivisions"]) for r in csv.DictReader(f)]
    assert stored == read_cet(SHARED_CET / "uk_global_tariff_vs_eu_cet_2020.csv")


def test_eu_duty_rate_on_a_us_entry_is_refused(engine):
    s = {"destination": "US", "entry_date": "2025-12-01", "mode": "ocean", "currency": "USD",
         "lines": [{"hts": "7408.11.60.00", "origin": "TW", "customs_value": "100.00", "eu_duty_rate": "5%"}]}
    with pytest.raises(tariffs.InputError) as exc:
        engine.quote(s, known_at="2026-11-21")
    assert exc.value.field == "lines[0].eu_duty_rate"

"""HTSUS editions 2019-2026: the edition in force on the entry date classifies and rates the line.

Expected values are read off the USITC export files (fixtures in tests/data/usitc_hts_editions,
subsets of ../shared/data/usitc_hts_editions), not from the engine.
"""
import datetime as dt
import gzip
import json
from decimal import Decimal

import pytest

import tariffs
from tariffs.hts import digits
from tariffs.rules.hts_history import editions_with

from conftest import DATA

EDITIONS = DATA / "usitc_hts_editions"
KNOWN = "2026-11-21"


def quote(hts, day, origin="NO", value="1000.00", **line):
    return tariffs.quote({"destination": "US", "entry_date": day, "mode": "ocean", "currency": "USD",
                          "lines": [{"hts": hts, "origin": origin, "customs_value": value, **line}]}, known_at=KNOWN)


def mfn_of(q):
    return next((c for c in q.lines[0].charges if c.program == "mfn"), None)


def test_fifty_editions_registered_in_date_order(rules):
    names = [e.edition for e in rules.editions]
    assert names[0] == "2019_rev_20" and names[-1] == "2026_rev_10" and len(names) == 50
    assert [e.edition for e in rules.editions if not e.base] == ["2025_basic"]  # the one stored in full
    assert "2026_rev_8" not in names  # editorial only, not in revision_dates.csv


@pytest.mark.parametrize("day, known, expected", [
    # revision_dates.csv: rev_32 effective 2025-11-15, 2026 Basic 2026-01-01
    ("2025-11-14", KNOWN, "2025_rev_31"), ("2025-11-15", KNOWN, "2025_rev_32"), ("2026-01-01", KNOWN, "2026_basic"),
    # 2026 rev 5 holds rev 7's content, published 2026-04-29: not seen before then
    ("2026-04-10", "2026-04-20", "2026_rev_4"), ("2026-04-10", "2026-04-29", "2026_rev_5"),
    # year-end CSV editions: in force from 1 January, recorded at the next 1 January
    ("2020-06-01", "2020-06-30", "2019_rev_20"), ("2020-06-01", "2021-01-01", "2020_rev_18"),
    ("2024-03-01", KNOWN, "2024_basic"), ("2024-07-01", KNOWN, "2024_rev_10"),
])
def test_edition_in_force_and_known(rules, day, known, expected):
    edition, fell_back = rules.edition_for(dt.date.fromisoformat(day), dt.date.fromisoformat(known))
    assert (edition.edition, fell_back) == (expected, False)


def test_a_2021_code_on_a_2021_entry_is_rated_by_the_2021_edition():
    # hts_2021_rev_12.csv: 0306.19.00 "Free" (general), statistical line .10 "Freshwater crawfish"
    q = quote("0306.19.00.10", "2021-06-01")
    assert mfn_of(q) is None and q.totals.duties == Decimal("0.00")
    assert any(n.program == "mfn" and "Free" in n.reason for n in q.lines[0].not_applied)


def test_a_2021_code_typed_for_a_2023_entry_names_the_editions_and_the_successor():
    # 2022 renumbering: hts_2023_rev_11.csv has 0306.19.01.10 "Freshwater crawfish" under 0306.19
    with pytest.raises(tariffs.InputError) as err:
        quote("0306.19.00.10", "2023-06-01")
    assert err.value.field == "lines[0].hts"
    message = str(err.value)
    assert "not a line of HTSUS edition 2023_rev_11" in message
    assert "2019_rev_20" in message and "2021_rev_12" in message  # where it does exist
    assert "0306.19.01.10" in message and "description" in message  # the likely successor


def test_a_2023_code_typed_for_a_2021_entry_names_the_predecessor():
    with pytest.raises(tariffs.InputError) as err:
        quote("0306.19.01.10", "2021-06-01")
    assert "0306.19.00.10" in str(err.value) and "in force from 2022-01-01" in str(err.value)


def test_a_2026_statistical_line_is_rated_on_its_dates_and_refused_before():
    # hts_2026_rev_10.json: 0709.51.01 "8.8¢/kg + 20%", statistical line 0709.51.01.10 "Certified organic".
    # 100 kg, value 1000.00: 8.8¢ x 100 = 8.80 + 20% x 1000.00 = 200.00 -> 208.80
    q = quote("0709.51.01.10", "2026-07-01", quantity="100", unit="kg")
    assert mfn_of(q).amount == Decimal("208.80")
    with pytest.raises(tariffs.InputError) as err:
        quote("0709.51.01.10", "2025-12-01", quantity="100", unit="kg")
    assert "2026_" in str(err.value) and "0709.51.01" in str(err.value)


def test_8_digit_subheadings_the_schedule_implies():
    # 2025 Basic JSON: 7408.11.60.00 alone under 7408.11, prints 3% -> 7408.11.60 is rated 3%: 30.00 on 1000.00
    assert mfn_of(quote("7408.11.60", "2025-03-01")).amount == Decimal("30.00")
    # 8471.30.01.00 prints Free: 8471.30.01 is Free
    assert mfn_of(quote("8471.30.01", "2025-03-01")) is None
    # 9503.00.00 prints Free and has five statistical lines: priced at 8 digits, the lines are named
    q = quote("9503.00.00", "2025-03-01")
    warning = next(w for w in q.warnings if "9503.00.00 priced at the 8-digit level" in w)
    for stat in ("9503.00.00.11", "9503.00.00.13", "9503.00.00.71", "9503.00.00.73", "9503.00.00.90"):
        assert stat in warning


def test_an_implied_8_digit_code_without_a_rate_asks_for_one(rules):
    # 2025 Basic: 9802.00.91 is printed only as 9802.00.91.00, whose general column is empty
    edition = next(e for e in rules.editions if e.edition == "2025_basic")
    line = rules.mfn_line(edition, "98020091")
    assert line.implied and line.general == ""
    with pytest.raises(tariffs.InputError) as err:
        quote("9802.00.91", "2025-03-01")
    assert err.value.field == "lines[0].hts" and "mfn_rate" in str(err.value)


def test_a_10_digit_code_must_be_a_statistical_line_of_the_edition():
    with pytest.raises(tariffs.InputError) as err:
        quote("7408.11.60.99", "2025-03-01")
    assert "7408.11.60.00" in str(err.value)  # the statistical line of that subheading


def test_before_the_earliest_edition_the_earliest_is_used_with_a_warning():
    q = quote("0306.19.00.10", "2018-06-01")
    assert any("before the earliest loaded HTS edition (2019_rev_20" in w for w in q.warnings)


@pytest.mark.parametrize("name", ["hts_2019_rev_20", "hts_2022_rev_12", "hts_2026_rev_10"])
def test_every_code_of_an_edition_is_accepted_while_it_is_in_force(rules, name):
    codes = {digits(c) for c in json.loads(gzip.decompress((EDITIONS / f"htsno_{name}.json.gz").read_bytes()))}
    edition = next(e for e in rules.editions if f"hts_{e.edition}" == name)
    in_force, _ = rules.edition_for(edition.effective, dt.date(2026, 11, 21))
    assert in_force == edition
    implied = {c[:8] for c in codes if len(c) == 10}
    missing = sorted(c for c in codes | implied if rules.mfn_line(edition, c) is None)
    assert missing == []


def test_code_history_from_the_deltas(rules):
    # 0306.19.00.10 is in 2019-2021 (CSV year-end editions) and gone from 2022 on
    assert [e.edition for e in editions_with(rules, "0306190010")] == ["2019_rev_20", "2020_rev_18", "2021_rev_12"]
    present = [e.edition for e in editions_with(rules, "0306190110")]
    assert present[0] == "2022_rev_12" and present[-1] == "2026_rev_10"


def test_statistical_lines_with_different_rates_leave_the_8_digit_code_unrated():
    from tariffs.rules.hts_import import build_rows

    records = [
        {"htsno": "1234", "indent": "0", "description": "Goods:", "general": ""},
        {"htsno": "1234.56.78.10", "indent": "1", "description": "Red", "general": "2%", "units": ["kg"]},
        {"htsno": "1234.56.78.20", "indent": "1", "description": "Blue", "general": "5%", "units": ["kg"]},
        {"htsno": "1234.56.90.00", "indent": "1", "description": "Other", "general": "Free", "units": ["No."]},
    ]
    rows = {r["digits"]: r for r in build_rows(records, "t")}
    assert rows["12345678"]["implied"] == "1" and rows["12345678"]["general"] == ""
    assert rows["12345690"]["implied"] == "1" and rows["12345690"]["general"] == "Free"
    assert rows["12345690"]["description"] == "Other" and rows["12345690"]["rate_from"] == "1234.56.90.00"


def test_a_2019_solar_module_under_its_2019_code_meets_the_safeguard():
    # HTSUS 2019 Rev. 20: crystalline silicon PV modules of statistical note 11 are 8541.40.60.15 (they became
    # 8541.43.00.10 in 2022). Safeguard year 2 (2019-02-07 to 2020-02-07): 25% (Proc 9693): 100000.00 x 25%.
    q = quote("8541.40.60.15", "2019-06-03", origin="CN", value="100000.00", quantity="100", unit="No.")
    s201 = [c for c in q.lines[0].charges if c.program == "section_201"]
    assert [(c.heading, c.amount) for c in s201] == [("9903.45.25", Decimal("25000.00"))]


def test_privileged_foreign_goods_keep_the_classification_of_their_status_date():
    # PF status applied 2021-06-01 under the 2021 number (HTSUS 2021 Rev. 12: 0306.19.00.10, Free), entered
    # 2023-06-01 when the number is 0306.19.01.10: classified and rated as of the PF date (19 CFR 146.41(e)).
    zone = {"destination": "US", "entry_date": "2023-06-01", "mode": "ocean",
            "ftz": {"status": "privileged_foreign", "admitted_on": "2021-06-01"},
            "lines": [{"hts": "0306.19.00.10", "origin": "NO", "customs_value": "1000.00"}]}
    q = tariffs.quote(zone, known_at=KNOWN)
    assert mfn_of(q) is None and any("privileged foreign status applied for on 2021-06-01" in w for w in q.warnings)
    # Non-privileged foreign goods are classified at entry: the 2021 number is refused for 2023.
    zone["ftz"]["status"] = "non_privileged_foreign"
    with pytest.raises(tariffs.InputError) as err:
        tariffs.quote(zone, known_at=KNOWN)
    assert "0306.19.01.10" in str(err.value)

import csv
import datetime as dt
import gzip
import json

from tariffs.hts import digits
from tariffs.rules.hts_import import build_rows, import_hts
from tariffs.rules.ruleset import RuleSet

from conftest import DATA

EXPORT = DATA / "usitc_hts_2025"  # chapters 01 and 74 of the 2025 Basic export, and every htsno of it


def test_statistical_lines_inherit_the_nearest_parent_with_a_rate():
    records = [
        {"htsno": "7403", "indent": "0", "description": "Refined copper:", "general": "", "special": "", "other": ""},
        {"htsno": "7403.29.01", "indent": "2", "description": "Other copper alloys", "general": "1%",
         "special": "Free (AU,KR)", "other": "6%", "units": []},
        {"htsno": "7403.29.01.10", "indent": "3", "description": "Cupro-nickel", "general": "", "special": "",
         "other": "", "units": ["kg"]},
        {"htsno": "7403.29.01.80", "indent": "3", "description": "Own rate", "general": "2%", "special": "",
         "other": "9%", "units": ["kg"]},
        {"htsno": "7404.00.30", "indent": "1", "description": "Next heading", "general": "Free", "special": "",
         "other": "6%", "units": []},
    ]
    rows = {r["digits"]: r for r in build_rows(records, "t")}
    assert "7403" not in rows  # headings are not priced lines
    assert rows["7403290110"]["general"] == "1%" and rows["7403290110"]["rate_from"] == "7403.29.01"
    assert rows["7403290110"]["special"] == "Free (AU,KR)"
    assert rows["7403290180"]["general"] == "2%" and rows["7403290180"]["rate_from"] == "7403.29.01.80"
    assert rows["74040030"]["general"] == "Free"


def test_shipped_mfn_table_covers_every_8_and_10_digit_line_of_the_export(rules):
    expected = set()
    for htsno in json.loads(gzip.decompress((EXPORT / "htsno_all_chapters.json.gz").read_bytes())):
        d = digits(htsno)
        if len(d) in (8, 10):
            expected.add(d)
    assert len(expected) > 26000
    assert expected <= set(rules.mfn["2025"])


def test_import_writes_a_loadable_edition_and_lists_unparsed_texts(tmp_rules):
    result = import_hts([EXPORT / "chapter-74.json"], tmp_rules, dt.date(2026, 1, 1), dt.date(2025, 12, 20),
                        edition="test-2026")
    assert result["lines"] > 100
    editions = list(csv.DictReader(open(tmp_rules / "us" / "mfn" / "editions.csv")))
    assert [e["edition"] for e in editions][-1] == "test-2026"
    gaps = (tmp_rules / "GAPS.md").read_text()
    assert "HTS edition test-2026" in gaps
    rules = RuleSet(tmp_rules)
    # From its effective date the new edition governs; before it, the 2025 edition does.
    assert rules.edition_for(dt.date(2026, 1, 1), dt.date(2026, 11, 1))[0].edition == "test-2026"
    assert rules.edition_for(dt.date(2025, 12, 31), dt.date(2026, 11, 1))[0].edition == "2025"
    # ... but only once it was published (knowledge time).
    assert rules.edition_for(dt.date(2026, 1, 1), dt.date(2025, 12, 1))[0].edition == "2025"
    # Re-importing the same edition replaces its GAPS section instead of appending another.
    import_hts([EXPORT / "chapter-74.json"], tmp_rules, dt.date(2026, 1, 1), edition="test-2026")
    assert (tmp_rules / "GAPS.md").read_text().count("HTS edition test-2026") == 1

import csv
import datetime as dt
import shutil

from tariffs.rules.hts_editions import EditionLines, read_full
from tariffs.rules.hts_import import build_rows, edition_name, import_editions, import_hts, read_dates, read_one
from tariffs.rules.ruleset import RuleSet

from conftest import DATA

EXPORT = DATA / "usitc_hts_2025"  # chapters 01 and 74 of a 2025 JSON export, and every htsno of it
EDITIONS = DATA / "usitc_hts_editions"  # subsets (chapters 03 07 74 84 95) of the 2019-2026 exports


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


def test_both_export_formats_plain_or_gzip_give_the_same_lines():
    # 2025 Revision 26 exported twice by the USITC: JSON (plain file here) and CSV (gzip)
    from_json = {r["digits"]: r for r in build_rows(read_one(EDITIONS / "hts_2025_rev_26.json"), "x")}
    from_csv = {r["digits"]: r for r in build_rows(read_one(EDITIONS / "hts_2025_rev_26.csv.gz"), "x")
                if r["digits"].startswith("74")}
    assert from_json == from_csv and len(from_json) > 100
    # the CSV cell [""kg""] is the unit list ["kg"]; 7408.11.60.00 prints 3% (column 2: 28%)
    assert from_csv["7408116000"]["units"] == "kg" and from_csv["7408116000"]["general"] == "3%"
    assert from_csv["7408116000"]["other"] == "28%"


def test_markup_and_spacing_differences_between_exports_are_not_changes():
    records = [{"htsno": "0304.55.00.00", "indent": "2", "description": "Toothfish (<i>Dissostichus spp.</i>)",
                "general": "Free", "special": "Free (A+,AU, BH)", "other": "5.5¢/kg", "units": ["m<sup>2</sup>"]}]
    row = build_rows(records, "t")[0]
    assert row["description"] == "Toothfish (Dissostichus spp.)"
    assert row["units"] == "m2" and row["special"] == "Free (A+,AU,BH)"


def test_edition_names_and_dates():
    assert edition_name(EDITIONS / "hts_2025_rev_26.csv.gz") == "2025_rev_26"
    dates = read_dates(EDITIONS / "revision_dates.csv")
    assert dates["2025_basic"][0] == dt.date(2025, 1, 1)
    assert dates["2025_rev_26"][0] == dt.date(2025, 10, 6)
    assert dates["2026_rev_10"][0] == dt.date(2026, 6, 8)


def _fresh(tmp_rules):
    """tmp_rules with an empty us/mfn, so that only the fixtures are imported."""
    shutil.rmtree(tmp_rules / "us" / "mfn")
    return tmp_rules


def test_several_editions_at_once_stored_as_deltas_and_rebuilt_exactly(tmp_rules):
    root = _fresh(tmp_rules)
    specs = [
        {"files": [EDITIONS / "hts_2025_basic.json.gz"], "edition": "2025_basic", "effective": dt.date(2025, 1, 1),
         "published": dt.date(2025, 1, 1)},
        {"files": [EDITIONS / "hts_2021_rev_12.csv"], "edition": "2021_rev_12", "effective": dt.date(2021, 1, 1),
         "published": dt.date(2022, 1, 1)},
        {"files": [EDITIONS / "hts_2023_rev_11.csv.gz"], "edition": "2023_rev_11",
         "effective": dt.date(2023, 1, 1), "published": dt.date(2024, 1, 1)},
        {"files": [EDITIONS / "hts_2026_rev_10.json.gz"], "edition": "2026_rev_10",
         "effective": dt.date(2026, 6, 8), "published": dt.date(2026, 6, 8)},
    ]
    results = import_editions(specs, root, full=True)
    assert [r["base"] for r in results] == ["", "2023_rev_11", "2025_basic", "2025_basic"]
    editions = list(csv.DictReader(open(root / "us" / "mfn" / "editions.csv")))
    assert [e["edition"] for e in editions] == ["2021_rev_12", "2023_rev_11", "2025_basic", "2026_rev_10"]
    assert editions[0]["file"] == "delta/hts_2021_rev_12.csv"
    rules = RuleSet(root)
    for spec in specs:
        expected = {r["digits"]: r for r in build_rows(read_one(spec["files"][0]), spec["edition"])}
        lines = rules.mfn[spec["edition"]]
        assert set(lines) == set(expected)
        for code in ("0306190010", "0306190110", "74081160", "7408116000", "95030000", "0709510110"):
            if code in expected:
                line = lines[code]
                assert (line.general, line.special, line.other, line.description) == (
                    expected[code]["general"], expected[code]["special"], expected[code]["other"],
                    expected[code]["description"])
    # the delta of 2021 against 2023 holds the 2022 renumbering of 0306.19: .00.10 added, .01.10 removed
    delta_file = root / "us" / "mfn" / "delta" / "hts_2021_rev_12.csv"
    delta = {r["digits"]: r["change"] for r in csv.DictReader(open(delta_file))}
    assert delta["0306190010"] == "add" and delta["0306190110"] == "remove"


def test_re_importing_an_edition_replaces_it_and_its_gaps_section(tmp_rules):
    root = _fresh(tmp_rules)
    import_hts([EDITIONS / "hts_2025_basic.json.gz"], root, dt.date(2025, 1, 1), edition="2025_basic")
    import_hts([EXPORT / "chapter-74.json"], root, dt.date(2026, 1, 1), dt.date(2025, 12, 20), edition="test-2026")
    import_hts([EXPORT / "chapter-74.json"], root, dt.date(2026, 1, 1), dt.date(2025, 12, 20), edition="test-2026")
    gaps = (root / "GAPS.md").read_text()
    assert gaps.count("HTS edition test-2026") == 1
    rules = RuleSet(root)
    assert [e.edition for e in rules.editions] == ["2025_basic", "test-2026"]
    assert rules.edition_for(dt.date(2026, 1, 1), dt.date(2026, 11, 1))[0].edition == "test-2026"
    assert rules.edition_for(dt.date(2025, 12, 31), dt.date(2026, 11, 1))[0].edition == "2025_basic"
    # ... but only once it was published (knowledge time).
    assert rules.edition_for(dt.date(2026, 1, 1), dt.date(2025, 12, 1))[0].edition == "2025_basic"


def test_shipped_base_is_read_in_full_and_other_editions_on_first_use(rules):
    fresh = RuleSet(rules.root)
    assert isinstance(fresh.mfn, EditionLines)
    built = [e.edition for e in fresh.editions if fresh.mfn.is_built(e.edition)]
    assert built == ["2025_basic"]  # only the edition stored in full is read at load
    edition, _ = fresh.edition_for(dt.date(2023, 6, 1), dt.date(2026, 11, 21))
    assert fresh.mfn_line(edition, "0306190110").general == "Free"  # 2023 Rev. 11: 0306.19.01 prints Free
    assert fresh.mfn.is_built("2023_rev_11") and not fresh.mfn.is_built("2022_rev_12")
    lines, missing = read_full(rules.root / "us" / "mfn" / "hts_2025_basic.csv")
    assert missing == [] and len(lines) == len(fresh.mfn["2025_basic"])

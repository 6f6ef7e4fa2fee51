"""`tariffs rules check`: measure rows against the Chapter 99 headings of the HTS revisions in force."""
import csv
from decimal import Decimal

import pytest

from tariffs.rules.chapter99_check import check_measures, plain_rate
from tariffs.rules.ruleset import RuleSet


@pytest.mark.parametrize("text, rate", [
    ("The duty provided in the applicable subheading + 25%", Decimal("0.25")),
    ("The duty provided in the applicable subheading + 50%.", Decimal("0.5")),
    ("The duty provided in the applicable subheading plus 7.5%", Decimal("0.075")),
    ("The duty provided in the applicable subheading + a duty of 50% upon the value of the steel content.",
     Decimal("0.5")),
    ("25%", Decimal("0.25")),
    ("The duty provided in the applicable subheading", Decimal(0)),
    ("No change", Decimal(0)),
    ("Free", Decimal(0)),
    ("15%", Decimal("0.15")),
    ("The duty provided in subheadings 8716.39.00, 8716.90.30 or 8716.90.50 + 100%", None),
    ("The duty provided in the applicable subheading + a duty of 25% upon the value of the non-U.S. content", None),
    ("", None),
])
def test_plain_rate_texts(text, rate):
    assert plain_rate(text) == rate


def test_shipped_rules_pass_the_cross_check(rules):
    found = check_measures(rules)
    assert found.problems == []
    assert found.checked > 800  # US rows in force from 2025 with a revision in force during their validity


def _edit(path, measure_id, **cells):
    rows = list(csv.DictReader(open(path, newline="", encoding="utf-8")))
    for row in rows:
        if row["measure_id"] == measure_id:
            row.update(cells)
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def test_a_wrong_rate_or_heading_is_found(tmp_rules):
    # 9903.78.01 (copper, Proc 10962) prints "The duty provided in the applicable subheading + 50%" from
    # 2025 Rev. 17 on; a row at 25% disagrees, a row citing a heading no revision has is missing.
    table = tmp_rules / "us" / "section_232.csv"
    copper = next(r["measure_id"] for r in csv.DictReader(open(table)) if r["heading"] == "9903.78.01")
    _edit(table, copper, rate="0.25")
    rules = RuleSet(tmp_rules)
    problems = check_measures(rules).problems
    assert any(copper in p and "rate 25%" in p and "states 50%" in p for p in problems)
    _edit(table, copper, rate="0.50", heading="9903.78.77")
    problems = check_measures(RuleSet(tmp_rules)).problems
    assert any(copper in p and "9903.78.77 is a line of no HTS revision" in p for p in problems)


def test_scope_codes_outside_the_editions_in_force_are_reported(tmp_rules):
    # 0306.19.01 exists from the 2022 renumbering: a 2019 row scoped by it matches no line of 2019 Rev. 20,
    # but 2019's 0306.19.00.10 "Freshwater crawfish" is its predecessor (the one subheading of 0306.19
    # renumbered, same description): met through the renumbering. Heading 0309 (flours, meals and pellets
    # of fish, new in 2022) has no predecessor the editions show: not met.
    table = tmp_rules / "us" / "section_201.csv"
    row = "us.s201.solar.modules.2019-02-07"
    _edit(table, row, scope="0306190110")
    reported = [r for r in check_measures(RuleSet(tmp_rules)).scope_codes if row in r]
    assert len(reported) == 1 and "1 scope code(s) are lines of no edition in force" in reported[0]
    assert "1 of them met through the renumbering, all" in reported[0]
    _edit(table, row, scope="0306190110;03091005")
    reported = [r for r in check_measures(RuleSet(tmp_rules)).scope_codes if row in r]
    assert len(reported) == 1 and "1 of them met through the renumbering, 1 not, e.g. 0309.10.05" in reported[0]


def test_scope_codes_some_edition_in_force_cannot_reach_are_reported(tmp_rules):
    # A row in force 2019-02-07 to 2022-02-07 scoped by 0309.10.05 (2022+) and 8541.40.60.15 (to 2021):
    # 0309.10.05 is a line of 2022 Rev. 12 only and reaches nothing in 2019-2021; 8541.40.60.15 is a line
    # of 2019-2021 and no 2022 line is related to it (it is not a number of the scope edition).
    table = tmp_rules / "us" / "section_201.csv"
    row = "us.s201.solar.modules.2021-02-07"
    _edit(table, row, scope="03091005;8541406015", valid_from="2021-02-07", valid_to="2022-02-07")
    reported = [r for r in check_measures(RuleSet(tmp_rules)).scope_codes if row in r]
    assert len(reported) == 1
    assert "2 scope code(s) reach no line of some edition in force" in reported[0]
    assert "0309.10.05 (2021_rev_12)" in reported[0] and "8541.40.60.15 (2022_rev_12)" in reported[0]

"""`tariffs rules diff OLD NEW`: rows added, retracted and changed, and the stored entries that would
price differently (a test copy of the rules with one edited row; fictitious ids)."""
import csv
from pathlib import Path

from click.testing import CliRunner

from tariffs.cli import main
from tariffs.rules.diff import diff_rules
from tariffs.rules.ruleset import default_rules_path
from tariffs.workbench import fileformat, importer
from tariffs.workbench import store as wb
from tariffs.workbench.impact import affected

from conftest import add_measure

HAND = Path(__file__).parent / "data" / "workbench" / "entries_hand.csv"


def _edit(path: Path, measure_id: str, **values):
    rows = list(csv.DictReader(open(path, newline="", encoding="utf-8")))
    columns = list(rows[0])
    for row in rows:
        if row["measure_id"] == measure_id:
            row.update(values)
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def test_added_retracted_changed(tmp_rules):
    add_measure(tmp_rules, measure_id="test.s301.added", key="test.s301.added", scope="7408")
    _edit(tmp_rules / "us" / "section_301.csv", "us.s301.cn.list3.2019-05-10", rate="0.30")
    _edit(tmp_rules / "us" / "section_301.csv", "us.s301.cn.list1.2018-07-06", retracted_at="2026-11-01")
    diffs = {d.path: d for d in diff_rules(Path(default_rules_path()), tmp_rules)}
    assert list(diffs) == ["us/section_301.csv"]
    d = diffs["us/section_301.csv"]
    assert [r["measure_id"] for r in d.added] == ["test.s301.added"]
    assert [r["measure_id"] for r in d.retracted] == ["us.s301.cn.list1.2018-07-06"]
    assert d.changed == [{"key": "us.s301.cn.list3.2019-05-10", "columns": {"rate": ["0.25", "0.30"]}}]
    assert d.removed == []


def test_entries_that_would_price_differently(tmp_rules, tmp_path):
    # List 3 at 30% instead of 25% moves only the Chinese furniture line of AB1-0000001-1 (9403.60.80.93).
    _edit(tmp_rules / "us" / "section_301.csv", "us.s301.cn.list3.2019-05-10", rate="0.30")
    url = f"sqlite:///{tmp_path / 'a.db'}"
    store = wb.open_store(url)
    wb.save_import(store, importer.validate(fileformat.read_table(HAND)), "hand.csv", "0" * 64)
    impact = affected(Path(default_rules_path()), tmp_rules, store, "2026-11-20")
    assert impact["entries"] == ["AB1-0000001-1"] and impact["entries_checked"] == 6
    out = CliRunner().invoke(main, ["rules", "diff", "installed", str(tmp_rules), "--database", url,
                                    "--known-at", "2026-11-20"])
    assert out.exit_code == 0, out.output
    assert "~ us.s301.cn.list3.2019-05-10: rate: '0.25' -> '0.30'" in out.output
    assert "stored entries that price differently: 1 of 6: AB1-0000001-1" in out.output


def test_not_a_rules_directory_is_exit_2(tmp_path):
    out = CliRunner().invoke(main, ["rules", "diff", "installed", str(tmp_path)])
    assert out.exit_code == 2 and "no manifest.json" in out.output

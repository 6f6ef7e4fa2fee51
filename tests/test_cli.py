"""The CLI through a real subprocess: exit codes, one-line errors, never a traceback."""
import json
import subprocess
import sys

import pytest

from conftest import DATA, ROOT, shipment


def run(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "tariffs.cli", *args], capture_output=True, text=True,
                          input=stdin, cwd=ROOT, timeout=120)


def test_quote_contract_example():
    p = run("quote", str(DATA / "contract" / "shipment.example.json"), "--known-at", "2026-11-21")
    assert p.returncode == 0, p.stderr
    quote = json.loads(p.stdout)
    assert quote["totals"]["duties"] == "53000.00"
    assert set(quote) >= {"ruleset", "known_at", "destination", "entry_date", "currency", "lines", "entry_charges",
                          "totals", "warnings", "retroactive_changes"}


def test_quote_from_stdin_as_table():
    p = run("quote", "-", "--format", "table", "--known-at", "2026-11-21", stdin=json.dumps(shipment()))
    assert p.returncode == 0, p.stderr
    assert "LANDED COST" in p.stdout and "9903.78.01" in p.stdout


@pytest.mark.parametrize("mutate, field", [
    (lambda s: s["lines"][0].update(hts="9999.99.99.99"), "lines[0].hts"),
    (lambda s: s["lines"][0].update(origin="XX"), "lines[0].origin"),
    (lambda s: s["lines"][0].update(customs_value="-5"), "lines[0].customs_value"),
    (lambda s: s["lines"][0].update(customs_value="lots"), "lines[0].customs_value"),
    (lambda s: s.update(entry_date="2017-12-31"), "entry_date"),
    (lambda s: s.update(currency="EUR"), "fx_rate"),
    (lambda s: s.update(mode="pigeon"), "mode"),
    (lambda s: s["lines"][0].update(hts="0709.54.00.00"), "lines[0].quantity"),
    (lambda s: s["lines"][0].update(hts="0709.54.00.00", quantity="5", unit="No."), "lines[0].unit"),
    (lambda s: s["lines"][0].update(unit="furlongs", quantity="1"), "lines[0].unit"),
    (lambda s: s.update(lines=[]), "lines"),
])
def test_bad_input_exits_2_with_one_line_naming_the_field(mutate, field):
    s = shipment()
    mutate(s)
    p = run("quote", "-", "--known-at", "2026-11-21", stdin=json.dumps(s))
    assert p.returncode == 2, (p.stdout, p.stderr)
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and field in lines[0], p.stderr
    assert "Traceback" not in p.stderr and p.stdout == ""


@pytest.mark.parametrize("args, stdin", [
    (["quote", "-"], "{not json"),
    (["quote", "/no/such/file.json"], None),
    (["quote", "-", "--known-at", "yesterday"], json.dumps(shipment())),
    (["rules", "show", "--hts", "74", "--origin", "CN", "--date", "2025-01-01"], None),
])
def test_other_bad_input_is_one_line(args, stdin):
    p = run(*args, stdin=stdin)
    assert p.returncode == 2
    assert len(p.stderr.strip().splitlines()) == 1 and "Traceback" not in p.stderr


def test_rules_check_passes():
    p = run("rules", "check")
    assert p.returncode == 0, p.stderr[-2000:]
    assert "rules check: ok" in p.stdout


def test_rules_show_explains_in_force_and_not():
    p = run("rules", "show", "--hts", "7408.11.60.00", "--origin", "CN", "--date", "2025-12-01", "--format", "json")
    assert p.returncode == 0, p.stderr
    report = json.loads(p.stdout)
    in_force = {m["heading"] for m in report["measures"] if m["applies"]}
    assert "9903.78.01" in in_force
    assert any(not m["applies"] and m["reason"] for m in report["measures"])
    text = run("rules", "show", "--hts", "7408.11.60.00", "--origin", "CN", "--date", "2025-12-01")
    assert "In force:" in text.stdout and "Not applying" in text.stdout


def test_import_hts_cli(tmp_rules):
    import shutil

    shutil.rmtree(tmp_rules / "us" / "mfn")
    editions = DATA / "usitc_hts_editions"
    p = run("rules", "import-hts", str(editions / "hts_2025_basic.json.gz"), str(editions / "hts_2025_rev_26.json"),
            "--dates", str(editions / "revision_dates.csv"), "--full", "--rules", str(tmp_rules))
    assert p.returncode == 0, p.stderr
    result = json.loads(p.stdout)
    assert [r["edition"] for r in result] == ["2025_basic", "2025_rev_26"] and result[0]["lines"] > 1000
    assert result[1]["base"] == "2025_basic"
    p = run("rules", "import-hts", str(DATA / "usitc_hts_2025" / "chapter-01.json"),
            "--effective", "2026-01-01", "--edition", "cli-test", "--rules", str(tmp_rules))
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["lines"] > 10
    missing = run("rules", "import-hts", str(editions / "hts_2023_rev_11.csv.gz"), "--dates",
                  str(editions / "revision_dates.csv"), "--rules", str(tmp_rules))
    assert missing.returncode == 2 and "2023_rev_11" in missing.stderr and len(missing.stderr.splitlines()) == 1
    bad = run("rules", "import-hts", "/no/such.json", "--effective", "2026-01-01", "--rules", str(tmp_rules))
    assert bad.returncode == 2

"""The CLI through a real subprocess: exit codes, one-line errors, never a traceback."""
import json
import os
import subprocess
import sys

import pytest

import tariffs

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


def _one_line(p, code):
    assert p.returncode == code, (p.returncode, p.stdout[-500:], p.stderr[-2000:])
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in p.stderr and "internal error" not in p.stderr, p.stderr
    return lines[0]


@pytest.fixture
def good(tmp_path):
    path = tmp_path / "good.json"
    path.write_text(json.dumps(shipment()))
    return path


@pytest.mark.parametrize("content, says", [
    (b"\xff\xfe\x00\x01binary", "UTF-8"),
    (b"[" * 100_000 + b"]" * 100_000, "nested"),
    (b'{"destination": "US", "destination": "EU"}', "duplicate key 'destination'"),
], ids=["binary", "deep", "duplicate-key"])
def test_unreadable_files_exit_2(tmp_path, content, says):
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    assert says in _one_line(run("quote", str(path)), 2)


def test_closed_stdin_exits_2():
    p = subprocess.run([sys.executable, "-m", "tariffs.cli", "quote", "-"], capture_output=False,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, timeout=120,
                       preexec_fn=lambda: os.close(0))
    assert "standard input is closed" in _one_line(p, 2)


def test_closed_stdout_is_an_error(good):
    # `tariffs quote good.json >&-`: nothing can be written, so it is not a success.
    p = subprocess.run([sys.executable, "-m", "tariffs.cli", "quote", str(good), "--known-at", "2026-11-21"],
                       stderr=subprocess.PIPE, text=True, cwd=ROOT, timeout=120, preexec_fn=lambda: os.close(1))
    assert "standard output is closed" in _one_line(p, 1)


def test_full_disk_is_an_error(good):
    with open("/dev/full", "w") as full:
        p = subprocess.run([sys.executable, "-m", "tariffs.cli", "quote", str(good), "--known-at", "2026-11-21"],
                           stdout=full, stderr=subprocess.PIPE, text=True, cwd=ROOT, timeout=120)
    assert "No space left on device" in _one_line(p, 1)


@pytest.mark.parametrize("option, args", [
    ("--withdraw-on", ["compare-zone", "{good}", "--withdraw-on", "abc"]),
    ("--withdraw-on", ["compare-zone", "{good}", "--withdraw-on", "2026-02-30"]),
    ("--known-at", ["compare-zone", "{good}", "--withdraw-on", "2026-01-05",
                    "--known-at", "9999-12-31T23:59:59-14:00"]),
    ("--admitted-on", ["inverted", "{good}", "--admitted-on", "0"]),
    ("--date", ["compare", "{good}", "--date", "99999-01-01"]),
    ("--known-at", ["carbon", "{good}", "--known-at", "0001-01-01"]),
    ("--known-at", ["quote", "{good}", "--known-at", "9999-12-31T23:59:59-14:00"]),
    ("--known-at", ["audit", "rerun", "1", "--known-at", "abc"]),
    ("--date", ["rules", "show", "--hts", "7408.11.60", "--origin", "CN", "--date", "abc"]),
    ("--known-at", ["rules", "show", "--hts", "7408.11.60", "--origin", "CN", "--date", "2025-12-01",
                    "--known-at", "x"]),
    ("--effective", ["rules", "import-hts", "{good}", "--effective", "abc"]),
    ("--published", ["rules", "import-hts", "{good}", "--effective", "2026-01-01", "--published", "1800-01-01"]),
])
def test_every_date_option_is_checked(good, option, args):
    p = run(*[a.format(good=good) for a in args])
    assert f"'{option}'" in _one_line(p, 2)


def test_zone_vs_direct_parses_withdraw_on_strictly():
    from tariffs.scenarios import zone_vs_direct

    for bad in ("abc", "20260105", 20260105, b"2026-01-05", True):
        with pytest.raises(tariffs.InputError) as exc:
            zone_vs_direct(shipment(), bad, known_at="2026-11-21")
        assert exc.value.field == "withdraw_on"


@pytest.mark.parametrize("args", [["db", "upgrade", "--url", "notaurl"],
                                  ["db", "upgrade", "--url", "garbage://"],
                                  ["audit", "list", "--database", "postgresql+nodriver://user:secret@host/db"],
                                  ["rules", "diff", "installed", "installed", "--database", "garbage://"]])
def test_a_database_url_that_cannot_be_used_is_bad_input(args):
    """Exit 2 naming the URL (was exit 1 "audit store unavailable", as if the database were down); a password
    in it is not echoed."""
    line = _one_line(run(*args), 2)
    assert line.startswith("error: database URL: ") and "cannot be used" in line and "secret" not in line


def test_a_full_disk_under_the_newer_commands_is_an_output_error():
    """`tariffs rules diff` writes through click.echo, not the quote's writer: a full disk is still exit 1,
    "cannot write the output" (was exit 2 "No space left on device: ", as if the input were at fault)."""
    with open("/dev/full", "w") as full:
        p = subprocess.run([sys.executable, "-m", "tariffs.cli", "rules", "diff", "installed", "installed"],
                           stdout=full, stderr=subprocess.PIPE, text=True, cwd=ROOT, timeout=120)
    assert _one_line(p, 1) == "error: cannot write the output: No space left on device"

import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest

import tariffs
from tariffs.rules.ruleset import default_rules_path, load_rules

# The default audit store lives under $XDG_DATA_HOME: tests that open an app or store without a URL
# get a private one, never the user's ~/.local/share/tariffs (nor another checkout's schema).
os.environ["XDG_DATA_HOME"] = tempfile.mkdtemp(prefix="tariffs-test-data-")

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"  # beside the repository in CI only; tests never depend on it
DATA = ROOT / "tests" / "data"  # copies of what the tests need from ../shared (facts, not code)
GOLDEN = ROOT / "tests" / "golden"


@pytest.fixture(scope="session")
def rules():
    return load_rules()


@pytest.fixture(scope="session")
def engine(rules):
    return tariffs.Engine(rules)


@pytest.fixture
def tmp_rules(tmp_path):
    """A private copy of the shipped rules_data that a test may edit."""
    target = tmp_path / "rules_data"
    shutil.copytree(default_rules_path(), target, ignore=shutil.ignore_patterns("notes"))
    return target


def shipment(**overrides):
    """A one-line US shipment; ``line`` overrides go on the line."""
    line = {"hts": "7408.11.60.00", "origin": "TW", "customs_value": "100000.00"}
    line.update(overrides.pop("line", {}))
    base = {"destination": "US", "entry_date": "2025-12-01", "mode": "ocean", "currency": "USD", "lines": [line]}
    base.update(overrides)
    return base


def golden_files():
    # The public cases, copied into the repository (tests/golden); test_golden checks the copy
    # against ../shared/golden where that exists.
    files = sorted(GOLDEN.glob("*.json"))
    assert files, f"no golden cases in {GOLDEN}"
    return files


def golden_cases():
    cases = []
    for path in golden_files():
        for case in json.loads(path.read_text())["cases"]:
            cases.append(case)
    return cases


def add_measure(root, table="us/section_301.csv", **values):
    """Append one measure row (test data, clearly fictitious ids) to a copied rules_data."""
    import csv

    from tariffs.rules.ruleset import MEASURE_COLUMNS

    row = {c: "" for c in MEASURE_COLUMNS}
    row.update({"program": "section_301", "kind": "charge", "heading": "9903.88.03", "scope": "7408",
                "origins": "CN", "rate": "0.25", "basis": "value", "valid_from": "2019-01-01",
                "recorded_at": "2018-12-01", "legal_basis": "test", "source": "https://example.test",
                "confidence": "primary"})
    row.update(values)
    with open(root / table, "a", newline="") as f:
        csv.DictWriter(f, fieldnames=MEASURE_COLUMNS, lineterminator="\n").writerow(row)


def add_stacking(root, **values):
    import csv

    from tariffs.rules.ruleset import STACKING_COLUMNS

    row = {c: "" for c in STACKING_COLUMNS}
    row.update({"effect": "skip", "origins": "ALL", "valid_from": "2018-01-01", "recorded_at": "2018-01-01",
                "legal_basis": "test stacking", "source": "https://example.test", "confidence": "primary"})
    row.update(values)
    with open(root / "us" / "stacking.csv", "a", newline="") as f:
        csv.DictWriter(f, fieldnames=STACKING_COLUMNS, lineterminator="\n").writerow(row)


@pytest.fixture(scope="session")
def postgres_url():
    """A real PostgreSQL for the store tests: $TARIFFS_TEST_POSTGRES_URL, or a private server started here
    from the installed binaries (Debian package postgresql; .ci/system-deps installs it), on a Unix socket."""
    import os

    from pg_server import PostgresServer

    url = os.environ.get("TARIFFS_TEST_POSTGRES_URL")
    if url:
        yield url
        return
    try:
        server = PostgresServer().start()
    except RuntimeError as exc:
        pytest.fail(str(exc))
    try:
        yield server.url
    finally:
        server.stop()
        server.remove()

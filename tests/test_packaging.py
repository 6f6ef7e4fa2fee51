"""A non-editable wheel ships rules_data/ and the engine finds it there."""
import os
import subprocess
import sys
import zipfile

from conftest import ROOT


def test_wheel_ships_rules_data_and_quotes_from_it(tmp_path):
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w",
                            str(tmp_path / "dist"), str(ROOT)], capture_output=True, text=True, timeout=600)
    assert build.returncode == 0, build.stderr[-2000:]
    wheel = next((tmp_path / "dist").glob("tariffs-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "tariffs/rules_data/manifest.json" in names
    assert "tariffs/rules_data/us/mfn/hts_2025_basic.csv" in names  # the HTS edition stored in full
    assert "tariffs/rules_data/us/mfn/delta/hts_2019_rev_20.csv" in names  # ... and the others as deltas
    assert any(n.startswith("tariffs/rules_data/us/scopes/") for n in names)
    target = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(target)
    code = ("import tariffs, json; from tariffs.rules.ruleset import default_rules_path; "
            "print(default_rules_path()); "
            "q = tariffs.quote(json.load(open(%r)), known_at='2026-11-21'); print(q.totals.duties)"
            % str(ROOT / "examples" / "shipment.json"))
    env = {k: v for k, v in os.environ.items() if k != "TARIFFS_RULES_DATA"}
    env["PYTHONPATH"] = str(target)
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, env=env,
                         timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    where, duties = run.stdout.strip().splitlines()
    assert where.startswith(str(target)) and duties == "53000.00"
    # The audit store's migrations ship too, and make the schema from the installed package.
    assert "tariffs/migrations/env.py" in names and "tariffs/migrations/versions/0001_audit_schema.py" in names \
        and "tariffs/migrations/versions/0002_workbench.py" in names
    code = ("from tariffs.store import Store; from tariffs.store.migrate import MIGRATIONS, current; "
            "s = Store('sqlite:///' + %r); print(MIGRATIONS); print(sorted(current(s.engine)))"
            % str(tmp_path / "audit.db"))
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, env=env,
                         timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    where, revisions = run.stdout.strip().splitlines()
    assert where.startswith(str(target)) and revisions == "['0002']"

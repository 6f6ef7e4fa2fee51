"""Rule-table load time, measured in one run (not a test).

`load_rules()` of this checkout against the same call at a reference commit (default: the last
commit before the HTS editions were loaded), each in a fresh interpreter, alternated so that both
see the same machine load; then the first use of an older edition (built from its deltas) and a
lookup after it, and the first build of its renumbering relation to the scope edition (hts_carry).

    python3 bench/load_rules.py [--n 7] [--ref 28d5037]
"""
from __future__ import annotations

import argparse
import datetime as dt
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROBE = ("import time, sys; sys.path.insert(0, '.'); from tariffs.rules.ruleset import load_rules; "
         "t = time.perf_counter(); r = load_rules('rules_data'); print(time.perf_counter() - t)")


def checkout(ref: str | None, target: Path) -> Path:
    """tariffs/ and rules_data/ of a commit (or of the working tree) in ``target``."""
    target.mkdir(parents=True)
    if ref is None:
        for part in ("tariffs", "rules_data"):
            shutil.copytree(ROOT / part, target / part, ignore=shutil.ignore_patterns("__pycache__"))
    else:
        archive = subprocess.run(["git", "archive", ref, "tariffs", "rules_data"], cwd=ROOT, check=True,
                                 capture_output=True).stdout
        with tarfile.open(fileobj=BytesIO(archive)) as tar:
            tar.extractall(target, filter="data")
    return target


def probe(folder: Path) -> float:
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=folder, check=True, capture_output=True, text=True)
    return float(out.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=7)
    parser.add_argument("--ref", default="28d5037")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        ref = checkout(args.ref, Path(tmp) / "ref")
        now = checkout(None, Path(tmp) / "now")
        probe(ref), probe(now)  # warm the file cache and the bytecode
        before, after = [], []
        for _ in range(args.n):
            before.append(probe(ref))
            after.append(probe(now))
    b, a = statistics.median(before), statistics.median(after)
    print(f"load_rules() at {args.ref}: median {b:.3f} s; this checkout: median {a:.3f} s; ratio {a / b:.2f} "
          f"({args.n} alternated runs each, fresh interpreter per run)")

    sys.path.insert(0, str(ROOT))
    from tariffs.rules.hts_carry import carried, related
    from tariffs.rules.ruleset import load_rules

    rules = load_rules(ROOT / "rules_data")
    known = dt.date(2026, 12, 31)
    full = sum(1 for e in rules.editions if not e.base)
    print(f"{len(rules.editions)} HTS editions registered, {full} stored in full")
    for day in (dt.date(2019, 6, 1), dt.date(2023, 6, 1), dt.date(2025, 12, 1), dt.date(2026, 6, 30)):
        edition, _ = rules.edition_for(day, known)
        t0 = time.perf_counter()
        rules.mfn_line(edition, "74081160")
        first = time.perf_counter() - t0
        t0 = time.perf_counter()
        rules.mfn_line(edition, "7408116000")
        again = time.perf_counter() - t0
        t0 = time.perf_counter()
        carried(rules, edition)
        carry = time.perf_counter() - t0
        t0 = time.perf_counter()
        related(rules, edition, "8541406015")
        carry_again = time.perf_counter() - t0
        print(f"entry {day}: edition {edition.edition}: first use {first * 1000:.0f} ms, "
              f"next lookup {again * 1e6:.0f} µs; renumbering relation to the scope edition: built in "
              f"{carry * 1000:.0f} ms on first use, lookup {carry_again * 1e6:.0f} µs")


if __name__ == "__main__":
    main()

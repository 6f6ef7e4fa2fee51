"""Workbench figures, measured in one run (not a test): import, re-run and report of an entry file
of --rows tariff rows (default 10^5), in tariff rows per second, and the process's peak RSS.

The file is built from a few hundred entries priced as filed by bench/make_entries.py, repeated
under new entry numbers until it has --rows rows (the rows of a real ACE report repeat products and
origins in the same way). SQLite in a temporary directory unless --database is given.

    python3 bench/workbench.py [--rows 100000] [--database postgresql+psycopg://...]
"""
from __future__ import annotations

import argparse
import csv
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.make_entries import main as make_entries  # noqa: E402
from tariffs.workbench import reports  # noqa: E402
from tariffs.workbench import store as wb  # noqa: E402
from tariffs.workbench.commands import import_file  # noqa: E402
from tariffs.workbench.run import rerun  # noqa: E402


def build_file(target_rows: int, folder: Path) -> Path:
    seed = folder / "seed.csv"
    make_entries(["--entries", "300", "--seed", "5", "-o", str(seed)])
    with open(seed, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        columns, rows = reader.fieldnames, list(reader)
    by_entry: dict[str, list[dict]] = {}
    for row in rows:
        by_entry.setdefault(row["entry_number"], []).append(row)
    out = folder / "entries.csv"
    written, copy = 0, 0
    with open(out, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        while written < target_rows:
            for number, entry_rows in by_entry.items():
                new_number = f"B{copy // 10**7 % 100:02d}-{copy % 10**7:07d}-{copy % 10}"
                for row in entry_rows:
                    writer.writerow({**row, "entry_number": new_number})
                written += len(entry_rows)
                copy += 1
                if written >= target_rows:
                    break
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database", default=None)
    parser.add_argument("--known-at", default="2026-11-20")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tariffs-bench-") as tmp:
        folder = Path(tmp)
        path = build_file(args.rows, folder)
        url = args.database or f"sqlite:///{folder / 'audit.db'}"
        t0 = time.perf_counter()
        summary, batch = import_file(str(path), None, url)
        t_import = time.perf_counter() - t0
        store = wb.open_store(url)
        t0 = time.perf_counter()
        run_id = rerun(store, args.known_at)
        t_rerun = time.perf_counter() - t0
        report = reports.load_report(store, run_id)
        timings = {}
        for fmt, write in reports.FORMATS.items():
            t0 = time.perf_counter()
            data = write(report)
            timings[fmt] = (time.perf_counter() - t0, len(data))
        rows = summary.rows
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"entry file: {rows} tariff rows, {summary.entries} entries, known at {args.known_at}")
        print(f"{'step':<22}{'seconds':>10}{'rows/s':>12}")
        print(f"{'import':<22}{t_import:>10.1f}{rows / t_import:>12.0f}")
        print(f"{'re-run':<22}{t_rerun:>10.1f}{rows / t_rerun:>12.0f}   ({summary.entries / t_rerun:.0f} entries/s)")
        for fmt, (seconds, size) in timings.items():
            print(f"{'report ' + fmt:<22}{seconds:>10.1f}{rows / seconds:>12.0f}   ({size / 1e6:.1f} MB)")
        print(f"peak RSS: {peak_mb:.0f} MB; totals: refund {report.totals()['refund']}, "
              f"exposure {report.totals()['exposure']}")


if __name__ == "__main__":
    main()

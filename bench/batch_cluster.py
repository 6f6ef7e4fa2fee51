"""`tariffs batch` on one process vs a Dask LocalCluster, measured in one run (not a test).

Generates a book of N lines (10-digit codes of the loaded HTS edition, every chapter; 16 origins; entry dates
2018-2026; entries of one to three lines), writes it as CSV, then prices it (1) with `run_batch` in this
process and (2) with `run_batch_dask` on a LocalCluster of --workers processes, and prints lines/s, the ratio,
and peak RSS of the client and of the largest worker. Both outputs are compared byte for byte.

    python3 bench/batch_cluster.py [--n 20000] [--workers 2] [--chunk-size 5000]
"""
from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import pandas as pd

import tariffs
from distributed import Client, LocalCluster

from tariffs.batch_dask import _warm, run_batch_dask
from tariffs.batch_stream import run_batch

ORIGINS = ["CN", "HK", "CA", "MX", "BR", "IN", "JP", "KR", "DE", "FR", "GB", "CH", "RU", "VN", "TW", "AU"]
DATES = [f"{y}-{m:02d}-{d:02d}" for y in range(2018, 2027) for m in (1, 4, 7, 10) for d in (3, 17)
         if f"{y}-{m:02d}" <= "2026-10"]


def make_book(n: int, rules) -> pd.DataFrame:
    edition = max(rules.mfn)
    codes = sorted(c for c in rules.mfn[edition] if len(c) == 10)
    step = max(1, len(codes) // 4000)
    codes = codes[::step]  # about 4,000 codes spread over every chapter
    rows, entry, left = [], 0, 0
    for i in range(n):
        if left == 0:
            entry, left = entry + 1, 1 + (i * 7) % 3
            day = DATES[(i * 13) % len(DATES)]
        left -= 1
        code = codes[(i * 7919) % len(codes)]
        units = [u for u in rules.mfn[edition][code].units if u]
        value = f"{(i * 104729) % 250000 + 2600}.{i % 100:02d}"
        rows.append({"entry": f"E{entry}", "entry_date": day, "hts": code, "origin": ORIGINS[(i * 5) % len(ORIGINS)],
                     "customs_value": value, "quantity": str(1 + i % 500) if units else "",
                     "unit": units[0] if units else "", "quantity2": str(1 + i % 70) if len(units) > 1 else "",
                     "unit2": units[1] if len(units) > 1 else "", "net_weight_kg": str(1 + i % 900), "mode": "ocean"})
    return pd.DataFrame(rows)


def peak_rss_mb(who) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--chunk-size", type=int, default=5_000)
    args = parser.parse_args()
    rules = tariffs.load_rules()
    with tempfile.TemporaryDirectory() as tmp:
        book = Path(tmp) / "book.csv"
        make_book(args.n, rules).to_csv(book, index=False)
        t0 = time.perf_counter()
        one = run_batch(str(book), f"{tmp}/one.csv", rules=rules, known_at="2026-11-21", chunk_size=args.chunk_size,
                        progress=False)
        single = time.perf_counter() - t0
        t0 = time.perf_counter()
        local = LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=None)
        with Client(local) as client:
            client.run(_warm, str(rules.root), rules.sha256)
            startup = time.perf_counter() - t0
            t0 = time.perf_counter()
            many = run_batch_dask(str(book), f"{tmp}/many.csv", rules=rules, known_at="2026-11-21",
                                  chunk_size=args.chunk_size, address=local.scheduler_address, progress=False)
            cluster = time.perf_counter() - t0
        local.close()
        same = Path(f"{tmp}/one.csv").read_bytes() == Path(f"{tmp}/many.csv").read_bytes()
    print(f"book: {args.n} lines, {one.errors} rows refused (codes whose rate needs an input the book lacks)")
    print(f"one process:           {single:7.1f} s  {args.n / single:8.0f} lines/s")
    print(f"LocalCluster x{args.workers}:       {cluster:7.1f} s  {args.n / cluster:8.0f} lines/s "
          f"(after {startup:.1f} s to start the cluster and load the rules on each worker)")
    print(f"cluster / one process: {single / cluster:.2f}x; outputs identical: {same}; rows {many.rows}")
    print(f"peak RSS: client {peak_rss_mb(resource.RUSAGE_SELF):.0f} MB, "
          f"largest finished child {peak_rss_mb(resource.RUSAGE_CHILDREN):.0f} MB")


if __name__ == "__main__":
    main()

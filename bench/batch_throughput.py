"""Book-scale pricing figures, measured in one run (not a test).

Generates books of 10^5 and 10^6 US lines (10^7 with --huge) from real HTS codes, origins and
entry dates 2018-2026 (tariffs.columnar.book) and prints, per book:

- columnar: lines/s of tariffs.columnar.price (compile time printed apart, it is paid once);
- scalar: lines/s of tariffs.quote on a 2,000-line sample of the same book;
- floor: three pandas merge_asof joins (MFN rate by code, a measure rate by code and origin as of
  the entry date, the MPF row as of the entry date) plus integer arithmetic, over the same book's
  lines in typed columns (the columnar time is also shown without reading the text columns);
- the ratios, the share of rows the columnar path priced, and the peak RSS of the process.

    python3 bench/batch_throughput.py [--sizes 100000 1000000] [--huge] [--sample 2000]
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import resource
import time

import numpy as np
import pandas as pd

from tariffs.batch import shipment_of_values
from tariffs.columnar import compile_rules, price
from tariffs.columnar.book import generate_book
from tariffs.columnar.inputs import parse_inputs
from tariffs.engine.pipeline import Engine
from tariffs.errors import InputError
from tariffs.rules.ruleset import load_rules

KNOWN = "2026-11-21"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def floor(book: pd.DataFrame, rules) -> float:
    """Seconds for the floor: three merge_asof joins (an MFN rate by code, a measure rate by code and
    origin as of the entry date, the MPF row as of the entry date) plus integer arithmetic, on the
    same book's lines already in typed columns (the issue's floor; reading the text is not in it)."""
    rng = np.random.default_rng(0)
    codes = np.array(sorted({c for lines in rules.mfn.values() for c in lines}))
    code = pd.Categorical(book["hts"].str.replace(".", "", regex=False), categories=codes).codes.astype(np.int64)
    day = pd.to_datetime(book["entry_date"], format="%Y-%m-%d").to_numpy().astype("datetime64[D]").astype(np.int64)
    origin = pd.Categorical(book["origin"]).codes.astype(np.int64)
    whole = book["customs_value"].str.split(".", n=1, expand=True)
    cents = whole[0].astype(np.int64).to_numpy() * 100 + whole[1].astype(np.int64).to_numpy()
    left = pd.DataFrame({"code": code, "key": code * 256 + origin, "day": day, "cents": cents})
    mfn = pd.DataFrame({"day": np.zeros(len(codes), np.int64), "code": np.arange(len(codes)),
                        "mfn_rate": rng.integers(0, 200_000, len(codes))})
    keys = np.unique(left["key"].to_numpy())
    measure = pd.DataFrame({"key": np.repeat(keys, 4), "day": np.tile([17532, 18000, 19000, 20000], len(keys)),
                            "rate": rng.integers(0, 250_000, 4 * len(keys))}).sort_values("day")
    fee = pd.DataFrame({"day": np.arange(17532, 20800, 365), "mpf_rate": 3464})
    t0 = time.perf_counter()
    joined = pd.merge_asof(left.sort_values("day"), mfn, on="day", by="code")
    joined = pd.merge_asof(joined, measure, on="day", by="key")
    joined = pd.merge_asof(joined, fee, on="day")
    value = joined["cents"].to_numpy()
    duty = (value * joined["mfn_rate"].fillna(0).to_numpy(np.int64) + 500_000) // 1_000_000
    duty += (value * joined["rate"].fillna(0).to_numpy(np.int64) + 500_000) // 1_000_000
    mpf = np.clip((value * joined["mpf_rate"].to_numpy(np.int64) + 500_000) // 1_000_000, 3358, 65150)
    assert int((value + duty + mpf).sum()) > 0
    return time.perf_counter() - t0


def scalar_rate(book: pd.DataFrame, rules, sample: int) -> float:
    engine = Engine(rules)
    rows = book.drop(columns=["entry"]).head(sample).to_dict("records")
    t0 = time.perf_counter()
    for values in rows:
        try:
            engine.quote(shipment_of_values(values), values.get("known_at") or KNOWN)
        except InputError:
            pass
    return len(rows) / (time.perf_counter() - t0)


def run_one(n: int, sample: int) -> None:
    """One book in this process, so that the peak RSS printed is this size's."""
    rules = load_rules()
    t0 = time.perf_counter()
    compiled = compile_rules(rules)
    compile_s = time.perf_counter() - t0
    book = generate_book(rules, n, seed=n, known_now=KNOWN, entries=True, extras=True)
    t0 = time.perf_counter()
    out = price(compiled, book, known_at=KNOWN)
    columnar = time.perf_counter() - t0
    rss = peak_rss_mb()
    t0 = time.perf_counter()
    parse_inputs(compiled, book, dt.date(2026, 11, 21))
    parse_s = time.perf_counter() - t0
    share = float((out["path"] == "columnar").mean())
    del out
    floor_s = floor(book, rules)
    scalar = scalar_rate(book, rules, sample)
    print(f"book {n:>10,} lines (compile_rules {compile_s:.1f} s, once per ruleset)")
    print(f"  columnar {n / columnar:>12,.0f} lines/s ({columnar:.2f} s), share columnar {share:.1%}, "
          f"peak RSS after pricing {rss:,.0f} MB")
    print(f"  scalar   {scalar:>12,.0f} lines/s (sample of {sample:,})")
    print(f"  of which reading the text columns {parse_s:.2f} s; pricing alone "
          f"{n / max(columnar - parse_s, 1e-9):,.0f} lines/s")
    print(f"  floor    {n / floor_s:>12,.0f} lines/s ({floor_s:.2f} s: 3 merge_asof + integer arithmetic, typed input)")
    print(f"  columnar/scalar {n / columnar / scalar:,.0f}x; columnar time / floor time {columnar / floor_s:.1f}x "
          f"(pricing alone {(columnar - parse_s) / floor_s:.1f}x)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="*", default=[100_000, 1_000_000])
    parser.add_argument("--huge", action="store_true", help="also a book of 10^7 lines")
    parser.add_argument("--sample", type=int, default=2000)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        run_one(args.one, args.sample)
        return
    sizes = args.sizes + ([10_000_000] if args.huge else [])
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    for n in sizes:  # each size in a fresh process: its own peak RSS
        subprocess.run([sys.executable, __file__, "--one", str(n), "--sample", str(args.sample)], check=True)


if __name__ == "__main__":
    main()

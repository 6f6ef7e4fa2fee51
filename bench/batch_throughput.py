"""Book-scale pricing figures, measured in one run (not a test).

Generates books of 10^5 and 10^6 US lines (10^7 with --huge) from real HTS codes, origins and
entry dates 2018-2026 (tariffs.columnar.book) and prints, per book:

- columnar: lines/s of tariffs.columnar.price (compile time printed apart, it is paid once);
- scalar: lines/s of tariffs.quote on a 2,000-line sample of the same book;
- floor: three pandas merge_asof joins (MFN rate by code, a measure rate by code and origin as of
  the entry date, the MPF row as of the entry date) plus integer arithmetic, over the same book;
- the ratios, the share of rows the columnar path priced, and the peak RSS of the process.

    python3 bench/batch_throughput.py [--sizes 100000 1000000] [--huge] [--sample 2000]
"""
from __future__ import annotations

import argparse
import datetime as dt
import resource
import time

import numpy as np
import pandas as pd

from tariffs.batch import shipment_of_values
from tariffs.columnar import compile_rules, price
from tariffs.columnar.book import generate_book
from tariffs.columnar.tables import EPOCH
from tariffs.engine.pipeline import Engine
from tariffs.errors import InputError
from tariffs.rules.ruleset import load_rules

KNOWN = "2026-11-21"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def floor(book: pd.DataFrame, rules) -> float:
    """Seconds for the floor: three merge_asof joins + integer arithmetic on the same book."""
    rng = np.random.default_rng(0)
    codes = np.array(sorted({c for lines in rules.mfn.values() for c in lines}))
    n_codes = len(codes)
    t0 = time.perf_counter()
    code = pd.Series(pd.Categorical(book["hts"].str.replace(".", "", regex=False), categories=codes).codes,
                     dtype=np.int64)
    day = pd.to_datetime(book["entry_date"], format="%Y-%m-%d").to_numpy().astype("datetime64[D]").astype(np.int64)
    origin = pd.Categorical(book["origin"]).codes.astype(np.int64)
    whole = book["customs_value"].str.split(".", n=1, expand=True)
    cents = whole[0].astype(np.int64) * 100 + whole[1].astype(np.int64)
    left = pd.DataFrame({"row": np.arange(len(book)), "code": code, "key": code * 256 + origin, "day": day,
                         "cents": cents}).sort_values("day")
    elapsed = time.perf_counter() - t0
    # tables (built outside the timing: the compile step of the floor)
    mfn = pd.DataFrame({"day": np.zeros(n_codes, np.int64), "code": np.arange(n_codes),
                        "mfn_rate": rng.integers(0, 200_000, n_codes)})
    keys = np.unique(left["key"].to_numpy())
    measure = pd.DataFrame({"key": np.repeat(keys, 4), "day": np.tile([17532, 18000, 19000, 20000], len(keys)),
                            "rate": rng.integers(0, 250_000, 4 * len(keys))}).sort_values("day")
    fee = pd.DataFrame({"day": np.arange(17532, 20800, 365), "mpf_rate": 3464}).sort_values("day")
    t0 = time.perf_counter()
    joined = pd.merge_asof(left, mfn.sort_values("day"), on="day", by="code")
    joined = pd.merge_asof(joined, measure, on="day", by="key")
    joined = pd.merge_asof(joined, fee, on="day")
    value = joined["cents"].to_numpy()
    duty = (value * joined["mfn_rate"].fillna(0).to_numpy(np.int64) + 500_000) // 1_000_000
    duty += (value * joined["rate"].fillna(0).to_numpy(np.int64) + 500_000) // 1_000_000
    mpf = np.clip((value * joined["mpf_rate"].to_numpy(np.int64) + 500_000) // 1_000_000, 3358, 65150)
    total = int((value + duty + mpf).sum())
    assert total > 0
    return elapsed + time.perf_counter() - t0


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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="*", default=[100_000, 1_000_000])
    parser.add_argument("--huge", action="store_true", help="also a book of 10^7 lines")
    parser.add_argument("--sample", type=int, default=2000)
    args = parser.parse_args()
    sizes = args.sizes + ([10_000_000] if args.huge else [])
    rules = load_rules()
    t0 = time.perf_counter()
    compiled = compile_rules(rules)
    print(f"compile_rules: {time.perf_counter() - t0:.2f} s (once per ruleset)")
    for n in sizes:
        book = generate_book(rules, n, seed=n, known_now=KNOWN, entries=True, extras=True)
        t0 = time.perf_counter()
        out = price(compiled, book, known_at=KNOWN)
        columnar = time.perf_counter() - t0
        share = float((out["path"] == "columnar").fillna(False).mean())
        floor_s = floor(book, rules)
        scalar = scalar_rate(book, rules, args.sample)
        print(f"book {n:>10,} lines: columnar {n / columnar:>12,.0f} lines/s ({columnar:.2f} s), "
              f"share columnar {share:.1%}")
        print(f"{'':27}scalar   {scalar:>12,.0f} lines/s (sample of {args.sample:,})")
        print(f"{'':27}floor    {n / floor_s:>12,.0f} lines/s ({floor_s:.2f} s: 3 merge_asof + integer arithmetic)")
        print(f"{'':27}columnar/scalar {n / columnar / scalar:,.0f}x; floor/columnar {columnar / floor_s:.2f}x; "
              f"peak RSS so far {peak_rss_mb():,.0f} MB")
        del book, out


if __name__ == "__main__":
    main()

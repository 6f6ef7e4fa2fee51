"""Engine figures, measured in one run (not a test): rule-table load time, quotes per second for
typical entries, and the pandas batch path against the scalar path on the same rows.

    python3 bench/engine_throughput.py [--n 400]
"""
from __future__ import annotations

import argparse
import statistics
import time

import pandas as pd

import tariffs
from tariffs.batch import quote_frame, shipment_of_values
from tariffs.rules.ruleset import RuleSet, default_rules_path

CASES = {
    "US copper wire CN 2025-12-01": {"entry_date": "2025-12-01", "hts": "7408.11.60.00", "origin": "CN",
                                     "customs_value": "100000.00", "copper_content": "100000.00"},
    "US T-shirts VN 2026-08-15": {"entry_date": "2026-08-15", "hts": "6109.10.00.12", "origin": "VN",
                                  "customs_value": "10000.00"},
    "US car DE 2025-10-01": {"entry_date": "2025-10-01", "hts": "8703.23.01.60", "origin": "DE",
                             "customs_value": "50000.00"},
}


def timed(fn, n):
    samples = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return samples


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=400)
    args = parser.parse_args()
    t0 = time.perf_counter()
    rules = RuleSet(default_rules_path())
    load = time.perf_counter() - t0
    print(f"rule tables: {len(rules.measures)} measures, {sum(len(v) for v in rules.mfn.values())} MFN lines; "
          f"load + validate + hash {load:.2f} s")
    engine = tariffs.Engine(rules)
    for name, row in CASES.items():
        shipment = shipment_of_values(row)
        s = timed(lambda: engine.quote(shipment, known_at="2026-11-21"), args.n)
        print(f"{name:<32} {len(s) / sum(s):7.0f} quotes/s  p50 {statistics.median(s) * 1000:.2f} ms")
    frame = pd.DataFrame([row for row in CASES.values()] * (args.n // len(CASES))).fillna("")
    t0 = time.perf_counter()
    quote_frame(frame, known_at="2026-11-21", engine=engine)
    batch = time.perf_counter() - t0
    t0 = time.perf_counter()
    for row in frame.to_dict("records"):
        engine.quote(shipment_of_values(row), known_at="2026-11-21")
    scalar = time.perf_counter() - t0
    print(f"batch {len(frame)} rows: {batch:.2f} s; scalar loop {scalar:.2f} s; batch/scalar = {batch / scalar:.2f} "
          "(the batch path prices row by row today)")


if __name__ == "__main__":
    main()

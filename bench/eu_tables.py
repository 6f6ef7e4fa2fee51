"""EU table figures, measured in one run (not a test): rule-table load time, the one-off cost of the
lazily read tables (CN duty table, CBAM default values) on the first EU quote, and EU quotes per
second afterwards, beside a US quote on the same ruleset.

    python3 bench/eu_tables.py [--n 200]
"""
from __future__ import annotations

import argparse
import statistics
import time

import tariffs
from tariffs.rules.ruleset import RuleSet, default_rules_path

EU = {"destination": "EU", "member_state": "NL", "entry_date": "2026-02-10", "mode": "ocean", "currency": "EUR",
      "cbam_ytd_tonnes": "200",
      "lines": [{"hts": "6109.10.00", "origin": "CN", "customs_value": "10000.00"},
                {"hts": "7208.51.20", "origin": "VN", "customs_value": "600000.00", "quantity": "1000", "unit": "t"}]}
US = {"destination": "US", "entry_date": "2025-12-01", "mode": "11", "currency": "USD",
      "lines": [{"hts": "7408.11.60.00", "origin": "TW", "customs_value": "100000.00"}]}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=200)
    args = parser.parse_args()
    t0 = time.perf_counter()
    rules = RuleSet(default_rules_path())
    load = time.perf_counter() - t0
    engine = tariffs.Engine(rules)
    t0 = time.perf_counter()
    engine.quote(EU, known_at="2026-11-21")
    first = time.perf_counter() - t0
    eu, us = [], []
    for _ in range(args.n):
        t0 = time.perf_counter()
        engine.quote(EU, known_at="2026-11-21")
        eu.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        engine.quote(US, known_at="2026-11-21")
        us.append(time.perf_counter() - t0)
    eu_m, us_m = statistics.median(eu), statistics.median(us)
    print(f"rule tables load: {load:.3f} s")
    print(f"first EU quote (reads the CN duty table and CBAM defaults): {first:.3f} s "
          f"= {first / load:.2f} x the load")
    print(f"EU quote (2 lines, one CBAM) median: {eu_m * 1000:.2f} ms ({1 / eu_m:.0f}/s)")
    print(f"US quote (1 line) median: {us_m * 1000:.2f} ms ({1 / us_m:.0f}/s); EU/US = {eu_m / us_m:.2f}")


if __name__ == "__main__":
    main()

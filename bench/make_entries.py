"""Write a synthetic entry file in the workbench format (tariffs/workbench/fileformat.py).

Deposits are what the rules required as known on each entry's summary date (the engine, as filed), as a
broker would have deposited them; with --errors a few deliberate mistakes are planted (a missing
Chapter 99 row, a mistyped deposit, an MPF short-paid, an unknown country, an impossible date, a line
with two commodity numbers). Deterministic for a seed.

    python3 bench/make_entries.py --entries 220 --errors -o examples/entries_sample.csv
    python3 bench/make_entries.py --rows 100000 -o /tmp/entries_100k.csv
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import sys
from decimal import ROUND_DOWN, Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tariffs.engine.pipeline import Engine  # noqa: E402
from tariffs.workbench.fileformat import COLUMN_NAMES  # noqa: E402

IMPORTERS = ["Acme Home Furnishings LLC", "Blue Ridge Apparel Inc", "Cascade Valve Corp", "Delta Coffee Traders",
             "Evergreen Footwear Co", "Fulton Electronics Inc"]
# origin -> (hts, unit or "", value range) per product; codes present in the HTSUS 2025 edition
PRODUCTS = {
    "CN": [("9403.60.80.81", "No.", (2000, 40000)), ("8471.30.01.00", "No.", (10000, 90000)),
           ("6109.10.00.12", "doz.", (3000, 20000)), ("8504.40.95.80", "No.", (1500, 25000))],
    "CA": [("9401.79.00.11", "No.", (3000, 30000)), ("9403.60.80.81", "No.", (2000, 20000))],
    "MX": [("9401.79.00.11", "No.", (3000, 30000)), ("8481.80.90.50", "No.", (5000, 60000))],
    "BR": [("0901.11.00.25", "kg", (20000, 120000)), ("6302.60.00.20", "No.", (4000, 30000))],
    "IN": [("6302.60.00.20", "No.", (4000, 30000)), ("7113.19.50.90", "g", (10000, 80000))],
    "DE": [("8481.80.90.50", "No.", (5000, 60000))],
    "IT": [("6404.11.90.50", "prs.", (5000, 40000)), ("8481.80.90.50", "No.", (5000, 60000))],
    "VN": [("6404.11.90.50", "prs.", (5000, 40000)), ("6110.20.20.79", "doz.", (4000, 30000)),
           ("9403.60.80.81", "No.", (2000, 40000))],
}
MODES = {"CN": ["11", "40"], "VN": ["11"], "IN": ["11", "40"], "BR": ["11"], "DE": ["11", "40"], "IT": ["11"],
         "CA": ["30", "20"], "MX": ["30", "20"]}
PORTS = {"11": ["2704", "1001", "5301"], "40": ["4701", "2720"], "30": ["3801", "2304"], "20": ["3801", "2304"]}


def _entries(count: int, rng: random.Random, first_day: dt.date, last_day: dt.date):
    span = (last_day - first_day).days
    for n in range(count):
        origin = rng.choice(list(PRODUCTS))
        entry_date = first_day + dt.timedelta(days=rng.randrange(span))
        mode = rng.choice(MODES[origin])
        yield {"entry_number": f"{'AB1' if n % 2 else 'C7Q'}-{1000000 + n:07d}-{n % 10}",
               "importer": IMPORTERS[n % len(IMPORTERS)], "origin": origin, "entry_date": entry_date,
               "filed_on": entry_date + dt.timedelta(days=rng.choice([0, 3, 7, 10])), "mode": mode,
               "port": rng.choice(PORTS[mode]),
               "lines": [(_code_on(p[0], entry_date), p[1], Decimal(rng.randrange(*p[2]))) for p in
                         rng.sample(PRODUCTS[origin], k=min(len(PRODUCTS[origin]), rng.randint(1, 3)))]}


# Codes renumbered between editions: the statistical line in force on the entry date (HTSUS 2025 Basic
# split 9403.60.80.81 "other wooden furniture, other" into .10/.40/.89/.93; .93 "Other" carries the goods).
# 2025 Rev 16 (in force 2025-06-06) split 7113.19.50.90 "other" into .91 (gold articles) and .95 ("Other").
RENUMBERED = {"9403.60.80.81": (dt.date(2025, 1, 1), "9403.60.80.93"),
              "7113.19.50.90": (dt.date(2025, 6, 6), "7113.19.50.95")}


def _code_on(code: str, day: dt.date) -> str:
    since, successor = RENUMBERED.get(code, (None, None))
    return successor if since is not None and day >= since else code


def _rows_of(engine: Engine, e: dict, knowledge_cutoff: dt.date) -> list[dict]:
    shipment = {"destination": "US", "entry_type": "formal", "entry_date": e["entry_date"].isoformat(),
                "filed_on": e["filed_on"].isoformat(),
                "mode": {"11": "ocean", "40": "air", "30": "truck", "20": "rail"}[e["mode"]], "currency": "USD",
                "lines": [{"hts": hts, "origin": e["origin"], "customs_value": format(value, "f"),
                           "quantity": str(int(value / 25) + 1), "unit": unit} for hts, unit, value in e["lines"]]}
    q = engine.quote(shipment, e["filed_on"])
    fees = {c.program: c.amount for c in q.entry_charges}
    total_value = sum((v for _, _, v in e["lines"]), Decimal(0))
    # ACE lists the entry's fees prorated over its lines; the last line takes the remainder
    shares = {}
    for program in ("mpf", "hmf"):
        amount, given = fees.get(program, Decimal(0)), Decimal(0)
        for i, (_, _, value) in enumerate(e["lines"]):
            share = amount - given if i == len(e["lines"]) - 1 else (amount * value / total_value).quantize(
                Decimal("0.01"), ROUND_DOWN)
            given += share
            shares[(program, i)] = share
    liquidation = e["entry_date"] + dt.timedelta(days=314)  # CBP's usual schedule, as sample data
    common = {"entry_number": e["entry_number"], "importer": e["importer"], "entry_type": "01",
              "entry_date": e["entry_date"].isoformat(), "filed_on": e["filed_on"].isoformat(),
              "liquidation_date": liquidation.isoformat() if liquidation <= knowledge_cutoff else "",
              "liquidation_status": "liquidated" if liquidation <= knowledge_cutoff else "unliquidated",
              "port": e["port"], "mode": e["mode"], "origin": e["origin"]}
    rows = []
    for i, line in enumerate(q.lines):
        hts, unit, value = e["lines"][i]
        mfn = sum((c.amount for c in line.charges if not c.heading.startswith("99")), Decimal(0))
        rows.append({**common, "line_number": i + 1, "hts": hts, "entered_value": format(value, "f"),
                     "duty_paid": format(mfn, "f"), "quantity": str(int(value / 25) + 1), "unit": unit,
                     "mpf_paid": format(shares[("mpf", i)], "f"),
                     "hmf_paid": format(shares[("hmf", i)], "f") if e["mode"] == "11" else ""})
        by_heading: dict[str, Decimal] = {}
        for c in line.charges:
            if c.heading.startswith("99"):
                by_heading[c.heading] = by_heading.get(c.heading, Decimal(0)) + c.amount
        for d in line.declarations:
            by_heading.setdefault(d.heading, Decimal(0))
        for heading in line.reporting_order:
            if heading in by_heading:
                rows.append({**common, "line_number": i + 1, "hts": heading, "entered_value": "",
                             "duty_paid": format(by_heading.pop(heading), "f"), "quantity": "", "unit": "",
                             "mpf_paid": "", "hmf_paid": ""})
        for heading, amount in by_heading.items():
            rows.append({**common, "line_number": i + 1, "hts": heading, "entered_value": "",
                         "duty_paid": format(amount, "f"), "quantity": "", "unit": "", "mpf_paid": "", "hmf_paid": ""})
    return rows


def _plant_errors(rows: list[dict]) -> None:
    """A few mistakes an auditor should find (each described in examples/README.md)."""
    def first(pred):
        return next(i for i, r in enumerate(rows) if pred(r))

    # 1. a Section 301 row left off a Chinese line: exposure at filing and now
    i = first(lambda r: r["hts"] == "9903.88.03" and r["duty_paid"] not in ("0", "0.00"))
    rows.pop(i)
    # 2. an IEEPA deposit mistyped 100.00 too high: an overpayment at filing
    i = first(lambda r: r["hts"].startswith("9903.01.2") and r["duty_paid"] not in ("0", "0.00"))
    rows[i]["duty_paid"] = format(Decimal(rows[i]["duty_paid"]) + 100, "f")
    # 3. the MPF of a line short-paid by 5.00
    i = first(lambda r: r["mpf_paid"] and Decimal(r["mpf_paid"]) > 40)
    rows[i]["mpf_paid"] = format(Decimal(rows[i]["mpf_paid"]) - 5, "f")
    # 4. an unknown country code, 5. an impossible date, 6. a second commodity number on a line: rejected rows
    rows[len(rows) // 2]["origin"] = "XX"
    rows[len(rows) // 3]["filed_on"] = "2025-13-01"
    j = first(lambda r: r["hts"] == "6109.10.00.12")
    rows.insert(j + 1, {**rows[j], "hts": "6110.20.20.79", "duty_paid": "0.00"})


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=None)
    parser.add_argument("--rows", type=int, default=None, help="Stop at about this many tariff rows.")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--errors", action="store_true")
    parser.add_argument("-o", "--output", required=True)
    args = parser.parse_args(argv)
    engine = Engine()
    rng = random.Random(args.seed)
    cutoff = engine.rules.knowledge_cutoff
    rows: list[dict] = []
    target_entries = args.entries or 10**9
    for n, e in enumerate(_entries(target_entries, rng, dt.date(2024, 1, 2), dt.date(2026, 6, 30))):
        rows.extend(_rows_of(engine, e, cutoff))
        if args.rows and len(rows) >= args.rows:
            break
    if args.errors:
        _plant_errors(rows)
    with open(args.output, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMN_NAMES, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} rows to {args.output}", file=sys.stderr)


if __name__ == "__main__":
    main()

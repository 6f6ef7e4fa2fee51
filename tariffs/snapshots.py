"""Golden snapshots of quotes over a matrix of (HTS, origin) x entry dates, reviewed as diffs.

The dates are derived from the rules themselves: for each product, every valid_from and
valid_to of a measure that can touch it (scope and origin), the day before and the day of.
Each date is quoted twice — as the rules were known at the entry date, and as known at the
ruleset's knowledge cutoff — and written as one text line per (date, view), so a rules
change shows up as a readable diff.

    python3 -m tariffs.snapshots --update     # rewrite tests/snapshots/*.txt
    python3 -m tariffs.snapshots --check      # exit 1 listing files that differ
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from tariffs.engine.pipeline import Engine
from tariffs.errors import InputError
from tariffs.rules.ruleset import RuleSet, load_rules

DEFAULT_DIR = Path(__file__).resolve().parents[1] / "tests" / "snapshots"


def load_matrix(folder: Path) -> list[dict]:
    return json.loads((folder / "matrix.json").read_text())["products"]


def edge_dates(rules: RuleSet, product: dict) -> list[dt.date]:
    hts = product["hts"].replace(".", "")
    first = rules.earliest_date
    last = max(f.valid_to or dt.date(2100, 1, 1) for f in rules.fees if f.program == "mpf") - dt.timedelta(1)
    days: set[dt.date] = {first}
    for m in rules.candidates(hts):
        for edge in (m.valid_from, m.valid_to, m.entered_before):
            if edge and first < edge <= last:
                days.update({edge - dt.timedelta(days=1), edge})
    for fee in rules.fees:
        if fee.program == "mpf" and first < fee.valid_from <= last:
            days.update({fee.valid_from - dt.timedelta(days=1), fee.valid_from})
    return sorted(d for d in days if first <= d <= last)


def summarise(quote) -> str:
    parts = []
    for line in quote.lines:
        for c in line.charges:
            parts.append(f"{c.program} {c.heading} {c.amount}")
        parts += [f"-{n.program} {n.heading}" for n in line.not_applied if n.program != "mfn"]
        parts += [f"0% {d.heading}" for d in line.declarations]
    parts += [f"{f.program} {f.amount}" for f in quote.entry_charges]
    parts.append(f"duties {quote.totals.duties}")
    if quote.totals.refundable:
        parts.append(f"refundable {quote.totals.refundable}")
    return " | ".join(parts)


def render(rules: RuleSet, product: dict) -> str:
    engine = Engine(rules)
    cutoff = rules.knowledge_cutoff.isoformat()
    out = [f"# {product['hts']} from {product['origin']}: {product.get('label', '')}",
           f"# line: {json.dumps({k: v for k, v in product.items() if k != 'label'}, sort_keys=True)}",
           f"# views: 'filed' = known at the end of the entry date; 'known' = known at the cutoff {cutoff}"]
    for day in edge_dates(rules, product):
        line = {k: v for k, v in product.items() if k not in ("label", "mode")}
        shipment = {"destination": "US", "entry_date": day.isoformat(), "mode": product.get("mode", "ocean"),
                    "lines": [line]}
        for view, known in (("filed", day.isoformat()), ("known", cutoff)):
            if view == "known" and day > rules.knowledge_cutoff:
                continue
            try:
                text = summarise(engine.quote(shipment, known_at=known))
            except InputError as exc:
                text = f"ERROR {exc}"
            out.append(f"{day} {view:<5} {text}")
    return "\n".join(out) + "\n"


def file_name(product: dict) -> str:
    return f"{product['hts'].replace('.', '')}_{product['origin']}{product.get('suffix', '')}.txt"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--rules", default=None)
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--update", action="store_true")
    mode.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    rules = load_rules(args.rules)
    differ = []
    for product in load_matrix(args.dir):
        path = args.dir / file_name(product)
        text = render(rules, product)
        if args.update:
            path.write_text(text)
        elif not path.is_file() or path.read_text() != text:
            differ.append(path.name)
    if differ:
        print("snapshots differ (review, then run python3 -m tariffs.snapshots --update): " + ", ".join(differ))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

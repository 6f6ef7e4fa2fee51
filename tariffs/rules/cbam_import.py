"""Import the Commission's CBAM default values and Column B benchmarks into rules_data/eu/cbam/.

Sources (`../shared/data/cbam_commission_2026/`, see its README): the workbook "DVs as adopted" of
Implementing Regulation (EU) 2025/2621 and the Column B benchmarks of Implementing Regulation (EU)
2025/2620, as converted to CSV.

Outputs:
- `default_values.csv`: `cn,country,route,value_2026,value_2027,value_2028,total` — one row per row
  of the workbook; `country` is the ISO code (`OTHER` for "Other Countries and Territories");
  `value_<year>` is the per-year default value including mark-up **as printed in the Annex**: the
  workbook's figure rounded to two decimals, half-up (China 7208, 2026: 3.505582 -> 3.51); empty
  where the workbook gives no value; `route` is the letter of the production route that
  determines the benchmark; `total` is the workbook's base total (without mark-up), for reference.
- `benchmarks.csv`: `cn,route,value` — Column B per CN8 and route (`C`, `F1` for "(F)(1)",
  `1` for "(1)", empty when the code has one benchmark).

    python3 -m tariffs.rules.cbam_import DEFAULTS.csv BENCHMARKS.csv [RULES_DIR]
"""
from __future__ import annotations

import csv
import re
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pycountry

from tariffs.rules.ruleset import default_rules_path

YEARS = (2026, 2027, 2028)
NAMES = {  # the workbook's English names that pycountry does not resolve as written
    "_Other Countries and Territorie": "OTHER", "Democratic Republic of the Cong": "CD", "Congo": "CG",
    "Myanmar_Burma": "MM", "Türkiye": "TR", "Iran": "IR", "North Korea": "KP", "South Korea": "KR", "Laos": "LA",
    "Russia": "RU", "Syria": "SY", "Taiwan": "TW", "Vietnam": "VN", "Bolivia": "BO", "Moldova": "MD",
    "Tanzania": "TZ", "Venezuela": "VE", "Brunei": "BN", "Côte d'Ivoire": "CI", "Curaçao": "CW",
    "Hong Kong": "HK", "United Kingdom": "GB", "United States": "US", "Kosovo": "XK",
}


def iso(name: str) -> str:
    if name in NAMES:
        return NAMES[name]
    return pycountry.countries.lookup(name).alpha_2


def printed(text: str) -> str:
    """The Annex's two-decimal figure for a workbook value."""
    text = text.strip().replace(",", ".")
    return format(Decimal(text).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), "f") if text else ""


def read_defaults(path: Path) -> list[list[str]]:
    rows = []
    with open(path, encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f, delimiter=";"):
            cn = re.sub(r"\D", "", r["Product CN Code"])
            route = r["Underlying production route determining CBAM BM"].strip().strip("()")
            total = r["Default Value (total emissions)"].strip()
            values = [printed(r[f"{y} Default Value (Including mark-up)"]) for y in YEARS]
            if not total:
                # No base value: the per-year columns are then no default value either (the one known
                # misaligned row, Albania 25232100, has its direct/indirect/total there).
                values = ["", "", ""]
            rows.append([cn, iso(r["Country"].strip()), route, *values, total])
    return rows


def read_benchmarks(path: Path) -> list[list[str]]:
    rows = []
    with open(path, encoding="utf-8", newline="") as f:
        lines = f.read().splitlines()[1:]
    for line in lines:
        cn, _, value = line.partition(";")
        if not cn.strip().isdigit():
            continue  # sector heading rows and blank rows
        m = re.match(r"^\s*(\d+,\d+)\s*((?:\([A-Z0-9]\))*)\s*$", value)
        if not m:
            raise ValueError(f"{path}: cannot read benchmark {line!r}")
        route = "".join(re.findall(r"\(([A-Z0-9])\)", m.group(2)))
        rows.append([cn.strip(), route, m.group(1).replace(",", ".")])
    return rows


def write(path: Path, header: list[str], rows) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(header)
        out.writerows(rows)


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3):
        print(__doc__.strip().splitlines()[-1].strip(), file=sys.stderr)
        return 2
    root = Path(argv[2]) if len(argv) > 2 else default_rules_path()
    defaults, benchmarks = read_defaults(Path(argv[0])), read_benchmarks(Path(argv[1]))
    write(root / "eu" / "cbam" / "default_values.csv",
          ["cn", "country", "route", "value_2026", "value_2027", "value_2028", "total"], defaults)
    write(root / "eu" / "cbam" / "benchmarks.csv", ["cn", "route", "value"], benchmarks)
    print(f"{len(defaults)} default-value rows, {len(benchmarks)} benchmark rows written under {root / 'eu' / 'cbam'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

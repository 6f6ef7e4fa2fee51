"""Import the EU Common External Tariff (conventional duty per CN8) into rules_data/eu/.

Source: the comparison table the UK Department for International Trade published on 2020-12-02
beside the UK Global Tariff (`../shared/data/eu_cet_2020/uk_global_tariff_vs_eu_cet_2020.csv`), one
row per commodity code with the EU CET duty in force in 2020. Output: `eu/cn_duty_2020.csv`, one
row per CN8 code: `cn` (8 digits), `duty` (the text as published), `subdivisions` (only where the
table gives no CN8 row but 10-digit lines with different duties: `code: duty` items, `; `-separated;
`duty` is then empty and a line needs the user's rate).

    python3 -m tariffs.rules.eu_cet_import SOURCE.csv [RULES_DIR]
"""
from __future__ import annotations

import csv
import sys
from collections import defaultdict
from pathlib import Path

from tariffs.rules.ruleset import default_rules_path

OUTPUT = Path("eu") / "cn_duty_2020.csv"


def read_cet(source: Path) -> list[tuple[str, str, str]]:
    cn8: dict[str, str] = {}
    finer: dict[str, dict[str, str]] = defaultdict(dict)
    with open(source, encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            code, duty = row["commodity"].strip(), row["cet_duty_rate"].strip()
            if not code.isdigit() or not 7 <= len(code) <= 10:
                raise ValueError(f"{source}: commodity {code!r} is not a CN code")
            if len(code) <= 8:
                cn8[code.zfill(8)] = duty
            else:
                full = code.zfill(10)
                finer[full[:8]][full] = duty
    rows = [(cn, duty, "") for cn, duty in cn8.items()]
    for cn, children in finer.items():
        if cn in cn8:
            continue  # the CN8 row is the conventional rate; 10-digit rows are TARIC detail
        duties = set(children.values())
        if len(duties) == 1:
            rows.append((cn, duties.pop(), ""))
        else:
            rows.append((cn, "", "; ".join(f"{k[:4]}.{k[4:6]}.{k[6:8]}.{k[8:]}: {v}" for k, v in sorted(children.items()))))
    return sorted(rows)


def write(rows, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "w", encoding="utf-8", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["cn", "duty", "subdivisions"])
        out.writerows(rows)


def main(argv: list[str]) -> int:
    if not argv or len(argv) > 2:
        print(__doc__.strip().splitlines()[-1].strip(), file=sys.stderr)
        return 2
    root = Path(argv[1]) if len(argv) > 1 else default_rules_path()
    rows = read_cet(Path(argv[0]))
    write(rows, root / OUTPUT)
    print(f"{len(rows)} CN8 rows written to {root / OUTPUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

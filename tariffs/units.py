"""Units of quantity as the schedule prints them: the engine's canonical units (`tariffs.hts`) and the other
printed units of the HTSUS units column (rules_data/us/printed_units.csv): compound and content units
such as `Dz Pcs`, `kg cmsc`, `Au g`, `Cu kg`, `t adw`.

A printed unit is accepted on a line. It is converted to a rate's unit only when its row says how
(`rate_unit`, `factor`: a dozen pieces is 12 pcs, a cm2 is 0.0001 m2); a content unit (`Cu kg`: kilograms
of copper content) is never read as a quantity of the goods. A rate that needs a unit the line's
quantities cannot give is refused by `tariffs.engine.mfn.quantity_in`, listing `usable_for(unit)`.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from tariffs.hts import canonical_unit, known_units
from tariffs.hts import convert as convert_canonical
from tariffs.rules.ruleset import default_rules_path


@dataclass(frozen=True)
class PrintedUnit:
    printed: str
    meaning: str
    rate_unit: str | None  # the canonical unit it converts to, or None
    factor: Decimal | None
    legal_basis: str
    source: str


def _key(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().lower())


@lru_cache(maxsize=1)
def printed_units() -> dict[str, PrintedUnit]:
    """Normalised spelling (lower case, single spaces) -> its row."""
    path = default_rules_path() / "us" / "printed_units.csv"
    out = {}
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            rate_unit = row["rate_unit"].strip() or None
            if rate_unit is not None and canonical_unit(rate_unit) != rate_unit:
                raise ValueError(f"{path}: {row['printed']!r} converts to {rate_unit!r}, not a canonical unit")
            if bool(rate_unit) != bool(row["factor"].strip()):
                raise ValueError(f"{path}: {row['printed']!r}: rate_unit and factor go together")
            factor = Decimal(row["factor"]) if row["factor"].strip() else None
            out[_key(row["printed"])] = PrintedUnit(row["printed"], row["meaning"], rate_unit, factor,
                                                    row["legal_basis"], row["source"])
    return out


def understand(text) -> str | None:
    """The unit a line carries: the canonical unit, or the printed unit as the schedule spells it; None when
    neither."""
    if not isinstance(text, str) or not text.strip():
        return None
    canon = canonical_unit(text)
    if canon is not None:
        return canon
    row = printed_units().get(_key(text))
    return row.printed if row else None


def all_units() -> list[str]:
    """Every unit a line may give: canonical first, then the printed ones."""
    return known_units() + [row.printed for row in printed_units().values()]


def convert(quantity: Decimal, from_unit: str | None, to_unit: str) -> Decimal | None:
    """``quantity`` of ``from_unit`` in ``to_unit`` (exact), or None when the units are not convertible."""
    if from_unit is None:
        return None
    direct = convert_canonical(quantity, from_unit, to_unit)
    if direct is not None:
        return direct
    row = printed_units().get(_key(from_unit))
    if row is None or row.rate_unit is None:
        return None
    return convert_canonical(quantity * row.factor, row.rate_unit, to_unit)


def usable_for(unit: str) -> list[str]:
    """The units a line may give for a rate per ``unit``."""
    one = Decimal(1)
    return [u for u in all_units() if convert(one, u, unit) is not None]

"""HTS / CN code normalisation, prefixes and units of quantity."""
from __future__ import annotations

import re
from decimal import Decimal

from tariffs.errors import InputError

_CODE = re.compile(r"^[0-9][0-9.\s]*$")


def digits(code: str) -> str:
    """'7408.11.60.00' -> '7408116000'."""
    return re.sub(r"[.\s]", "", code or "")


def normalise_code(code: str, field: str, lengths=(8, 10)) -> str:
    """Digits of a tariff code given with or without dots; refuses anything else."""
    if not isinstance(code, str) or not _CODE.match(code.strip()):
        raise InputError(field, f"{code!r} is not a tariff code", "8 or 10 digits, dots optional (7408.11.60.00)")
    d = digits(code)
    if len(d) not in lengths:
        raise InputError(field, f"{code!r} has {len(d)} digits", " or ".join(str(n) for n in lengths) + " digits")
    return d


def dotted(d: str) -> str:
    """'7408116000' -> '7408.11.60.00'; '74081160' -> '7408.11.60'; '7408' -> '7408'."""
    parts = [d[:4]]
    rest = d[4:]
    while rest:
        parts.append(rest[:2])
        rest = rest[2:]
    return ".".join(parts)


def prefixes(d: str) -> list[str]:
    """All prefixes of a code from 2 digits up to itself, longest last."""
    return [d[:n] for n in range(2, len(d) + 1)]


# Units of quantity: canonical name -> spellings used by the schedule, the rate texts and users.
_UNIT_SPELLINGS = {
    "kg": ["kg", "kgs", "kilogram", "kilograms"],
    "g": ["g", "gram", "grams"],
    "t": ["t", "tonne", "tonnes", "metric ton", "metric tons", "mt"],
    "No.": ["no", "no.", "number", "each", "head", "unit", "units"],
    "doz.": ["doz", "doz.", "dozen"],
    "prs.": ["pr", "pr.", "prs", "prs.", "pair", "pairs"],
    "doz. prs.": ["doz. prs.", "doz prs", "dozen pairs"],
    "liters": ["l", "liter", "liters", "litre", "litres"],
    "pf.liters": ["pf.liter", "pf.liters", "pf. liter", "pf. liters", "proof liter", "proof liters"],
    "m2": ["m2", "m²", "square meter", "square meters"],
    "m3": ["m3", "m³", "cubic meter", "cubic meters"],
    "m": ["m", "meter", "meters", "lin. m"],
    "bbl": ["bbl", "barrel", "barrels"],
    "gross": ["gross"],
    "pcs": ["pcs", "pieces"],
    "carat": ["carat", "carats"],
    "thousands": ["thousands", "thousand", "1000"],
}
_UNIT_LOOKUP = {spelling: canon for canon, spellings in _UNIT_SPELLINGS.items() for spelling in spellings}

# Exact conversions between mass units (a rate per kg can be applied to tonnes given).
_TO_KG = {"kg": Decimal(1), "g": Decimal("0.001"), "t": Decimal(1000)}


def canonical_unit(unit: str | None) -> str | None:
    if unit is None:
        return None
    key = re.sub(r"\s+", " ", unit.strip().lower())
    return _UNIT_LOOKUP.get(key) or _UNIT_LOOKUP.get(key.rstrip("."))


def known_units() -> list[str]:
    return sorted(_UNIT_SPELLINGS)


def convert(quantity: Decimal, from_unit: str, to_unit: str) -> Decimal | None:
    """Quantity in to_unit, or None when the units are not convertible."""
    if from_unit == to_unit:
        return quantity
    if from_unit in _TO_KG and to_unit in _TO_KG:
        return quantity * _TO_KG[from_unit] / _TO_KG[to_unit]
    return None

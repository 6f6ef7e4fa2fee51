"""Exact money and rate arithmetic.

Money is ``Decimal``; amounts are rounded once, per line and per charge, to the cent,
ROUND_HALF_UP (CBP computes duty per line item and rounds to the cent; 19 CFR 159.x
practice). Nothing here ever touches a float.
"""
from __future__ import annotations

from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
ZERO = Decimal("0")


def to_decimal(value, field: str = "value") -> Decimal:
    """Parse a decimal string or int. Floats are refused: they are not exact."""
    from tariffs.errors import InputError

    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, bool) or isinstance(value, float):
        raise InputError(field, f"{value!r} is a float or bool", "a decimal string such as \"1234.56\"")
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip().replace(",", ""))
        except InvalidOperation:
            raise InputError(field, f"{value!r} is not a number", "a decimal string such as \"1234.56\"") from None
    else:
        raise InputError(field, f"{value!r} is not a number", "a decimal string such as \"1234.56\"")
    if not result.is_finite():
        raise InputError(field, f"{value!r} is not a finite number", "a decimal string such as \"1234.56\"")
    return result


def cents(amount: Decimal) -> Decimal:
    """Round to the cent, half-up."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def fmt_money(amount: Decimal) -> str:
    return str(cents(amount))


def fmt_rate(rate: Decimal) -> str:
    """A rate as a plain decimal string without exponent or needless trailing zeros."""
    return format(rate.normalize(), "f")


def ratio(numerator: Decimal, denominator: Decimal, places: int = 6) -> Decimal:
    """numerator / denominator to ``places`` decimals, half-up, without trailing zeros (0.53, not 0.530000)."""
    if denominator == 0:
        return ZERO
    value = (numerator / denominator).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return value.normalize() if value else ZERO


def allocate(total: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """Split an amount in cents over weights, pro rata, summing exactly (largest remainder).

    Each share is first rounded down to the cent; the cents left over go one each to the shares
    with the largest remainders (ties: the earlier share). All weights zero: split equally.
    """
    if not weights:
        return []
    units = int((total / CENT).to_integral_value())
    whole = sum(weights, ZERO)
    weights = list(weights) if whole > 0 else [Decimal(1)] * len(weights)
    whole = whole if whole > 0 else Decimal(len(weights))
    exact = [Decimal(units) * w / whole for w in weights]
    floors = [int(e.to_integral_value(rounding=ROUND_FLOOR)) for e in exact]
    left = units - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return [Decimal(f) * CENT for f in floors]

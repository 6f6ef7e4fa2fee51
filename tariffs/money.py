"""Exact money and rate arithmetic.

Money is ``Decimal``; amounts are rounded once, per line and per charge, to the cent,
ROUND_HALF_UP (CBP computes duty per line item and rounds to the cent; 19 CFR 159.x
practice). Arithmetic is never done in floats: a float given as input is taken by its
shortest repr, ``Decimal(repr(x))`` (0.1 is 0.1, not 0.1000000000000000055...), the one
rule for floats everywhere (money, rates, fx, quantities); see ``tariffs.model.to_number``.
"""
from __future__ import annotations

from decimal import ROUND_FLOOR, ROUND_HALF_UP, Context, Decimal, DivisionByZero, InvalidOperation, Overflow

CENT = Decimal("0.01")
ZERO = Decimal("0")
# Wide enough for any amount the bounds of tariffs.limits allow (10^13 x rates x quantities, to the
# cent): quantizing never runs out of digits.
WIDE = Context(prec=120, Emax=999_999, Emin=-999_999, traps=[InvalidOperation, DivisionByZero, Overflow])


def to_decimal(value, field: str = "value") -> Decimal:
    """Parse a decimal string (thousands commas allowed), int, Decimal or float (by its shortest repr).

    Booleans, non-numbers, non-finite values and more than limits.MAX_DIGITS digits raise InputError.
    """
    from tariffs.model import to_number

    if isinstance(value, str):
        value = value.replace(",", "")
    return to_number(value, field)


def cents(amount: Decimal) -> Decimal:
    """Round to the cent, half-up (in a context wide enough for every amount within the input bounds)."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP, context=WIDE)


def fmt_money(amount: Decimal) -> str:
    return str(cents(amount))


def fmt_rate(rate: Decimal) -> str:
    """A rate as a plain decimal string without exponent or needless trailing zeros."""
    return format(rate.normalize(), "f")


def ratio(numerator: Decimal, denominator: Decimal, places: int = 6) -> Decimal:
    """numerator / denominator to ``places`` decimals, half-up, without trailing zeros (0.53, not 0.530000)."""
    if denominator == 0:
        return ZERO
    value = (numerator / denominator).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP, context=WIDE)
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

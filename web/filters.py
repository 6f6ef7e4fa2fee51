"""Jinja filters for numbers as the trade reads them."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation


def normalize(value) -> str:
    """0.5000 -> 0.5, 50.00 -> 50, never an exponent."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    text = format(number.normalize(), "f")
    return text


def init_app(app) -> None:
    app.jinja_env.filters["normalize"] = normalize

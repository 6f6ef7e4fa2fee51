"""Safety nets at the web boundary: an arithmetic, range or depth failure from deep inside the
engine (decimal.InvalidOperation, Overflow, OverflowError, a ValueError, RecursionError) is an input
the documented bounds did not catch, not a server fault. It is answered as a typed 422
(`/api/v1/problems/unpriceable-input`) or a form page, never a 500, and logged with its traceback so
that the missing check can be added where it belongs.
"""
from __future__ import annotations

import logging

from flask import Flask, render_template, request

from tariffs import limits
from web.errors import _wants_problem, problem

log = logging.getLogger("tariffs.web")

TYPE = "/api/v1/problems/unpriceable-input"
TITLE = "Input cannot be priced"
ALLOWED = (f"money amounts 0 to {limits.MAX_MONEY:,.0f} per line, fx_rate {limits.MIN_FX_RATE} to "
           f"{limits.MAX_FX_RATE:,.0f}, ad valorem rates 0 to {limits.MAX_AD_VALOREM} (as a fraction), "
           f"quantities 0 to {limits.MAX_QUANTITY:,.0f}, at most {limits.MAX_DIGITS} significant digits, "
           f"dates {limits.MIN_DATE.isoformat()} to {limits.MAX_DATE.isoformat()}")
SAFETY_NET = (ArithmeticError, ValueError, RecursionError)


def describe(exc: BaseException) -> str:
    """What went wrong, in the user's terms (the exception's class says which kind of limit)."""
    if isinstance(exc, RecursionError):
        return "the input is nested too deeply to be read"
    if isinstance(exc, ArithmeticError):
        return "a number in the input is too large, too small or too precise to be priced exactly"
    return "a value in the input is out of range for pricing"


def init_app(app: Flask) -> None:
    def _unpriceable(exc: Exception):
        log.warning("unpriceable input on %s (%s)", request.path, type(exc).__name__, exc_info=exc)
        detail = describe(exc) + "."
        if _wants_problem():
            return problem(422, detail, field="body", allowed=ALLOWED, type=TYPE, title=TITLE)
        return render_template("error.html", status=422, title=TITLE,
                               detail=f"{detail} Allowed: {ALLOWED}."), 422

    for kind in SAFETY_NET:
        app.register_error_handler(kind, _unpriceable)

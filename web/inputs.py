"""Web-side checks of input, made before anything reaches the library: JSON bodies read strictly,
known_at checked for range, lines per quote capped. Each failure is an InputError (422) or an
ApiProblem naming the field, so that no bad input can surface later as an untyped error.

These checks do not rely on the library's own: they are the boundary of the web app.
"""
from __future__ import annotations

import datetime as dt

from flask import request

from tariffs import InputError, jsonio, limits
from web.errors import ApiProblem

KNOWN_AT_ALLOWED = (f"YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][Z|+HH:MM], between {limits.MIN_DATE.isoformat()} "
                    f"and {limits.MAX_DATE.isoformat()} (UTC)")


def known_at(value, field: str = "known_at") -> str | None:
    """A known_at as given (None or blank -> None), once it is an ISO date or datetime whose UTC instant
    falls within the documented dates. Converting an offset at the ends of the calendar overflows
    (9999-12-31T23:59:59-14:00); that is refused here as out of range, naming the field."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise InputError(field, f"a {type(value).__name__} is not an ISO date or datetime", KNOWN_AT_ALLOWED)
    text = value.strip()
    try:
        if len(text) == 10:
            day = dt.date.fromisoformat(text)
        else:
            moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
            day = (moment.astimezone(dt.timezone.utc) if moment.tzinfo else moment).date()
    except ValueError:
        raise InputError(field, f"{value!r} is not an ISO date or datetime", KNOWN_AT_ALLOWED) from None
    except OverflowError:
        raise InputError(field, f"{value!r} is outside the calendar once converted to UTC", KNOWN_AT_ALLOWED) \
            from None
    if not limits.MIN_DATE <= day <= limits.MAX_DATE:
        raise InputError(field, f"{value!r} is out of range", KNOWN_AT_ALLOWED)
    return value


def first_known_at(*candidates, field: str = "known_at") -> str | None:
    """The first given known_at among candidates (query parameter first), checked."""
    for value in candidates:
        checked = known_at(value, field)
        if checked is not None:
            return checked
    return None


def json_body(field: str = "body"):
    """The request's JSON body, read strictly (tariffs.jsonio: UTF-8, each key once, bounded depth,
    numbers as Decimal). A wrong content type is 415, text that is not JSON at all 400; a body that is
    JSON but refused (not UTF-8, a duplicate key, nested too deeply) a 422 naming the body."""
    if not is_json(request.mimetype):
        raise ApiProblem(415, f"Send the body as application/json (got {request.mimetype or 'no content type'}).",
                         field="Content-Type", allowed="application/json")
    try:
        return jsonio.loads(request.get_data(cache=False), field)
    except InputError as exc:
        if exc.message.startswith("malformed JSON"):
            raise ApiProblem(400, f"{exc.message}.", field=field, allowed=exc.allowed) from None
        raise


def is_json(mimetype: str) -> bool:
    return mimetype == "application/json" or (mimetype.startswith("application/") and mimetype.endswith("+json"))


def lines_within_cap(shipment: dict, field: str = "lines") -> None:
    """At most limits.MAX_LINES_PER_QUOTE lines in one quote: more is bulk work for the batch endpoint."""
    lines = shipment.get("lines") if isinstance(shipment, dict) else None
    cap = limits.MAX_LINES_PER_QUOTE
    if isinstance(lines, list) and len(lines) > cap:
        raise ApiProblem(413, f"{len(lines)} lines in one quote; at most {cap}. Price more lines as a batch: "
                              "POST /api/v1/batch (one row per line) or the /batch page.",
                         field=field, allowed=f"at most {cap} lines per quote")

"""`known_at`: the moment whose knowledge of the rules a quote uses (None = now, a date = the end of that day, UTC)."""
from __future__ import annotations

import datetime as dt

from tariffs import limits
from tariffs.errors import InputError
from tariffs.model import show_input

UTC = dt.timezone.utc


_KNOWN_AT = (f"a date or datetime from {limits.MIN_DATE} to {limits.MAX_DATE}: YYYY-MM-DD or "
             "YYYY-MM-DDTHH:MM[:SS][Z|+HH:MM]")


def parse_known_at(known_at, field: str = "known_at") -> dt.datetime:
    """None -> now; a date (or date string) -> the end of that day, UTC; naive datetimes are UTC.

    The date (in its own offset) must lie within limits.MIN_DATE..MAX_DATE, so that converting it to
    UTC never overflows; anything but a date, datetime or ISO string is refused.
    """
    if known_at is None:
        return dt.datetime.now(UTC)
    if isinstance(known_at, str):
        text = known_at.strip()
        if len(text) > 40 or not text.isascii():
            raise InputError(field, f"{show_input(known_at)} is not an ISO date or datetime", _KNOWN_AT)
        try:
            if len(text) == 10:
                known_at = dt.date.fromisoformat(text)
            else:
                known_at = dt.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            raise InputError(field, f"{known_at!r} is not an ISO date or datetime", _KNOWN_AT) from None
    if not isinstance(known_at, dt.date):
        raise InputError(field, f"a value of type {type(known_at).__name__} is not a date", _KNOWN_AT)
    day = known_at.date() if isinstance(known_at, dt.datetime) else known_at
    if not limits.MIN_DATE <= day <= limits.MAX_DATE:
        raise InputError(field, f"{day.isoformat()} is outside the dates accepted", _KNOWN_AT)
    if isinstance(known_at, dt.datetime):
        return known_at.replace(tzinfo=UTC) if known_at.tzinfo is None else known_at.astimezone(UTC)
    return dt.datetime.combine(known_at, dt.time.max, tzinfo=UTC)

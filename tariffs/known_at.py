"""`known_at`: the moment whose knowledge of the rules a quote uses (None = now, a date = the end of that day, UTC)."""
from __future__ import annotations

import datetime as dt

from tariffs.errors import InputError

UTC = dt.timezone.utc


def parse_known_at(known_at, field: str = "known_at") -> dt.datetime:
    """None -> now; a date (or date string) -> the end of that day, UTC; naive datetimes are UTC."""
    if known_at is None:
        return dt.datetime.now(UTC)
    if isinstance(known_at, str):
        text = known_at.strip()
        try:
            if len(text) == 10:
                known_at = dt.date.fromisoformat(text)
            else:
                known_at = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise InputError(field, f"{known_at!r} is not an ISO date or datetime",
                             "YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][Z|+HH:MM]") from None
    if isinstance(known_at, dt.datetime):
        return known_at.replace(tzinfo=UTC) if known_at.tzinfo is None else known_at.astimezone(UTC)
    if isinstance(known_at, dt.date):
        return dt.datetime.combine(known_at, dt.time.max, tzinfo=UTC)
    raise InputError(field, f"{known_at!r} is not a date", "a date, datetime or ISO string")

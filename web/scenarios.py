"""One product priced under several scenarios (origins, entry dates, zone status): the
comparison behind both the compare page and POST /api/v1/quotes/compare."""
from __future__ import annotations

import copy
import logging
import datetime as dt
from dataclasses import dataclass

import tariffs
from tariffs import InputError
from tariffs.model import Quote
from web.safety import ALLOWED, SAFETY_NET, describe

log = logging.getLogger("tariffs.web")

UNCHANGED = object()


@dataclass
class Variant:
    name: str
    origin: str | None = None
    entry_date: dt.date | str | None = None
    ftz: object = UNCHANGED  # a dict, None (no zone) or UNCHANGED
    known_at: str | None = None

    @property
    def ftz_status(self) -> str | None:
        if self.ftz is UNCHANGED:
            return None
        return (self.ftz.get("status") or "zone") if isinstance(self.ftz, dict) else "none"


@dataclass
class Outcome:
    variant: Variant
    shipment: dict
    known_at: str | None
    quote: Quote | None = None
    error: InputError | None = None


def apply(base: dict, variant: Variant) -> dict:
    shipment = copy.deepcopy(base)
    if variant.origin:
        # The product is the same; its origin changes on every line (a line's own origin
        # would otherwise win over the entry's default).
        shipment["origin"] = variant.origin
        for line in shipment.get("lines") or []:
            if isinstance(line, dict):
                line["origin"] = variant.origin
    if variant.entry_date:
        shipment["entry_date"] = str(variant.entry_date)
        # filed_on follows the entry date (the "as filed" view of that scenario).
        shipment.pop("filed_on", None)
    if variant.ftz is not UNCHANGED:
        shipment["ftz"] = variant.ftz
    return shipment


def run(base: dict, variants: list[Variant], known_at: str | None = None) -> list[Outcome]:
    outcomes = []
    for variant in variants:
        shipment = apply(base, variant)
        when = variant.known_at or known_at
        outcome = Outcome(variant, shipment, when)
        try:
            outcome.quote = tariffs.quote(shipment, known_at=when)
        except InputError as exc:
            outcome.error = exc
        except SAFETY_NET as exc:
            # A scenario the bounds did not catch (a date pushed past the calendar...) is that
            # scenario's error; the other columns are still priced.
            log.warning("scenario %r could not be priced (%s)", variant.name, type(exc).__name__, exc_info=exc)
            outcome.error = InputError("scenario", describe(exc), ALLOWED)
        outcomes.append(outcome)
    return outcomes

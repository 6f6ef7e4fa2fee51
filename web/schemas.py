"""Pydantic models of the API's own shapes (around the library's Shipment and Quote).

The OpenAPI document (web/openapi.py) is generated from these and the library's models.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tariffs import InputError
from tariffs.model import Day, Ftz, Quote, Shipment


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class QuoteRequest(Shipment):
    """A shipment in the contract's shape, optionally with the knowledge date to price it under."""

    known_at: str | None = Field(default=None, description="Date or datetime (ISO 8601) whose knowledge the "
                                 "rules are read under; a date means the end of that day. Default: now.")


class Scenario(_Model):
    """Changes to the base shipment for one column of a comparison. A field left out keeps the
    base shipment's value; `ftz: null` removes the zone admission."""

    name: str | None = Field(default=None, max_length=200)
    origin: str | None = Field(default=None, description="Country of origin for every line (ISO 3166-1 alpha-2).")
    # Day: an ISO date within the accepted years (an integer is not a Unix timestamp here either).
    entry_date: Day | None = Field(default=None, description="Entry date (filed_on then follows it).")
    ftz: Ftz | None = None
    known_at: str | None = None


class CompareRequest(_Model):
    shipment: Shipment
    scenarios: list[Scenario] = Field(min_length=1, max_length=24)
    known_at: str | None = None


class Problem(BaseModel):
    """RFC 9457 problem details; `field` is the JSON path of the offending input."""

    model_config = ConfigDict(extra="allow")
    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    field: str | None = None
    allowed: str | None = None


class RowError(_Model):
    field: str
    message: str
    allowed: str | None = None


class ScenarioResult(_Model):
    name: str
    origin: str | None = None
    entry_date: dt.date | None = None
    ftz_status: str | None = None
    known_at: str | None = None
    quote: Quote | None = None
    error: RowError | None = None
    audit_id: int | None = Field(default=None, description="The audit-log record of this scenario's quote.")


class CompareResponse(_Model):
    scenarios: list[ScenarioResult]


class BatchJsonRequest(_Model):
    """Rows with the batch file's columns (see GET /api/v1/batch/columns), as strings or numbers."""

    rows: list[dict[str, Any]] = Field(min_length=1)
    known_at: str | None = None


class BatchRow(_Model):
    row: int = Field(description="Row number as in the file (the header is row 1).")
    status: str = Field(description="ok or error")
    quote: Quote | None = None
    error: RowError | None = None
    audit_id: int | None = Field(default=None, description="The audit-log record of this row's quote.")


class BatchResponse(_Model):
    rows: list[BatchRow]
    priced: int
    errors: int


class BatchColumn(_Model):
    name: str
    required: bool
    description: str
    example: str


class RulesetSummary(_Model):
    version: str
    sha256: str
    knowledge_cutoff: dt.date
    changelog: str | None = None


class RulesetsResponse(_Model):
    current: RulesetSummary
    rulesets: list[RulesetSummary]


class _Report(BaseModel):
    # What `show_measures` reports grows with the library; new keys pass through.
    model_config = ConfigDict(extra="allow")


class MfnInfo(_Report):
    edition: str
    edition_fallback: bool
    description: str | None = None
    units: list[str]
    general: str | None = None
    special: dict[str, str]
    column2: str | None = None
    rate_from: Any = None


class MeasureVersion(_Report):
    measure_id: str
    program: str
    heading: str | None = None
    kind: str | None = None
    rate: str | None = None
    floor: str | None = None
    basis: str | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    recorded_at: dt.date | None = None
    retracted_at: dt.date | None = None
    applies: bool
    reason: str
    legal_basis: str | None = None
    source: str | None = None
    confidence: str | None = None


class StackingRule(_Report):
    stacking_id: str | None = None
    winner: str | None = None
    loser: str | None = None
    effect: str | None = None
    reason: str | None = None
    legal_basis: str | None = None


class MeasuresReport(_Report):
    """`tariffs rules show` as JSON: every measure version for the product, and whether it applies."""

    hts: str
    origin: str
    date: dt.date
    known_at: dt.datetime
    destination: str = "US"
    ruleset: dict[str, str]
    mfn: MfnInfo | None = Field(default=None, description="The HTSUS line (US only).")
    measures: list[MeasureVersion]
    stacking_in_force: list[StackingRule]
    claims_available: list[str]


def _loc(loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "body"


def input_error(exc: ValidationError, prefix: str = "") -> InputError:
    """The first pydantic error as an InputError naming the JSON path (`lines[0].hts`)."""
    first = exc.errors()[0]
    path = _loc(first["loc"])
    if prefix:
        path = prefix if path == "body" else f"{prefix}.{path}" if not path.startswith("[") else prefix + path
    cause = (first.get("ctx") or {}).get("error")
    if isinstance(cause, InputError):  # raised by a validator of tariffs.model, which knows no path
        return InputError(path, cause.message, cause.allowed)
    message = "unknown field" if first["type"] == "extra_forbidden" else first["msg"]
    allowed = (first.get("ctx") or {}).get("expected")
    return InputError(path, message, str(allowed) if allowed else None)

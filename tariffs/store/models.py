"""The audit store's tables (the schema itself is made by the Alembic migrations in
tariffs/migrations; these classes map it).

Money columns hold every amount the bounds in tariffs.limits allow (10^13 per line in any currency,
times an fx rate up to 10^6 and a rate up to 100, over 500 lines: under 10^24): NUMERIC(38, 2) on
PostgreSQL, exact decimal text on SQLite (whose NUMERIC would round through a binary float).
"""
from __future__ import annotations

import datetime as dt
import decimal
from decimal import Decimal

from sqlalchemy import Column, Integer, LargeBinary, Numeric, String, Text, UniqueConstraint
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

CENT = Decimal("0.01")
MONEY_PRECISION = 38


class Money(TypeDecorator):
    """An exact amount to the cent: NUMERIC(38, 2), or its decimal text on SQLite."""

    impl = Numeric(MONEY_PRECISION, 2)
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(MONEY_PRECISION + 2))
        return dialect.type_descriptor(Numeric(MONEY_PRECISION, 2, asdecimal=True))

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        with decimal.localcontext() as ctx:
            ctx.prec = MONEY_PRECISION + 10
            amount = Decimal(value).quantize(CENT, rounding=decimal.ROUND_HALF_UP)
        if len(amount.as_tuple().digits) > MONEY_PRECISION:
            raise ValueError(f"{amount} has more than {MONEY_PRECISION} digits")
        return format(amount, "f") if dialect.name == "sqlite" else amount

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return Decimal(value) if not isinstance(value, Decimal) else value


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class RulesetRecord(SQLModel, table=True):
    __tablename__ = "rulesets"
    id: int | None = Field(default=None, primary_key=True)
    version: str = Field(max_length=20)
    sha256: str = Field(max_length=64, unique=True, index=True)
    knowledge_cutoff: dt.date
    loaded_at: dt.datetime = Field(default_factory=_now)


class QuoteRecord(SQLModel, table=True):
    """One recorded quote. Quotes recorded by one request (a comparison's variants, a batch's rows)
    share its request_id and are numbered by position; (request_id, position) is unique, so a
    write retried after an unacknowledged commit cannot record a quote twice."""

    __tablename__ = "quotes"
    __table_args__ = (UniqueConstraint("request_id", "position", name="uq_quotes_request_position"),)
    id: int | None = Field(default=None, primary_key=True)
    created_at: dt.datetime = Field(default_factory=_now, index=True)
    destination: str = Field(max_length=2)
    entry_date: dt.date = Field(index=True)
    known_at: dt.datetime
    ruleset_sha256: str = Field(max_length=64, index=True)
    duties: Decimal = Field(sa_column=Column(Money(), nullable=False))
    landed_cost: Decimal = Field(sa_column=Column(Money(), nullable=False))
    reference: str | None = Field(default=None, max_length=200)
    shipment_json: str = Field(sa_column=Column(Text, nullable=False))
    quote_json: str = Field(sa_column=Column(Text, nullable=False))
    request_id: str = Field(max_length=36)
    position: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
    kind: str = Field(default="quote", max_length=16)
    idempotency_key: str | None = Field(default=None, max_length=200, index=True)


class IdempotencyRecord(SQLModel, table=True):
    """The response given to a request sent with an Idempotency-Key, stored in the same transaction
    as the quotes it recorded: a retry with that key gets this response and records nothing."""

    __tablename__ = "idempotency_keys"
    key: str = Field(sa_column=Column(String(200), primary_key=True))
    endpoint: str = Field(max_length=100)
    request_sha256: str = Field(max_length=64)
    request_id: str = Field(max_length=36)
    status: int
    content_type: str = Field(max_length=100)
    headers_json: str = Field(sa_column=Column(Text, nullable=False))
    body: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: dt.datetime = Field(default_factory=_now)

"""The audit store (sqlmodel): rulesets seen and every quote recorded, with its input, output,
ruleset hash and known_at — so an auditor can re-run a recorded entry under another knowledge
date and see what changed.

SQLite is the embedded default (a file under $XDG_DATA_HOME/tariffs, or ~/.local/share/tariffs);
`TARIFFS_DATABASE_URL` (or the `url` argument) selects another database, e.g. PostgreSQL:
``postgresql+psycopg://user:password@host/dbname``. A failed write raises StoreError: nothing
is silently dropped.
"""
from __future__ import annotations

import datetime as dt
import json
import os
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Column, Text
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Field, Session, SQLModel, create_engine, select

from tariffs.errors import TariffsError


class StoreError(TariffsError):
    """The audit store could not be reached or written."""


class RulesetBase(SQLModel):
    version: str = Field(max_length=20)
    sha256: str = Field(max_length=64, index=True, unique=True)
    knowledge_cutoff: dt.date


class RulesetRecord(RulesetBase, table=True):
    __tablename__ = "rulesets"
    id: int | None = Field(default=None, primary_key=True)
    loaded_at: dt.datetime = Field(default_factory=lambda: dt.datetime.now(dt.timezone.utc))


class QuoteBase(SQLModel):
    destination: str = Field(max_length=2)
    entry_date: dt.date = Field(index=True)
    known_at: dt.datetime
    ruleset_sha256: str = Field(max_length=64, index=True)
    duties: Decimal = Field(max_digits=18, decimal_places=2)
    landed_cost: Decimal = Field(max_digits=18, decimal_places=2)
    reference: str | None = Field(default=None, max_length=200)


class QuoteRecord(QuoteBase, table=True):
    __tablename__ = "quotes"
    id: int | None = Field(default=None, primary_key=True)
    created_at: dt.datetime = Field(default_factory=lambda: dt.datetime.now(dt.timezone.utc), index=True)
    shipment_json: str = Field(sa_column=Column(Text, nullable=False))
    quote_json: str = Field(sa_column=Column(Text, nullable=False))


def default_url() -> str:
    env = os.environ.get("TARIFFS_DATABASE_URL")
    if env:
        return env
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "tariffs"
    return f"sqlite:///{base / 'audit.db'}"


class Store:
    def __init__(self, url: str | None = None):
        self.url = url or default_url()
        if self.url.startswith("sqlite:///") and self.url != "sqlite:///:memory:":
            Path(self.url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        try:
            self.engine = create_engine(self.url)
            SQLModel.metadata.create_all(self.engine)
        except SQLAlchemyError as exc:
            raise StoreError(f"audit store {self._safe_url()} unavailable: {exc.__class__.__name__}: "
                             f"{str(exc).splitlines()[0]}") from None

    def _safe_url(self) -> str:
        # never print a password
        if "@" in self.url and "://" in self.url:
            scheme, rest = self.url.split("://", 1)
            return f"{scheme}://***@{rest.split('@', 1)[1]}"
        return self.url

    def record(self, shipment, quote, reference: str | None = None) -> int:
        """Write one quote (and its ruleset, once) to the audit log; returns its id."""
        shipment_json = shipment if isinstance(shipment, str) else json.dumps(
            shipment.model_dump(mode="json") if hasattr(shipment, "model_dump") else shipment, default=str,
            sort_keys=True)
        try:
            with Session(self.engine) as session:
                info = quote.ruleset
                if session.exec(select(RulesetRecord).where(RulesetRecord.sha256 == info.sha256)).first() is None:
                    session.add(RulesetRecord(version=info.version, sha256=info.sha256,
                                              knowledge_cutoff=info.knowledge_cutoff))
                row = QuoteRecord(destination=quote.destination.value, entry_date=quote.entry_date,
                                  known_at=quote.known_at, ruleset_sha256=info.sha256, duties=quote.totals.duties,
                                  landed_cost=quote.totals.landed_cost, reference=reference,
                                  shipment_json=shipment_json, quote_json=quote.model_dump_json())
                session.add(row)
                session.commit()
                session.refresh(row)
                return row.id
        except SQLAlchemyError as exc:
            raise StoreError(f"audit log write failed ({self._safe_url()}): {exc.__class__.__name__}: "
                             f"{str(exc).splitlines()[0]}") from None

    def get(self, quote_id: int) -> QuoteRecord:
        with Session(self.engine) as session:
            row = session.get(QuoteRecord, quote_id)
        if row is None:
            from tariffs.errors import InputError

            raise InputError("id", f"no recorded quote {quote_id}", "an id from `tariffs audit list`")
        return row

    def list(self, limit: int = 50) -> list[QuoteRecord]:
        with Session(self.engine) as session:
            return list(session.exec(select(QuoteRecord).order_by(QuoteRecord.id.desc()).limit(limit)))

    def rulesets(self) -> list[RulesetRecord]:
        with Session(self.engine) as session:
            return list(session.exec(select(RulesetRecord).order_by(RulesetRecord.id)))


def rerun(store: Store, quote_id: int, known_at=None, engine=None) -> dict:
    """Re-price a recorded entry as known at ``known_at`` and compare it with the recorded quote."""
    from tariffs.engine.pipeline import Engine

    row = store.get(quote_id)
    engine = engine or Engine()
    fresh = engine.quote(json.loads(row.shipment_json), known_at)
    recorded = json.loads(row.quote_json)

    def per_heading(lines):
        out = {}
        for line in lines:
            for c in line["charges"]:
                key = (line["index"], c["program"], c["heading"])
                out[key] = out.get(key, Decimal(0)) + Decimal(str(c["amount"]))
        return out

    before, after = per_heading(recorded["lines"]), per_heading(fresh.model_dump(mode="json")["lines"])
    changes = [{"line": k[0], "program": k[1], "heading": k[2], "recorded": format(before.get(k, Decimal(0)), "f"),
                "now": format(after.get(k, Decimal(0)), "f"),
                "difference": format(before.get(k, Decimal(0)) - after.get(k, Decimal(0)), "f")}
               for k in sorted(set(before) | set(after)) if before.get(k, Decimal(0)) != after.get(k, Decimal(0))]
    return {"id": row.id, "recorded_known_at": recorded["known_at"], "recorded_ruleset": row.ruleset_sha256,
            "known_at": fresh.known_at.isoformat(), "ruleset": fresh.ruleset.sha256,
            "recorded_duties": recorded["totals"]["duties"], "duties_now": format(fresh.totals.duties, "f"),
            "difference": format(Decimal(recorded["totals"]["duties"]) - fresh.totals.duties, "f"),
            "changes": changes}

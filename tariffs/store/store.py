"""The Store: where quotes are written to and read from the audit log.

SQLite is the embedded default (a file under $XDG_DATA_HOME/tariffs, or ~/.local/share/tariffs);
`TARIFFS_DATABASE_URL` (or the `url` argument) selects another database, e.g. PostgreSQL:
``postgresql+psycopg://user:password@host/dbname``. A failed write raises StoreError: nothing
is silently dropped.

Faults: connections are checked before use (pool pre-ping); a write that fails on a database error
discards every pooled connection (one opened while SQLite's file was read-only stays read-only) and
is tried once more on a fresh one. Every quote carries its request's id and position, unique
together, so a retry after a commit whose acknowledgement was lost finds the rows instead of
writing them twice.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from alembic.util import CommandError
from sqlalchemy import create_engine, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError, SQLAlchemyError
from sqlmodel import Session

from tariffs.errors import InputError, TariffsError
from tariffs.store import migrate
from tariffs.store.models import IdempotencyRecord, QuoteRecord, RulesetRecord


class StoreError(TariffsError):
    """The audit store could not be reached or written."""


class StoreURLError(InputError, StoreError):
    """The audit store's URL cannot be read, or names no installed database driver: an input error (CLI exit 2),
    and a StoreError for whoever only waits for the store (the web app answers 503 audit-unavailable)."""


class IdempotencyConflict(TariffsError):
    """An Idempotency-Key already used for a different request."""

    def __init__(self, key: str):
        super().__init__(f"idempotency key {key!r} was already used for a different request")
        self.key = key


def default_url() -> str:
    env = os.environ.get("TARIFFS_DATABASE_URL")
    if env:
        return env
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "tariffs"
    return f"sqlite:///{base / 'audit.db'}"


@dataclass
class Entry:
    """One quote to record: the shipment as priced (a dict, a model or its JSON) and its quote."""

    shipment: object
    quote: object
    reference: str | None = None


@dataclass
class StoredResponse:
    """A response kept for an Idempotency-Key."""

    status: int
    content_type: str
    headers: dict[str, str]
    body: bytes
    request_sha256: str = ""
    request_id: str = ""
    replayed: bool = False


@dataclass
class Idempotency:
    """What a request sent with an Idempotency-Key stores beside its quotes."""

    key: str
    endpoint: str
    request_sha256: str
    respond: object = field(repr=False, default=None)  # callable(ids, request_id) -> StoredResponse


def _shipment_json(shipment) -> str:
    if isinstance(shipment, str):
        return shipment
    if hasattr(shipment, "model_dump"):
        shipment = shipment.model_dump(mode="json")
    return json.dumps(shipment, default=str, sort_keys=True)


class Store:
    def __init__(self, url: str | None = None, migrate_schema: bool = True):
        self.url = url or default_url()
        path = migrate.sqlite_path(self.url)
        self._rulesets_seen: set[str] = set()
        try:
            if path is not None:
                path.parent.mkdir(parents=True, exist_ok=True)
            connect_args = {"timeout": 30} if self.url.startswith("sqlite") else {}
            try:
                self.engine = create_engine(self.url, pool_pre_ping=True, connect_args=connect_args)
            except ArgumentError as exc:  # unparsable URL, unknown dialect or driver (NoSuchModuleError)
                raise StoreURLError("database URL", f"{self._safe_url()!r} cannot be used: {self._why(exc)}",
                                    "sqlite:///PATH or postgresql+psycopg://USER@HOST/DB "
                                    "(--database, --url or TARIFFS_DATABASE_URL)") from None
            if migrate_schema:
                migrate.upgrade(self.engine)
        except (SQLAlchemyError, OSError) as exc:
            raise StoreError(f"audit store {self._safe_url()} unavailable: {self._why(exc)}") from None
        except CommandError as exc:
            raise self._migration_error(exc) from None

    def _migration_error(self, exc: Exception) -> StoreError:
        # e.g. a database migrated by a newer version of tariffs: its revision is unknown here.
        return StoreError(f"audit store {self._safe_url()}: migration failed: {self._why(exc)} (this version "
                          f"of tariffs knows revisions up to {', '.join(sorted(migrate.heads()))})")

    def _safe_url(self) -> str:
        # never print a password
        if "@" in self.url and "://" in self.url:
            scheme, rest = self.url.split("://", 1)
            return f"{scheme}://***@{rest.split('@', 1)[1]}"
        return self.url

    @staticmethod
    def _why(exc: Exception) -> str:
        return f"{exc.__class__.__name__}: {(str(exc).splitlines() or [''])[0]}"

    def upgrade(self, revision: str = "heads") -> None:
        try:
            migrate.upgrade(self.engine, revision)
        except SQLAlchemyError as exc:
            raise StoreError(f"audit store {self._safe_url()}: migration failed: {self._why(exc)}") from None
        except CommandError as exc:
            raise self._migration_error(exc) from None

    # -- writing -----------------------------------------------------------------------------------

    def record(self, shipment, quote, reference: str | None = None) -> int:
        """Write one quote (and its ruleset, once) to the audit log; returns its id."""
        ids, _ = self.record_many([Entry(shipment, quote, reference)])
        return ids[0]

    def record_many(self, entries: list[Entry], kind: str = "quote", idempotency: Idempotency | None = None,
                    request_id: str | None = None) -> tuple[list[int], StoredResponse | None]:
        """Write the quotes of one request in one transaction; returns their ids and, with an
        idempotency key, the response stored with them (or the one stored by an earlier request
        with that key, in which case nothing is written and the ids are those recorded then)."""
        request_id = request_id or str(uuid.uuid4())
        last: Exception | None = None
        for attempt in range(2):
            try:
                return self._write(entries, kind, idempotency, request_id)
            except IntegrityError:
                # A retry whose first commit went through, or another request with the same key.
                found = self._already_written(request_id, len(entries), idempotency)
                if found is not None:
                    return found
                raise StoreError(f"audit log write failed ({self._safe_url()}): conflicting record") from None
            except DBAPIError as exc:
                last = exc
                self._discard_connections()
            except SQLAlchemyError as exc:
                last = exc
                break
        raise StoreError(f"audit log write failed ({self._safe_url()}): {self._why(last)}") from None

    def _discard_connections(self) -> None:
        # Pooled connections may be broken (server restarted) or stuck read-only (SQLite file made
        # unwritable while they opened): drop them all; the next use opens fresh ones.
        try:
            self.engine.dispose()
        except Exception:  # disposing is best effort; the retry reports what is wrong
            pass

    def _write(self, entries, kind, idempotency, request_id):
        with Session(self.engine) as session:
            if idempotency is not None:
                stored = self._stored(session, idempotency)
                if stored is not None:
                    return self._ids_of(session, stored), stored
            for info in {e.quote.ruleset.sha256: e.quote.ruleset for e in entries}.values():
                self._upsert_ruleset(session, info)
            rows = []
            for position, entry in enumerate(entries):
                q = entry.quote
                rows.append(QuoteRecord(
                    destination=q.destination.value, entry_date=q.entry_date, known_at=q.known_at,
                    ruleset_sha256=q.ruleset.sha256, duties=q.totals.duties, landed_cost=q.totals.landed_cost,
                    reference=entry.reference[:200] if entry.reference else None, shipment_json=_shipment_json(entry.shipment),
                    quote_json=q.model_dump_json(), request_id=request_id, position=position, kind=kind,
                    idempotency_key=idempotency.key if idempotency else None))
            session.add_all(rows)
            session.flush()
            ids = [row.id for row in rows]
            response = None
            if idempotency is not None:
                response = idempotency.respond(ids, request_id)
                session.add(IdempotencyRecord(
                    key=idempotency.key, endpoint=idempotency.endpoint, request_sha256=idempotency.request_sha256,
                    request_id=request_id, status=response.status, content_type=response.content_type,
                    headers_json=json.dumps(response.headers), body=response.body))
            session.commit()
            self._rulesets_seen.update(e.quote.ruleset.sha256 for e in entries)
            return ids, response

    def _upsert_ruleset(self, session: Session, info) -> None:
        if info.sha256 in self._rulesets_seen:
            return
        values = {"version": info.version, "sha256": info.sha256, "knowledge_cutoff": info.knowledge_cutoff,
                  "loaded_at": dt.datetime.now(dt.timezone.utc)}
        dialect = session.get_bind().dialect.name
        if dialect in ("postgresql", "sqlite"):
            insert = (postgresql if dialect == "postgresql" else sqlite).insert(RulesetRecord.__table__)
            session.execute(insert.values(**values).on_conflict_do_nothing(index_elements=["sha256"]))
        elif session.scalar(select(RulesetRecord.id).where(RulesetRecord.sha256 == info.sha256)) is None:
            session.add(RulesetRecord(**values))

    @staticmethod
    def _stored(session: Session, idempotency: Idempotency) -> StoredResponse | None:
        row = session.get(IdempotencyRecord, idempotency.key)
        if row is None:
            return None
        if row.request_sha256 != idempotency.request_sha256 or row.endpoint != idempotency.endpoint:
            raise IdempotencyConflict(idempotency.key)
        return StoredResponse(row.status, row.content_type, json.loads(row.headers_json), bytes(row.body),
                              row.request_sha256, row.request_id, replayed=True)

    @staticmethod
    def _ids_of(session: Session, stored: StoredResponse) -> list[int]:
        return list(session.scalars(select(QuoteRecord.id).where(QuoteRecord.request_id == stored.request_id)
                                    .order_by(QuoteRecord.position)))

    def _already_written(self, request_id, count, idempotency):
        try:
            with Session(self.engine) as session:
                if idempotency is not None:
                    stored = self._stored(session, idempotency)
                    if stored is not None:
                        return self._ids_of(session, stored), stored
                ids = list(session.scalars(select(QuoteRecord.id).where(QuoteRecord.request_id == request_id)
                                           .order_by(QuoteRecord.position)))
                if len(ids) == count and idempotency is None:
                    return ids, None
        except DBAPIError:
            self._discard_connections()
        return None

    # -- reading -----------------------------------------------------------------------------------

    def stored_response(self, key: str, endpoint: str, request_sha256: str) -> StoredResponse | None:
        """The response kept for ``key``; IdempotencyConflict if the key was used for another request."""
        try:
            with Session(self.engine) as session:
                return self._stored(session, Idempotency(key, endpoint, request_sha256))
        except DBAPIError as exc:
            self._discard_connections()
            raise StoreError(f"audit log unavailable ({self._safe_url()}): {self._why(exc)}") from None

    def get(self, quote_id: int) -> QuoteRecord:
        with Session(self.engine) as session:
            row = session.get(QuoteRecord, quote_id)
        if row is None:
            raise InputError("id", f"no recorded quote {quote_id}", "an id from `tariffs audit list`")
        return row

    def by_request(self, request_id: str) -> list[QuoteRecord]:
        with Session(self.engine) as session:
            return list(session.scalars(select(QuoteRecord).where(QuoteRecord.request_id == request_id)
                                        .order_by(QuoteRecord.position)))

    def list(self, limit: int = 50) -> list[QuoteRecord]:
        with Session(self.engine) as session:
            return list(session.scalars(select(QuoteRecord).order_by(QuoteRecord.id.desc()).limit(limit)))

    def count(self) -> int:
        from sqlalchemy import func

        with Session(self.engine) as session:
            return session.scalar(select(func.count()).select_from(QuoteRecord))

    def rulesets(self) -> list[RulesetRecord]:
        with Session(self.engine) as session:
            return list(session.scalars(select(RulesetRecord).order_by(RulesetRecord.id)))

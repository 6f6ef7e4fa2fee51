"""The workbench's tables in the sqlmodel store: imports, entries as filed (entries, lines, tariff
rows), runs, and each run's results per entry and per tariff number.

Entries are keyed by their entry number (lines and tariff rows carry it), so an import is a few bulk
inserts and a re-import of an entry is a delete and an insert in the same transaction. Money is the
store's exact `Money` type (NUMERIC(38, 2) on PostgreSQL, decimal text on SQLite). The schema is made
by the Alembic migration tariffs/migrations/versions/0002_workbench.py.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from tariffs.store.models import Money


def _money(nullable: bool = False):
    return Field(default=None, sa_column=Column(Money(), nullable=nullable)) if nullable else \
        Field(sa_column=Column(Money(), nullable=False))


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class EntryImport(SQLModel, table=True):
    __tablename__ = "wb_imports"
    id: int | None = Field(default=None, primary_key=True)
    filename: str = Field(max_length=255)
    sha256: str = Field(max_length=64)
    imported_at: dt.datetime = Field(default_factory=_now)
    rows_read: int
    rows_accepted: int
    entries: int
    entries_replaced: int
    rejected_json: str = Field(sa_column=Column(Text, nullable=False))


class ImportedEntry(SQLModel, table=True):
    __tablename__ = "wb_entries"
    entry_number: str = Field(primary_key=True, max_length=13)
    import_id: int = Field(index=True)
    importer: str = Field(max_length=200, index=True)
    entry_type: str = Field(max_length=10)
    entry_type_code: str = Field(max_length=10)
    entry_date: dt.date = Field(index=True)
    filed_on: dt.date
    liquidation_date: dt.date | None = None
    liquidation_status: str = Field(default="", max_length=20)
    port: str = Field(default="", max_length=4)
    mode: str = Field(max_length=10)


class ImportedLine(SQLModel, table=True):
    __tablename__ = "wb_lines"
    entry_number: str = Field(primary_key=True, max_length=13)
    line_number: int = Field(primary_key=True)
    origin: str = Field(max_length=2)
    hts: str = Field(max_length=13)
    entered_value: Decimal = _money()
    quantity: str = Field(default="", max_length=40)
    unit: str = Field(default="", max_length=20)
    mpf_paid: Decimal | None = _money(nullable=True)
    hmf_paid: Decimal | None = _money(nullable=True)


class ImportedTariffRow(SQLModel, table=True):
    __tablename__ = "wb_tariff_rows"
    entry_number: str = Field(primary_key=True, max_length=13)
    line_number: int = Field(primary_key=True)
    hts: str = Field(primary_key=True, max_length=13)
    row_number: int
    duty_paid: Decimal = _money()


class AuditRun(SQLModel, table=True):
    __tablename__ = "wb_runs"
    id: int | None = Field(default=None, primary_key=True)
    ruleset_version: str = Field(max_length=20)
    ruleset_sha256: str = Field(max_length=64, index=True)
    known_at: dt.datetime
    started_at: dt.datetime = Field(default_factory=_now)
    finished_at: dt.datetime | None = None
    status: str = Field(default="running", max_length=10)  # running | done | failed
    entries_total: int = 0
    entries_done: int = 0
    message: str = Field(default="", max_length=500)


class EntryResult(SQLModel, table=True):
    """One entry in one run: its totals, its pricing error if any, and its deadline."""
    __tablename__ = "wb_entry_results"
    __table_args__ = (UniqueConstraint("run_id", "entry_number", name="uq_wb_entry_results_run_entry"),)
    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(index=True)
    entry_number: str = Field(max_length=13)
    importer: str = Field(max_length=200)
    entry_date: dt.date
    filed_on: dt.date
    status: str = Field(max_length=10)  # priced | error
    error: str = Field(default="", max_length=500)
    paid: Decimal = _money()
    as_filed: Decimal = _money()
    as_known: Decimal = _money()
    refund: Decimal = _money()
    exposure: Decimal = _money()
    deadline_status: str = Field(default="", max_length=80)
    next_date: dt.date | None = None
    next_action: str = Field(default="", max_length=300)
    deadline_basis: str = Field(default="", max_length=300)


class HeadingResult(SQLModel, table=True):
    """One tariff number of one line (or an entry's fee, line 0) in one run: paid, as filed, as known."""
    __tablename__ = "wb_heading_results"
    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(index=True)
    entry_number: str = Field(max_length=13)
    line_number: int
    heading: str = Field(max_length=13)
    program: str = Field(max_length=30)
    paid: Decimal = _money()
    as_filed: Decimal = _money()
    as_known: Decimal = _money()
    refund: Decimal = _money()
    exposure: Decimal = _money()
    finding: str = Field(default="", max_length=300)


TABLES = [EntryImport, ImportedEntry, ImportedLine, ImportedTariffRow, AuditRun, EntryResult, HeadingResult]

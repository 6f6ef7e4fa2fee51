"""Reads and writes of the workbench tables (tariffs.workbench.models) in the audit store.

An import is one transaction: the entries it replaces are deleted and the new ones inserted
together, so a failure leaves the store as it was. A run's results are written in one transaction
when the run finishes; its progress is committed as it goes.
"""
from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from tariffs.errors import InputError
from tariffs.store import Store, StoreError
from tariffs.workbench.importer import Entry, EntryLine, ImportBatch, TariffRow
from tariffs.workbench.models import (AuditRun, EntryImport, EntryResult, HeadingResult, ImportedEntry,
                                      ImportedLine, ImportedTariffRow)

_CHUNK = 500


@dataclass
class ImportSummary:
    import_id: int
    entries: int
    rows: int
    replaced: list[str] = field(default_factory=list)
    rejected: list = field(default_factory=list)


def open_store(url: str | None = None) -> Store:
    """The audit store, its schema (the workbench tables included: migration 0002) brought up to date."""
    return Store(url)


def _chunks(items: list, size: int = _CHUNK):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _fail(store: Store, what: str, exc: SQLAlchemyError):
    raise StoreError(f"{what} failed ({store._safe_url()}): {exc.__class__.__name__}: "
                     f"{str(exc).splitlines()[0][:200]}") from None


def save_import(store: Store, batch: ImportBatch, filename: str, sha256: str) -> ImportSummary:
    """Write the accepted entries of a batch, replacing entries already stored under the same numbers."""
    numbers = [e.entry_number for e in batch.entries]
    rejected = [{"row": r.row_number, "field": r.field, "message": r.message, "entry_number": r.entry_number}
                for r in batch.rejected]
    try:
        with Session(store.engine) as session:
            replaced = []
            for chunk in _chunks(numbers):
                replaced += session.execute(select(ImportedEntry.entry_number)
                                            .where(ImportedEntry.entry_number.in_(chunk))).scalars().all()
                for table in (ImportedTariffRow, ImportedLine, ImportedEntry):
                    session.execute(delete(table).where(table.entry_number.in_(chunk)))
            record = EntryImport(filename=filename[:255], sha256=sha256, rows_read=batch.rows_read,
                                 rows_accepted=batch.rows_accepted, entries=len(batch.entries),
                                 entries_replaced=len(replaced), rejected_json=json.dumps(rejected))
            session.add(record)
            session.flush()
            entries, lines, rows = [], [], []
            for e in batch.entries:
                entries.append({"entry_number": e.entry_number, "import_id": record.id, "importer": e.importer,
                                "entry_type": e.entry_type, "entry_type_code": e.entry_type_code,
                                "entry_date": e.entry_date, "filed_on": e.filed_on,
                                "liquidation_date": e.liquidation_date, "liquidation_status": e.liquidation_status,
                                "port": e.port, "mode": e.mode})
                for line in e.lines.values():
                    lines.append({"entry_number": e.entry_number, "line_number": line.line_number,
                                  "origin": line.origin, "hts": line.hts, "entered_value": line.entered_value,
                                  "quantity": line.quantity, "unit": line.unit, "mpf_paid": line.mpf_paid,
                                  "hmf_paid": line.hmf_paid})
                    for r in line.rows:
                        rows.append({"entry_number": e.entry_number, "line_number": line.line_number, "hts": r.hts,
                                     "row_number": r.row_number, "duty_paid": r.duty_paid})
            for table, values in ((ImportedEntry, entries), (ImportedLine, lines), (ImportedTariffRow, rows)):
                for chunk in _chunks(values, 5000):
                    session.execute(insert(table.__table__), chunk)
            session.commit()
            return ImportSummary(record.id, len(entries), len(rows), sorted(replaced), batch.rejected)
    except SQLAlchemyError as exc:
        _fail(store, "import", exc)


def load_entries(store: Store, entry_numbers: list[str] | None = None) -> list[Entry]:
    """The stored entries (all, or those numbered), as importer.Entry objects, in entry-number order."""
    with Session(store.engine) as session:
        q_entries = select(ImportedEntry).order_by(ImportedEntry.entry_number)
        q_lines = select(ImportedLine)
        q_rows = select(ImportedTariffRow).order_by(ImportedTariffRow.row_number)
        if entry_numbers is not None:
            q_entries = q_entries.where(ImportedEntry.entry_number.in_(entry_numbers))
            q_lines = q_lines.where(ImportedLine.entry_number.in_(entry_numbers))
            q_rows = q_rows.where(ImportedTariffRow.entry_number.in_(entry_numbers))
        entries = {}
        for e in session.execute(q_entries).scalars():
            entries[e.entry_number] = Entry(e.entry_number, e.importer, e.entry_type, e.entry_type_code, e.entry_date,
                                            e.filed_on, e.liquidation_date, e.liquidation_status, e.port, e.mode)
        for line in session.execute(q_lines).scalars():
            entries[line.entry_number].lines[line.line_number] = EntryLine(
                line.line_number, line.origin, line.hts, line.entered_value, line.quantity, line.unit, line.mpf_paid,
                line.hmf_paid)
        for r in session.execute(q_rows).scalars():
            entries[r.entry_number].lines[r.line_number].rows.append(TariffRow(r.row_number, r.hts, r.duty_paid))
    return list(entries.values())


def last_import(store: Store) -> EntryImport | None:
    with Session(store.engine) as session:
        return session.execute(select(EntryImport).order_by(EntryImport.id.desc()).limit(1)).scalars().first()


def start_run(store: Store, version: str, sha256: str, known_at: dt.datetime, total: int) -> int:
    try:
        with Session(store.engine) as session:
            run = AuditRun(ruleset_version=version, ruleset_sha256=sha256, known_at=known_at, entries_total=total)
            session.add(run)
            session.commit()
            return run.id
    except SQLAlchemyError as exc:
        _fail(store, "run start", exc)


def progress(store: Store, run_id: int, done: int) -> None:
    with Session(store.engine) as session:
        session.execute(update(AuditRun).where(AuditRun.id == run_id).values(entries_done=done))
        session.commit()


def finish_run(store: Store, run_id: int, entry_results: list[dict], heading_results: list[dict],
               status: str = "done", message: str = "") -> None:
    try:
        with Session(store.engine) as session:
            for chunk in _chunks(entry_results, 5000):
                session.execute(insert(EntryResult.__table__), [{"run_id": run_id, **r} for r in chunk])
            for chunk in _chunks(heading_results, 5000):
                session.execute(insert(HeadingResult.__table__), [{"run_id": run_id, **r} for r in chunk])
            session.execute(update(AuditRun).where(AuditRun.id == run_id).values(
                status=status, message=message[:500], entries_done=len(entry_results),
                finished_at=dt.datetime.now(dt.timezone.utc)))
            session.commit()
    except SQLAlchemyError as exc:
        _fail(store, "writing the run's results", exc)


def fail_run(store: Store, run_id: int, message: str) -> None:
    with Session(store.engine) as session:
        session.execute(update(AuditRun).where(AuditRun.id == run_id).values(
            status="failed", message=message[:500], finished_at=dt.datetime.now(dt.timezone.utc)))
        session.commit()


def get_run(store: Store, run_id: int | None = None) -> AuditRun:
    """A run by id, or the latest finished one."""
    with Session(store.engine) as session:
        if run_id is not None:
            run = session.get(AuditRun, run_id)
        else:
            run = session.execute(select(AuditRun).where(AuditRun.status == "done")
                                  .order_by(AuditRun.id.desc()).limit(1)).scalars().first()
    if run is None:
        raise InputError("--run", f"no run {run_id}" if run_id is not None else "no finished run in the store",
                         "a run id from `tariffs audit rerun` (run one first)")
    return run


def run_results(store: Store, run_id: int) -> tuple[list[EntryResult], list[HeadingResult]]:
    with Session(store.engine) as session:
        entries = list(session.execute(select(EntryResult).where(EntryResult.run_id == run_id)
                                       .order_by(EntryResult.entry_number)).scalars())
        headings = list(session.execute(select(HeadingResult).where(HeadingResult.run_id == run_id)
                                        .order_by(HeadingResult.entry_number, HeadingResult.line_number,
                                                  HeadingResult.id)).scalars())
    return entries, headings


def results_by_entry(headings: list[HeadingResult]) -> dict[str, list[HeadingResult]]:
    out = defaultdict(list)
    for h in headings:
        out[h.entry_number].append(h)
    return out

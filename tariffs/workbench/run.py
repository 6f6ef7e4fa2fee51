"""A run: price every stored entry as filed and as known at `known_at`, reconcile, date its deadlines,
and store the results with the ruleset's version and hash.

The results are a pure function of (entries, ruleset, known_at): re-running with the same ruleset
hash and known_at gives the same result rows, and the same report bytes.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Callable

from tariffs.errors import InputError
from tariffs.known_at import parse_known_at
from tariffs.workbench import store as wb
from tariffs.workbench.deadlines import entry_deadline, load_deadlines
from tariffs.workbench.pricing import price_entries
from tariffs.workbench.reconcile import reconcile

ZERO = Decimal("0.00")


def known_at_moment(known_at, field: str = "--known-at") -> dt.datetime:
    if known_at is None or known_at == "":
        return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    parse_known_at(known_at, field)  # the library's rule: a date or datetime within limits.MIN_DATE..MAX_DATE
    if isinstance(known_at, dt.datetime):
        return known_at if known_at.tzinfo else known_at.replace(tzinfo=dt.timezone.utc)
    if isinstance(known_at, dt.date):
        return dt.datetime.combine(known_at, dt.time(23, 59, 59, 999999), dt.timezone.utc)
    text = str(known_at).strip()
    try:
        if len(text) == 10:
            return known_at_moment(dt.date.fromisoformat(text))
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InputError("--known-at", f"{text!r} is not a date or datetime", "YYYY-MM-DD or an ISO datetime") \
            from None
    return known_at_moment(value)


# Entries priced per call of tariffs.batch.quote_frame: progress is reported after each chunk.
CHUNK_ENTRIES = 500


def evaluate(entries, known_at: dt.datetime, engine, rules_root, on_progress: Callable[[int], None] | None = None,
             chunk_entries: int = CHUNK_ENTRIES):
    """Entries -> (entry result dicts, heading result dicts), in entry-number order. The entries are priced
    through `tariffs.batch.quote_frame`, one call per chunk of ``chunk_entries``."""
    deadline_rules = load_deadlines(rules_root)
    as_of = known_at.date()
    entry_rows, heading_rows = [], []
    entries = list(entries)
    done = 0
    for start in range(0, len(entries), chunk_entries):
        chunk = entries[start:start + chunk_entries]
        for entry, priced in zip(chunk, price_entries(chunk, known_at, engine)):
            done += 1
            _evaluate_entry(entry, priced, deadline_rules, as_of, entry_rows, heading_rows)
            if on_progress:
                on_progress(done)
    return entry_rows, heading_rows


def _evaluate_entry(entry, priced, deadline_rules, as_of, entry_rows, heading_rows):
    """Reconcile one priced entry and date its deadline; appends its result rows."""
    paid = sum((r.duty_paid for line in entry.lines.values() for r in line.rows), ZERO)
    paid += sum((getattr(line, fee) or ZERO for line in entry.lines.values() for fee in ("mpf_paid", "hmf_paid")),
                ZERO)
    base = {"entry_number": entry.entry_number, "importer": entry.importer, "entry_date": entry.entry_date,
            "filed_on": entry.filed_on}
    if priced.error:
        deadline = entry_deadline(deadline_rules, entry.entry_date, entry.liquidation_date,
                                  entry.liquidation_status, as_of, set())
        entry_rows.append({**base, "status": "error", "error": priced.error, "paid": paid, "as_filed": ZERO,
                           "as_known": ZERO, "refund": ZERO, "exposure": ZERO,
                           "deadline_status": deadline.status[:80], "next_date": deadline.next_date,
                           "next_action": deadline.action, "deadline_basis": deadline.basis})
    else:
        result = reconcile(entry, priced.as_filed, priced.as_known)
        refund_programs = {h.program for h in result.headings if h.refund > 0}
        deadline = entry_deadline(deadline_rules, entry.entry_date, entry.liquidation_date,
                                  entry.liquidation_status, as_of, refund_programs)
        entry_rows.append({**base, "status": "priced", "error": "; ".join(result.notes)[:500],
                           "paid": result.total("paid"),
                           "as_filed": result.total("as_filed"), "as_known": result.total("as_known"),
                           "refund": result.total("refund"), "exposure": result.total("exposure"),
                           "deadline_status": deadline.status[:80], "next_date": deadline.next_date,
                           "next_action": deadline.action, "deadline_basis": deadline.basis})
        for h in result.headings:
            heading_rows.append({"entry_number": entry.entry_number, "line_number": h.line_number,
                                 "heading": h.heading, "program": h.program, "paid": h.paid,
                                 "as_filed": h.as_filed, "as_known": h.as_known, "refund": h.refund,
                                 "exposure": h.exposure, "finding": h.finding[:300]})


class RunJob:
    """A run that has its id (so a web page can follow it) and is executed afterwards."""

    def __init__(self, store, known_at=None, engine=None):
        from tariffs.engine.pipeline import Engine

        self.store = store
        self.engine = engine or Engine()
        self.known_at = known_at_moment(known_at)
        self.entries = wb.load_entries(store)
        if not self.entries:
            raise InputError("entries", "no imported entries in the store",
                             "import a file first: tariffs audit import FILE")
        rules = self.engine.rules
        self.run_id = wb.start_run(store, rules.version, rules.sha256, self.known_at, len(self.entries))

    def execute(self, on_progress: Callable[[int, int], None] | None = None, progress_every: int = 200) -> int:
        total = len(self.entries)

        def tick(done):
            if on_progress:
                on_progress(done, total)
            if done % progress_every == 0:
                wb.progress(self.store, self.run_id, done)

        try:
            entry_rows, heading_rows = evaluate(self.entries, self.known_at, self.engine, self.engine.rules.root, tick)
            wb.finish_run(self.store, self.run_id, entry_rows, heading_rows)
        except Exception as exc:
            wb.fail_run(self.store, self.run_id, f"{type(exc).__name__}: {exc}")
            raise
        return self.run_id


def rerun(store, known_at=None, engine=None, on_progress: Callable[[int, int], None] | None = None,
          progress_every: int = 200) -> int:
    """Re-run every stored entry; returns the run id."""
    return RunJob(store, known_at, engine).execute(on_progress, progress_every)

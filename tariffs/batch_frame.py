"""quote_frame: a DataFrame of lines priced entry by entry, one row of result columns per line (see
`tariffs.batch` for the columns). Fees and freight are allocated to lines here; the engine prices entries.
"""
from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

from tariffs.batch_columns import (
    NOT_DUTY,
    RESULT_COLUMNS,
    VAT_PROGRAMS,
    field_of,
    line_of_field,
    result_columns,
    shipment_of_rows,
    text_of,
)
from tariffs.errors import InputError, RulesError
from tariffs.model import Quote
from tariffs.money import ZERO, allocate, cents
from tariffs.warncodes import warning_codes


def line_values(shown: Quote, known: Quote) -> list[dict[str, str]]:
    """One dict of result columns per line of an entry.

    ``shown`` gives the money (as known at known_at, or as filed); ``known`` (the quote as known at
    known_at) gives ``refundable``, from its retroactive changes."""
    lines = shown.lines
    values = [line.customs_value for line in lines]
    fee_shares: dict[str, list[Decimal]] = {}
    for fee in shown.entry_charges:
        if fee.program == "mpf":
            weights = [ZERO if line.index in shown._mpf_exempt_lines else line.customs_value for line in lines]
        else:
            weights = values
        shares = allocate(fee.amount, weights)
        fee_shares[fee.program] = [a + b for a, b in zip(fee_shares.get(fee.program, [ZERO] * len(lines)), shares)]
    others = allocate(shown.totals.freight_insurance_other, values)
    refund: dict[int, Decimal] = {}
    for change in known.retroactive_changes:
        refund[change.line] = refund.get(change.line, ZERO) + change.difference
    totals = shown.totals
    entry = {
        "entry_lines": str(len(lines)), "entry_customs_value": str(totals.customs_value),
        "entry_duties": str(totals.duties), "entry_fees": str(totals.fees),
        "entry_mpf": str(sum((f.amount for f in shown.entry_charges if f.program == "mpf"), cents(ZERO))),
        "entry_hmf": str(sum((f.amount for f in shown.entry_charges if f.program == "hmf"), cents(ZERO))),
        "entry_carbon": str(totals.carbon), "entry_landed_cost": str(totals.landed_cost),
        "entry_refundable": str(known.totals.refundable),
        "ruleset_version": shown.ruleset.version, "known_at_used": shown.known_at.isoformat()}
    own_warnings: dict[int, list[str]] = {}
    entry_warnings = []
    for text in shown.warnings:
        at = line_of_field(text)
        (own_warnings.setdefault(at, []) if at is not None else entry_warnings).append(text)
    out = []
    for i, line in enumerate(lines):
        by_program: dict[str, Decimal] = {}
        for charge in line.charges:
            by_program[charge.program] = by_program.get(charge.program, ZERO) + charge.amount
        carbon = cents(by_program.get("cbam", ZERO))
        vat = cents(sum((by_program.get(p, ZERO) for p in VAT_PROGRAMS), ZERO))
        fees = cents(sum((shares[i] for shares in fee_shares.values()), ZERO))
        landed = line.customs_value + others[i] + line.duty + fees + carbon
        charged = {c.heading for c in line.charges if c.program != "mfn"}
        warnings = own_warnings.get(line.index, []) + entry_warnings
        row = {"status": "ok", "error_field": "", "error": "", "path": "scalar", "duties": str(line.duty),
               "headings_charged": ";".join(h for h in line.reporting_order if h in charged),
               "headings_declared": ";".join(dict.fromkeys(d.heading for d in line.declarations)),
               "mpf": str(fee_shares.get("mpf", [cents(ZERO)] * len(lines))[i]),
               "hmf": str(fee_shares.get("hmf", [cents(ZERO)] * len(lines))[i]),
               "fees": str(fees), "carbon": str(carbon),
               "import_vat": str(vat) if shown.destination != "US" else "",
               "landed_cost": str(cents(landed)),
               "landed_cost_incl_vat": str(cents(landed + vat)) if shown.destination != "US" else "",
               "effective_duty_rate": str(line.effective_rate),
               "refundable": str(cents(refund.get(line.index, ZERO))),
               "warncodes": " ".join(warning_codes(warnings)), "warnings": " | ".join(warnings), **entry}
        for program, amount in by_program.items():
            if program not in NOT_DUTY:
                row[f"duty_{program}"] = str(cents(amount))
        out.append(row)
    return out


def error_values(exc: InputError, count: int, entry: str) -> list[dict[str, str]]:
    """The result columns of an entry that could not be priced: the row at fault names its column; the
    entry's other rows say which row failed them."""
    message = exc.message + (f" (allowed: {exc.allowed})" if exc.allowed else "")
    at = line_of_field(exc.field)
    out = []
    for i in range(count):
        if at is None or at == i:
            out.append({"status": "error", "error_field": field_of(exc.field), "error": message, "path": "scalar"})
        else:
            out.append({"status": "error", "error_field": "entry", "path": "scalar",
                        "error": f"line {at + 1} of entry {entry!r} failed: {field_of(exc.field)}: {message}"})
    return out


def entry_groups(entries: list[str]) -> list[list[int]]:
    """Positions of the rows of each entry, in the order entries first appear; an empty entry is its own."""
    groups: dict[str, list[int]] = {}
    out: list[list[int]] = []
    for position, entry in enumerate(entries):
        if not entry:
            out.append([position])
            continue
        group = groups.get(entry)
        if group is None:
            group = groups[entry] = []
            out.append(group)
        group.append(position)
    return out


def price_entry(engine, rows: list[dict], known_at=None, as_filed: bool = False, entry: str = ""):
    """The result columns of one entry's rows (and its quote, or None when it failed)."""
    values, shown, _, _ = _price_entry(engine, rows, known_at, as_filed, entry)
    return values, shown


def _price_entry(engine, rows: list[dict], known_at=None, as_filed: bool = False, entry: str = "",
                 both: bool = False):
    """(result columns, the quote shown, the quote as known, the quote as filed) of one entry; the quotes are
    None when it failed. The quote as filed is priced only when shown or asked for (``both``)."""
    try:
        shipment = shipment_of_rows(rows, entry)
        row_known = next((text_of(r.get("known_at")) for r in rows if text_of(r.get("known_at"))), "") or known_at
        quote, filed = engine.quote_pair(shipment, row_known)
        if filed is None and (as_filed or both):
            # known_at is not after the filing day: the rules as known at the end of that day
            filed_on = quote.filed_on or quote.entry_date
            filed = engine.quote(shipment, dt.datetime.combine(filed_on, dt.time.max, tzinfo=dt.timezone.utc))
        shown = filed if as_filed else quote
        return line_values(shown, quote), shown, quote, filed
    except InputError as exc:
        return error_values(exc, len(rows), entry), None, None, None
    except RulesError:
        raise  # the rules themselves failed: no row can be priced
    except Exception as exc:  # noqa: BLE001 -- one entry's failure, whatever its type, stays that entry's
        logging.getLogger("tariffs.batch").warning("entry %r could not be priced (%s)", entry, type(exc).__name__,
                                                   exc_info=exc)
        problem = InputError("row", f"could not be priced ({type(exc).__name__})",
                             "values inside the documented input bounds (README: Input bounds)")
        return error_values(problem, len(rows), entry), None, None, None


def quote_frame(frame, known_at=None, engine=None, *, as_filed: bool = False, keep_quotes: bool | str = False,
                fast=None):
    """Price every row of a DataFrame (columns of COLUMNS) and return a copy with the result columns added
    (see `tariffs.batch`). ``known_at``: as for `tariffs.quote` (a ``known_at`` column overrides it per
    entry); ``engine``: a `tariffs.Engine` (default: the current rules); ``as_filed``: money as known on the
    filing day; ``keep_quotes``: add a ``quote`` column holding each entry's `Quote` (None for rows not
    priced by the scalar engine); ``keep_quotes="both"``: instead, a ``quote_as_known`` and a
    ``quote_as_filed`` column (the entry as known at known_at and as known at the end of its filing day,
    from the same call; the workbench reconciles the two).

    ``fast``: the hook for a vectorised core, ``fast(frame, known_at, as_filed) -> DataFrame`` on the same
    index with the result columns (text, as here) for the rows it priced, ``path`` = "columnar", and any
    other ``path`` for the rows it leaves. An entry it prices only in part is priced again, whole, by the
    scalar engine, which prices every row the core leaves."""
    import pandas as pd

    from tariffs.engine.pipeline import Engine

    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"quote_frame(frame): expected a pandas DataFrame of lines, not a {type(frame).__name__}")
    engine = engine or Engine()
    records = frame.to_dict("records")
    entries = [text_of(r.get("entry")) for r in records]
    results: list[dict] = [{} for _ in records]
    quotes: list = [None] * len(records)
    known_quotes: list = [None] * len(records)
    filed_quotes: list = [None] * len(records)
    both = keep_quotes == "both"
    done = [False] * len(records)
    if fast is not None and len(frame):
        done = _fast_results(fast(frame, known_at, as_filed), frame.index, entries, results)
    for positions in entry_groups(entries):
        if all(done[p] for p in positions):
            continue
        rows = [records[p] for p in positions]
        values, shown, known, filed = _price_entry(engine, rows, known_at, as_filed, entries[positions[0]], both)
        for p, v in zip(positions, values):
            results[p], quotes[p], known_quotes[p], filed_quotes[p] = v, shown, known, filed
    columns = result_columns(results)
    priced = pd.DataFrame([[r.get(c, "") for c in columns] for r in results], index=frame.index, columns=columns,
                          dtype=object)
    ok = priced["status"] == "ok"
    for column in columns:
        if column.startswith("duty_"):
            # A program absent from a line charged it nothing: 0.00, not an empty cell (errors stay empty).
            priced.loc[ok, column] = priced.loc[ok, column].replace("", "0.00")
    if both:
        priced["quote_as_known"], priced["quote_as_filed"] = known_quotes, filed_quotes
    elif keep_quotes:
        priced["quote"] = quotes
    input_columns = [c for c in frame.columns if c not in priced.columns]
    return pd.concat([frame[input_columns], priced], axis=1)


def _fast_results(fast_frame, index, entries: list[str], results: list[dict]) -> list[bool]:
    """Take the vectorised core's rows (path "columnar") into ``results``; whole entries only."""
    fast_frame = fast_frame.reindex(index)
    taken = [path == "columnar" for path in fast_frame["path"].tolist()]
    for positions in entry_groups(entries):
        if len(positions) > 1 and not all(taken[p] for p in positions):
            for p in positions:
                taken[p] = False
    columns = [c for c in fast_frame.columns if c in RESULT_COLUMNS or c.startswith("duty_")]
    for p, row in enumerate(fast_frame[columns].itertuples(index=False, name=None)):
        if taken[p]:
            results[p] = {c: ("" if v is None or v != v else str(v)) for c, v in zip(columns, row)}
    return taken

"""price(compiled, frame, known_at) -> one priced row per input row, money in integer cents.

The pipeline of tariffs.engine (normalise -> MFN -> measures -> stacking -> amounts -> fees) as
array operations over the whole frame. Rows it cannot price exactly get ``path`` None and zero
money: the caller prices them with the scalar engine (see UNSUPPORTED).
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from tariffs.columnar.compile import Compiled
from tariffs.columnar.fees import DE_MINIMIS, entry_fees, entry_types
from tariffs.columnar.inputs import Inputs, parse_inputs
from tariffs.columnar.measures import resolve
from tariffs.columnar.mfn import price_mfn
from tariffs.columnar.stacking import amounts, stack
from tariffs.columnar.tables import distinct_small, group_reduce, sorted_unique, unique_inverse

UNSUPPORTED = (
    "destination other than US (EU and Taiwan: CBAM, VAT, zones)",
    "currency other than USD, or any fx_rate",
    "foreign-trade zone admission (ftz), AD/CVD cases, emissions, metal_origin, metal_weight_kg, mfn_rate",
    "an explicit entry_type (the automatic choice de minimis / informal / formal is priced)",
    "an HTS code not in a loaded edition, or whose applied MFN rate text is not computable",
    "a code of an earlier or later edition that the renumbering relates to other numbers of the scope edition "
    "(scopes carried across the renumbering: tariffs.rules.hts_carry)",
    "a specific MFN rate without a quantity in (or convertible to) its unit",
    "more than one special-program (SPI) claim on a line, or an SPI unknown to the rules",
    "a money amount with more than two decimals or above 10^9 USD; a quantity with more than three",
    "decimals or above 10^8 units; a date not written YYYY-MM-DD; known_at given as a datetime",
    "entry dates before the rules' earliest date, or an MPF row missing for the date",
    "an entry (rows sharing `entry`) whose rows disagree on entry_date, filed_on, mode or known_at,",
    "or any of whose rows is unsupported",
    "a measure row the compiler could not express in integers (listed in Compiled.unsupported_measures)",
)


def _known_date(known_at) -> dt.date:
    from tariffs.engine.pipeline import parse_known_at

    return parse_known_at(known_at).date()


def _headings(compiled: Compiled, x: Inputs, charge, declarations) -> pa.Array:
    """';'-joined Chapter 99 headings in CBP reporting order (rank, heading), then the HTS number."""
    n = x.n
    nh = max(len(compiled.headings), 1)
    hpos = np.empty(nh, np.int64)
    hpos[np.argsort(np.array(compiled.headings or [""], dtype=object))] = np.arange(nh)
    rank = compiled.program_rank
    # declarations: the first program that declared a heading on the row gives its rank
    d_row, d_prog, d_head = declarations
    dkey = d_row * nh + d_head
    _, _, first = unique_inverse(dkey)
    d_row, d_prog, d_head = d_row[first], d_prog[first], d_head[first]
    c_row, c_prog, c_head = charge
    row = np.concatenate([c_row, d_row]).astype(np.int64)
    rk = rank[np.concatenate([c_prog, d_prog]).astype(np.int64)].astype(np.int64)
    head = np.concatenate([c_head, d_head]).astype(np.int64)
    width = 1024 * nh
    key = sorted_unique(row * width + rk * nh + hpos[head])
    row, rest = key // width, key % width
    head_sorted = np.argsort(hpos)[rest % nh]  # back to heading index
    counts = np.bincount(row, minlength=n)
    max_k = int(counts.max()) if len(counts) else 0
    combo = np.full(n, -1, np.int64)
    texts = [""]
    if max_k:
        start = np.concatenate(([0], np.cumsum(counts)[:-1]))
        slot = np.arange(len(row)) - start[row]
        matrix = np.zeros((n, max_k), np.int64)
        matrix[row, slot] = head_sorted + 1
        if max_k * 10 <= 62 and nh < 1023:
            packed = np.zeros(n, np.int64)
            for k in range(max_k):
                packed = (packed << 10) | matrix[:, k]
            _, inverse, first_row = unique_inverse(packed)
            uniq = matrix[first_row]
        else:
            uniq, inverse = np.unique(matrix, axis=0, return_inverse=True)
        names = np.array(compiled.headings + [""], dtype=object)
        texts = [";".join(names[v - 1] for v in u if v) + (";" if u.any() else "") for u in uniq]
        combo = inverse.reshape(-1)
    prefix = pa.array(texts, type=pa.string()).take(pa.array(np.maximum(combo, 0)))
    dotted = compiled.dotted_arrow.take(pa.array(x.code))
    return pc.binary_join_element_wise(prefix, dotted, "")


def price(compiled: Compiled, frame: pd.DataFrame, known_at=None) -> pd.DataFrame:
    """Price every row of ``frame`` (the columns of tariffs.batch.COLUMNS, optional ``entry``).

    Returns a frame on the same index with ``path`` ("columnar", or None for rows to price with the
    scalar engine) and integer cents: ``duty_<program>_cents`` per program, ``duties_cents`` (the
    line), ``mpf_cents``, ``hmf_cents``, ``entry_duties_cents`` and ``landed_cost_cents`` (the
    entry's, repeated on each of its rows), and ``headings``.
    """
    known = _known_date(known_at)
    x = parse_inputs(compiled, frame, known)
    n = x.n
    mfn = price_mfn(compiled, x)
    renumbered = _carried(compiled, x)
    ok = x.ok & mfn.ok & ~renumbered
    # an entry prices together: any line it cannot price sends the whole entry to the scalar path
    bad = np.zeros(x.n_entries, bool)
    bad[x.entry[~ok]] = True
    ok &= ~bad[x.entry]
    value = np.where(ok, x.value, 0)
    order = True if "entry" in frame.columns else None
    entry_value = _entry_sum(x, value, order)
    rows = np.nonzero(ok)[0]
    pairs, declared = resolve(compiled, x, rows, entry_value[x.entry])
    # rows hitting a measure the compiler could not express go to the scalar path
    unsupported = ~compiled.m["supported"][pairs.measure]
    if unsupported.any():
        ok[pairs.row[unsupported]] = False
    alive, stack_declared, covers = stack(compiled, x, pairs)
    c_row, c_prog, c_head, c_cents = amounts(compiled, x, pairs, alive, covers, mfn.ad_valorem)
    programs = compiled.programs
    line_duty = mfn.cents.copy()
    by_program = {}
    for p in distinct_small(c_prog):
        sel = c_prog == p
        by_program[programs[p]] = _row_sum(n, c_row[sel], c_cents[sel])
        line_duty += by_program[programs[p]]
    # entry: type, fees, landed cost
    first = _entry_first(x, order)
    e_day, e_known, e_mode = x.day[first], x.known[first], x.mode[first]
    kind = entry_types(compiled, x, entry_value, e_day, e_known)
    de_minimis = (kind == DE_MINIMIS)[x.entry]
    mpf_base = _entry_sum(x, np.where(mfn.mpf_exempt, 0, value), order)
    mpf, hmf, fee_ok = entry_fees(compiled, x, kind, e_day, e_known, e_mode, entry_value, mpf_base)
    ok &= fee_ok[x.entry]
    bad = np.zeros(x.n_entries, bool)
    bad[x.entry[~ok]] = True
    ok &= ~bad[x.entry]
    line_duty = np.where(de_minimis, 0, line_duty)
    entry_duties = _entry_sum(x, np.where(ok, line_duty, 0), order)
    fio = _entry_sum(x, np.where(ok, x.fio, 0), order)
    landed = entry_value + fio + entry_duties + mpf + hmf
    out = {}
    zero = np.zeros(n, np.int64)
    out["duty_mfn_cents"] = np.where(ok & ~de_minimis, mfn.cents, 0)
    out["renumbered"] = renumbered  # left to the scalar engine: scopes carried across the renumbering
    for name in sorted({programs[p] for p in set(compiled.m["program"].tolist())}):
        out[f"duty_{name}_cents"] = np.where(ok & ~de_minimis, by_program.get(name, zero), 0)
    out["duties_cents"] = np.where(ok, line_duty, 0)
    out["entry_duties_cents"] = np.where(ok, entry_duties[x.entry], 0)
    out["mpf_cents"] = np.where(ok, mpf[x.entry], 0)
    out["hmf_cents"] = np.where(ok, hmf[x.entry], 0)
    out["landed_cost_cents"] = np.where(ok, landed[x.entry], 0)
    headings = _headings(compiled, x, (c_row, c_prog, c_head),
                         tuple(np.concatenate([a, b]).astype(np.int64) for a, b in zip(declared, stack_declared)))
    headings = pc.if_else(pa.array(ok), headings, pa.scalar(None, pa.string()))
    result = pd.DataFrame(out, index=frame.index)
    result.insert(0, "path", pd.Series(np.where(ok, "columnar", None), index=frame.index, dtype=object))
    result["headings"] = pd.array(headings, dtype="string[pyarrow]") if n else pd.array([], dtype="string")
    return result


def _row_sum(n: int, rows: np.ndarray, cents: np.ndarray) -> np.ndarray:
    return group_reduce(np.add, rows, cents.astype(np.int64), n, 0)


def _entry_sum(x: Inputs, values: np.ndarray, order) -> np.ndarray:
    if order is None:
        return values.astype(np.int64).copy()
    return group_reduce(np.add, x.entry, values.astype(np.int64), x.n_entries, 0)


def _entry_first(x: Inputs, order) -> np.ndarray:
    """The first row of each entry."""
    if order is None:
        return np.arange(x.n)
    return group_reduce(np.minimum, x.entry, np.arange(x.n, dtype=np.int64), x.n_entries, x.n)


def _carried(compiled: Compiled, x) -> np.ndarray:
    """Rows whose number the renumbering relates to scope numbers of another edition (scalar path)."""
    from tariffs.columnar.mfn import _edition_of

    edition = _edition_of(compiled, x)
    out = np.zeros(x.n, bool)
    for e, ed in enumerate(compiled.editions):
        if ed.carried is None or not ed.carried.any():
            continue
        on = x.ok & (edition == e)
        out[on] = ed.carried[x.code[on]]
    return out

"""Per entry, vectorised: the entry type (de minimis, informal, formal: tariffs.engine.entry_type) and
the MPF (rate with the fiscal year's minimum and maximum, or the informal flat fee) and HMF
(tariffs.engine.fees), in integer cents rounded half-up."""
from __future__ import annotations

import numpy as np

from tariffs.columnar.compile import Compiled
from tariffs.columnar.inputs import MODES, Inputs
from tariffs.columnar.tables import RATE_SCALE, distinct_small, round_half_up

FORMAL, INFORMAL, DE_MINIMIS = 0, 1, 2


def _first_row(rows: list[dict], day: np.ndarray, known: np.ndarray):
    """Index (into rows) of the first row in force on ``day`` and known at ``known``; -1 none."""
    chosen = np.full(len(day), -1, np.int64)
    for i, row in enumerate(rows):
        hit = (chosen < 0) & (row["vf"] <= day) & (day < row["vt"]) & (row["rf"] <= known) & (known < row["rt"])
        chosen[hit] = i
    return chosen


def entry_types(compiled: Compiled, x: Inputs, entry_value: np.ndarray, e_day, e_known) -> np.ndarray:
    """The entry type the scalar engine chooses when none is given: de minimis, else informal, else formal."""
    kind = np.full(x.n_entries, FORMAL, np.int64)
    test = compiled.origin_test
    for code, name in ((DE_MINIMIS, "de_minimis"), (INFORMAL, "informal")):
        rows = [r for r in compiled.entry_types if r["kind"] == name]
        chosen = _first_row(rows, e_day, e_known)
        if not rows:
            continue
        allowed = chosen >= 0
        c = np.maximum(chosen, 0)
        max_value = np.array([r["max_value"] for r in rows], np.int64)[c]
        allowed &= entry_value <= max_value
        # every line's origin covered by the row's origins and not by its exceptions
        line_row = c[x.entry]
        origins = np.array([r["origins"] for r in rows], np.int64)[line_row]
        excepts = np.array([r["except_origins"] for r in rows], np.int64)[line_row]
        line_ok = test.matches(origins, x.origin, x.day, x.known)
        has_ex = excepts >= 0
        if has_ex.any():
            sub = np.nonzero(has_ex)[0]
            line_ok[sub] &= ~test.matches(excepts[sub], x.origin[sub], x.day[sub], x.known[sub])
        bad = np.zeros(x.n_entries, bool)
        bad[x.entry[~line_ok]] = True
        allowed &= ~bad
        kind = np.where((kind == FORMAL) & allowed, code, kind)
    # de minimis is tried first: keep it where both qualify
    return kind


def _fee(compiled: Compiled, program: str, entry_type: str, day, known):
    """tariffs.engine.fees._fee per entry: (row index into compiled.fees, found); the in-force row, else
    the latest earlier row known (an estimate)."""
    rows = [(i, f) for i, f in enumerate(compiled.fees) if f["program"] == program and entry_type in f["entry_types"]]
    chosen = np.full(len(day), -1, np.int64)
    for i, f in rows:
        hit = (chosen < 0) & (f["vf"] <= day) & (day < f["vt"]) & (f["rf"] <= known) & (known < f["rt"])
        chosen[hit] = i
    # estimate: sorted by valid_from (stable), the last known row with valid_from <= day
    best_from = np.full(len(day), np.iinfo(np.int64).min)
    estimate = np.full(len(day), -1, np.int64)
    for i, f in sorted(rows, key=lambda t: t[1]["vf"]):
        hit = (f["rf"] <= known) & (known < f["rt"]) & (f["vf"] <= day) & (f["vf"] >= best_from)
        estimate[hit] = i
        best_from[hit] = f["vf"]
    return np.where(chosen >= 0, chosen, estimate)


def entry_fees(compiled: Compiled, x: Inputs, kind, e_day, e_known, e_mode, e_value, e_mpf_base):
    """(mpf cents, hmf cents, ok) per entry; ok False where the scalar engine refuses (no MPF row)."""
    mpf = np.zeros(x.n_entries, np.int64)
    hmf = np.zeros(x.n_entries, np.int64)
    ok = np.ones(x.n_entries, bool)
    fees = compiled.fees
    for code, name in ((FORMAL, "formal"), (INFORMAL, "informal")):
        sel = kind == code
        if not sel.any():
            continue
        idx = np.nonzero(sel)[0]
        row = _fee(compiled, "mpf", name, e_day[idx], e_known[idx])
        ok[idx[row < 0]] = False
        for i in distinct_small(row[row >= 0]):
            f = fees[i]
            sub = idx[row == i]
            base = e_mpf_base[sub]
            if f["rate"] is None:
                ok[sub] = False
                continue
            amount = round_half_up(base * f["rate"], RATE_SCALE)
            if f["minimum"] is not None:
                amount = np.maximum(amount, f["minimum"])
            if f["maximum"] is not None:
                amount = np.minimum(amount, f["maximum"])
            mpf[sub] = np.where(base > 0, amount, 0)
        row = _fee(compiled, "hmf", name, e_day[idx], e_known[idx])
        for i in distinct_small(row[row >= 0]):
            f = fees[i]
            sub = idx[row == i]
            modes = f["modes"]
            applies = np.ones(len(sub), bool) if "ALL" in modes else np.isin(np.array(MODES)[e_mode[sub]], modes)
            if f["rate"] is None:
                ok[sub] = False
                continue
            hmf[sub] = np.where(applies & (e_value[sub] > 0), round_half_up(e_value[sub] * f["rate"], RATE_SCALE), 0)
    return mpf, hmf, ok

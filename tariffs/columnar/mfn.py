"""MFN per row, vectorised: the HTS edition, column 1 general / special (one claimed SPI) / column 2,
the rate's ad valorem and specific components, and the amount in cents (the same rules as
tariffs.engine.mfn)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tariffs.columnar.compile import MAX_SPECIFICS, Compiled, RateTable
from tariffs.columnar.inputs import Inputs
from tariffs.columnar.tables import NANO_PER_CENT, round_half_up


@dataclass
class MfnResult:
    ad_valorem: np.ndarray  # millionths: the rate applied (for "floor" measures)
    cents: np.ndarray
    mpf_exempt: np.ndarray
    ok: np.ndarray  # False: the scalar engine refuses the row or decides it in a way not compiled


def _edition_of(compiled: Compiled, x: Inputs) -> np.ndarray:
    """RuleSet.edition_for per row: the last edition in force among those published by known_at."""
    eds = compiled.editions
    chosen = np.full(x.n, -1, np.int64)
    first_known = np.full(x.n, -1, np.int64)
    for i, ed in enumerate(eds):
        known = ed.published <= x.known
        first_known = np.where((first_known < 0) & known, i, first_known)
        chosen = np.where(known & (ed.effective <= x.day), i, chosen)
    first_known = np.where(first_known < 0, 0, first_known)  # nothing published yet: the first edition
    return np.where(chosen < 0, first_known, chosen)


def quantity_in(x: Inputs, compiled: Compiled, rows: np.ndarray, unit: np.ndarray):
    """(thousandths of ``unit``, found) for each row: the first quantity given in it or convertible."""
    milli = np.zeros(len(rows), np.int64)
    found = np.zeros(len(rows), bool)
    to_kg = compiled.unit_to_kg
    mass = np.zeros(max(len(compiled.units), 1) + 1, np.int64)
    for u, f in to_kg.items():
        mass[u] = f
    for q, have, given in x.quantities:
        qr, hr, gr = q[rows], have[rows], given[rows]
        same = gr & (hr == unit) & ~found
        milli = np.where(same, qr, milli)
        found |= same
        hr_mass = np.where((hr >= 0) & (hr < len(mass)), mass[np.clip(hr, 0, len(mass) - 1)], 0)
        want_mass = mass[np.clip(unit, 0, len(mass) - 1)] * (unit >= 0)
        conv = gr & ~found & (hr_mass > 0) & (want_mass > 0)
        num = qr * hr_mass
        exact = conv & (num % np.maximum(want_mass, 1) == 0)
        milli = np.where(exact, num // np.maximum(want_mass, 1), milli)
        # a conversion that leaves a fraction of a thousandth: the scalar engine prices it
        found |= conv
        milli = np.where(conv & ~exact, -1, milli)
    return milli, found


LIMIT = 2**62


def rate_cents(x: Inputs, compiled: Compiled, rows: np.ndarray, av: np.ndarray, spec: np.ndarray,
               unit: np.ndarray):
    """(cents, ok): av x value + sum(specific x quantity), rounded once, half-up."""
    total = av * x.value[rows]
    ok = np.ones(len(rows), bool)
    for j in range(MAX_SPECIFICS):
        sub = np.nonzero(unit[:, j] >= 0)[0]
        if not len(sub):
            continue
        milli, found = quantity_in(x, compiled, rows[sub], unit[sub, j].astype(np.int64))
        # specific x quantity must stay inside int64 (1e-8 USD units): larger lines go to the scalar engine
        priced = found & (milli >= 0) & (milli <= LIMIT // np.maximum(spec[sub, j], 1))
        ok[sub] &= priced
        total[sub] += np.where(priced, spec[sub, j] * milli, 0)
    return round_half_up(total, NANO_PER_CENT), ok


def _take(table: RateTable, idx: np.ndarray):
    return table.ok[idx], table.ad_valorem[idx], table.specific[idx], table.unit[idx]


def price_mfn(compiled: Compiled, x: Inputs) -> MfnResult:
    n = x.n
    edition = _edition_of(compiled, x)
    ok = np.zeros(n, bool)
    av = np.zeros(n, np.int64)
    spec = np.zeros((n, MAX_SPECIFICS), np.int64)
    unit = np.full((n, MAX_SPECIFICS), -1, np.int16)
    mpf_exempt = np.zeros(n, bool)
    test = compiled.origin_test
    denied = test.matches(np.full(n, compiled.ntr_denied), x.origin, x.day, x.known)
    n_ind = len(compiled.indicators)
    for e, ed in enumerate(compiled.editions):
        on = x.ok & (edition == e)
        present = np.zeros(n, bool)
        present[on] = ed.present[x.code[on]]
        on &= present
        column = np.where(denied, 2, 0)  # 0 general, 1 special, 2 column 2
        special_slot = np.full(n, -1, np.int64)
        claimed = on & ~denied & (x.spi >= 0)
        if claimed.any():
            rows = np.nonzero(claimed)[0]
            ind = x.spi[rows]
            exempt = np.zeros(len(rows), bool)
            eligible = np.full(len(rows), -1, np.int64)
            found = np.zeros(len(rows), bool)
            for i, programs in compiled.special_programs.items():
                mine = ind == i
                for p in programs:  # the first row in force and known, as the scalar engine takes
                    hit = mine & ~found & (p["vf"] <= x.day[rows]) & (x.day[rows] < p["vt"]) & \
                        (p["rf"] <= x.known[rows]) & (x.known[rows] < p["rt"])
                    eligible = np.where(hit, p["eligible"], eligible)
                    exempt = np.where(hit, p["mpf_exempt"], exempt)
                    found |= hit
            program_ok = found & (eligible >= 0)
            program_ok[program_ok] = test.matches(eligible[program_ok], x.origin[rows][program_ok],
                                                  x.day[rows][program_ok], x.known[rows][program_ok])
            key = x.code[rows] * n_ind + ind
            pos = np.searchsorted(ed.special_keys, key)
            pos_c = np.minimum(pos, max(len(ed.special_keys) - 1, 0))
            listed = (pos < len(ed.special_keys)) & (ed.special_keys[pos_c] == key) if len(ed.special_keys) else \
                np.zeros(len(rows), bool)
            text_rate = listed & ed.special_text[pos_c] if len(ed.special_keys) else listed
            free_anyway = program_ok & ~listed & ed.general_free[x.code[rows]]
            granted = program_ok & listed & ~text_rate
            column[rows[granted]] = 1
            special_slot[rows[granted]] = pos_c[granted]
            mpf_exempt[rows[granted]] = exempt[granted]
            mpf_exempt[rows[free_anyway]] |= exempt[free_anyway]
        for c, table in ((0, ed.general), (2, ed.column2)):
            sel = on & (column == c)
            idx = x.code[sel]
            ok[sel], av[sel], spec[sel], unit[sel] = _take(table, idx)
        sel = on & (column == 1)
        ok[sel], av[sel], spec[sel], unit[sel] = _take(ed.special, special_slot[sel])
    rows = np.nonzero(ok)[0]
    cents = np.zeros(n, np.int64)
    amount, priced = rate_cents(x, compiled, rows, av[rows], spec[rows], unit[rows])
    cents[rows] = amount
    ok[rows] = priced
    return MfnResult(ad_valorem=av, cents=np.where(ok, cents, 0), mpf_exempt=mpf_exempt, ok=ok)

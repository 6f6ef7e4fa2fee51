"""The stacking table (rules_data/us/stacking.csv) over all rows at once, rule by rule in file order
(a loop over the rules, not the rows), then the amounts of the charges that remain: content and
non-content bases, U.S.-content relief, floors ("all-in" rates), integer cents rounded half-up."""
from __future__ import annotations

import numpy as np

from tariffs.columnar.compile import METAL_OF_BASIS, Compiled
from tariffs.columnar.inputs import Inputs
from tariffs.columnar.measures import Pairs
from tariffs.columnar.tables import RATE_SCALE, round_half_up, sorted_unique


def stack(compiled: Compiled, x: Inputs, pairs: Pairs):
    """(alive mask over pairs, declarations (row, program, heading), covers (loser pair, winner pair))."""
    M = compiled.m
    r, m = pairs.row, pairs.measure
    alive = np.ones(len(r), bool)
    decl = ([], [], [])
    cover_l, cover_w = [], []
    has = np.zeros(x.n, bool)
    for rule in compiled.stacking:
        w = alive & rule["winner"][m]
        if not w.any():
            continue
        wi = np.nonzero(w)[0]
        wr = r[wi]
        d, k = x.day[wr], x.known[wr]
        applies = (rule["vf"] <= d) & (d < rule["vt"]) & (rule["rf"] <= k) & (k < rule["rt"])
        if applies.any():
            sub = np.nonzero(applies)[0]
            applies[sub] = compiled.origin_test.matches(np.full(len(sub), rule["origins"]), x.origin[wr[sub]],
                                                        d[sub], k[sub])
        wi, wr = wi[applies], wr[applies]
        if not len(wi):
            continue
        has[wr] = True
        li = np.nonzero(alive & rule["loser"][m] & ~rule["winner"][m] & has[r])[0]
        if len(li):
            if rule["skip"]:
                alive[li] = False
            else:
                order = np.argsort(wr, kind="stable")
                wi_sorted, wr_sorted = wi[order], wr[order]
                lo = np.searchsorted(wr_sorted, r[li], "left")
                hi = np.searchsorted(wr_sorted, r[li], "right")
                count = hi - lo
                offs = np.repeat(lo - np.concatenate(([0], np.cumsum(count)[:-1])), count) + np.arange(count.sum())
                cover_l.append(np.repeat(li, count))
                cover_w.append(wi_sorted[offs])
            if rule["declare"] >= 0:
                decl[0].append(r[li])
                decl[1].append(M["program"][m[li]])
                decl[2].append(np.full(len(li), rule["declare"]))
        has[wr] = False
    declarations = tuple(np.concatenate(a) if a else np.zeros(0, np.int64) for a in decl)
    covers = (np.concatenate(cover_l) if cover_l else np.zeros(0, np.int64),
              np.concatenate(cover_w) if cover_w else np.zeros(0, np.int64))
    return alive, declarations, covers


def content_base(compiled: Compiled, x: Inputs, r: np.ndarray, basis: np.ndarray) -> np.ndarray:
    """tariffs.engine.amounts.content_base: the value, or the declared metal content (0 when the line
    declares other metals only, the full value when it declares none)."""
    value = x.value[r]
    base = value.copy()
    any_metal = np.zeros(len(r), bool)
    for cents, given in x.content.values():
        any_metal |= given[r]
    for code, metal in METAL_OF_BASIS.items():
        sel = basis == code
        if sel.any():
            cents, given = x.content[metal]
            base[sel] = np.where(given[r[sel]], cents[r[sel]], np.where(any_metal[sel], 0, value[sel]))
    return base


def amounts(compiled: Compiled, x: Inputs, pairs: Pairs, alive: np.ndarray, covers, mfn_ad_valorem: np.ndarray):
    """(row, program, heading, cents) of every charge with a non-zero amount."""
    M = compiled.m
    r, m = pairs.row, pairs.measure
    basis = M["basis"][m]
    base0 = content_base(compiled, x, r, basis)
    value = x.value[r]
    base = base0.copy()
    relief = (basis == 5) & x.has_us[r] & (value > 0)
    relief &= x.us_content[r] * RATE_SCALE >= M["threshold"][m] * value
    base = np.where(relief, value - x.us_content[r], base)
    loser, winner = covers
    covered = np.zeros(len(r), bool)
    if len(loser):
        key = sorted_unique(loser.astype(np.int64) * len(r) + winner)
        loser, winner = key // len(r), key % len(r)
        wb = basis[winner]
        covered_value = np.zeros(len(r), np.int64)
        np.add.at(covered_value, loser, np.where((wb >= 1) & (wb <= 3), base0[winner], 0))
        full = np.zeros(len(r), bool)
        full[loser[wb == 0]] = True
        covered_value = np.where(full, value, covered_value)
        covered[loser] = True
    else:
        covered_value = np.zeros(len(r), np.int64)
    non_content = basis == 4
    base = np.where(non_content, np.maximum(value - covered_value, 0),
                    np.where(covered, np.maximum(base - covered_value, 0), base))
    rate = np.where(M["has_floor"][m], np.maximum(M["floor"][m] - mfn_ad_valorem[r], 0), M["rate"][m])
    cents = round_half_up(rate * base, RATE_SCALE)
    charged = alive & (M["kind"][m] == 0) & (cents != 0)
    heading = np.where(pairs.transit, M["transit_heading"][m], M["heading"][m])
    return r[charged], M["program"][m[charged]], heading[charged], cents[charged]

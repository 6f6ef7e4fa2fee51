"""Candidate (row, measure) pairs and the filters of tariffs.engine.measures, as array operations:
scope x origin keys, validity and knowledge intervals, in-transit rows, claims, carve-outs,
conditions, and exemptions / voids setting their targets aside."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tariffs.columnar.compile import Compiled, bucket_of
from tariffs.columnar.inputs import MODES, Inputs
from tariffs.columnar.tables import distinct_small, sorted_unique


@dataclass
class Pairs:
    row: np.ndarray
    measure: np.ndarray
    transit: np.ndarray

    def take(self, keep: np.ndarray) -> "Pairs":
        return Pairs(self.row[keep], self.measure[keep], self.transit[keep])


def _ranges(compiled: Compiled, rows: np.ndarray, start: np.ndarray, count: np.ndarray):
    """(row, measure) for every measure in incidence_measures[start:start + count] of each row."""
    total = int(count.sum())
    out_rows = np.repeat(rows, count)
    offsets = np.repeat(start - np.concatenate(([0], np.cumsum(count)[:-1])), count) + np.arange(total)
    return out_rows, compiled.incidence_measures[offsets]


def _expand(compiled: Compiled, rows: np.ndarray, keys: np.ndarray):
    """Every measure listed under each row's key; ``keys`` sorted (a sorted search walks the key
    table in order instead of jumping around it)."""
    table = compiled.incidence_keys
    pos = np.searchsorted(table, keys)
    pos_c = np.minimum(pos, len(table) - 1)
    hit = (pos < len(table)) & (table[pos_c] == keys)
    start = compiled.incidence_start[pos_c][hit]
    count = compiled.incidence_start[pos_c + 1][hit] - start
    return _ranges(compiled, rows[hit], start, count)


def _expand_all_scope(compiled: Compiled, rows: np.ndarray, bucket: np.ndarray, country: np.ndarray):
    """Measures of scope ALL for (bucket, country): a dense table lookup."""
    start = compiled.all_scope_start[bucket, country]
    count = compiled.all_scope_count[bucket, country]
    return _ranges(compiled, rows, start, count)


def _in_sorted(table: np.ndarray, keys: np.ndarray) -> np.ndarray:
    if len(table) == 0 or len(keys) == 0:
        return np.zeros(len(keys), bool)
    pos = np.minimum(np.searchsorted(table, keys), len(table) - 1)
    return table[pos] == keys


def candidates(compiled: Compiled, x: Inputs, rows: np.ndarray) -> Pairs:
    nc = len(compiled.countries)
    n_codes = len(compiled.codes)
    code, origin = x.code[rows], x.origin[rows]
    b = bucket_of(x.day[rows])
    key = b * ((n_codes + 1) * nc) + code * nc
    # one sort serves both lookups: (bucket, code, origin) order is also (bucket, code) order
    order = np.argsort(key + origin, kind="stable")
    by_code = key[order]
    parts = [_expand(compiled, rows[order], by_code + origin[order]), _expand(compiled, rows[order], by_code),
             _expand_all_scope(compiled, rows, b, origin), _expand_all_scope(compiled, rows, b, np.zeros_like(b))]
    row = np.concatenate([p[0] for p in parts])
    measure = np.concatenate([p[1] for p in parts])  # int32: half the memory traffic of the gathers
    if compiled.m.get("overlapping_keys"):
        key = sorted_unique(row * compiled.m["n"] + measure)
        row, measure = key // compiled.m["n"], key % compiled.m["n"]
    return Pairs(row, measure, np.zeros(len(row), bool))


def _condition_holds(compiled: Compiled, x: Inputs, clauses, rows: np.ndarray, entry_value: np.ndarray):
    """tariffs.rules.conditions.evaluate for the columnar inputs (no metal origin or metal weights given)."""
    holds = np.ones(len(rows), bool)
    for clause in clauses:
        if clause.kind == "metal_origin":
            hit = np.full(len(rows), clause.op == "!=")  # not given: assumed not those countries
        elif clause.kind == "share":
            number = clause.number
            if clause.name == "metal_weight_share":
                hit = np.full(len(rows), clause.op in (">=", ">"))  # not given: assumed to meet the threshold
            elif clause.name == "us_content_share":
                # share = us / value against number = p / q, in integers; no share given counts as 0
                p, q = number.as_integer_ratio()
                value = x.value[rows]
                has = x.has_us[rows] & (value > 0)
                hit = _compare(np.where(has, x.us_content[rows] * q, 0), clause.op, np.where(has, p * value, p))
            else:  # entry_value
                p, q = number.as_integer_ratio()
                hit = _compare(entry_value[rows] * q, clause.op, np.full(len(rows), p * 100))
        else:
            mode = np.array(MODES)[x.mode[rows]]
            hit = np.isin(mode, clause.values)
            hit = hit if clause.op == "=" else ~hit
        holds &= hit
    return holds


def _compare(left, op, right):
    return {"<=": left <= right, ">=": left >= right, "<": left < right, ">": left > right}[op]


def resolve(compiled: Compiled, x: Inputs, rows: np.ndarray, entry_value: np.ndarray):
    """(active charge pairs, declarations (row, program, heading) of the exemptions that apply)."""
    M = compiled.m
    pairs = candidates(compiled, x, rows)
    r, m = pairs.row, pairs.measure
    day, known = x.day[r], x.known[r]
    keep = (M["rf"][m] <= known) & (known < M["rt"][m])
    valid = (M["vf"][m] <= day) & (day < M["vt"][m])
    loaded = x.loaded[r]
    transit = (loaded != np.iinfo(np.int32).min) & (M["vt"][m] <= day) & (day < M["eb"][m]) & \
        (loaded < M["lb"][m]) & (M["vf"][m] <= day)
    keep &= valid | transit
    sub = np.nonzero(keep)[0]
    keep[sub] = compiled.origin_test.matches(M["origins"][m[sub]], x.origin[r[sub]], day[sub], known[sub])
    pairs = Pairs(r[keep], m[keep], transit[keep])
    r, m = pairs.row, pairs.measure
    n_claims = max(len(compiled.claims), 1)
    row_claims = x.claim_row * n_claims + x.claim_id
    claim = M["claim"][m]
    keep = claim < 0
    sub = np.nonzero(~keep)[0]
    keep[sub] = _in_sorted(row_claims, r[sub] * n_claims + claim[sub])
    sub = np.nonzero(keep & M["has_except_scope"][m])[0]
    keep[sub] = ~_in_sorted(compiled.except_scope_keys, m[sub] * len(compiled.codes) + x.code[r[sub]])
    exo = M["except_origins"][m]
    sub = np.nonzero(keep & (exo >= 0))[0]
    if len(sub):
        rs = r[sub]
        keep[sub] = ~compiled.origin_test.matches(exo[sub], x.origin[rs], x.day[rs], x.known[rs])
    if len(x.claim_row) and len(compiled.except_claim_keys):
        # except_claims: any claim of the row in the measure's list (pairs of rows with claims only)
        row_has_claims = np.zeros(x.n, bool)
        row_has_claims[x.claim_row] = True
        cand = np.nonzero(keep & M["has_except_claims"][m] & row_has_claims[r])[0]
        starts = np.searchsorted(x.claim_row, r[cand], "left")
        ends = np.searchsorted(x.claim_row, r[cand], "right")
        count = ends - starts
        sel = cand[count > 0]
        starts, count = starts[count > 0], count[count > 0]
        if len(sel):
            reps = count
            pair_of = np.repeat(sel, reps)
            offs = np.repeat(starts - np.concatenate(([0], np.cumsum(reps)[:-1])), reps) + np.arange(reps.sum())
            hit = _in_sorted(compiled.except_claim_keys, m[pair_of] * n_claims + x.claim_id[offs])
            excepted = np.zeros(len(r), bool)
            excepted[pair_of[hit]] = True
            keep &= ~excepted
    cond = M["condition"][m]
    for cid in distinct_small(cond[keep & (cond > 0)]):
        sel = np.nonzero(keep & (cond == cid))[0]
        keep[sel] &= _condition_holds(compiled, x, compiled.conditions[cid], r[sel], entry_value)
    pairs = pairs.take(keep)
    r, m = pairs.row, pairs.measure
    # In transit: the newer row of the same measure family yields to the kept earlier one.
    if pairs.transit.any():
        nk = int(M["key"].max()) + 1
        fam = r * nk + M["key"][m]
        kept = np.sort(fam[pairs.transit])
        pairs = pairs.take(pairs.transit | ~_in_sorted(kept, fam))
        r, m = pairs.row, pairs.measure
    kind = M["kind"][m]
    charge = kind == 0
    # Exemptions and voids set aside the charges they target; exemptions are declared at 0%.
    ex = np.nonzero(~charge)[0]
    if len(ex):
        groups = M["target_group"][m[ex]]
        has_ex = np.zeros(x.n, bool)
        has_ex[r[ex]] = True
        exposed = np.nonzero(charge & compiled.kills.any(axis=0)[m] & has_ex[r])[0]
        er, em = r[exposed], m[exposed]
        killed = np.zeros(len(exposed), bool)
        present = np.zeros(x.n, bool)
        for g in distinct_small(groups):
            rows_g = r[ex][groups == g]
            present[rows_g] = True
            killed |= present[er] & compiled.kills[g][em]
            present[rows_g] = False
        charge[exposed[killed]] = False
    declared = ex[kind[ex] == 1]
    declared = declared[np.lexsort((m[declared], r[declared]))]
    declarations = (r[declared], M["program"][m[declared]], M["heading"][m[declared]])
    return pairs.take(charge), declarations

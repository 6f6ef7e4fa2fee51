"""Compile a loaded RuleSet once into integer tables for the columnar pricer.

Everything the pricer needs per row is a gather or a sorted-key lookup into these arrays:
HTS codes of the loaded editions as indices; MFN general / column 2 / special rates as integer
components; measures with validity x knowledge intervals as int32 days, rates in millionths,
origins as dated origin tests; the scope of each measure expanded to (code, country) keys; the
exemption targets and the stacking table as boolean match arrays over measures.
"""
from __future__ import annotations

import bisect
import re
from functools import lru_cache
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

import numpy as np
import pyarrow as pa

from tariffs.columnar.tables import (
    QUANTITY_SCALE, RATE_SCALE, SPECIFIC_SCALE, Countries, OriginTest, day, scaled)
from tariffs.hts import _TO_KG, digits, dotted
from tariffs.rules import hts_carry
from tariffs.rates import RateParseError, parse_rate, parse_special

MAX_SPECIFICS = 3
KINDS = {"charge": 0, "exemption": 1, "void": 2}
BASES = {"value": 0, "content:steel": 1, "content:aluminum": 2, "content:copper": 3, "non_content": 4,
         "non_us_content": 5}
METAL_OF_BASIS = {1: "steel", 2: "aluminum", 3: "copper"}
CHAPTER99 = re.compile(r"^\d{4}\.\d{2}\.\d{2}$")


@dataclass
class RateTable:
    """One rate column (general, column 2, or a special indicator) for every code of an edition."""

    ok: np.ndarray  # parsed, and every component exact in integers
    ad_valorem: np.ndarray  # int64 millionths
    specific: np.ndarray  # int64 [n, MAX_SPECIFICS], 1e-5 USD per unit
    unit: np.ndarray  # int16 [n, MAX_SPECIFICS], index into Compiled.units, -1 = none

    @classmethod
    def empty(cls, n: int) -> "RateTable":
        return cls(np.zeros(n, bool), np.zeros(n, np.int64), np.zeros((n, MAX_SPECIFICS), np.int64),
                   np.full((n, MAX_SPECIFICS), -1, np.int16))

    def put(self, i: int, rate, units: dict) -> None:
        parts = _components(rate, units)
        if parts is None:
            return
        av, specifics = parts
        for j, (amount, unit) in enumerate(specifics):
            self.specific[i, j] = amount
            self.unit[i, j] = unit
        self.ad_valorem[i] = av
        self.ok[i] = True


_COMPONENTS: dict = {}


def _components(rate, units: dict):
    """(ad valorem millionths, ((specific 1e-5 USD, unit index), ...)) or None when not exact."""
    key = (rate, id(units))
    if key not in _COMPONENTS:
        av = scaled(rate.ad_valorem, RATE_SCALE)
        specifics = []
        for s in rate.specifics:
            amount = scaled(s.amount, SPECIFIC_SCALE)
            if amount is None:
                av = None
            specifics.append((amount, units.setdefault(s.unit, len(units))))
        ok = av is not None and len(specifics) <= MAX_SPECIFICS
        _COMPONENTS[key] = (av, tuple(specifics)) if ok else None
    return _COMPONENTS[key]


def _special_entries(text: str, indicators: tuple) -> dict:
    """indicator position -> the special rate (or text) a claim of it gets, for one special-column text."""
    key = (text, indicators)
    if key not in _SPECIAL:
        try:
            special = parse_special(text)
        except RateParseError:
            special = {}
        listed = {k.rstrip("*+"): v for k, v in special.items()}
        _SPECIAL[key] = {j: special.get(x, listed.get(x.rstrip("*+"))) for j, x in enumerate(indicators)
                         if special and (x in special or x.rstrip("*+") in listed)}
    return _SPECIAL[key]


_SPECIAL: dict = {}


@dataclass
class Edition:
    edition: str
    effective: int
    published: int
    present: np.ndarray  # bool per code
    general: RateTable
    column2: RateTable
    general_free: np.ndarray  # the general text parses and is Free
    special_keys: np.ndarray  # sorted int64 code * n_indicators + indicator
    special_text: np.ndarray  # bool: the special rate for that indicator is a text the engine does not compute
    special: RateTable  # rates aligned with special_keys
    # bool per code: a line of this edition whose number is not one of the scope edition's and that the
    # renumbering relates to scope numbers (tariffs.rules.hts_carry): left to the scalar engine, which
    # carries the scopes across the renumbering and explains it on the charge.
    carried: np.ndarray | None = None


@dataclass
class Compiled:
    version: str
    sha256: str
    earliest: int
    countries: Countries
    codes: np.ndarray  # sorted digit strings of every code in the loaded editions
    dotted: np.ndarray  # the same, dotted
    editions: list[Edition]
    units: dict[str, int]
    unit_to_kg: dict[int, int]  # mass units: thousandths of a kg per unit (g=1, kg=1000, t=10^6)
    indicators: list[str]
    programs: list[str]
    program_rank: np.ndarray
    headings: list[str]
    claims: dict[str, int]
    # measures (US only), index m
    m: dict = field(default_factory=dict)
    origin_test: OriginTest | None = None
    incidence_keys: np.ndarray | None = None  # unique sorted code * NC + country (code = n_codes: ALL scope)
    incidence_start: np.ndarray | None = None
    incidence_measures: np.ndarray | None = None
    all_scope_start: np.ndarray | None = None  # [bucket, country]: measures of scope ALL
    all_scope_count: np.ndarray | None = None
    except_scope_keys: np.ndarray | None = None  # sorted measure * n_codes + code carved out
    except_claim_keys: np.ndarray | None = None  # sorted measure * n_claims + claim
    kills: np.ndarray | None = None  # [target group, measure]: the exemptions of the group set the charge aside
    conditions: list = field(default_factory=list)  # condition id -> tuple of Clause
    stacking: list = field(default_factory=list)
    special_programs: dict = field(default_factory=dict)  # indicator idx -> list of program rows
    fees: list = field(default_factory=list)
    entry_types: list = field(default_factory=list)
    ntr_denied: int = 0  # origin-test list index of ("NTR_DENIED",)
    unsupported_measures: list = field(default_factory=list)
    code_index: dict = field(default_factory=dict)  # digits -> code index
    dotted_arrow: object = None  # the dotted codes as an Arrow array, for the headings column


def _program_rank(rules, program: str) -> int:
    p = rules.programs.get(program)
    return p.reporting_rank if p else 999


@lru_cache(maxsize=None)
def _matches(pattern: str, program: str, heading: str) -> bool:
    for item in pattern.split(";"):
        prog, _, head = item.strip().partition(":")
        if prog == program and fnmatchcase(heading, head or "*"):
            return True
    return False


BUCKET_BASE = int(day(__import__("datetime").date(2018, 1, 1)))
BUCKET_DAYS = 91
N_BUCKETS = 40  # quarters from 2018; the last is open-ended


def bucket_of(days):
    """The time bucket of entry dates (int days): quarters from 2018-01-01, clipped at both ends."""
    return np.clip((np.asarray(days, np.int64) - BUCKET_BASE) // BUCKET_DAYS, 0, N_BUCKETS - 1)


def compile_rules(rules) -> Compiled:
    """The columnar tables of a RuleSet (US measures, MFN editions, fees, entry types, stacking)."""
    countries = Countries()
    codes = sorted({d for lines in rules.mfn.values() for d in lines})
    code_arr = np.array(codes)
    code_index = {c: i for i, c in enumerate(codes)}
    units: dict[str, int] = {}
    indicators = sorted(rules.special_programs)
    ind_index = {x: i for i, x in enumerate(indicators)}
    programs = sorted(rules.programs)
    program_index = {p: i for i, p in enumerate(programs)}
    headings: list[str] = []
    heading_index: dict[str, int] = {}

    def heading_id(h: str | None) -> int:
        if not h:
            return -1
        if h not in heading_index:
            heading_index[h] = len(headings)
            headings.append(h)
        return heading_index[h]

    token_lists: list[tuple[str, ...]] = []
    token_index: dict[tuple[str, ...], int] = {}

    def origin_list(tokens) -> int:
        tokens = tuple(tokens)
        if tokens not in token_index:
            token_index[tokens] = len(token_lists)
            token_lists.append(tokens)
        return token_index[tokens]

    out = Compiled(version=rules.version, sha256=rules.sha256, earliest=int(day(rules.earliest_date)),
                   countries=countries, codes=code_arr, dotted=np.array([dotted(c) for c in codes], dtype=object),
                   editions=[], units=units, unit_to_kg={}, indicators=indicators, programs=programs,
                   program_rank=np.array([_program_rank(rules, p) for p in programs], np.int32),
                   headings=headings, claims={})
    n = len(codes)
    for ed in rules.editions:
        lines = rules.mfn[ed.edition]
        present = np.zeros(n, bool)
        general, column2 = RateTable.empty(n), RateTable.empty(n)
        free = np.zeros(n, bool)
        sp_entries: dict[int, object] = {}
        for d, line in lines.items():
            i = code_index[d]
            present[i] = True
            for table, text in ((general, line.general), (column2, line.other)):
                try:
                    rate = parse_rate(text)
                except RateParseError:
                    continue
                table.put(i, rate, units)
                if table is general:
                    free[i] = rate.is_free
            for j, value in _special_entries(line.special, tuple(indicators)).items():
                sp_entries[i * len(indicators) + j] = value
        keys = np.array(sorted(sp_entries), dtype=np.int64)
        sp_table = RateTable.empty(len(keys))
        sp_text = np.zeros(len(keys), bool)
        for k, key in enumerate(keys):
            value = sp_entries[int(key)]
            if isinstance(value, str):
                sp_text[k] = True
            else:
                sp_table.put(k, value, units)
        carried = np.zeros(n, bool)
        for code, relation in hts_carry.carried(rules, ed).items():
            i = code_index.get(digits(code))
            if relation and i is not None:
                carried[i] = True
        out.editions.append(Edition(ed.edition, int(day(ed.effective)), int(day(ed.published)), present, general,
                                    column2, free, keys, sp_text, sp_table, carried))
    out.unit_to_kg = {units[u]: int(_TO_KG[u] * QUANTITY_SCALE) for u in _TO_KG if u in units}
    for u in _TO_KG:  # mass units a line may give even when no rate uses them
        units.setdefault(u, len(units))
    out.unit_to_kg = {units[u]: int(_TO_KG[u] * QUANTITY_SCALE) for u in _TO_KG}

    _compile_measures(rules, out, code_arr, program_index, heading_id, origin_list)
    _compile_stacking(rules, out, program_index, heading_id, origin_list)
    for x, rows in rules.special_programs.items():
        out.special_programs[ind_index[x]] = [
            dict(vf=day(p.valid_from), vt=day(p.valid_to), rf=day(p.recorded_at), rt=day(p.retracted_at),
                 eligible=origin_list(p.eligible) if p.eligible else -1, mpf_exempt=p.mpf_exempt) for p in rows]
    for f in rules.fees:
        out.fees.append(dict(program=f.program, vf=day(f.valid_from), vt=day(f.valid_to), rf=day(f.recorded_at),
                             rt=day(f.retracted_at), rate=scaled(f.rate, RATE_SCALE),
                             minimum=None if f.minimum is None else scaled(f.minimum, 100),
                             maximum=None if f.maximum is None else scaled(f.maximum, 100),
                             modes=f.modes, entry_types=f.entry_types))
    for e in rules.entry_types:
        out.entry_types.append(dict(kind=e.entry_type, vf=day(e.valid_from), vt=day(e.valid_to),
                                    rf=day(e.recorded_at), rt=day(e.retracted_at), max_value=scaled(e.max_value, 100),
                                    origins=origin_list(e.origins),
                                    except_origins=origin_list(e.except_origins) if e.except_origins else -1))
    out.ntr_denied = origin_list(("NTR_DENIED",))
    out.code_index = code_index
    out.dotted_arrow = pa.array(out.dotted.tolist(), type=pa.string())
    out.origin_test = OriginTest(token_lists, rules, countries)
    return out


def _compile_measures(rules, out: Compiled, code_arr, program_index, heading_id, origin_list) -> None:
    measures = sorted((m for m in rules.measures if m.jurisdiction == "us"), key=lambda m: m.measure_id)
    nm, n_codes, nc = len(measures), len(code_arr), len(out.countries)
    claims = out.claims
    code_list = list(code_arr)
    for m in measures:
        for c in ((m.claim,) if m.claim else ()) + tuple(m.except_claims):
            claims.setdefault(c, len(claims))
    for x in out.indicators:
        claims.setdefault(x, len(claims))
    keys_of: dict[str, int] = {}
    conditions: dict[tuple, int] = {(): 0}
    a = {k: np.zeros(nm, np.int32) for k in ("vf", "vt", "rf", "rt", "lb", "eb")}
    i32 = {k: np.full(nm, -1, np.int32) for k in ("kind", "program", "heading", "transit_heading", "key", "claim",
                                                    "origins", "except_origins", "condition", "basis")}
    i64 = {k: np.zeros(nm, np.int64) for k in ("rate", "floor", "threshold")}
    has_floor = np.zeros(nm, bool)
    supported = np.ones(nm, bool)
    inc_code, inc_country, inc_measure = [], [], []
    overlapping = False  # a measure reachable under two keys of one row (ALL and a country, ALL and prefixes)
    ex_keys, exc_keys = [], []
    for i, m in enumerate(measures):
        a["vf"][i], a["vt"][i] = day(m.valid_from), day(m.valid_to)
        a["rf"][i], a["rt"][i] = day(m.recorded_at), day(m.retracted_at)
        a["lb"][i], a["eb"][i] = day(m.loaded_before), day(m.entered_before)
        if m.loaded_before is None or m.entered_before is None or m.valid_to is None:
            a["lb"][i] = a["eb"][i] = np.int32(-(2**31))  # never in transit
        i32["kind"][i] = KINDS[m.kind]
        i32["program"][i] = program_index[m.program]
        i32["heading"][i] = heading_id(m.heading)
        i32["transit_heading"][i] = heading_id(m.in_transit_heading or m.heading)
        i32["key"][i] = keys_of.setdefault(m.key, len(keys_of))
        i32["claim"][i] = claims[m.claim] if m.claim else -1
        i32["origins"][i] = origin_list(m.origins)
        i32["except_origins"][i] = origin_list(m.except_origins) if m.except_origins else -1
        i32["condition"][i] = conditions.setdefault(tuple(m.condition), len(conditions))
        basis, _, threshold = m.basis.partition(":") if m.basis.startswith("non_us_content") else (m.basis, "", "")
        if basis not in BASES or m.specific is not None:
            supported[i] = False  # value_plus_duties (TW) or a specific rate on a measure: scalar only
        i32["basis"][i] = BASES.get(basis, -1)
        for name, value in (("rate", m.rate), ("floor", m.floor)):
            v = scaled(value, RATE_SCALE)
            if v is None:
                supported[i] = False
            i64[name][i] = v or 0
        from decimal import Decimal
        t = scaled(Decimal(threshold or "0"), RATE_SCALE)
        i64["threshold"][i] = t if t is not None else 0
        supported[i] &= t is not None
        has_floor[i] = m.floor is not None
        reach = out.countries.index
        countries = set()
        for token in m.origins:
            if token == "ALL":
                countries.add(0)
            elif token in reach:
                countries.add(reach[token])
            for member in rules.groups.get(token, ()):
                if member.country in reach:
                    countries.add(reach[member.country])
        ranges = []
        for prefix in set(m.scope):
            if prefix == "ALL":
                ranges.append((n_codes, n_codes + 1))
            else:
                lo, hi = bisect.bisect_left(code_list, prefix), bisect.bisect_left(code_list, prefix + "\uffff")
                if hi > lo:
                    ranges.append((lo, hi))
        overlapping |= (0 in countries and len(countries) > 1) or (
            any(lo == n_codes for lo, _ in ranges) and len(ranges) > 1)
        code_idx = np.unique(np.concatenate([np.arange(lo, hi) for lo, hi in ranges])) if ranges else np.array([], int)
        for country in countries:
            inc_code.append(code_idx)
            inc_country.append(np.full(len(code_idx), country, np.int64))
            inc_measure.append(np.full(len(code_idx), i, np.int32))
        for prefix in set(m.except_scope):
            lo, hi = bisect.bisect_left(code_list, prefix), bisect.bisect_left(code_list, prefix + "\uffff")
            ex_keys.append(np.arange(lo, hi, dtype=np.int64) + i * n_codes)
        for c in m.except_claims:
            exc_keys.append(i * len(claims) + claims[c])
    key = np.concatenate(inc_code).astype(np.int64) * nc + np.concatenate(inc_country)
    meas = np.concatenate(inc_measure)
    # Time buckets: a measure is listed in every bucket its validity (extended to entered_before for
    # goods in transit) overlaps, so a row meets only the versions of its own period.
    end = np.maximum(a["vt"].astype(np.int64), np.where(a["lb"] > -(2**31), a["eb"].astype(np.int64), 0))
    b_lo = bucket_of(a["vf"].astype(np.int64))[meas]
    b_hi = bucket_of(np.maximum(end - 1, a["vf"]))[meas]
    # Built bucket by bucket (buckets are the most significant part of the key, so the pieces come
    # out in order): the expanded table is never held twice.
    uniq_parts, count_parts, meas_parts = [], [], []
    for bucket in range(N_BUCKETS):
        sel = (b_lo <= bucket) & (bucket <= b_hi)
        combined = np.sort((bucket * ((n_codes + 1) * nc) + key[sel]) * nm + meas[sel])
        k = combined // nm
        first = np.concatenate(([True], k[1:] != k[:-1])) if len(k) else np.zeros(0, bool)
        starts = np.nonzero(first)[0]
        uniq_parts.append(k[first])
        count_parts.append(np.diff(np.append(starts, len(k))))
        meas_parts.append((combined % nm).astype(np.int32))
        del combined, k
    uniq = np.concatenate(uniq_parts)
    meas = np.concatenate(meas_parts)
    start = np.concatenate(([0], np.cumsum(np.concatenate(count_parts))))[:-1]
    key = meas  # only its length is used below
    out.incidence_keys, out.incidence_start = uniq, np.append(start, len(key)).astype(np.int64)
    grid = (np.arange(N_BUCKETS)[:, None] * ((n_codes + 1) * nc) + n_codes * nc + np.arange(nc)[None, :])
    pos = np.minimum(np.searchsorted(uniq, grid), len(uniq) - 1)
    found = uniq[pos] == grid
    out.all_scope_start = np.where(found, out.incidence_start[pos], 0)
    out.all_scope_count = np.where(found, out.incidence_start[pos + 1] - out.incidence_start[pos], 0)
    out.incidence_measures = meas
    out.except_scope_keys = np.unique(np.concatenate(ex_keys)) if ex_keys else np.array([], np.int64)
    out.except_claim_keys = np.unique(np.array(exc_keys, np.int64))
    # Exemptions and voids grouped by their target list: kills[g][c] = the group sets charge c aside.
    groups: dict[tuple, int] = {}
    target_group = np.full(nm, -1, np.int32)
    for e, me in enumerate(measures):
        if me.kind != "charge":
            target_group[e] = groups.setdefault(tuple(me.targets), len(groups))
    kills = np.zeros((max(len(groups), 1), nm), bool)
    for targets, g in groups.items():
        kills[g] = [mc.kind == "charge" and any(_matches(t, mc.program, mc.heading) for t in targets)
                    for mc in measures]
    out.kills = kills
    i32["target_group"] = target_group
    out.m = {**a, **i32, **i64, "has_floor": has_floor, "supported": supported,
             "has_except_scope": np.array([bool(m.except_scope) for m in measures]),
             "has_except_claims": np.array([bool(m.except_claims) for m in measures]),
             "overlapping_keys": overlapping,
             "ids": np.array([m.measure_id for m in measures], dtype=object), "n": nm}
    out.conditions = [c for c, _ in sorted(conditions.items(), key=lambda kv: kv[1])]
    out.unsupported_measures = [m.measure_id for m, ok in zip(measures, supported) if not ok]
    out._measures = measures  # for pattern matching in the stacking compile


def _compile_stacking(rules, out: Compiled, program_index, heading_id, origin_list) -> None:
    measures = out._measures
    for rule in rules.stacking:
        out.stacking.append(dict(
            id=rule.stacking_id, vf=day(rule.valid_from), vt=day(rule.valid_to), rf=day(rule.recorded_at),
            rt=day(rule.retracted_at), origins=origin_list(rule.origins), skip=rule.effect == "skip",
            declare=heading_id(rule.declare),
            winner=np.array([_matches(rule.winner, m.program, m.heading) for m in measures], bool),
            loser=np.array([_matches(rule.loser, m.program, m.heading) for m in measures], bool)))
        # fnmatch-style patterns matched per measure once here; the pricer only gathers
    del out._measures

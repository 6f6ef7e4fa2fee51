"""Integer encodings shared by the compiled tables and the pricer: days, rates, countries, dated origin tests.

Dates are int32 days since 1970-01-01; an open end is OPEN. Ad valorem rates are integers in
millionths (RATE_SCALE); a rate that is not a whole number of millionths cannot be compiled and is
reported as unsupported, never rounded.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pycountry

EPOCH = dt.date(1970, 1, 1)
OPEN = np.int32(2**31 - 1)  # an open valid_to / retracted_at
RATE_SCALE = 10**6  # rates in millionths: 0.003464 -> 3464
SPECIFIC_SCALE = 10**5  # USD per unit in 1e-5 USD: 0.00352 -> 352
QUANTITY_SCALE = 10**3  # quantities in thousandths of a unit
# ad valorem: rate (1e-6) x cents (1e-2 USD) = 1e-8 USD; specific: 1e-5 USD x 1e-3 unit = 1e-8 USD.
NANO_PER_CENT = 10**6  # 1e-8 USD units in one cent


def day(value: dt.date | None, default=OPEN) -> np.int32:
    return np.int32(default if value is None else (value - EPOCH).days)


def scaled(value: Decimal | None, scale: int) -> int | None:
    """``value * scale`` as an int when exact, else None (the caller marks what needs it unsupported)."""
    if value is None:
        return 0
    product = value * scale
    return int(product) if product == product.to_integral_value() else None


def round_half_up(amount: np.ndarray, unit: int) -> np.ndarray:
    """Non-negative integer amounts in 1/unit of a cent -> cents, half-up."""
    return (amount + unit // 2) // unit


class Countries:
    """ISO 3166 alpha-2 codes (and XK) <-> small ints; 0 is reserved for ALL."""

    def __init__(self, extra=()):
        codes = sorted({c.alpha_2 for c in pycountry.countries} | {"XK"} | set(extra))
        self.codes = ["ALL", *codes]
        self.index = {code: i for i, code in enumerate(self.codes)}

    def __len__(self) -> int:
        return len(self.codes)


class OriginTest:
    """Dated origin matching for many token lists at once (measure origins, stacking origins, ...).

    ``always[i, c]``: list i matches country c whatever the date (ALL or the code itself).
    Group memberships are dated: kept sparse, one row per (list, country, membership row), with
    the membership's valid and knowledge intervals, checked per query.
    """

    def __init__(self, token_lists: list[tuple[str, ...]], rules, countries: Countries):
        n, nc = len(token_lists), len(countries)
        self.nc = nc
        self.always = np.zeros((max(n, 1), nc), dtype=bool)
        self.countries_of: list[set[int]] = []  # every country that can ever match list i (0 = ALL)
        keys, vf, vt, rf, rt = [], [], [], [], []
        for i, tokens in enumerate(token_lists):
            reach = set()
            for token in tokens:
                if token == "ALL":
                    self.always[i, :] = True
                    reach.add(0)
                elif token in countries.index:
                    self.always[i, countries.index[token]] = True
                    reach.add(countries.index[token])
                for member in rules.groups.get(token, ()):
                    c = countries.index.get(member.country)
                    if c is None:
                        continue
                    reach.add(c)
                    keys.append(i * nc + c)
                    vf.append(day(member.valid_from))
                    vt.append(day(member.valid_to))
                    rf.append(day(member.recorded_at))
                    rt.append(day(member.retracted_at))
            self.countries_of.append(reach)
        order = np.argsort(np.array(keys, dtype=np.int64), kind="stable")
        self.keys = np.array(keys, dtype=np.int64)[order]
        self.vf, self.vt, self.rf, self.rt = (np.array(a, dtype=np.int32)[order] for a in (vf, vt, rf, rt))
        runs = np.unique(self.keys, return_counts=True)[1] if len(self.keys) else np.array([0])
        self.has_groups = np.zeros(max(n, 1), bool)
        self.has_groups[np.unique(self.keys // nc).astype(np.int64)] = True
        self.max_run = int(runs.max()) if len(runs) else 0

    def matches(self, list_idx: np.ndarray, country: np.ndarray, days: np.ndarray, known: np.ndarray) -> np.ndarray:
        hit = self.always[list_idx, country]
        if self.max_run == 0:
            return hit
        # only lists naming a dated group need the interval check
        sub = np.nonzero(~hit & self.has_groups[list_idx])[0]
        if len(sub):
            hit[sub] = self._dated(list_idx[sub], country[sub], days[sub], known[sub])
        return hit

    def _dated(self, list_idx, country, days, known) -> np.ndarray:
        hit = np.zeros(len(list_idx), bool)
        q = list_idx.astype(np.int64) * self.nc + country
        lo = np.searchsorted(self.keys, q, "left")
        hi = np.searchsorted(self.keys, q, "right")
        for s in range(self.max_run):
            idx = lo + s
            live = idx < hi
            if not live.any():
                break
            j = np.minimum(idx, len(self.keys) - 1)
            hit |= live & (self.vf[j] <= days) & (days < self.vt[j]) & (self.rf[j] <= known) & (known < self.rt[j])
        return hit


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """np.unique by sorting (numpy's hash-based unique is pathologically slow on some int64 keys)."""
    if len(values) == 0:
        return values
    s = np.sort(values)
    return s[np.concatenate(([True], s[1:] != s[:-1]))]


def unique_inverse(values: np.ndarray):
    """(sorted uniques, inverse, index of the first occurrence of each unique), by a stable sort."""
    order = np.argsort(values, kind="stable")
    s = values[order]
    start = np.concatenate(([True], s[1:] != s[:-1])) if len(s) else np.zeros(0, bool)
    ids = np.cumsum(start) - 1
    inverse = np.empty(len(values), np.int64)
    inverse[order] = ids
    return s[start], inverse, order[start]


def distinct_small(values: np.ndarray) -> np.ndarray:
    """Distinct non-negative small ints (condition ids, program ids, ...)."""
    return np.nonzero(np.bincount(values))[0] if len(values) else values


def group_reduce(ufunc, index: np.ndarray, values: np.ndarray, size: int, fill) -> np.ndarray:
    """out[g] = ufunc.reduce(values[index == g]) (``fill`` for empty groups), in integers, by a stable
    sort (skipped when ``index`` is already non-decreasing) and ``reduceat``."""
    out = np.full(size, fill, dtype=np.result_type(values, np.int64))
    if len(index) == 0:
        return out
    if np.all(index[1:] >= index[:-1]):
        s_idx, s_val = index, values
    else:
        order = np.argsort(index, kind="stable")
        s_idx, s_val = index[order], values[order]
    starts = np.nonzero(np.concatenate(([True], s_idx[1:] != s_idx[:-1])))[0]
    out[s_idx[starts]] = ufunc.reduceat(s_val, starts)
    return out

"""Generated books of US entry lines for the differential test and the benchmark.

Real HTS codes of the loaded editions (every chapter), the origins of the trade in question,
entry dates 2018-01-01 to 2026-11-30 including every date at which a rule table changes and the
day before, both knowledge views, claims, metal content, quantities for specific rates, and
multi-line entries. Vectorised (numpy), so a book of 10^7 lines is generated in seconds.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from tariffs.columnar.tables import EPOCH

ORIGINS = ("CN", "HK", "CA", "MX", "BR", "IN", "JP", "KR", "DE", "FR", "GB", "CH", "RU", "VN", "TW", "AU")
FIRST, LAST = dt.date(2018, 1, 1), dt.date(2026, 11, 30)
MODES = ("ocean", "ocean", "ocean", "air", "truck", "rail", "mail")
CHUNK = 250_000
SPI = ("S", "S+", "A", "A+", "KR", "AU", "JP", "CA", "MX", "IL", "SG", "CL")


def change_dates(rules) -> list[dt.date]:
    """Every valid_from / valid_to / entered_before in the tables, and the day before each."""
    days = set()
    rows = [*rules.measures, *rules.stacking, *rules.fees, *rules.entry_types,
            *(m for ms in rules.groups.values() for m in ms), *(p for ps in rules.special_programs.values() for p in ps)]
    for row in rows:
        for d in (row.valid_from, row.valid_to, getattr(row, "entered_before", None)):
            if d is not None and FIRST < d <= LAST:
                days.update((d, d - dt.timedelta(days=1)))
    return sorted(days)


def _codes(rules, rng, n: int) -> np.ndarray:
    """Codes spread over every chapter: half uniform over codes, half uniform over chapters."""
    codes = np.array(sorted({c for lines in rules.mfn.values() for c in lines}))
    chapters = np.array([c[:2] for c in codes])
    uniq, first, count = np.unique(chapters, return_index=True, return_counts=True)
    pick_chapter = rng.integers(0, len(uniq), n)
    pick_chapter[:len(uniq)] = np.arange(len(uniq))[:n]  # every chapter at least once
    by_chapter = first[pick_chapter] + (rng.random(n) * count[pick_chapter]).astype(np.int64)
    uniform = rng.integers(0, len(codes), n)
    chosen = np.where(rng.random(n) < 0.5, by_chapter, uniform)
    chosen[:len(uniq)] = by_chapter[:len(uniq)]
    return codes[chosen]


def _money(cents: np.ndarray) -> np.ndarray:
    whole, frac = np.divmod(cents, 100)
    return np.char.add(np.char.add(whole.astype(str), "."), np.char.zfill(frac.astype(str), 2))


def generate_book(rules, n: int, seed: int = 0, known_now: str = "2026-11-21", entries: bool = True,
                  extras: bool = True) -> pd.DataFrame:
    """A frame of ``n`` lines in the columns of tariffs.batch.COLUMNS (text), plus ``entry``.

    ``extras`` adds claims, in-transit loading dates, U.S. content, metal content and quantities;
    without it the book is plain (code, origin, date, value) lines.
    """
    if n > CHUNK:  # in pieces: numpy's fixed-width text arrays are large; the frame's Arrow text is not
        parts = []
        for i, start in enumerate(range(0, n, CHUNK)):
            part = generate_book(rules, min(CHUNK, n - start), (seed, i), known_now, entries, extras)
            if entries:
                part["entry"] += start
            part.index += start
            parts.append(part)
        return pd.concat(parts)
    rng = np.random.default_rng(seed)
    hts = _codes(rules, rng, n)
    origin = np.array(ORIGINS)[rng.integers(0, len(ORIGINS), n)]
    span = (LAST - FIRST).days + 1
    days = (FIRST - EPOCH).days + rng.integers(0, span, n)
    edges = np.array([(d - EPOCH).days for d in change_dates(rules)])
    on_edge = rng.random(n) < 0.3
    days = np.where(on_edge, edges[rng.integers(0, len(edges), n)], days)
    days[-min(len(edges), n):] = edges[:n]  # every change date (and the day before) at least once
    entry_date = np.datetime_as_string(days.astype("datetime64[D]"))
    # value: log-uniform 1 USD .. 5 million, with a share of small (de minimis / informal) entries
    cents = np.exp(rng.uniform(np.log(100), np.log(5e8), n)).astype(np.int64)
    cents = np.where(rng.random(n) < 0.08, rng.integers(1, 250_000, n), cents)
    frame = {"entry_date": entry_date, "hts": hts, "origin": origin, "customs_value": _money(cents)}
    # knowledge: as filed (the entry date) or as known now
    as_filed = rng.random(n) < 0.5
    frame["known_at"] = np.where(as_filed, entry_date, known_now)
    frame["mode"] = np.array(MODES)[rng.integers(0, len(MODES), n)]
    if extras:
        claims = np.full(n, "", dtype=object)
        c99 = sorted(c for c in _claims(rules) if c[0].isdigit())
        r = rng.random(n)
        claims = np.where(r < 0.05, np.array(SPI)[rng.integers(0, len(SPI), n)], claims)
        claims = np.where((r >= 0.05) & (r < 0.10), np.array(c99)[rng.integers(0, len(c99), n)], claims)
        usmca = np.isin(origin, ("CA", "MX")) & (rng.random(n) < 0.3)
        claims = np.where(usmca, "S", claims)
        frame["claims"] = claims.astype(str)
        loaded = days - rng.integers(1, 90, n)
        frame["loaded_on"] = np.where(rng.random(n) < 0.15, np.datetime_as_string(loaded.astype("datetime64[D]")), "")
        us = (cents * rng.uniform(0, 0.6, n)).astype(np.int64)
        frame["us_content_value"] = np.where(rng.random(n) < 0.1, _money(us), "")
        metal_chapter = np.isin(np.char.ljust(hts, 2).astype("<U2"), ("72", "73", "74", "76", "84", "85", "87", "94"))
        for metal in ("steel", "aluminum", "copper"):
            share = (cents * rng.uniform(0, 0.5, n)).astype(np.int64)
            frame[f"{metal}_content"] = np.where(metal_chapter & (rng.random(n) < 0.35), _money(share), "")
        _quantities(rules, rng, hts, frame)
        frame["freight"] = np.where(rng.random(n) < 0.3, _money(rng.integers(0, 500_000, n)), "")
    book = pd.DataFrame({k: pd.array(v, dtype="string[pyarrow]") for k, v in frame.items()})
    if entries:
        book["entry"] = _entries(rng, n, book, protect=min(len(edges), n))
    return book


def _claims(rules) -> set[str]:
    out = set()
    for m in rules.measures:
        if m.jurisdiction == "us":
            if m.claim:
                out.add(m.claim)
            out.update(m.except_claims)
    return out


def _quantities(rules, rng, hts: np.ndarray, frame: dict) -> None:
    """A quantity in the unit of the line's specific rate (sometimes another mass unit, sometimes none)."""
    from tariffs.rates import RateParseError, parse_rate

    unit_of = {}
    for lines in rules.mfn.values():
        for d, line in lines.items():
            try:
                rate = parse_rate(line.general)
            except RateParseError:
                continue
            if rate.specifics:
                unit_of[d] = rate.specifics[0].unit
    n = len(hts)
    units = np.array([unit_of.get(h, "") for h in hts], dtype=object)
    qty = rng.integers(1, 100_000_000, n)  # thousandths
    text = np.char.add(np.char.add((qty // 1000).astype(str), "."), np.char.zfill((qty % 1000).astype(str), 3))
    mass = (units == "kg") & (rng.random(n) < 0.2)
    unit = np.where(mass, np.where(rng.random(n) < 0.5, "t", "g"), units)
    given = (units != "") & (rng.random(n) < 0.9)
    frame["quantity"] = np.where(given, text, "")
    frame["unit"] = np.where(given, unit, "").astype(str)
    frame["net_weight_kg"] = np.where(rng.random(n) < 0.2, (qty // 1000).astype(str), "")


def _entries(rng, n: int, book: pd.DataFrame, protect: int = 0) -> np.ndarray:
    """Most lines are one-line entries; about a tenth are grouped into entries of 2 to 5 lines that
    share the first line's date, mode and knowledge (large ones reach the MPF maximum, small ones
    its minimum)."""
    entry = np.arange(n)
    blocks = np.arange(0, max(n - protect - 5, 0), 5)  # the last ``protect`` rows keep their own dates
    multi = blocks[rng.random(len(blocks)) < 0.1]  # non-overlapping blocks of five rows
    sizes = rng.integers(2, 6, len(multi))
    for k in range(1, 5):
        keep = (k < sizes) & (multi + k < n)
        idx = multi[keep] + k
        entry[idx] = multi[keep]
        for column in ("entry_date", "mode", "known_at"):
            values = book[column].to_numpy().copy()
            values[idx] = values[multi[keep]]
            book[column] = values
    return entry

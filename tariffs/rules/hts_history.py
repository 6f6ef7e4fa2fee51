"""Which HTS editions a code exists in, and what a clerk should be told when it is not a line of
the edition in force: the editions where it is, and the likely successor or predecessor lines
(same 8-digit subheading, or same parent and description).

The index of every code's editions is built once, from the deltas alone (adds and removals), the
first time it is needed — on an error path, never on a valid quote.
"""
from __future__ import annotations

import bisect
import re
from collections import defaultdict

from tariffs.hts import dotted
from tariffs.rules.hts_editions import read_mfn_csv


def _index(rules) -> dict[str, list[tuple[int, int]]]:
    """code -> runs (first, last) of edition positions (in rules.editions order) where it exists."""
    cached = getattr(rules, "_hts_runs", None)
    if cached is not None:
        return cached
    editions = rules.editions
    n = len(editions)
    pos = {e.edition: i for i, e in enumerate(editions)}
    starts: dict[str, list[int]] = defaultdict(list)
    ends: dict[str, list[int]] = defaultdict(list)
    for i, e in enumerate(editions):
        if not e.base:
            continue
        for code in rules.mfn[e.edition]:
            starts[code]  # present in a full edition: runs are closed from the events below
    for i, e in enumerate(editions):
        if not e.base:
            continue
        forward = pos[e.base] < i  # delta against the previous edition (else against the next one)
        for row in read_mfn_csv(rules.root / "us" / "mfn" / e.file):
            code, change = row["digits"], row["change"]
            if change == "add":
                (starts if forward else ends)[code].append(i)
            elif change == "remove":
                (ends[code].append(i - 1) if forward else starts[code].append(i + 1))
    runs = {}
    for code in set(starts) | set(ends):
        s, t = sorted(starts.get(code, ())), sorted(ends.get(code, ()))
        if not s or (t and t[0] < s[0]):
            s.insert(0, 0)
        if not t or s[-1] > t[-1]:
            t.append(n - 1)
        runs[code] = list(zip(s, t))
    rules._hts_runs = runs
    return runs


def editions_with(rules, code: str) -> list:
    """The editions (in date order) in which ``code`` is a line."""
    return [rules.editions[i] for a, b in _index(rules).get(code, ()) for i in range(a, b + 1)]


def _sorted_codes(rules, edition) -> list[str]:
    cache = rules.__dict__.setdefault("_hts_sorted", {})
    if edition.edition not in cache:
        cache[edition.edition] = sorted(rules.mfn[edition.edition])
    return cache[edition.edition]


def under(rules, edition, prefix: str, length: int | None = None) -> list[str]:
    """Codes of ``edition`` that start with ``prefix`` (of one length, if given), in order."""
    codes = _sorted_codes(rules, edition)
    i = bisect.bisect_left(codes, prefix)
    out = []
    while i < len(codes) and codes[i].startswith(prefix):
        if length is None or len(codes[i]) == length:
            out.append(codes[i])
        i += 1
    return out


def statistical_lines(rules, edition, eight: str) -> list[str]:
    """The 10-digit statistical lines of an 8-digit subheading in ``edition``."""
    return under(rules, edition, eight, 10)


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", (text or "").lower()).strip()


def _spans(editions) -> str:
    """'2019_rev_20 to 2021_rev_12' style ranges of consecutive editions."""
    names = [e.edition for e in editions]
    if len(names) <= 3:
        return ", ".join(names)
    return f"{names[0]} to {names[-1]} ({len(names)} editions)"


def likely_lines(rules, edition, code: str) -> list[tuple[str, str]]:
    """(code, why) of the lines of ``edition`` that most likely hold the goods of ``code``."""
    lines = rules.mfn[edition.edition]
    if len(code) == 10 and code[:8] in lines:
        stat = statistical_lines(rules, edition, code[:8])
        return [(c, "same 8-digit subheading") for c in stat] or [(code[:8], "same 8-digit subheading")]
    present = editions_with(rules, code)
    description = ""
    if present:
        near = min(present, key=lambda e: abs((e.effective - edition.effective).days))
        description = _norm(rules.mfn[near.edition][code].description)
    for width in (6, 4):
        pool = under(rules, edition, code[:width], len(code))
        if not pool:
            continue
        same = [c for c in pool if description and _norm(lines[c].description) == description]
        if same:
            return [(c, f"same parent {dotted(code[:width])} and description") for c in same[:6]]
        return [(c, f"same parent {dotted(code[:width])}") for c in pool[:6]]
    return []


def not_a_line(rules, edition, code: str, day) -> str:
    """The message for a code that is not a line of the edition in force on ``day``."""
    message = f"{dotted(code)} is not a line of HTSUS edition {edition.edition} (in force for entries on {day})"
    present = editions_with(rules, code)
    if present:
        message += f"; it is a line of edition(s) {_spans(present)}, in force from {present[0].effective}"
        after = [e for e in rules.editions if e.effective > present[-1].effective]
        if after:
            message += f" until {after[0].effective}"
    else:
        message += "; it is a line of no loaded edition"
    likely = likely_lines(rules, edition, code)
    if likely:
        why = likely[0][1]
        message += f"; in {edition.edition} the goods are likely under " + ", ".join(dotted(c) for c, _ in likely) + \
            f" ({why})"
    return message

"""Measures against the HTS editions: Chapter 99 headings and scope codes, edition by edition.

For every US measure row in force on or after 2025-01-01 (the JSON revisions print Chapter 99
headings with their rate text from then on):
- its heading must be a line of at least one revision in force during its validity, and
- where the heading's general text is a plain rate (``The duty provided in the applicable
  subheading + 25%``, ``25%``; ``The duty provided in the applicable subheading``, ``No change``
  and ``Free`` mean no additional duty), the row's rate must equal it in at least one of those
  revisions (a revision may be published after the legal start of a measure, so the first
  revisions of a row's period may still print the previous text).
Revisions are often posted days or weeks before or after the legal date of what they print, so the
revisions in force within 31 days of the row's period count. Rows whose heading text is not a
plain rate (floors, specific rates, "See ...") cannot be decided and are listed, as are scope
codes that match no line of any edition in force while the row applied. Findings reviewed and
explained in GAPS.md are listed in ``us/mfn/notes/chapter99_reviewed.csv`` (measure_id, reason)
and reported as reviewed instead of failing the check.
"""
from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal

from tariffs.hts import dotted
from tariffs.rules.hts_carry import carry_map, scope_edition
from tariffs.rules.hts_history import _index

FROM = dt.date(2025, 1, 1)
_NONE = re.compile(r"^(the duty provided in the applicable subheading|no change|free)\.?$", re.I)
_PLUS = re.compile(r"^(?:the duty provided in\s*the applicable subheading\s*(?:\+|plus)\s*(?:a duty of\s*)?)?"
                   r"(\d+(?:\.\d+)?)%(?: upon the value of the (?:steel|aluminum|copper) content)?\.?$", re.I)


def _pct(rate: Decimal) -> str:
    return f"{rate * 100:f}".rstrip("0").rstrip(".") + "%"


def plain_rate(text: str) -> Decimal | None:
    """The additional ad valorem rate a heading's general text states, or None when it is not plain."""
    text = re.sub(r"\s+", " ", (text or "").strip())
    if _NONE.match(text.rstrip(".")) or _NONE.match(text):
        return Decimal(0)
    m = _PLUS.match(text)
    return Decimal(m.group(1)) / 100 if m else None


def _reviewed(rules) -> dict[str, str]:
    path = rules.root / "us" / "mfn" / "notes" / "chapter99_reviewed.csv"
    if not path.is_file():
        return {}
    with open(path, newline="", encoding="utf-8") as f:
        return {row["measure_id"].strip(): row["reason"].strip() for row in csv.DictReader(f)}


@dataclass
class Findings:
    problems: list[str] = field(default_factory=list)
    undecidable: list[str] = field(default_factory=list)
    checked: int = 0
    scope_codes: list[str] = field(default_factory=list)


WINDOW = dt.timedelta(days=31)  # revisions posted up to a month before or after the legal date they print


def _in_force_positions(rules, start: dt.date, end: dt.date | None) -> list[int]:
    """Positions (rules.editions order) of the editions in force at some day of [start, end)."""
    eds = rules.editions
    out = []
    for i, e in enumerate(eds):
        e_end = eds[i + 1].effective if i + 1 < len(eds) else None
        starts_before_end = end is None or (e.effective < end if i else True)
        ends_after_start = e_end is None or e_end > start
        if starts_before_end and ends_after_start:
            out.append(i)
    return out


def _masks(rules) -> dict[str, int]:
    """code -> bit mask of edition positions where it is a line."""
    return {code: sum(((1 << (b + 1)) - (1 << a)) for a, b in runs) for code, runs in _index(rules).items()}


def _bits_span(rules, bits: int) -> str:
    """'2019_rev_20 to 2021_rev_12' for the editions whose bit is set (first and last)."""
    on = [i for i in range(len(rules.editions)) if bits >> i & 1]
    first, last = rules.editions[on[0]].edition, rules.editions[on[-1]].edition
    return first if first == last else f"{first} to {last}" + ("" if on[-1] - on[0] + 1 == len(on) else ", not all")


def check_measures(rules) -> Findings:
    found = Findings()
    code_masks = _masks(rules)
    wanted = {p for m in rules.measures if m.jurisdiction == "us" for p in m.scope + m.except_scope if p != "ALL"}
    prefix_masks = dict.fromkeys(wanted, 0)
    lengths = sorted({len(p) for p in wanted})
    for code, mask in code_masks.items():
        for n in lengths:
            if n <= len(code) and code[:n] in prefix_masks:
                prefix_masks[code[:n]] |= mask
    chapter99 = {}  # edition -> {heading digits: general text}
    positions_2025 = set(_in_force_positions(rules, FROM, None))
    # Scope codes met through the renumbering (tariffs.rules.hts_carry): bit i set when a line of edition i
    # is related to a code under the scope code.
    carry_masks = dict.fromkeys(wanted, 0)
    base = scope_edition(rules)
    at = {e.edition: i for i, e in enumerate(rules.editions)}
    for name, lines in rules.mfn.walk():
        pos = at[name]
        if pos in positions_2025:
            chapter99[pos] = {d: lines[d].general for d in lines if d.startswith("99") and len(d) == 8}
        if base is None or name == base.edition:
            continue
        for rel in carry_map(rules.mfn[base.edition], lines).values():
            for c in rel:
                for n in lengths:
                    if n <= len(c.code) and c.code[:n] in carry_masks:
                        carry_masks[c.code[:n]] |= 1 << pos
    last = rules.editions[-1]
    reviewed = _reviewed(rules)
    for m in rules.measures:
        if m.jurisdiction != "us" or not m.known_at(rules.knowledge_cutoff):
            continue
        positions = _in_force_positions(rules, m.valid_from, m.valid_to)
        mask = sum(1 << i for i in positions)
        codes = list(dict.fromkeys(p for p in m.scope + m.except_scope if p != "ALL"))
        missing = [p for p in codes if not prefix_masks.get(p, 0) & mask]
        span = (f"{m.valid_from} to {m.valid_to or 'open'} ({rules.editions[positions[0]].edition} to "
                f"{rules.editions[positions[-1]].edition})")
        if missing:
            lost = [p for p in missing if not carry_masks.get(p, 0) & mask]
            found.scope_codes.append(
                f"{m.table} {m.measure_id}: {len(missing)} scope code(s) are lines of no edition in force {span}; "
                f"{len(missing) - len(lost)} of them met through the renumbering"
                + (f", {len(lost)} not, e.g. {', '.join(dotted(p) for p in lost[:5])}" if lost else ", all"))
        # Codes that some edition in force reaches neither by a line nor through the renumbering.
        unreached = {p: mask & ~(prefix_masks.get(p, 0) | carry_masks.get(p, 0)) for p in codes
                     if p not in missing}
        unreached = {p: bits for p, bits in unreached.items() if bits}
        if unreached:
            examples = ", ".join(f"{dotted(p)} ({_bits_span(rules, bits)})" for p, bits in list(unreached.items())[:5])
            found.scope_codes.append(
                f"{m.table} {m.measure_id}: {len(unreached)} scope code(s) reach no line of some edition in force "
                f"{span}, even through the renumbering, e.g. {examples}")
        if (m.valid_to is not None and m.valid_to <= FROM) or not m.heading.startswith("99"):
            continue
        code = m.heading.replace(".", "")
        revisions = [p for p in positions if p in chapter99]
        if not revisions:
            continue
        found.checked += 1
        # A revision is often posted days or weeks before or after the legal start of what it prints
        # (revision_dates.csv): the revisions in force within a month of the period count too.
        near = [p for p in _in_force_positions(rules, m.valid_from - WINDOW, m.valid_to and m.valid_to + WINDOW)
                if p in chapter99]
        texts = {rules.editions[p].edition: chapter99[p][code] for p in near if code in chapter99[p]}
        span = f"{rules.editions[revisions[0]].edition} to {rules.editions[revisions[-1]].edition}"
        late = m.valid_from > last.effective
        if not texts:
            (found.undecidable if late else found.problems).append(
                f"{m.table} {m.measure_id}: heading {m.heading} is a line of no HTS revision in force during its "
                f"validity {m.valid_from} to {m.valid_to or 'open'} ({span})"
                + (f"; it starts after the newest loaded revision ({last.edition}, {last.effective})" if late else ""))
            continue
        expired = [n for n in texts if "have expired" in rules.mfn_line(
            next(e for e in rules.editions if e.edition == n), code).description]
        if m.kind == "void" or m.floor is not None or m.specific is not None or expired:
            why = ("void" if m.kind == "void" else "floor" if m.floor is not None
                   else "specific rate" if m.specific is not None else "the heading is marked expired")
            found.undecidable.append(f"{m.table} {m.measure_id} ({m.heading}): {why}; heading text "
                                     f"{next(iter(texts.values()))!r}")
            continue
        rate = m.rate if m.rate is not None else Decimal(0)
        stated = {name: r for name, r in ((n, plain_rate(t)) for n, t in texts.items()) if r is not None}
        if not stated:
            found.undecidable.append(f"{m.table} {m.measure_id} ({m.heading}): heading text "
                                     f"{next(iter(texts.values()))!r} is not a plain rate")
        elif rate not in stated.values():
            shown = ", ".join(sorted({_pct(r) for r in stated.values()}))
            message = (f"{m.table} {m.measure_id}: rate {_pct(rate)} but heading {m.heading} states {shown} in the "
                       f"revisions in force during its validity ({span})")
            if late:
                found.undecidable.append(message + f"; it starts after the newest loaded revision ({last.edition})")
            elif m.measure_id in reviewed:
                found.undecidable.append(message + f" (reviewed: {reviewed[m.measure_id]})")
            else:
                found.problems.append(message)
    return found

"""Carry measure scopes across HTS renumbering.

Scope lists are written in the numbers of one edition (here: the edition stored in full, 2025 Basic,
into which the lists were converted), but an entry is classified under the edition in force on its
date. A line of another edition whose number is not a line of the scope edition still meets a measure
when the editions' renumbering relates its number to one the scope names:

- **same 8-digit subheading**: a 10-digit statistical line that is gone (or new) while its 8-digit
  subheading is in both editions stays in that subheading (and is related to the statistical lines of
  the scope edition under it with the same description);
- **successor / predecessor**: an 8-digit subheading that is in one edition only is related to the
  subheading(s) of the other edition, in only one of the two, with the same parent and description:
  the same 6-digit subheading first, then the same 4-digit heading (among several, the ones that keep
  the last two digits); or, within one 6-digit subheading, the one new subheading replacing the one
  gone (a 1:1 renumbering whatever the wording); or, for a one-dash subheading (xxxx.x0) gone while
  new ones appear under it, those (it was subdivided). A 10-digit line under it follows its subheading,
  and the statistical line of the successor with the same description (or the only one of the
  successor's statistical lines that the other edition lacks: renumbered or subdivided).

The relation is computed once per edition, the first time a line of that edition is priced (or the
check walks the editions), and kept; the scope edition itself needs none.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from tariffs.hts import dotted, prefixes


@dataclass(frozen=True)
class Carried:
    """A number of the scope edition that holds the goods of a line of another edition, and why."""

    code: str
    why: str


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", (text or "").lower()).strip()


def _quote(normalised: str) -> str:
    return "'" + (normalised if len(normalised) <= 60 else normalised[:57] + "...") + "'"


def scope_edition(rules):
    """The edition scope lists are written in: the one stored in full (its deltas lead to every other)."""
    return next((e for e in rules.editions if not e.base), rules.editions[-1] if rules.editions else None)


def carry_map(base, lines) -> dict[str, tuple[Carried, ...]]:
    """code of ``lines`` not in ``base`` -> the codes of ``base`` related to it by the renumbering.

    ``base`` and ``lines``: digits -> line (with ``description``) of the scope edition and of another edition.
    Chapter 99 is not renumbered goods and is left out."""
    gone = [c for c in lines if c not in base and not c.startswith("99")]
    if not gone:
        return {}
    new = [b for b in base if b not in lines and not b.startswith("99")]
    new8_by6: dict[str, list[str]] = defaultdict(list)
    new8_by4: dict[str, list[str]] = defaultdict(list)
    new10_by8: dict[str, list[str]] = defaultdict(list)
    for b in new:
        if len(b) == 8:
            new8_by6[b[:6]].append(b)
            new8_by4[b[:4]].append(b)
        else:
            new10_by8[b[:8]].append(b)
    gone8_by6: dict[str, int] = defaultdict(int)
    for c in gone:
        if len(c) == 8:
            gone8_by6[c[:6]] += 1
    base6 = {b[:6] for b in base}
    lines6 = {c[:6] for c in lines}
    base_desc: dict[str, str] = {}

    def bdesc(code: str) -> str:
        if code not in base_desc:
            base_desc[code] = _norm(base[code].description)
        return base_desc[code]

    def keep_digits(code: str, found: list[str]) -> list[str]:
        same = [b for b in found if b[6:8] == code[6:8]]
        return same or found

    successors: dict[str, tuple[Carried, ...]] = {}

    def successor8(c8: str) -> tuple[Carried, ...]:
        if c8 in successors:
            return successors[c8]
        out: tuple[Carried, ...] = ()
        if c8 in base:
            out = (Carried(c8, f"same 8-digit subheading {dotted(c8)}"),)
        elif c8 in lines:
            d = _norm(lines[c8].description)
            same6 = [b for b in new8_by6.get(c8[:6], ()) if d and bdesc(b) == d]
            pool6 = new8_by6.get(c8[:6], ())
            same4 = [b for b in new8_by4.get(c8[:4], ()) if d and bdesc(b) == d]
            if same6:
                why = f"same subheading {dotted(c8[:6])} and description {_quote(d)}"
                out = tuple(Carried(b, why) for b in keep_digits(c8, same6))
            elif len(pool6) == 1 and gone8_by6.get(c8[:6]) == 1:
                out = (Carried(pool6[0], f"the one subheading of {dotted(c8[:6])} renumbered"),)
            elif same4:
                why = f"same heading {dotted(c8[:4])} and description {_quote(d)}"
                out = tuple(Carried(b, why) for b in keep_digits(c8, same4))
            elif c8[5] == "0" and c8[:6] not in base6:
                # A one-dash subheading (xxxx.x0) gone while new ones under it appear: it was subdivided.
                split = [b for b in new8_by4.get(c8[:4], ()) if b[:5] == c8[:5] and b[:6] not in lines6]
                out = tuple(Carried(b, f"subheading {dotted(c8[:6])} subdivided") for b in split)
        successors[c8] = out
        return out

    result: dict[str, tuple[Carried, ...]] = {}
    for c in gone:
        if len(c) == 8:
            found = successor8(c)
        else:
            eights = successor8(c[:8])
            d = _norm(lines[c].description)
            found = []
            for s8 in eights:
                pool = new10_by8.get(s8.code, ())
                same = [b for b in pool if d and bdesc(b) == d]
                if not same and len(pool) == 1:
                    same = list(pool)
                found += [Carried(b, f"statistical line of {dotted(s8.code)} with the same description {_quote(d)}"
                                  if bdesc(b) == d else f"the one statistical line of {dotted(s8.code)} renumbered or "
                                  "subdivided") for b in same]
                found.append(s8 if s8.code == c[:8] else
                             Carried(s8.code, f"its subheading {dotted(c[:8])} is {dotted(s8.code)} in the scope "
                                              f"edition ({s8.why})"))
        if found:
            result[c] = tuple(dict.fromkeys(found))
    return result


def carried(rules, edition) -> dict[str, tuple[Carried, ...]]:
    """The renumbering relation of ``edition`` to the scope edition (built on first use, then kept)."""
    cache = rules.__dict__.setdefault("_hts_carry", {})
    name = edition.edition
    if name not in cache:
        base = scope_edition(rules)
        cache[name] = {} if base is None or name == base.edition else carry_map(rules.mfn[base.edition],
                                                                                 rules.mfn[name])
    return cache[name]


def related(rules, edition, code: str) -> tuple[Carried, ...]:
    """The numbers of the scope edition that hold the goods of ``code`` of ``edition`` (empty: the same number)."""
    if edition is None:
        return ()
    return carried(rules, edition).get(code, ())


def matched_prefix(entries, code: str) -> str | None:
    """The longest entry of a scope (prefixes) that ``code`` starts with."""
    entries = set(entries)
    return next((p for p in reversed(prefixes(code)) if p in entries), None)


def note(rules, prefix: str, via: Carried, code: str, edition) -> str:
    """How a scope code was met through the renumbering, for the charge or the reason set aside."""
    base = scope_edition(rules)
    return (f"scope code {dotted(prefix)} (HTSUS {base.edition}) matched via renumbering of {dotted(code)} "
            f"(HTSUS {edition.edition}): {via.why}")

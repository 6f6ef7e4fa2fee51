"""Step 2: resolve the measures that apply to a line (scope x origin x date x known_at),
with in-transit rules, claims and exemption headings."""
from __future__ import annotations

import datetime as dt

from tariffs.engine.normalise import NormalLine
from tariffs.engine.work import Active, LineWork
from tariffs.hts import dotted, prefixes
from tariffs.rules.conditions import evaluate
from tariffs.rules.hts_carry import matched_prefix, note as carry_note, related, scope_edition
from tariffs.rules.rows import Measure
from tariffs.rules.ruleset import RuleSet
from tariffs.rules.targets import matches_target


def _cite(m: Measure) -> str:
    return f"{m.prov.legal_basis}" if m.prov else ""


def line_facts(line: NormalLine, mode: str, entry_value) -> dict:
    return {"metal_origin": line.metal_origin, "metal_weight_share": line.metal_weight_share,
            "us_content_share": line.us_content_share, "mode": mode, "entry_value": entry_value}


def _scope_candidates(line: NormalLine, work: LineWork, rules: RuleSet, jurisdiction: str, edition):
    """The measures whose scope covers the line: by its own number, and (US) by the numbers of the scope
    edition that the HTS renumbering relates it to (``via``: measure id -> how its scope was met)."""
    found = {m.measure_id: m for m in rules.candidates(line.hts, jurisdiction)}
    via: dict[str, str] = {}
    ambiguous: dict[str, tuple] = {}  # measure id -> (measure, why): scope names only some of the related subheadings
    carried = related(rules, edition, line.hts) if edition is not None else ()
    if edition is not None and not carried:
        base = scope_edition(rules)
        if base is not None and edition.edition != base.edition and line.hts not in rules.mfn[base.edition]:
            work.warnings.append(
                f"{line.field}.hts: {dotted(line.hts)} (HTSUS {edition.edition}) is not a line of HTSUS "
                f"{base.edition}, the edition the scope lists are written in, and the editions show no successor: "
                "a measure whose list names only the later number is not met")
    eights = [c for c in carried if len(c.code) == 8]
    for c in carried:
        for m in rules.candidates(c.code, jurisdiction):
            if m.measure_id in found or m.measure_id in ambiguous:
                continue
            prefix = matched_prefix(m.scope, c.code)
            outside = [e.code for e in eights if matched_prefix(m.scope, e.code) is None]
            if outside:
                # The renumbering relates the line to several subheadings and the scope names only some:
                # whether the goods are covered is not decided by the number (as an 8-digit code under a list of
                # 10-digit lines is not).
                ambiguous[m.measure_id] = (m, (
                    f"the renumbering relates {dotted(line.hts)} (HTSUS {edition.edition}) to "
                    f"{', '.join(dotted(e.code) for e in eights)} (HTSUS {scope_edition(rules).edition}); the scope "
                    f"names {dotted(prefix)} but not {', '.join(dotted(o) for o in outside)}"))
                continue
            found[m.measure_id] = m
            via[m.measure_id] = carry_note(rules, prefix, c, line.hts, edition)
    return list(found.values()), via, carried, ambiguous


def _carried_out(m: Measure, carried) -> tuple[str, object] | None:
    """(except_scope code, relation) when the line is carved out only through the renumbering."""
    if not m.except_set:
        return None
    for c in carried:
        prefix = matched_prefix(m.except_set, c.code)
        if prefix:
            return prefix, c
    return None


def resolve_measures(line: NormalLine, work: LineWork, rules: RuleSet, day: dt.date, known: dt.date,
                     facts: dict, jurisdiction: str = "us") -> None:
    line_prefixes = set(prefixes(line.hts))

    def origin_test(country, tokens):
        return rules.matches_origin(country, tokens, day, known)

    edition = work.edition if jurisdiction == "us" else None
    found, via, carried, ambiguous = _scope_candidates(line, work, rules, jurisdiction, edition)
    exemptions: list[Active] = []
    in_transit_keys: dict[str, Measure] = {}
    valid_now: list[Measure] = []
    for m in sorted(found, key=lambda m: m.measure_id):
        if not m.known_at(known):
            continue
        in_transit = m.in_transit_for(day, line.loaded_on)
        if not (m.valid_on(day) or in_transit):
            continue
        if not rules.matches_origin(line.origin, m.origins, day, known):
            continue
        if m.claim and m.claim not in line.claims:
            continue
        if m.except_set and not line_prefixes.isdisjoint(m.except_set):
            work.set_aside(m, f"{dotted(line.hts)} is carved out of the scope of {m.heading} ({_cite(m)})")
            continue
        carved = _carried_out(m, carried)
        if carved:
            prefix, c = carved
            work.set_aside(m, f"{dotted(line.hts)} is carved out of the scope of {m.heading}: "
                              f"{carry_note(rules, prefix, c, line.hts, edition)} ({_cite(m)})")
            continue
        if m.except_origins and rules.matches_origin(line.origin, m.except_origins, day, known):
            work.set_aside(m, f"origin {line.origin} is excepted from {m.heading} on {day} ({_cite(m)})")
            continue
        claimed = [c for c in m.except_claims if c in line.claims]
        if claimed:
            work.set_aside(m, f"claim {claimed[0]} exempts the line from {m.heading} ({_cite(m)})")
            continue
        if m.condition:
            holds, assumptions, failed = evaluate(m.condition, facts, origin_test)
            for text in assumptions:
                work.warnings.append(f"{line.field}: {text} ({m.heading})")
            if not holds:
                if m.kind == "charge":
                    work.set_aside(m, f"condition not met: {failed} ({_cite(m)})")
                continue
        active = Active(m, note="in transit" if in_transit else "", scope_note=via.get(m.measure_id, ""))
        if in_transit:
            in_transit_keys[m.key] = m
        else:
            valid_now.append(m)
        (exemptions if m.kind in ("exemption", "void") else work.active).append(active)
    # In transit: the newer row of the same measure family yields to the kept earlier one.
    for m in valid_now:
        kept = in_transit_keys.get(m.key)
        if kept is not None and kept.measure_id != m.measure_id:
            work.active = [a for a in work.active if a.measure.measure_id != m.measure_id]
            exemptions = [a for a in exemptions if a.measure.measure_id != m.measure_id]
            work.set_aside(m, f"in transit: loaded {line.loaded_on} before {kept.loaded_before} and entered before "
                              f"{kept.entered_before}, so {kept.heading} ({kept.measure_id}) still applies "
                              f"({_cite(kept)})")
    for ex in sorted(exemptions, key=lambda a: a.measure.kind != "void"):
        m = ex.measure
        hit = [a for a in work.active if any(matches_target(t, a.measure) for t in m.targets)]
        for a in hit:
            work.active.remove(a)
            if m.kind == "void":
                work.set_aside(a.measure, f"void: {m.note or _cite(m)} ({_cite(m)})")
            else:
                work.set_aside(a.measure, f"exempt under {m.heading}: {m.note or _cite(m)} ({_cite(m)})")
        if m.kind == "exemption":
            scope_note = f"; {ex.scope_note}" if ex.scope_note else ""
            work.declare(m.heading, f"{m.note or 'exemption'} ({_cite(m)}); reported at 0%{scope_note}", m.program,
                         m.measure_id)
        if hit or m.kind == "exemption":
            work.rely(m.measure_id, m.prov)
    for m, why in ambiguous.values():
        if (m.known_at(known) and m.valid_on(day) and rules.matches_origin(line.origin, m.origins, day, known)
                and not m.claim):
            work.set_aside(m, f"{why}: the number does not decide whether it applies; not applied "
                              "(rules_data/GAPS.md)")
            work.warnings.append(f"{line.field}.hts: {m.heading} ({m.measure_id}) not applied: {why}")
    # An 8-digit code cannot tell whether a measure listed by 10-digit number applies.
    if len(line.hts) == 8:
        for m in rules.finer_scopes(line.hts, jurisdiction):
            if (m.known_at(known) and m.valid_on(day) and rules.matches_origin(line.origin, m.origins, day, known)
                    and not m.claim and all(a.measure.measure_id != m.measure_id for a in work.active)):
                work.set_aside(m, f"covers only some statistical lines under {dotted(line.hts)}; "
                                  "give the 10-digit code to know whether it applies")
                work.warnings.append(f"{line.field}.hts: {m.heading} ({m.measure_id}) covers some 10-digit lines under "
                                     f"{dotted(line.hts)}; give the 10-digit code")

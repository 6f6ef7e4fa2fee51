"""Step 3: apply the dated stacking table (rules_data/us/stacking.csv), in file order.

A rule whose winner applies to the line either sets the loser aside (``skip``) or lets it
apply only to the value not covered by the winner's content base (``non_content``).
"""
from __future__ import annotations

import datetime as dt

from tariffs.engine.normalise import NormalLine
from tariffs.engine.work import LineWork
from tariffs.rules.ruleset import RuleSet
from tariffs.rules.targets import matches_target


def apply_stacking(line: NormalLine, work: LineWork, rules: RuleSet, day: dt.date, known: dt.date) -> None:
    for rule in rules.stacking:
        if not (rule.valid_on(day) and rule.known_at(known)
                and rules.matches_origin(line.origin, rule.origins, day, known)):
            continue
        winners = [a for a in work.active if matches_target(rule.winner, a.measure)]
        if not winners:
            continue
        losers = [a for a in work.active if matches_target(rule.loser, a.measure) and a not in winners]
        for loser in losers:
            cite = rule.prov.legal_basis if rule.prov else ""
            if rule.effect == "skip":
                work.active.remove(loser)
                work.set_aside(loser.measure, f"{rule.reason} ({cite})")
                if rule.declare:
                    work.declare(rule.declare, f"{rule.reason} ({cite}); reported at 0%", loser.measure.program,
                                 rule.stacking_id)
            else:
                loser.non_content_of.extend(w for w in winners if w not in loser.non_content_of)
                loser.non_content_reason = f"{rule.reason} ({cite})"
                if rule.declare:
                    work.declare(rule.declare, f"{rule.reason} ({cite}); content part reported at 0%",
                                 loser.measure.program, rule.stacking_id)
            work.rely(rule.stacking_id, rule.prov)

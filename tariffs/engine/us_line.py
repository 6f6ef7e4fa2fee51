"""One US line at one rating date: MFN, measures, stacking, amounts, AD/CVD (the steps in order).

Below both the US pricer and the zone pricer (an FTZ line is priced at up to three dates)."""
from __future__ import annotations

import datetime as dt

from tariffs.engine.adcvd import adcvd_charges
from tariffs.engine.amounts import compute_amounts
from tariffs.engine.measures import resolve_measures
from tariffs.engine.mfn import resolve_mfn
from tariffs.engine.stacking import apply_stacking
from tariffs.engine.work import LineWork
from tariffs.rules.ruleset import RuleSet


def price_us_line(rules: RuleSet, line, day: dt.date, known: dt.date, facts: dict,
                  classified_on: dt.date | None = None) -> LineWork:
    """One US line at one rating date: MFN, measures, stacking, amounts, AD/CVD. ``classified_on``: the date
    whose HTS edition classifies the line (zone goods keep the classification of their status date)."""
    work = LineWork()
    resolve_mfn(line, work, rules, day, known, classified_on)
    resolve_measures(line, work, rules, day, known, facts)
    apply_stacking(line, work, rules, day, known)
    compute_amounts(line, work)
    adcvd_charges(line, work)
    return work

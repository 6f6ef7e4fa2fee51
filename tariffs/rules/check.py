"""`tariffs rules check`: schema, unknown codes, overlapping validity per measure key,
provenance on every row, scopes that match no HTS line, and the measures against the HTS
editions (Chapter 99 headings and rates, scope codes per edition: tariffs.rules.chapter99_check)."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from itertools import combinations

from tariffs.errors import RulesError
from tariffs.hts import prefixes
from tariffs.rates import RateParseError, parse_special
from tariffs.rules.chapter99_check import FROM, check_measures
from tariffs.rules.rows import Timed
from tariffs.rules.ruleset import RuleSet, default_rules_path, load_rules


_MAX = dt.date.max


def _overlap(a: Timed, b: Timed) -> bool:
    valid = a.valid_from < (b.valid_to or _MAX) and b.valid_from < (a.valid_to or _MAX)
    known = a.recorded_at < (b.retracted_at or _MAX) and b.recorded_at < (a.retracted_at or _MAX)
    return valid and known



def overlaps(rules: RuleSet) -> list[str]:
    by_key = defaultdict(list)
    for m in rules.measures:
        by_key[m.key].append(m)
    problems = []
    for key, rows in sorted(by_key.items()):
        for a, b in combinations(rows, 2):
            shared_origin = bool(set(a.origins) & set(b.origins)) or "ALL" in a.origins or "ALL" in b.origins
            if _overlap(a, b) and shared_origin:
                problems.append(f"measure key {key!r}: {a.measure_id} and {b.measure_id} overlap in valid time "
                                f"while both are known")
    fees = defaultdict(list)
    for f in rules.fees:
        for entry_type in f.entry_types:
            fees[(f.program, entry_type)].append(f)
    for program, rows in fees.items():
        for a, b in combinations(rows, 2):
            if _overlap(a, b):
                problems.append(f"fee {program[0]} ({program[1]} entries): {a.fee_id} and {b.fee_id} overlap")
    return problems


def unmatched_scopes(rules: RuleSet) -> list[str]:
    """Scope prefixes that match no line of any loaded HTS edition."""
    known = set()
    for d in rules.all_hts_digits():
        known.update(prefixes(d))
    problems = []
    for name, entries in sorted(rules.scopes.items()):
        missing = [p for p in entries if p not in known]
        if missing:
            problems.append(f"us/scopes/{name}.csv: {len(missing)} prefix(es) match no HTS line, e.g. {missing[:5]}")
    for m in rules.measures:
        if m.jurisdiction != "us":  # only the US nomenclature is loaded; CN/CCC codes are checked by the engine
            continue
        for prefix in m.scope + m.except_scope:
            if prefix != "ALL" and prefix not in known:
                problems.append(f"{m.table} {m.measure_id}: scope prefix {prefix} matches no HTS line")
                break
    return problems


# Indicators an export prints by mistake: (edition, indicator) -> why it is not a program.
_GH = ("printed between AU and CA (or CL) on 6204.69.05 and its statistical lines where the other editions print BH "
       "(Bahrain FTA); no program GH exists (rules_data/GAPS.md)")
EXPORT_TYPOS = {("2019_rev_20", "GH"): _GH, ("2020_rev_18", "GH"): _GH, ("2021_rev_12", "GH"): _GH}


def unknown_indicators(rules: RuleSet) -> list[str]:
    used: dict[str, set[str]] = defaultdict(set)
    for name, lines in rules.mfn.walk():
        for text in {lines[d].special for d in lines}:
            try:
                for indicator in parse_special(text):
                    used[indicator].add(name)
            except RateParseError:
                continue
    problems = []
    for indicator, editions in sorted(used.items()):
        editions = {e for e in editions if (e, indicator) not in EXPORT_TYPOS}
        if editions and indicator not in rules.special_programs:
            problems.append(f"us/special_programs.csv: special program indicator {indicator!r} is used in the HTS "
                            f"(editions {', '.join(sorted(editions)[:3])}) but not defined")
    return problems


def check_rules(path=None, report: list | None = None) -> tuple[list[str], str]:
    """Problems (the check fails on any) and a summary; ``report`` receives what could not be decided."""
    try:
        rules = load_rules(path)
    except RulesError as exc:
        return exc.problems or [str(exc)], f"rules check: FAILED to load {path or default_rules_path()}"
    found = check_measures(rules)
    if report is not None:
        report.extend([f"undecidable: {u}" for u in found.undecidable] + found.scope_codes)
    problems = overlaps(rules) + unmatched_scopes(rules) + unknown_indicators(rules) + found.problems
    n_mfn = len(rules.mfn[rules.editions[-1].edition]) if rules.editions else 0
    summary = (f"rules check: {'FAILED' if problems else 'ok'} — version {rules.version}, sha256 {rules.sha256}, "
               f"{len(rules.measures)} measures, {len(rules.editions)} HTS edition(s) ({n_mfn} lines in the newest), "
               f"{len(rules.fees)} fee rows, {len(rules.stacking)} stacking rules; Chapter 99 cross-check: "
               f"{found.checked} measure rows from {FROM} checked against the revisions in force, "
               f"{len(found.undecidable)} undecidable, {len(found.scope_codes)} with scope codes outside the editions "
               f"in force (listed by --report); {len(problems)} problem(s)")
    return problems, summary

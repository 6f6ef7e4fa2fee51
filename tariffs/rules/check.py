"""`tariffs rules check`: schema, unknown codes, overlapping validity per measure key,
provenance on every row, and scopes that match no HTS line."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from itertools import combinations

from tariffs.errors import RulesError
from tariffs.hts import prefixes
from tariffs.rates import RateParseError, parse_special
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


def unknown_indicators(rules: RuleSet) -> list[str]:
    used = set()
    for lines in rules.mfn.values():
        for line in lines.values():
            try:
                used.update(parse_special(line.special))
            except RateParseError:
                continue
    missing = sorted(i for i in used if i not in rules.special_programs)
    return [f"us/special_programs.csv: special program indicator {i!r} is used in the HTS but not defined"
            for i in missing]


def check_rules(path=None) -> tuple[list[str], str]:
    try:
        rules = load_rules(path)
    except RulesError as exc:
        return exc.problems or [str(exc)], f"rules check: FAILED to load {path or default_rules_path()}"
    problems = overlaps(rules) + unmatched_scopes(rules) + unknown_indicators(rules)
    n_mfn = sum(len(v) for v in rules.mfn.values())
    summary = (f"rules check: {'FAILED' if problems else 'ok'} — version {rules.version}, sha256 {rules.sha256}, "
               f"{len(rules.measures)} measures, {n_mfn} MFN lines in {len(rules.editions)} edition(s), "
               f"{len(rules.fees)} fee rows, {len(rules.stacking)} stacking rules, {len(problems)} problem(s)")
    return problems, summary

"""Each entry's status and the next date that matters, from the dated rows of
rules_data/us/deadlines.csv (legal basis, source and confidence per row; the code only applies them).

Rows are bitemporal like measures: `valid_from`/`valid_to` by entry date, `recorded_at`/
`retracted_at` by knowledge date. The status is evaluated on `as_of` (the run's knowledge date).
Interest on refunds (19 U.S.C. 1505(c)) is not computed: the rule tables hold no sourced table of the
quarterly overpayment rates, so refunds are shown without interest (rules_data/GAPS.md).
"""
from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from tariffs.errors import RulesError

IEEPA_PROGRAMS = ("ieepa_fentanyl", "ieepa_reciprocal", "ieepa_other")


@dataclass(frozen=True)
class DeadlineRule:
    deadline_id: str
    kind: str
    applies_to: tuple[str, ...]
    anchor: str
    days: int | None
    years: int | None
    days_before_liquidation: int | None
    programs: tuple[str, ...]
    opens_on: dt.date | None
    valid_from: dt.date
    valid_to: dt.date | None
    recorded_at: dt.date
    retracted_at: dt.date | None
    action: str
    legal_basis: str
    source: str
    confidence: str


@dataclass
class EntryDeadline:
    status: str
    next_date: dt.date | None
    action: str
    basis: str  # deadline ids and their legal basis, short


def _day(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


KINDS = ("deemed_liquidation", "post_summary_correction", "protest", "ieepa_refund")
ANCHORS = ("entry_date", "liquidation_date")
CONFIDENCE = ("primary", "secondary", "unverified")


def _check(row: dict, where: str) -> None:
    """Every row names its kind and anchor, a period, a legal basis, a source URL and a confidence."""
    problems = []
    if row["kind"] not in KINDS:
        problems.append(f"kind {row['kind']!r} (allowed: {', '.join(KINDS)})")
    if row["anchor"] not in ANCHORS:
        problems.append(f"anchor {row['anchor']!r} (allowed: {', '.join(ANCHORS)})")
    if not (row["days"] or row["years"]):
        problems.append("no period (days or years)")
    if not row["legal_basis"].strip():
        problems.append("no legal_basis")
    if not row["source"].startswith(("https://", "http://")):
        problems.append("source is not a URL")
    if row["confidence"] not in CONFIDENCE:
        problems.append(f"confidence {row['confidence']!r} (allowed: {', '.join(CONFIDENCE)})")
    if problems:
        raise RulesError(f"{where}: " + "; ".join(problems), [f"{where}: {p}" for p in problems])


def load_deadlines(rules_root: str | Path) -> list[DeadlineRule]:
    path = Path(rules_root) / "us" / "deadlines.csv"
    rules = []
    with open(path, newline="", encoding="utf-8") as f:
        for number, row in enumerate(csv.DictReader(f), 2):
            where = f"us/deadlines.csv row {number} ({row.get('deadline_id', '')})"
            _check(row, where)
            try:
                dates = {k: _day(row[k]) for k in ("opens_on", "valid_from", "valid_to", "recorded_at", "retracted_at")}
            except ValueError as exc:
                raise RulesError(f"{where}: {exc}", [f"{where}: {exc}"]) from None
            if dates["valid_from"] is None or dates["recorded_at"] is None:
                raise RulesError(f"{where}: valid_from and recorded_at are required", [where])
            rules.append(DeadlineRule(
                row["deadline_id"], row["kind"], tuple(row["applies_to"].split(";")), row["anchor"],
                int(row["days"]) if row["days"] else None, int(row["years"]) if row["years"] else None,
                int(row["days_before_liquidation"]) if row["days_before_liquidation"] else None,
                tuple(p for p in row["programs"].split(";") if p), _day(row["opens_on"]), _day(row["valid_from"]),
                _day(row["valid_to"]), _day(row["recorded_at"]), _day(row["retracted_at"]), row["action"],
                row["legal_basis"], row["source"], row["confidence"]))
    return rules


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February -> 28 February
        return day.replace(year=day.year + years, day=28)


def _in_force(rule: DeadlineRule, entry_date: dt.date, as_of: dt.date) -> bool:
    return (rule.valid_from <= entry_date and (rule.valid_to is None or entry_date < rule.valid_to)
            and rule.recorded_at <= as_of and (rule.retracted_at is None or as_of < rule.retracted_at))


def _anchor_date(rule: DeadlineRule, entry_date: dt.date, liquidation: dt.date | None) -> dt.date | None:
    base = entry_date if rule.anchor == "entry_date" else liquidation
    if base is None:
        return None
    if rule.years:
        base = _add_years(base, rule.years)
    if rule.days:
        base = base + dt.timedelta(days=rule.days)
    return base


def entry_deadline(rules: list[DeadlineRule], entry_date: dt.date, liquidation_date: dt.date | None,
                   liquidation_status: str, as_of: dt.date, refund_programs: set[str]) -> EntryDeadline:
    """Status on `as_of` and the next date that matters for one entry.

    `refund_programs`: the programs under which the entry has something to claim back."""
    by_kind = {r.kind: r for r in rules if _in_force(r, entry_date, as_of)}
    deemed_rule = by_kind.get("deemed_liquidation")
    deemed = False
    if liquidation_date is None and deemed_rule and liquidation_status not in ("extended", "suspended"):
        day = _anchor_date(deemed_rule, entry_date, None)
        if day < as_of:  # liquidated by operation of law (19 U.S.C. 1504(a)) at the duties asserted
            liquidation_date, deemed = day, True
    liquidated = liquidation_date is not None and (liquidation_date <= as_of or liquidation_status in ("liquidated",
                                                                                                      "final"))
    candidates: list[tuple[dt.date, str, DeadlineRule]] = []
    if not liquidated:
        status = {"extended": "unliquidated (extended)", "suspended": "unliquidated (suspended)"}.get(
            liquidation_status, "unliquidated")
        psc = by_kind.get("post_summary_correction")
        if psc:
            last = _anchor_date(psc, entry_date, None)
            if liquidation_date is not None and psc.days_before_liquidation:
                last = min(last, liquidation_date - dt.timedelta(days=psc.days_before_liquidation))
            if last >= as_of:
                candidates.append((last, "PSC window closes: " + psc.action, psc))
        if liquidation_date is not None:
            candidates.append((liquidation_date, "scheduled liquidation; then the protest period runs", None))
        else:
            if deemed_rule and liquidation_status not in ("extended", "suspended"):
                candidates.append((_anchor_date(deemed_rule, entry_date, None), deemed_rule.action, deemed_rule))
    else:
        protest = by_kind.get("protest")
        last = _anchor_date(protest, entry_date, liquidation_date) if protest else None
        if liquidation_status == "final" or (last is not None and last < as_of):
            status = "finally liquidated"
        else:
            status = "liquidated (deemed)" if deemed else "liquidated"
            if last is not None:
                candidates.append((last, "protest period ends: " + protest.action, protest))
    cape = by_kind.get("ieepa_refund")
    ieepa_claim = cape is not None and bool(refund_programs & set(cape.programs))
    if ieepa_claim and status != "finally liquidated":
        if not liquidated:
            if cape.opens_on and cape.opens_on > as_of:
                candidates.append((cape.opens_on, "opens: " + cape.action, cape))
            else:
                status += "; IEEPA refund: CAPE open"
        else:
            last = _anchor_date(cape, entry_date, liquidation_date)
            if last is not None and last >= as_of:
                candidates.append((last, "last day: " + cape.action, cape))
                status += "; IEEPA refund: CAPE open"
    candidates.sort(key=lambda c: c[0])
    if candidates:
        day, action, rule = candidates[0]
        basis = f"{rule.deadline_id}: {rule.legal_basis}" if rule else ""
        if ieepa_claim and rule is not cape and "CAPE open" in status:
            action = f"{action}; IEEPA refund: {cape.action}"
        return EntryDeadline(status, day, action[:300], basis[:300])
    if status == "finally liquidated":
        action = "no administrative remedy in the rule tables" + (
            " (IEEPA refunds of finally liquidated entries: later CAPE phase or the courts, see GAPS.md)"
            if ieepa_claim else "")
        return EntryDeadline(status, None, action, "")
    return EntryDeadline(status, None, "", "")

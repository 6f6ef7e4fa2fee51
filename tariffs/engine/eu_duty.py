"""EU conventional duty for every CN8 code: the user's rate, a better-sourced row, or the CN table.

Order, per line:
1. `lines[].eu_duty_rate` (the user's rate text, EU syntax such as "12%" or "10.2% + 93.10 EUR /
   100 kg"): it wins; the charge says it is user-supplied and any table row is set aside.
2. A row of rules_data/eu/duty.csv (program eu_duty) in force on the entry date: priced by the
   measure pipeline like any other row (these rows are better sourced than the table).
3. The CN table (rules_data/eu/cn_duty_<year>.csv, listed in eu/cn_duty_editions.csv): the
   conventional duty of the code, loaded lazily on the first EU quote. A code not in the table is
   rated at its parent's duty when every table code under the nearest shorter prefix (7 to 4
   digits) has the same duty — the assumption that the code was created by splitting that line
   after the table's year — and the quote warns naming the assumption.
"""
from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from threading import Lock

from tariffs.engine.mfn import quantity_in
from tariffs.engine.normalise import NormalLine
from tariffs.engine.work import LineWork
from tariffs.errors import InputError
from tariffs.eu_rates import EuRate, EuRateError, EuRateUnsupported, EuTerm, parse_eu_rate
from tariffs.hts import dotted
from tariffs.model import Charge, NotApplied
from tariffs.money import cents, fmt_rate
from tariffs.rules.rows import Provenance
from tariffs.rules.ruleset import RuleSet

EDITIONS = Path("eu") / "cn_duty_editions.csv"
RATE_EXAMPLES = "a duty text such as \"12%\", \"0%\", \"41.20 EUR / 100 kg\" or \"10.2% + 93.10 EUR / 100 kg\""


@dataclass(frozen=True)
class CnEdition:
    edition: str
    valid_from: dt.date
    valid_to: dt.date | None
    recorded_at: dt.date
    retracted_at: dt.date | None
    prov: Provenance
    rows: dict[str, tuple[str, str]]  # cn8 -> (duty text, subdivisions)

    def in_force(self, day: dt.date, known: dt.date) -> bool:
        return (self.valid_from <= day and (self.valid_to is None or day < self.valid_to)
                and self.recorded_at <= known and (self.retracted_at is None or known < self.retracted_at))


_CACHE: dict[tuple[Path, str], list[CnEdition]] = {}
_LOCK = Lock()


def _date(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text) if text and text.strip() else None


def cn_editions(rules: RuleSet) -> list[CnEdition]:
    """The CN duty tables of a ruleset (read once per ruleset)."""
    key = (rules.root, rules.sha256)
    with _LOCK:
        if key not in _CACHE:
            _CACHE[key] = _load(rules.root)
        return _CACHE[key]


def _load(root: Path) -> list[CnEdition]:
    path = root / EDITIONS
    if not path.exists():
        return []
    editions = []
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            with open(path.parent / row["file"], encoding="utf-8", newline="") as g:
                rows = {r["cn"]: (r["duty"], r["subdivisions"]) for r in csv.DictReader(g)}
            editions.append(CnEdition(
                row["edition"], _date(row["valid_from"]), _date(row["valid_to"]), _date(row["recorded_at"]),
                _date(row["retracted_at"]), Provenance(row["legal_basis"], row["source"], row["confidence"]), rows))
    return sorted(editions, key=lambda e: e.valid_from)


def check_cn_tables(root: Path) -> list[str]:
    """Problems of the CN duty tables (for `tariffs rules check`): every duty text must be read."""
    problems = []
    for edition in _load(root):
        for cn, (duty, subdivisions) in edition.rows.items():
            if len(cn) != 8 or not cn.isdigit():
                problems.append(f"{edition.edition}: cn {cn!r} is not 8 digits")
            if not duty and not subdivisions:
                problems.append(f"{edition.edition} {cn}: neither duty nor subdivisions")
            if duty:
                try:
                    parse_eu_rate(duty, edition.valid_from)
                except EuRateUnsupported:
                    pass  # a known component the engine asks the user for (see GAPS.md)
                except EuRateError as exc:
                    problems.append(f"{edition.edition} {cn}: {exc}")
    return problems


def _term_amount(term: EuTerm, line: NormalLine, text: str) -> tuple[Decimal, list[str], Decimal | None]:
    amount = term.ad_valorem * line.customs_value
    parts = [f"{fmt_rate(term.ad_valorem * 100)}% x {line.customs_value}"] if term.ad_valorem else []
    used = None
    for s in term.specifics:
        used = quantity_in(line, s.unit, text)
        amount += s.amount * used / s.per
        parts.append(f"{s.text} x {fmt_rate(used)} {s.unit}")
    return amount, parts, used


def eu_amount(rate: EuRate, line: NormalLine) -> tuple[Decimal, str, Decimal | None]:
    """Unrounded duty of an EU rate on a line, its calculation, and the quantity used."""
    amount, parts, used = _term_amount(rate.main, line, rate.text)
    calc = " + ".join(parts) or "0%"
    if rate.minimum is None and rate.maximum is None:
        return amount, f"{calc} = {cents(amount)}" + (f" {rate.season}" if rate.season else ""), used
    calc += f" = {cents(amount)}"
    for word, bound, pick in (("at least", rate.minimum, max), ("at most", rate.maximum, min)):
        if bound is None:
            continue
        limit, bparts, bused = _term_amount(bound, line, rate.text)
        used = used if used is not None else bused
        amount = pick(amount, limit)
        calc += f"; {word} {' + '.join(bparts) or '0'} = {cents(limit)}"
    return amount, f"{calc}: {cents(amount)}" + (f" {rate.season}" if rate.season else ""), used


def _parse(text: str, day: dt.date, field: str) -> EuRate:
    try:
        return parse_eu_rate(text, day)
    except EuRateError as exc:
        raise InputError(field, f"{text!r} is not an EU duty this engine computes ({exc})", RATE_EXAMPLES) from None


def table_row_applies(rules: RuleSet, line: NormalLine, day: dt.date, known: dt.date) -> bool:
    return any(m.program == "eu_duty" and m.valid_on(day) and m.known_at(known)
               for m in rules.candidates(line.hts, "eu"))


def _lookup(edition: CnEdition, cn: str) -> tuple[str, str, str] | None:
    """(duty, subdivisions, the code it was read from) for a CN8 code, by itself or its split parent."""
    if cn in edition.rows:
        return (*edition.rows[cn], cn)
    for n in range(7, 3, -1):
        under = {c: v for c, v in edition.rows.items() if c.startswith(cn[:n])}
        if not under:
            continue
        duties = {duty for duty, subdivisions in under.values() if not subdivisions}
        if len(duties) == 1 and not any(sub for _, sub in under.values()):
            return duties.pop(), "", cn[:n]
        listing = "; ".join(f"{dotted(c)}: {v[0] or v[1]}" for c, v in sorted(under.items())[:8])
        return "", listing, cn[:n]
    return None


def price_eu_duty(rules: RuleSet, line: NormalLine, work: LineWork, day: dt.date, known: dt.date) -> None:
    """Add the line's conventional-duty charge (or its not_applied) unless a duty.csv row prices it."""
    heading = dotted(line.hts[:8])
    user_text = getattr(line.source, "eu_duty_rate", None)
    if user_text:
        field = f"{line.field}.eu_duty_rate"
        rate = _parse(user_text, day, field)
        for c in [c for c in work.charges if c.program == "eu_duty"]:
            work.charges.remove(c)
            work.not_applied.append(NotApplied(program="eu_duty", heading=c.heading, measure_id=c.measure_id,
                                               reason=f"replaced by the user-supplied eu_duty_rate; would be {c.amount}"))
        _charge(work, line, rate, heading, measure_id=f"user:{field}",
                legal=f"EU duty rate supplied by the user ({field} = {rate.text!r}); not checked against the CN",
                source=f"input {field}", confidence="user-supplied")
        work.warnings.append(f"{line.field}: EU duty {rate.text!r} supplied by the user for CN {heading}")
        return
    if table_row_applies(rules, line, day, known):
        return
    editions = [e for e in cn_editions(rules) if e.in_force(day, known)]
    if not editions:
        known_tables = [e for e in cn_editions(rules) if e.recorded_at <= known]
        allowed = (f"an entry_date from {known_tables[0].valid_from}" if known_tables else "a later known_at")
        raise InputError(f"{line.field}.eu_duty_rate", f"no EU duty table in force for CN {heading} on {day} as "
                         f"known at {known}; give the duty", f"{RATE_EXAMPLES}, or {allowed}")
    edition = editions[-1]
    found = _lookup(edition, line.hts[:8])
    if found is None:
        raise InputError(f"{line.field}.hts", f"CN {heading} is in no chapter of the EU duty table {edition.edition}",
                         "a CN8 code of the Combined Nomenclature, or give lines[].eu_duty_rate")
    duty, subdivisions, source_code = found
    if subdivisions:
        raise InputError(f"{line.field}.eu_duty_rate", f"the {edition.edition} duty of CN {heading} depends on "
                         f"its subdivision ({subdivisions}); give the duty of yours", RATE_EXAMPLES)
    try:
        rate = parse_eu_rate(duty, day)
    except EuRateError as exc:
        raise InputError(f"{line.field}.eu_duty_rate", f"the {edition.edition} duty of CN {heading} is {duty!r}: {exc}; "
                         "give the duty", RATE_EXAMPLES) from None
    legal = f"{edition.prov.legal_basis}, CN {dotted(source_code) if len(source_code) == 8 else source_code}"
    if source_code != line.hts[:8]:
        work.warnings.append(
            f"{line.field}: CN {heading} is not a code of {edition.edition}; rated at the {edition.edition} duty "
            f"{duty!r} of the codes under {source_code}, assuming {heading} was created after {edition.edition} by "
            "splitting that line (give lines[].eu_duty_rate if that is not so)")
        legal += f" (parent of {heading}, assumed split after {edition.edition})"
    if day.year != edition.valid_from.year:
        work.warnings.append(
            f"{line.field}: EU duty of CN {heading} is the {edition.edition} conventional rate; the CN of "
            f"{day.year} is not loaded (preferences, suspensions and quotas are not applied)")
    _charge(work, line, rate, heading, measure_id=f"eu.{edition.edition.lower()}.{line.hts[:8]}", legal=legal,
            source=edition.prov.source, confidence=edition.prov.confidence)
    work.rely(f"eu_cn_duty:{edition.edition}", edition.prov)


def _charge(work: LineWork, line: NormalLine, rate: EuRate, heading: str, *, measure_id: str, legal: str, source: str,
            confidence: str) -> None:
    amount, calculation, used = eu_amount(rate, line)
    if cents(amount) == 0:
        work.not_applied.append(NotApplied(program="eu_duty", heading=heading, measure_id=measure_id,
                                           reason=f"duty {rate.text!r} computes to 0.00 ({legal})"))
        return
    specifics = [s.text for s in rate.main.specifics]
    work.charges.insert(0, Charge(
        program="eu_duty", heading=heading, rate=rate.main.ad_valorem, basis="value", base=line.customs_value,
        amount=cents(amount), legal_basis=legal, source=source, measure_id=measure_id, confidence=confidence,
        rate_text=rate.text, specific=" + ".join(specifics) or None, quantity=used, calculation=calculation))

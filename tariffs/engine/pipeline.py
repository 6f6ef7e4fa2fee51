"""The pipeline for one shipment: a pure function of (shipment, ruleset, known_at)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from tariffs.engine.amounts import compute_amounts
from tariffs.engine.fees import entry_charges
from tariffs.engine.adcvd import adcvd_charges
from tariffs.engine.entry_type import choose_entry_type
from tariffs.engine.eu import price_eu
from tariffs.engine.ftz import ftz_fees, price_ftz_line
from tariffs.engine.tw import price_tw
from tariffs.engine.measures import line_facts, resolve_measures
from tariffs.engine.mfn import resolve_mfn
from tariffs.engine.normalise import NormalShipment, normalise, parse_shipment
from tariffs.engine.stacking import apply_stacking
from tariffs.engine.work import LineWork
from tariffs.errors import InputError
from tariffs.hts import dotted
from tariffs.model import LineQuote, NotApplied, Quote, RetroactiveChange, RulesetInfo, Totals
from tariffs.money import ZERO, cents, ratio
from tariffs.rules.ruleset import RuleSet, load_rules

UTC = dt.timezone.utc


def parse_known_at(known_at, field: str = "known_at") -> dt.datetime:
    """None -> now; a date (or date string) -> the end of that day, UTC; naive datetimes are UTC."""
    if known_at is None:
        return dt.datetime.now(UTC)
    if isinstance(known_at, str):
        text = known_at.strip()
        try:
            if len(text) == 10:
                known_at = dt.date.fromisoformat(text)
            else:
                known_at = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise InputError(field, f"{known_at!r} is not an ISO date or datetime",
                             "YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][Z|+HH:MM]") from None
    if isinstance(known_at, dt.datetime):
        return known_at.replace(tzinfo=UTC) if known_at.tzinfo is None else known_at.astimezone(UTC)
    if isinstance(known_at, dt.date):
        return dt.datetime.combine(known_at, dt.time.max, tzinfo=UTC)
    raise InputError(field, f"{known_at!r} is not a date", "a date, datetime or ISO string")


VAT_PROGRAMS = ("import_vat", "tw_business_tax")
NOT_DUTY = ("cbam", *VAT_PROGRAMS)


@dataclass
class Priced:
    """What a destination's pricer hands back to the common assembly of the quote."""

    works: list
    fees: list
    fees_skipped: list
    entry_type: str
    freight_insurance_other: Decimal
    after_lines: object = None


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


class Engine:
    """Holds one loaded RuleSet and prices shipments against it."""

    def __init__(self, rules: RuleSet | None = None):
        self.rules = rules or load_rules()

    def quote(self, shipment, known_at=None) -> Quote:
        parsed = parse_shipment(shipment)
        known_dt = parse_known_at(known_at)
        quote = self._price(parsed, known_dt)
        filed_known = dt.datetime.combine(parsed.filed_on or parsed.entry_date, dt.time.max, tzinfo=UTC)
        if known_dt > filed_known:
            try:
                as_filed = self._price(parsed, filed_known)
            except InputError as exc:
                # e.g. a CBAM price not yet published on the filing day: the quote stands, the comparison cannot
                quote.warnings.append(f"no as-filed comparison (rules as known at {filed_known.date()}): {exc}")
                return quote
            quote.retroactive_changes = retroactive_changes(as_filed, quote)
            quote.as_filed_known_at = filed_known
            refundable = sum((c.difference for c in quote.retroactive_changes), ZERO)
            quote.totals.refundable = cents(refundable)
            if refundable:
                quote.warnings.append(
                    f"rules changed after the entry was filed (as known at {filed_known.date()}): duties as filed "
                    f"{as_filed.totals.duties}, as known now {quote.totals.duties}; difference {cents(refundable)} "
                    "(see retroactive_changes)")
        return quote

    def _price(self, shipment, known_dt: dt.datetime) -> Quote:
        rules = self.rules
        known = known_dt.date()
        normal: NormalShipment = normalise(shipment, rules)
        day = normal.entry_date
        warnings = list(normal.warnings)
        if day > rules.knowledge_cutoff:
            warnings.append(f"entry_date {day} is after the ruleset's knowledge cutoff {rules.knowledge_cutoff}: "
                            "measures announced since then are not in these rules")
        relied: dict = {}
        pricer = {"US": self._price_us, "EU": price_eu, "TW": price_tw}[normal.destination]
        result = pricer(rules, normal, known, warnings, relied)
        line_quotes = [self._line_quote(line, work) for line, work in zip(normal.lines, result.works)]
        for work in result.works:
            relied.update(work.relied_on)
        if result.after_lines:
            result.after_lines(line_quotes)
        weak = sorted(ident for ident, prov in relied.items() if prov is not None and prov.confidence != "primary")
        if weak:
            warnings.append("rests on rows not checked against a primary text (secondary or unverified): "
                            + ", ".join(weak))
        customs_value = cents(sum((lq.customs_value for lq in line_quotes), ZERO))
        duties = cents(sum((lq.duty for lq in line_quotes), ZERO))
        fee_total = cents(sum((f.amount for f in result.fees), ZERO))
        carbon = cents(sum((c.amount for lq in line_quotes for c in lq.charges if c.program == "cbam"), ZERO))
        vat = sum((c.amount for lq in line_quotes for c in lq.charges if c.program in VAT_PROGRAMS), ZERO)
        landed = customs_value + result.freight_insurance_other + duties + fee_total + carbon
        totals = Totals(
            customs_value=customs_value, duties=duties, fees=fee_total, carbon=carbon,
            freight_insurance_other=result.freight_insurance_other, landed_cost=landed,
            effective_duty_rate=ratio(duties, customs_value), refundable=cents(ZERO),
            import_vat=cents(vat) if normal.destination != "US" else None,
            landed_cost_incl_vat=cents(landed + vat) if normal.destination != "US" else None)
        return Quote(
            ruleset=RulesetInfo(version=rules.version, sha256=rules.sha256, knowledge_cutoff=rules.knowledge_cutoff),
            known_at=known_dt, destination=shipment.destination, entry_date=day, currency=normal.currency,
            lines=line_quotes, entry_charges=result.fees, totals=totals, warnings=list(dict.fromkeys(warnings)),
            filed_on=normal.filed_on, entry_not_applied=result.fees_skipped, entry_type=result.entry_type,
            source_currency=(shipment.currency or normal.currency).upper(), fx_rate=normal.fx_rate)

    def _price_us(self, rules: RuleSet, normal: NormalShipment, known: dt.date, warnings: list[str],
                  relied: dict) -> Priced:
        day = normal.entry_date
        entry_value = sum((line.customs_value for line in normal.lines), ZERO)
        works = []
        for line in normal.lines:
            facts = line_facts(line, normal.mode, entry_value)
            if normal.shipment.ftz is not None:
                work = price_ftz_line(rules, normal, line, known, facts)
            else:
                work = price_us_line(rules, line, day, known, facts)
            works.append(work)
            warnings.extend(work.warnings)
        entry_type, entry_notes, entry_row = choose_entry_type(rules, normal, known)
        warnings.extend(entry_notes)
        if entry_row is not None:
            relied[f"entry_types:{entry_type}"] = entry_row.prov
        fees, fees_skipped = entry_charges(normal, works, rules, known, relied, warnings, entry_type)
        if normal.shipment.ftz is not None:
            fees, fees_skipped = ftz_fees(normal, works, fees, fees_skipped)

        def after_lines(line_quotes):
            if entry_type == "de_minimis":
                for line_quote in line_quotes:
                    self._de_minimis(line_quote, entry_row)

        return Priced(works, fees, fees_skipped, entry_type, normal.freight_insurance_other, after_lines)

    def _line_quote(self, line, work: LineWork) -> LineQuote:
        charges = ([work.mfn_charge] if work.mfn_charge else []) + sorted(
            work.charges, key=lambda c: (self._rank(c.program), c.heading))
        # The line's duty: customs duties only; CBAM (carbon) and import VAT / business tax are totalled apart.
        duty = cents(sum((c.amount for c in charges if c.program not in NOT_DUTY), ZERO))
        chapter99 = sorted({(self._rank(c.program), c.heading) for c in charges if c.program != "mfn"}
                           | {(self._rank(d.program or ""), d.heading) for d in work.declarations})
        return LineQuote(
            index=line.index, hts=dotted(line.hts), origin=line.origin, customs_value=line.customs_value,
            charges=charges, not_applied=work.not_applied, duty=duty,
            effective_rate=ratio(duty, line.customs_value), declarations=work.declarations,
            reporting_order=[h for _, h in chapter99] + [dotted(line.hts)],
            green_premium=work.green_premium, flags=work.flags)

    @staticmethod
    def _de_minimis(line_quote: LineQuote, row) -> None:
        """Section 321: the line is admitted free of duty; what would have applied is explained."""
        for charge in line_quote.charges:
            line_quote.not_applied.append(NotApplied(
                program=charge.program, heading=charge.heading, measure_id=charge.measure_id,
                reason=f"de minimis entry: admitted free of duty ({row.prov.legal_basis}); would be {charge.amount}"))
        line_quote.charges = []
        line_quote.duty = cents(ZERO)
        line_quote.effective_rate = ZERO

    def _rank(self, program: str) -> int:
        p = self.rules.programs.get(program)
        return p.reporting_rank if p else 999


def retroactive_changes(as_filed: Quote, as_known: Quote) -> list[RetroactiveChange]:
    """Per line, program and heading: what the entry paid as filed vs what is owed as known now."""
    changes = []
    for before, after in zip(as_filed.lines, as_known.lines):
        keys = {}
        for charge in before.charges:
            keys.setdefault((charge.program, charge.heading), [ZERO, ZERO])[0] += charge.amount
        for charge in after.charges:
            keys.setdefault((charge.program, charge.heading), [ZERO, ZERO])[1] += charge.amount
        reasons = {(n.program, n.heading): n.reason for n in after.not_applied}
        for (program, heading), (filed, known) in sorted(keys.items()):
            if filed != known:
                reason = reasons.get((program, heading)) or (
                    "not charged as known now" if known == 0 else "charged differently as known now")
                changes.append(RetroactiveChange(line=before.index, program=program, heading=heading, as_filed=filed,
                                                 as_known=known, difference=filed - known, reason=reason))
    return changes

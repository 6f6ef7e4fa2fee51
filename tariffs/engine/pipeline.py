"""The pipeline for one shipment: a pure function of (shipment, ruleset, known_at)."""
from __future__ import annotations

import datetime as dt

from tariffs.engine.eu import price_eu
from tariffs.engine.normalise import NormalShipment, normalise, parse_shipment
from tariffs.engine.tw import price_tw
from tariffs.engine.us import price_us
from tariffs.engine.work import LineWork
from tariffs.errors import InputError
from tariffs.hts import dotted
from tariffs.known_at import parse_known_at
from tariffs.model import LineQuote, Quote, RetroactiveChange, RulesetInfo, Totals
from tariffs.money import ZERO, cents, ratio
from tariffs.rules.ruleset import RuleSet, load_rules

__all__ = ["Engine", "parse_known_at", "retroactive_changes"]

UTC = dt.timezone.utc

VAT_PROGRAMS = ("import_vat", "tw_business_tax")
NOT_DUTY = ("cbam", *VAT_PROGRAMS)


class Engine:
    """Holds one loaded RuleSet and prices shipments against it."""

    def __init__(self, rules: RuleSet | None = None):
        self.rules = rules or load_rules()

    def quote(self, shipment, known_at=None) -> Quote:
        return self.quote_pair(shipment, known_at)[0]

    def quote_pair(self, shipment, known_at=None) -> tuple[Quote, Quote | None]:
        """The quote as known at ``known_at`` and, when that is after the filing day, the same entry as
        known when it was filed (the quote's ``retroactive_changes`` and ``refundable`` compare the two)."""
        parsed = parse_shipment(shipment)
        known_dt = parse_known_at(known_at)
        quote = self._price(parsed, known_dt)
        filed_known = dt.datetime.combine(parsed.filed_on or parsed.entry_date, dt.time.max, tzinfo=UTC)
        as_filed = None
        if known_dt > filed_known:
            try:
                as_filed = self._price(parsed, filed_known)
            except InputError as exc:
                # e.g. a CBAM price not yet published on the filing day: the quote stands, the comparison cannot
                quote.warnings.append(f"no as-filed comparison (rules as known at {filed_known.date()}): {exc}")
                return quote, None
            quote.retroactive_changes = retroactive_changes(as_filed, quote)
            quote.as_filed_known_at = filed_known
            refundable = sum((c.difference for c in quote.retroactive_changes), ZERO)
            quote.totals.refundable = cents(refundable)
            if refundable:
                quote.warnings.append(
                    f"rules changed after the entry was filed (as known at {filed_known.date()}): duties as filed "
                    f"{as_filed.totals.duties}, as known now {quote.totals.duties}; difference {cents(refundable)} "
                    "(see retroactive_changes)")
        return quote, as_filed

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
        pricer = {"US": price_us, "EU": price_eu, "TW": price_tw}[normal.destination]
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
        quote = Quote(
            ruleset=RulesetInfo(version=rules.version, sha256=rules.sha256, knowledge_cutoff=rules.knowledge_cutoff),
            known_at=known_dt, destination=shipment.destination, entry_date=day, currency=normal.currency,
            lines=line_quotes, entry_charges=result.fees, totals=totals, warnings=list(dict.fromkeys(warnings)),
            filed_on=normal.filed_on, entry_not_applied=result.fees_skipped, entry_type=result.entry_type,
            source_currency=(shipment.currency or normal.currency).upper(), fx_rate=normal.fx_rate)
        # For allocating MPF to lines (batch output): lines exempt from MPF carry none of it (19 CFR 24.23(c)).
        quote._mpf_exempt_lines = frozenset(line.index for line, work in zip(normal.lines, result.works)
                                            if work.mpf_exempt)
        return quote

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

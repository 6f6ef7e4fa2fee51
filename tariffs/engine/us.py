"""The US destination: price each line (in a foreign-trade zone or not), choose the entry type, charge MPF/HMF."""
from __future__ import annotations

import datetime as dt

from tariffs.engine.entry_type import choose_entry_type
from tariffs.engine.fees import entry_charges
from tariffs.engine.ftz import ftz_fees, price_ftz_line
from tariffs.engine.measures import line_facts
from tariffs.engine.normalise import NormalShipment
from tariffs.engine.priced import Priced
from tariffs.engine.us_line import price_us_line
from tariffs.model import LineQuote, NotApplied
from tariffs.money import ZERO, cents
from tariffs.rules.ruleset import RuleSet


def price_us(rules: RuleSet, normal: NormalShipment, known: dt.date, warnings: list[str], relied: dict) -> Priced:
    """A US entry: each line (in a zone or not), the entry type, then MPF/HMF over the entry."""
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
                de_minimis(line_quote, entry_row)

    return Priced(works, fees, fees_skipped, entry_type, normal.freight_insurance_other, after_lines)


def de_minimis(line_quote: LineQuote, row) -> None:
    """Section 321: the line is admitted free of duty; what would have applied is explained."""
    for charge in line_quote.charges:
        line_quote.not_applied.append(NotApplied(
            program=charge.program, heading=charge.heading, measure_id=charge.measure_id,
            reason=f"de minimis entry: admitted free of duty ({row.prov.legal_basis}); would be {charge.amount}"))
    line_quote.charges = []
    line_quote.duty = cents(ZERO)
    line_quote.effective_rate = ZERO

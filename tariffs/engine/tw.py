"""Taiwan entries: release into the tax area priced as an import, and goods held in a free
trade zone (Act for the Establishment and Management of Free Trade Zones, 自由貿易港區設置管理條例).

- Duty-paid value (DPV) = CIF: the line value plus freight and insurance allocated by value.
- tw_duty on DPV; tw_commodity_tax on DPV + duty; tw_business_tax (5%) on DPV + duty + commodity
  tax (rows use basis value_plus_duties, applied in reporting-rank order); business tax is a
  VAT, reported apart (totals.import_vat) as creditable by a registered business.
- tw_trade_promotion_fee: a fee on DPV, charged once per entry (entry_charges).
- In a zone (ftz.regime TW_FTZ, disposition in_zone): no duty, commodity tax, business tax or
  trade promotion fee (Art. 21); release to the tax area is an import (Art. 23), export owes none.
  A line whose CCC code is an exchange-certified metal approved for Art. 29 carries a flag: income
  from its sale by a foreign enterprise without a fixed place of business in Taiwan is exempt from
  income tax (Art. 29 para. 2).
"""
from __future__ import annotations

import datetime as dt

from tariffs.engine.amounts import compute_amounts
from tariffs.engine.eu import allocate
from tariffs.engine.measures import line_facts, resolve_measures
from tariffs.engine.normalise import NormalShipment
from tariffs.engine.priced import Priced
from tariffs.engine.work import LineWork
from tariffs.errors import InputError
from tariffs.hts import dotted
from tariffs.model import EntryCharge, NotApplied
from tariffs.money import ZERO, cents, fmt_rate
from tariffs.rules.ruleset import RuleSet

ART29 = ("Act for the Establishment and Management of Free Trade Zones, Art. 29 para. 2 (as amended 2019-01-16): "
         "income of a foreign enterprise without a fixed place of business in Taiwan from selling commodities "
         "certified by an international metal exchange and approved by the MOTC, stored in the zone, is exempt from "
         "income tax")


def price_tw(rules: RuleSet, normal: NormalShipment, known: dt.date, warnings: list[str], relied: dict):
    day = normal.entry_date
    ftz = normal.shipment.ftz
    if ftz is not None and ftz.regime not in (None, "TW_FTZ"):
        raise InputError("ftz.regime", f"{ftz.regime!r} is not a Taiwan zone regime", "TW_FTZ")
    disposition = ftz.disposition if ftz is not None else "consumption"
    for line in normal.lines:
        # Goods that stay in the zone or leave it abroad owe nothing here, whatever their rate.
        if disposition == "consumption" and not rules.covers(line.hts, "tw", "tw_duty"):
            raise InputError(f"{line.field}.hts", f"no Taiwan duty data for CCC {dotted(line.hts)} in these rules",
                             "a code listed in rules_data/tw/duty.csv (see rules_data/GAPS.md)")
    border = allocate(normal.freight + normal.insurance, [line.customs_value for line in normal.lines])
    for line, extra in zip(normal.lines, border):
        line.customs_value = line.customs_value + extra
    entry_value = sum((line.customs_value for line in normal.lines), ZERO)

    def rank(program):
        p = rules.programs.get(program)
        return p.reporting_rank if p else 999

    works, fee_charges = [], []
    for line in normal.lines:
        work = LineWork()
        resolve_measures(line, work, rules, day, known, line_facts(line, normal.mode, entry_value), "tw")
        compute_amounts(line, work, rank)
        fee_charges += [c for c in work.charges if c.program == "tw_trade_promotion_fee"]
        work.charges = [c for c in work.charges if c.program != "tw_trade_promotion_fee"]
        if ftz is not None:
            _art29_flag(rules, line, work, day, known)
        works.append(work)
        warnings.extend(work.warnings)
    fees, skipped = [], []
    if fee_charges:
        amount = cents(sum((c.amount for c in fee_charges), ZERO))
        first = fee_charges[0]
        fees.append(EntryCharge(program="tw_trade_promotion_fee", rate=first.rate, base=entry_value, amount=amount,
                                legal_basis=first.legal_basis, source=first.source, fee_id=first.measure_id,
                                calculation=f"{fmt_rate(first.rate * 100)}% x {entry_value} = {amount}"))
    if disposition in ("in_zone", "export"):
        why = ("held in the free trade zone: no customs duty, commodity tax, business tax or trade promotion fee "
               "(FTZ Act Art. 21)" if disposition == "in_zone" else
               "shipped abroad from the zone: no duty, business tax or trade promotion fee (FTZ Act Arts. 21-22)")
        for work in works:
            for c in work.charges:
                work.not_applied.append(NotApplied(program=c.program, heading=c.heading, measure_id=c.measure_id,
                                                   reason=f"{why}; would be {c.amount}"))
            work.charges = []
        from tariffs.model import EntryNotApplied

        skipped = [EntryNotApplied(program=f.program, reason=f"{why}; would be {f.amount}") for f in fees]
        fees = []
    return Priced(works, fees, skipped, "tw_ftz_" + disposition if ftz is not None else "import",
                  normal.other_costs)


def _art29_flag(rules: RuleSet, line, work: LineWork, day: dt.date, known: dt.date) -> None:
    for ccc, metal, exchange, timed in rules.tw_ftz_metals:
        if line.hts.startswith(ccc) and timed.valid_on(day) and timed.known_at(known):
            work.flags.append({"flag": "tw_ftz_art29_income_tax_exemption", "metal": metal, "exchange": exchange,
                               "applies_if": "the seller is a foreign enterprise without a fixed place of business "
                                             "in Taiwan and the goods are stored at approved zone premises",
                               "legal_basis": ART29 + f"; {timed.prov.legal_basis}", "source": timed.prov.source,
                               "confidence": timed.prov.confidence})
            work.rely(f"tw_ftz_metals:{ccc}", timed.prov)
            return

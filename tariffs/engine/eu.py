"""EU entries: customs value at the EU border, conventional duty, trade-defence measures, CBAM
and import VAT.

- Customs value (UCC Arts. 70-71): the line value plus the shipment's freight and insurance to
  the EU border, allocated to lines in proportion to value (to the cent; the last line takes
  the remainder). `other_costs` are costs after the border: not customs value, but in the VAT
  base (VAT Directive Art. 86(1)(b)) and in landed cost.
- Duty: the user's `eu_duty_rate`, else a row of rules_data/eu/duty.csv (program eu_duty) in force,
  else the CN duty table (tariffs.engine.eu_duty).
- Safeguard / tariff quota: out-of-quota duty only when the line claims EU-QUOTA-EXHAUSTED.
- Import VAT: (customs value + duties + post-border costs) x the member state's rate, reported
  as recoverable (totals.import_vat; landed_cost excludes it, landed_cost_incl_vat includes it).
- Goods in a customs warehouse or free zone (ftz.regime EU_CUSTOMS_WAREHOUSE / EU_FREE_ZONE with
  disposition in_zone) owe no duty, VAT or CBAM until released for free circulation (UCC Art. 237ff;
  CBAM Art. 2).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from tariffs.engine.adcvd import adcvd_charges
from tariffs.engine.amounts import compute_amounts
from tariffs.engine.cbam import cbam_lines
from tariffs.engine.eu_duty import price_eu_duty
from tariffs.engine.measures import line_facts, resolve_measures
from tariffs.engine.normalise import NormalShipment
from tariffs.engine.priced import Priced
from tariffs.engine.work import LineWork
from tariffs.errors import InputError
from tariffs.hts import dotted
from tariffs.model import Charge, NotApplied
from tariffs.money import ZERO, cents, fmt_rate
from tariffs.rules.ruleset import RuleSet

QUOTA_CLAIM = "EU-QUOTA-EXHAUSTED"
DUTY_PROGRAMS = ("eu_duty", "eu_safeguard", "antidumping", "countervailing")


def allocate(total: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """Split an amount over lines in proportion to their values, to the cent, summing exactly."""
    if not weights:
        return []
    whole = sum(weights, ZERO)
    if whole == 0:
        shares = [cents(total / len(weights))] * len(weights)
    else:
        shares = [cents(total * w / whole) for w in weights]
    shares[-1] += total - sum(shares, ZERO)
    return shares


def vat_rate(rules: RuleSet, state: str, day: dt.date, known: dt.date):
    rows = [r for r in rules.vat if r[0] == state and r[2].valid_on(day) and r[2].known_at(known)]
    if not rows:
        dated = [r for r in rules.vat if r[0] == state and r[2].known_at(known)]
        if dated:
            # The member state is known but its VAT rows do not cover the date: the date is what to change.
            covered = "; ".join(f"from {r[2].valid_from}" + (f" to {r[2].valid_to}" if r[2].valid_to else "")
                                for r in sorted(dated, key=lambda r: r[2].valid_from))
            raise InputError("entry_date", f"no import VAT rate for {state} on {day} in these rules (the EU VAT "
                             f"table covers {state} {covered})", f"an entry_date {covered.split(';')[0]}")
        raise InputError("member_state", f"no import VAT rate for {state} on {day} in these rules",
                         ", ".join(sorted({r[0] for r in rules.vat})) or "(no EU VAT data loaded)")
    return rows[0]


def price_eu(rules: RuleSet, normal: NormalShipment, known: dt.date, warnings: list[str], relied: dict):
    day = normal.entry_date
    state = normal.shipment.member_state.strip().upper()
    _, rate, vat_row = vat_rate(rules, state, day, known)
    ftz = normal.shipment.ftz
    stored = ftz is not None and ftz.regime in ("EU_FREE_ZONE", "EU_CUSTOMS_WAREHOUSE") and ftz.disposition == "in_zone"
    if ftz is not None and ftz.regime not in ("EU_FREE_ZONE", "EU_CUSTOMS_WAREHOUSE"):
        raise InputError("ftz.regime", f"{ftz.regime!r} is not an EU storage procedure",
                         "EU_CUSTOMS_WAREHOUSE or EU_FREE_ZONE")
    border = allocate(normal.freight + normal.insurance, [line.customs_value for line in normal.lines])
    post = allocate(normal.other_costs, [line.customs_value for line in normal.lines])
    for line, extra in zip(normal.lines, border):
        line.customs_value = line.customs_value + extra
    entry_value = sum((line.customs_value for line in normal.lines), ZERO)
    works = []
    for line in normal.lines:
        work = LineWork()
        resolve_measures(line, work, rules, day, known, line_facts(line, normal.mode, entry_value), "eu")
        compute_amounts(line, work)
        price_eu_duty(rules, line, work, day, known)
        adcvd_charges(line, work)
        _quota_note(rules, line, work, day, known)
        works.append(work)
    cbam_lines(rules, normal, works, known, warnings)
    for line, work, after_border in zip(normal.lines, works, post):
        duties = sum((c.amount for c in work.charges if c.program in DUTY_PROGRAMS), ZERO)
        base = line.customs_value + duties + after_border
        amount = cents(base * rate)
        if amount:
            work.charges.append(Charge(
                program="import_vat", heading=dotted(line.hts), rate=rate, basis="vat_base", base=base, amount=amount,
                legal_basis=f"Directive 2006/112/EC Arts. 70, 85-86; {vat_row.prov.legal_basis} ({state}); "
                            "recoverable as input VAT by a taxable importer",
                source=vat_row.prov.source, confidence=vat_row.prov.confidence,
                calculation=f"{fmt_rate(rate * 100)}% x ({line.customs_value} customs value + {duties} duties + "
                            f"{after_border} post-border costs) = {amount}"))
            work.rely(f"eu_vat:{state}", vat_row.prov)
        warnings.extend(work.warnings)
    if stored:
        for work in works:
            _suspend(work, f"in {ftz.regime.lower().replace('_', ' ')}: no import duty, VAT or CBAM until release "
                           "for free circulation (Regulation (EU) 952/2013 Arts. 237-249; CBAM Art. 2)")
    return Priced(works, [], [], "free_circulation" if not stored else "storage", normal.other_costs)


def _quota_note(rules: RuleSet, line, work: LineWork, day: dt.date, known: dt.date) -> None:
    if QUOTA_CLAIM in line.claims:
        return
    gated = [m for m in rules.candidates(line.hts, "eu") if m.claim == QUOTA_CLAIM and m.valid_on(day)
             and m.known_at(known) and rules.matches_origin(line.origin, m.origins, day, known)
             and not (m.except_origins and rules.matches_origin(line.origin, m.except_origins, day, known))]
    for m in gated:
        work.not_applied.append(NotApplied(
            program=m.program, heading=m.heading, measure_id=m.measure_id,
            reason=f"tariff quota assumed available; if the quota is exhausted, claim {QUOTA_CLAIM}: out-of-quota "
                   f"duty {fmt_rate((m.rate or ZERO) * 100)}% ({m.prov.legal_basis})"))
        work.warnings.append(f"{line.field}: {m.heading} is under a tariff quota; whether it is exhausted is an input "
                             f"(claim {QUOTA_CLAIM}), never guessed")


def _suspend(work: LineWork, reason: str) -> None:
    for c in work.charges:
        work.not_applied.append(NotApplied(program=c.program, heading=c.heading, measure_id=c.measure_id,
                                           reason=f"{reason}; would be {c.amount}"))
    work.charges = []

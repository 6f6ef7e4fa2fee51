"""US foreign-trade zones (FTZ Act, 19 U.S.C. 81a-81u; 19 CFR part 146).

Which date fixes the rate:
- privileged foreign (PF): the date the PF application was filed (19 CFR 146.65(a)(1)),
  `ftz.pf_applied_on`, default `admitted_on` — unless a measure's own text makes goods already
  in PF status pay it on entry (rules_data/us/ftz_rules.csv: `applies`);
- non-privileged foreign (NPF): the entry for consumption (`entry_date`), in the condition
  withdrawn — except measures whose instrument made PF status mandatory for goods admitted on
  or after its date (`pf_mandatory_from`): those goods are rated as PF at admission;
- domestic: no duty and no MPF (19 CFR 146.43; 19 U.S.C. 81c(a), 58c(b)(8)(D)(vi));
- zone-restricted: may not be entered for consumption without a Board ruling (19 CFR 146.44, 146.63(b)).
Export and destruction from the zone owe no duty (19 U.S.C. 81c(a); 19 CFR 146.67).
"""
from __future__ import annotations

import datetime as dt

from tariffs.engine.normalise import NormalLine, NormalShipment
from tariffs.engine.us_line import price_us_line
from tariffs.engine.work import LineWork
from tariffs.errors import InputError
from tariffs.model import EntryNotApplied, NotApplied
from tariffs.rules.ruleset import RuleSet

LOCK = "19 CFR 146.65(a)(1): privileged foreign goods pay the rate in force when PF status was applied for"


def _dates(normal: NormalShipment) -> tuple[dt.date, dt.date]:
    ftz = normal.shipment.ftz
    if ftz.regime not in (None, "US_FTZ"):
        raise InputError("ftz.regime", f"{ftz.regime} is not a US zone regime", "US_FTZ (or empty) for a US entry")
    if ftz.status is None:
        raise InputError("ftz.status", "required for a US zone entry",
                         "privileged_foreign, non_privileged_foreign, domestic, zone_restricted")
    if ftz.admitted_on is None:
        raise InputError("ftz.admitted_on", "required for a US zone entry", "the date the goods were admitted")
    if ftz.admitted_on > normal.entry_date:
        raise InputError("ftz.admitted_on", f"{ftz.admitted_on} is after entry_date {normal.entry_date}",
                         "a date on or before the withdrawal (entry_date)")
    applied = ftz.pf_applied_on or ftz.admitted_on
    if applied < ftz.admitted_on or applied > normal.entry_date:
        raise InputError("ftz.pf_applied_on", f"{applied} must be between admitted_on and entry_date",
                         f"{ftz.admitted_on} to {normal.entry_date}")
    return ftz.admitted_on, applied


def _no_duty(work: LineWork, reason: str) -> LineWork:
    """The goods owe nothing: what would have applied is kept as not_applied, with why."""
    charges = ([work.mfn_charge] if work.mfn_charge else []) + work.charges
    for c in charges:
        work.not_applied.append(NotApplied(program=c.program, heading=c.heading, measure_id=c.measure_id,
                                           reason=f"{reason}; would be {c.amount}"))
    work.mfn_charge, work.charges, work.mpf_exempt = None, [], True
    return work


def _merge(rules: RuleSet, base: LineWork, other: LineWork, keep, reason_missing, known: dt.date,
           replaces_ended: bool = False) -> LineWork:
    """Start from ``base`` and add ``other``'s charges that ``keep(measure)`` says belong; explain the rest."""
    have = {c.measure_id for c in base.charges}
    by_id = rules.measure_by_id
    for charge in other.charges:
        if charge.measure_id in have or charge.measure_id not in by_id:
            continue
        measure = by_id[charge.measure_id]
        why = keep(measure, rules.ftz_rule_for(measure, known))
        if why:
            base.charges.append(charge.model_copy(update={"calculation": f"{charge.calculation} ({why})"}))
            if replaces_ended:
                # A measure that reaches goods already in PF status replaces, on entry, the locked rows of the
                # same program that its instrument ended (e.g. Proc. 11021 terminated 9903.78/.80/.81/.85).
                for old in [c for c in base.charges if c.program == charge.program and c.measure_id in by_id
                            and by_id[c.measure_id].valid_to is not None
                            and by_id[c.measure_id].valid_to <= measure.valid_from]:
                    base.charges.remove(old)
                    base.not_applied.append(NotApplied(
                        program=old.program, heading=old.heading, measure_id=old.measure_id,
                        reason=f"ended {by_id[old.measure_id].valid_to}; replaced on entry by {charge.heading}, which "
                               f"applies to goods already in privileged foreign status ({why})"))
        else:
            base.not_applied.append(NotApplied(program=charge.program, heading=charge.heading,
                                               measure_id=charge.measure_id, reason=reason_missing(measure)))
    base.warnings = list(dict.fromkeys(base.warnings + other.warnings))
    base.relied_on.update(other.relied_on)
    return base


def price_ftz_line(rules: RuleSet, normal: NormalShipment, line: NormalLine, known: dt.date, facts: dict) -> LineWork:
    ftz = normal.shipment.ftz
    admitted, applied = _dates(normal)
    entry = normal.entry_date
    # Privileged foreign goods keep the classification of their status date (19 CFR 146.41(e)): the HTS
    # edition in force then, also for the measures that reach them on entry.
    pf = ftz.status.value == "privileged_foreign"
    at_entry = price_us_line(rules, line, entry, known, facts, classified_on=applied if pf else None)
    if ftz.disposition in ("export", "destruction"):
        return _no_duty(at_entry, f"{ftz.disposition} from the zone: no duty (19 U.S.C. 81c(a); 19 CFR 146.67)")
    if ftz.disposition == "in_zone":
        return _no_duty(at_entry, "still in the zone: duty is due only on entry for consumption (19 U.S.C. 81c(a))")
    status = ftz.status.value
    if status == "domestic":
        return _no_duty(at_entry, "domestic status: no duty and no MPF (19 CFR 146.43; 19 U.S.C. 81c(a), "
                                  "58c(b)(8)(D)(vi))")
    if status == "zone_restricted":
        raise InputError("ftz.status", "zone-restricted merchandise may be entered for consumption only when the "
                         "FTZ Board has so ruled (19 CFR 146.44, 146.63(b))",
                         "disposition export or destruction, or another status")
    if status == "privileged_foreign":
        locked = price_us_line(rules, line, applied, known, facts)
        locked.warnings.append(f"{line.field}: privileged foreign status applied for on {applied}: MFN and "
                               f"Chapter 99 rates as in force then ({LOCK})")

        def applies_on_entry(measure, rule):
            if rule is not None and rule.pf_admitted_before == "applies":
                return f"applies on entry to goods already in PF status: {rule.prov.legal_basis}"
            return None

        return _merge(rules, locked, at_entry, applies_on_entry,
                      lambda m: f"privileged foreign status fixed the rates on {applied} ({LOCK}); "
                                f"{m.heading} came into force later", known, replaces_ended=True)

    # Non-privileged foreign: rated at entry, except measures that required PF status at admission.
    at_admission = price_us_line(rules, line, admitted, known, facts, classified_on=entry)

    def mandatory_pf(measure, rule):
        if rule is not None and rule.pf_mandatory_from is not None and rule.pf_mandatory_from <= admitted:
            return f"admitted {admitted}, on or after {rule.pf_mandatory_from}: privileged foreign status was " \
                   f"mandatory ({rule.prov.legal_basis}), so the rate of admission applies"
        return None

    work = _merge(rules, at_entry, at_admission, mandatory_pf,
                  lambda m: f"non-privileged foreign status: rated at entry for consumption on {entry}, when "
                            f"{m.heading} no longer applied", known)
    forced = [c for c in work.charges if c.calculation and "privileged foreign status was mandatory" in c.calculation]
    if forced:
        work.warnings.append(f"{line.field}: goods subject to {', '.join(sorted({c.heading for c in forced}))} "
                             f"admitted on {admitted} had to take privileged foreign status; the NPF choice does not "
                             "avoid them")
    return work


def ftz_fees(normal: NormalShipment, works, fees, skipped):
    """HMF on zone goods is paid at admission, not at withdrawal; weekly entry note."""
    ftz = normal.shipment.ftz
    if ftz.hmf_paid_at_admission and any(f.program == "hmf" for f in fees):
        fees = [f for f in fees if f.program != "hmf"]
        skipped = skipped + [EntryNotApplied(
            program="hmf", reason="paid quarterly on admission to the zone, not on withdrawal (19 CFR 146.22(e), "
                                  "24.24; CBP Form 349)")]
    if ftz.weekly_entry:
        skipped = skipped + [EntryNotApplied(
            program="mpf", reason="weekly entry (19 U.S.C. 1484(i)): one MPF, with its minimum and maximum, for all "
                                  "withdrawals of the 7-day period; this quote is that weekly entry")]
    return fees, skipped

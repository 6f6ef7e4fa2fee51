"""Step 5: entry charges — merchandise processing fee (19 CFR 24.23) and harbor
maintenance fee (19 CFR 24.24), once per entry, from the dated fee table."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from tariffs.engine.normalise import NormalShipment
from tariffs.engine.work import LineWork
from tariffs.errors import InputError
from tariffs.model import EntryCharge, EntryNotApplied
from tariffs.money import cents, fmt_rate
from tariffs.rules.ruleset import RuleSet


def _fee(rules: RuleSet, program: str, day: dt.date, known: dt.date, entry_type: str,
         warnings: list[str] | None = None):
    rows = [f for f in rules.fees if f.program == program and entry_type in f.entry_types]
    in_force = [f for f in rows if f.valid_on(day) and f.known_at(known)]
    if in_force:
        return in_force[0]
    # Pricing ahead of publication (next fiscal year's fee not yet announced at known_at), or a
    # fiscal year whose figure these rules lack (see GAPS.md): the latest earlier year known is
    # used, and the quote says it is an estimate. Never for dates before the first row.
    earlier = sorted((f for f in rows if f.known_at(known) and f.valid_from <= day), key=lambda f: f.valid_from)
    if earlier and warnings is not None:
        reason = ("not yet published at known_at " + str(known)) if any(f.valid_on(day) for f in rows) else \
            "not in these rules (see rules_data/GAPS.md)"
        warnings.append(f"{program} ({entry_type} entry): the amount for {day} is {reason}; "
                        f"{earlier[-1].fee_id} is used as an estimate")
        return earlier[-1]
    return None


def entry_charges(normal: NormalShipment, works: list[LineWork], rules: RuleSet, known: dt.date,
                  relied: dict, warnings: list[str], entry_type: str = "formal"
                  ) -> tuple[list[EntryCharge], list[EntryNotApplied]]:
    day, charges, skipped = normal.entry_date, [], []
    if entry_type == "de_minimis":
        reason = "de minimis entry (19 U.S.C. 1321): no duties and no fees are collected"
        return [], [EntryNotApplied(program="mpf", reason=reason), EntryNotApplied(program="hmf", reason=reason)]
    mpf = _fee(rules, "mpf", day, known, entry_type, warnings)
    if mpf is None and any(f.program == "mpf" and entry_type in f.entry_types and f.valid_from <= day
                           for f in rules.fees):
        # The rules hold a fee for the date, but none was published by known_at: the knowledge date is at fault.
        raise InputError("known_at", f"no merchandise processing fee for {entry_type} entries on {day} was "
                         f"published as of {known} in ruleset {rules.version}",
                         "a knowledge date on or after the publication of the fee for the entry date")
    if mpf is None:
        raise InputError("entry_date", f"no merchandise processing fee for {entry_type} entries on {day} in "
                         f"ruleset {rules.version} (see rules_data/GAPS.md)", "a date covered by rules_data/us/fees.csv")
    base = sum((line.customs_value for line, work in zip(normal.lines, works) if not work.mpf_exempt), Decimal(0))
    exempt = [line.index for line, work in zip(normal.lines, works) if work.mpf_exempt]
    if base > 0:
        raw = cents(mpf.rate * base)
        amount = raw
        note = ""
        if mpf.minimum is not None and amount < mpf.minimum:
            amount, note = mpf.minimum, f", raised to the minimum {mpf.minimum}"
        if mpf.maximum is not None and amount > mpf.maximum:
            amount, note = mpf.maximum, f", capped at the maximum {mpf.maximum}"
        calculation = (f"{fmt_rate(mpf.rate * 100)}% x {base} = {raw}{note}" if mpf.rate else
                       f"flat fee for an {entry_type} entry: {amount}")
        charges.append(EntryCharge(program="mpf", rate=mpf.rate, base=base, amount=amount,
                                   legal_basis=mpf.prov.legal_basis, source=mpf.prov.source, fee_id=mpf.fee_id,
                                   calculation=calculation))
        relied[mpf.fee_id] = mpf.prov
        if exempt:
            skipped.append(EntryNotApplied(program="mpf", reason=f"lines {exempt} exempt: special program claimed "
                                           "whose goods are exempt from MPF (19 CFR 24.23(c))"))
    else:
        skipped.append(EntryNotApplied(program="mpf", reason="no value subject to MPF: every line is exempt "
                                       "(19 CFR 24.23(c)) or the entry value is zero"))
    hmf = _fee(rules, "hmf", day, known, entry_type, warnings)
    total = sum((line.customs_value for line in normal.lines), Decimal(0))
    if hmf is None:
        skipped.append(EntryNotApplied(program="hmf", reason=f"no harbor maintenance fee row for {day}"))
    elif "ALL" not in hmf.modes and normal.mode not in hmf.modes:
        skipped.append(EntryNotApplied(program="hmf", reason=f"mode {normal.mode}: HMF applies to "
                                       f"{', '.join(hmf.modes)} shipments only ({hmf.prov.legal_basis})"))
    elif total > 0:
        amount = cents(hmf.rate * total)
        charges.append(EntryCharge(program="hmf", rate=hmf.rate, base=total, amount=amount,
                                   legal_basis=hmf.prov.legal_basis, source=hmf.prov.source, fee_id=hmf.fee_id,
                                   calculation=f"{fmt_rate(hmf.rate * 100)}% x {total} = {amount}"))
        relied[hmf.fee_id] = hmf.prov
    return charges, skipped

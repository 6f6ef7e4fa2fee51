"""Antidumping and countervailing duties: company-specific cash-deposit rates that the
importer supplies on the line (case number and rate from the Commerce order or its latest
administrative review). Charged and reported, never invented."""
from __future__ import annotations

from tariffs.engine.mfn import quantity_in
from tariffs.engine.normalise import NormalLine
from tariffs.engine.work import LineWork
from tariffs.hts import canonical_unit
from tariffs.model import Charge
from tariffs.money import ZERO, cents, fmt_rate

STATUTE = {"antidumping": "Tariff Act of 1930 sec. 731 (19 U.S.C. 1673); cash deposit per 19 CFR 351.211",
           "countervailing": "Tariff Act of 1930 sec. 701 (19 U.S.C. 1671); cash deposit per 19 CFR 351.211"}


def adcvd_charges(line: NormalLine, work: LineWork) -> None:
    for case in line.source.adcvd:
        amount, parts, used = ZERO, [], None
        rate = case.rate or ZERO
        if case.rate is not None:
            amount += case.rate * line.customs_value
            parts.append(f"{fmt_rate(case.rate * 100)}% x {line.customs_value}")
        if case.specific is not None:
            unit = canonical_unit(case.unit)
            used = quantity_in(line, unit, f"${case.specific}/{unit} ({case.case})")
            amount += case.specific * used
            parts.append(f"${fmt_rate(case.specific)}/{unit} x {fmt_rate(used)} {unit}")
        company = f", {case.company}" if case.company else ""
        if cents(amount) == 0:
            work.not_applied.append(_na(case.type, case.case, f"cash-deposit rate of case {case.case}{company} is 0"))
            continue
        work.charges.append(Charge(
            program=case.type, heading=case.case, rate=rate, basis="value", base=line.customs_value,
            amount=cents(amount), legal_basis=f"{STATUTE[case.type]}; case {case.case}{company}: rate supplied by "
            "the importer", source="https://access.trade.gov/public/FRNoticesListLayout.aspx",
            confidence="unverified", quantity=used,
            calculation=" + ".join(parts) + f" = {cents(amount)} (rate supplied by the importer)"))
        work.warnings.append(f"{line.field}: {case.type} case {case.case} at the cash-deposit rate you supplied; "
                             "final liability is set at liquidation")


def _na(program, heading, reason):
    from tariffs.model import NotApplied

    return NotApplied(program=program, heading=heading, reason=reason)

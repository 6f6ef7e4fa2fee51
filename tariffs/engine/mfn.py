"""Column 1 general, column 1 special (when claimed and eligible) or column 2 rates."""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from tariffs.engine.normalise import NormalLine
from tariffs.engine.work import LineWork
from tariffs import limits, units
from tariffs.errors import InputError
from tariffs.hts import dotted
from tariffs.model import Charge, NotApplied, show_input
from tariffs.money import cents, fmt_rate
from tariffs.rates import Rate, RateParseError, parse_rate, parse_special
from tariffs.rules.rows import Provenance
from tariffs.rules.hts_history import not_a_line, statistical_lines
from tariffs.rules.ruleset import RuleSet

CHAPTER99_CLAIM = re.compile(r"^\d{4}\.\d{2}\.\d{2}$")
NTR_DENIED = "NTR_DENIED"


def quantity_in(line: NormalLine, unit: str, rate_text: str) -> Decimal:
    """The line's quantity in ``unit`` (exact conversion between mass units and the printed units whose
    conversion is sourced, `tariffs.units`), or a clear error naming the units the rate can use."""
    usable = ", ".join(repr(u) for u in units.usable_for(unit))
    if not line.quantities:
        raise InputError(f"{line.field}.quantity", f"missing: the rate {rate_text!r} of {dotted(line.hts)} is per "
                         f"{unit}", f"quantity with unit {usable}")
    for quantity, have in line.quantities:
        converted = units.convert(quantity, have, unit)
        if converted is not None:
            return converted
    if any(have is None for _, have in line.quantities):
        first = line.quantities[0][1] is None and line.source.quantity is not None
        field = "unit" if first else "unit2"
        raise InputError(f"{line.field}.{field}", f"missing: the quantity has no unit and the rate {rate_text!r} of "
                         f"{dotted(line.hts)} is per {unit}", usable)
    given = ", ".join(u for _, u in line.quantities)
    raise InputError(f"{line.field}.unit", f"unit mismatch: the rate {rate_text!r} of {dotted(line.hts)} is per "
                     f"{unit}, the line gives {given}", f"{usable} in unit or unit2")


def rate_amount(rate: Rate, value: Decimal, line: NormalLine) -> tuple[Decimal, str, Decimal | None]:
    """Unrounded duty of a rate on a line, a calculation string, and the quantity used."""
    amount = rate.ad_valorem * value
    parts = []
    if rate.ad_valorem:
        parts.append(f"{fmt_rate(rate.ad_valorem * 100)}% x {value}")
    used = None
    for specific in rate.specifics:
        used = quantity_in(line, specific.unit, rate.text)
        amount += specific.amount * used
        parts.append(f"${fmt_rate(specific.amount)}/{specific.unit} x {fmt_rate(used)} {specific.unit}")
    return amount, " + ".join(parts) or "Free", used


def _is_free(text: str) -> bool:
    try:
        return parse_rate(text).is_free
    except RateParseError:
        return False


def _special_program(rules: RuleSet, indicator: str, day: dt.date, known: dt.date):
    return next((p for p in rules.special_programs.get(indicator, ()) if p.valid_on(day) and p.known_at(known)), None)


def resolve_mfn(line: NormalLine, work: LineWork, rules: RuleSet, day: dt.date, known: dt.date,
                classified_on: dt.date | None = None) -> None:
    """The line's MFN rate under the HTS edition in force on ``classified_on`` (default: ``day``)."""
    edition, fell_back = rules.edition_for(classified_on or day, known)
    if fell_back:
        work.warnings.append(
            f"{line.field}: {'entry' if classified_on is None else 'classification'} date {classified_on or day} "
            f"is before the earliest loaded HTS edition ({edition.edition}, effective "
            f"{edition.effective}); its codes and rates are used (load an older edition with "
            "`tariffs rules import-hts`)")
    mline = rules.mfn_line(edition, line.hts)
    if mline is None:
        raise InputError(f"{line.field}.hts", not_a_line(rules, edition, line.hts, classified_on or day),
                         f"an 8-digit subheading or 10-digit statistical line of HTSUS edition {edition.edition}")
    if len(line.hts) == 8:
        stat = statistical_lines(rules, edition, line.hts)
        rates = {c: rules.mfn_line(edition, c).general or "(no rate)" for c in stat}
        if mline.implied and not mline.general and len(set(rates.values())) > 1:
            rates = "; ".join(f"{dotted(c)} {text}" for c, text in rates.items())
            raise InputError(f"{line.field}.hts", f"{dotted(line.hts)} has statistical lines with different rates in "
                             f"HTSUS edition {edition.edition}: {rates}", "one of its 10-digit statistical lines")
        if len(stat) > 1:
            work.warnings.append(
                f"{line.field}: {dotted(line.hts)} priced at the 8-digit level (edition {edition.edition}); its "
                f"statistical lines are {', '.join(dotted(c) for c in stat)} (the entry reports one of them)")
    column, text, legal = "general", mline.general, f"HTSUS column 1 general rate, {dotted(mline.digits[:8])}"
    prov = Provenance(f"Harmonized Tariff Schedule of the United States, edition {edition.edition}", edition.source,
                      edition.confidence)
    denied = [m for m in rules.groups.get(NTR_DENIED, ()) if m.country == line.origin and m.valid_on(day)
              and m.known_at(known)]
    spi_claims = [c for c in line.claims if not CHAPTER99_CLAIM.match(c)]
    if denied:
        column, text = "column 2", mline.other
        legal = f"HTSUS column 2 rate, {dotted(mline.digits[:8])}; {denied[0].prov.legal_basis}"
        work.rely(f"country_groups:{NTR_DENIED}:{line.origin}", denied[0].prov)
        for claim in spi_claims:
            work.not_applied.append(NotApplied(program="mfn", heading=f"SPI {claim}", reason=(
                f"origin {line.origin} is denied normal trade relations: column 2 applies, no special rate")))
    else:
        special = None
        if spi_claims:
            try:
                special = parse_special(mline.special)
            except RateParseError:
                special = {}
        for claim in spi_claims:
            if claim not in rules.special_programs:
                raise InputError(f"{line.field}.claims", f"{claim!r} is not a special program indicator or a "
                                 "Chapter 99 heading this ruleset knows",
                                 ", ".join(sorted(rules.special_programs)) + ", or a heading like 9903.88.69")
            if column != "general":
                work.warnings.append(f"{line.field}: more than one special program claimed; {claim} ignored")
                continue
            program = _special_program(rules, claim, day, known)
            listed = {k.rstrip("*+"): v for k, v in special.items()}
            reason = None
            if program is None:
                reason = f"SPI {claim} is not in force for entries on {day}"
            elif not program.eligible:
                reason = (f"the beneficiary countries of {program.program_name} ({claim}) are not in these rules "
                          "(see rules_data/GAPS.md), so eligibility cannot be confirmed")
            elif not rules.matches_origin(line.origin, program.eligible, day, known):
                reason = f"origin {line.origin} is not eligible for {program.program_name} ({claim})"
            elif claim not in special and claim.rstrip("*+") not in listed:
                if _is_free(mline.general):
                    # An SPI may be claimed on a line that is free anyway: the rate stays Free, and
                    # the claim still counts for MPF (19 U.S.C. 58c(b)) and for measures that exempt it.
                    work.rely(f"special_programs:{claim}", program.prov)
                    work.mpf_exempt = work.mpf_exempt or program.mpf_exempt
                    continue
                reason = f"{dotted(mline.digits[:8])} has no special rate under {claim}"
            elif isinstance(special.get(claim, listed.get(claim.rstrip("*+"))), str):
                reason = (f"the {claim} rate of {dotted(mline.digits[:8])} is "
                          f"'{special.get(claim, listed.get(claim.rstrip('*+')))}', which this engine does not compute")
            if reason:
                work.not_applied.append(NotApplied(program="mfn", heading=f"SPI {claim}",
                                                   reason=f"claim refused: {reason}; general rate applied"))
                work.warnings.append(f"{line.field}: claim {claim} refused: {reason}")
                continue
            column = f"special {claim}"
            rate_obj = special.get(claim, listed.get(claim.rstrip("*+")))
            text = rate_obj.text
            legal = f"HTSUS column 1 special rate ({claim}: {program.program_name}; {program.prov.legal_basis})"
            work.rely(f"special_programs:{claim}", program.prov)
            work.mpf_exempt = program.mpf_exempt
    try:
        rate = parse_rate(text)
    except RateParseError:
        if line.source.mfn_rate is None:
            raise InputError(f"{line.field}.hts", f"the {column} rate of {dotted(line.hts)} is printed as "
                             f"{text or '(no rate)'!r}, which the engine cannot compute; give lines[{line.index}]."
                             "mfn_rate", "a rate text such as \"5%\" or \"1.5¢/kg + 5%\"") from None
        allowed = "\"Free\", \"5%\", \"1.5¢/kg + 5%\", \"$1.035/kg\""
        try:
            rate = parse_rate(line.source.mfn_rate) if len(line.source.mfn_rate) <= 200 else None
        except RateParseError:
            rate = None
        if rate is None:
            raise InputError(f"{line.field}.mfn_rate", f"{show_input(line.source.mfn_rate)} is not a rate", allowed)
        if rate.ad_valorem > limits.MAX_AD_VALOREM or any(s.amount > limits.MAX_SPECIFIC for s in rate.specifics):
            raise InputError(f"{line.field}.mfn_rate", f"{rate.text!r} is outside the bounds",
                             f"{allowed}, at most {limits.MAX_AD_VALOREM * 100}% and "
                             f"{limits.MAX_SPECIFIC:f} per unit")
        legal += f"; rate supplied by the user ({rate.text}) because the printed text {text!r} is not computable"
        work.warnings.append(f"{line.field}: MFN rate {rate.text!r} supplied by the user for {dotted(line.hts)}")
    work.mfn_rate = rate
    work.rely(f"mfn:{edition.edition}", prov)
    heading = dotted(line.hts[:8])
    if rate.is_free:
        work.not_applied.append(NotApplied(program="mfn", heading=heading, reason=f"{column} rate is Free ({legal})"))
        return
    amount, calculation, used = rate_amount(rate, line.customs_value, line)
    if cents(amount) == 0:
        work.not_applied.append(NotApplied(program="mfn", heading=heading,
                                           reason=f"zero base: {calculation} = 0.00 ({legal})"))
        return
    work.mfn_charge = Charge(
        program="mfn", heading=heading, rate=rate.ad_valorem, basis="value", base=line.customs_value,
        amount=cents(amount), legal_basis=legal, source=f"{edition.source.rstrip('/')}/search?query={heading}",
        confidence=edition.confidence, rate_text=rate.text,
        specific=" + ".join(s.text() for s in rate.specifics) or None, quantity=used,
        calculation=f"{calculation} = {cents(amount)}")

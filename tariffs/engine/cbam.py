"""EU Carbon Border Adjustment Mechanism (Regulation (EU) 2023/956 as amended by (EU) 2025/2083).

For a good in Annex I, released for free circulation from 2026-01-01:

    SEFA         = benchmark x CBAM factor(year) x CSCF          (free-allocation adjustment per tonne)
    certificates = tonnes x max(SEE - SEFA, 0) - deduction         (unrounded)
    deduction    = carbon price paid at origin (EUR/tCO2e) x SEE x tonnes / certificate price   (Art. 9)
    cost         = certificates x price of the period of import, to the cent, half-up

SEE is the published default value for the CN code, country and year (including that year's
mark-up, as published — never recomputed) or the verified actual emissions (direct, plus
indirect for cement and fertilisers). A period whose price is not published at known_at uses
the price the user supplies (shipment `cbam_price`) or the latest published one, and the result
says it is an estimate. Settlement is annual, so a per-shipment figure is an estimate whenever
the period's price or benchmarks are not final.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from tariffs.engine.normalise import NormalLine, NormalShipment
from tariffs.engine.work import LineWork
from tariffs.errors import InputError
from tariffs.hts import convert, dotted
from tariffs.model import Charge, NotApplied
from tariffs.money import cents, fmt_rate, ratio
from tariffs.rules.ruleset import RuleSet

LEGAL = "Regulation (EU) 2023/956 (CBAM) as amended by Regulation (EU) 2025/2083"


def _longest(rows, code: str, key=lambda r: r[0]):
    best = None
    for row in rows:
        prefix = key(row)
        if code.startswith(prefix) and (best is None or len(prefix) > len(key(best))):
            best = row
    return best


def cbam_good(rules: RuleSet, code: str, day: dt.date, known: dt.date):
    rows = [r for r in rules.cbam_goods if r[4].valid_on(day) and r[4].known_at(known)]
    row = _longest(rows, code)
    return None if row is None or row[3] else row


def tonnes(line: NormalLine) -> Decimal:
    for quantity, unit in line.quantities:
        converted = convert(quantity, unit, "t")
        if converted is not None:
            return converted
    raise InputError(f"{line.field}.quantity", "CBAM needs the net mass of the goods",
                     "quantity with unit t or kg (or net_weight_kg)")


def _default_rows(rules: RuleSet, code: str, country: str, year: int, known: dt.date) -> tuple[list, str]:
    """The workbook rows that give the default value of a code from a country in a year: the country's
    own rows at its longest matching prefix (several when the workbook distinguishes products under one
    code, e.g. white and grey clinker), else those of "Other Countries and Territories". Returns the
    rows and whose they are ("" when none)."""
    for who in (country, "OTHER"):
        mine = [r for r in rules.cbam_default_rows(year, who) if r[0] == code[:len(r[0])] and r[4].known_at(known)]
        if mine:
            longest = max(len(r[0]) for r in mine)
            return [r for r in mine if len(r[0]) == longest], who
    return [], ""


def _default_value(rules: RuleSet, line: NormalLine, year: int, known: dt.date, warnings: list[str] | None = None):
    """(cn, country, year, value, timed provenance, note, route) of the default value used, or an error."""
    code, country = line.hts, line.origin
    rows, who = _default_rows(rules, code, country, year, known)
    valued = [r for r in rows if r[3] is not None]
    if not valued:
        if rows:
            raise InputError(f"{line.field}.emissions", f"the Commission's default values give no value for CN "
                             f"{dotted(code)} ({rows[0][0]}) from {country if who == country else 'other countries'} "
                             f"for {year} (Implementing Reg. (EU) 2025/2621; see rules_data/GAPS.md)",
                             "actual emissions: {\"source\": \"actual\", \"direct\": ...}")
        raise InputError(f"{line.field}.emissions", f"no published CBAM default value for CN {dotted(code)} from "
                         f"{country} for {year} in these rules (see rules_data/GAPS.md)",
                         "actual emissions: {\"source\": \"actual\", \"direct\": ...}")
    chosen = max(valued, key=lambda r: r[3])
    if warnings is not None:
        if who != country:
            warnings.append(f"{line.field}: the CBAM default values list no value for {country} under CN "
                            f"{dotted(code)}: the value for other countries and territories ({chosen[3]}) is used")
        if len({r[3] for r in valued}) > 1:
            warnings.append(f"{line.field}: the CBAM default values give {len(valued)} values for CN {chosen[0]} from "
                            f"{who} ({', '.join(str(r[3]) for r in valued)}: different products under one code); the "
                            "highest is used; give actual emissions to be exact")
    return chosen


def _benchmark(rules: RuleSet, line: NormalLine, route: str, day: dt.date, known: dt.date,
               warnings: list[str] | None = None):
    """The Column B benchmark of the line's CN code for the production route the default values give."""
    current = [r for r in rules.cbam_benchmarks if r[3].valid_on(day) and r[3].known_at(known)]
    rows = [r for r in current if line.hts.startswith(r[0])]
    if not rows:
        # A code ending in 00 stands for its whole subheading (e.g. 7601 10 00 where the benchmarks list
        # 7601 10 10 and 7601 10 90): the benchmarks of the codes under it.
        stem = line.hts
        while stem.endswith("00") and len(stem) > 6:
            stem = stem[:-2]
        rows = [r for r in current if r[0].startswith(stem)]
    if not rows:
        return None
    longest = max(len(r[0]) for r in rows)
    rows = [r for r in rows if len(r[0]) == longest]
    by_route = [r for r in rows if route and r[1].startswith(route)]
    candidates = by_route or rows
    if len({r[2] for r in candidates}) > 1:
        chosen = min(candidates, key=lambda r: r[2])
        if warnings is not None:
            why = (f"route {route} is not one of them" if route and not by_route else
                   f"route {route} has variants" if route else "the default values name no route")
            warnings.append(f"{line.field}: CN {dotted(line.hts)} has {len(candidates)} Column B benchmarks ("
                            + ", ".join(f"{r[2]} ({r[1] or '-'})" for r in candidates) + f") and {why}: the lowest, "
                            f"{chosen[2]}, is used (the larger CBAM charge)")
        return chosen
    return candidates[0]


def _factor(rules: RuleSet, year: int, known: dt.date):
    rows = [r for r in rules.cbam_factors.get(year, []) if r[2].known_at(known)]
    return rows[-1] if rows else None


def _period(day: dt.date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}" if day.year == 2026 else f"{day.isocalendar()[0]}-W" \
        f"{day.isocalendar()[1]:02d}"


def certificate_price(rules: RuleSet, normal: NormalShipment, known: dt.date, warnings: list[str]):
    """(price, period label, is_estimate, provenance)."""
    day = normal.entry_date
    published = [r for r in rules.cbam_prices if r[3] is not None and r[3] <= known]
    own = next((r for r in published if r[0] <= day < r[1]), None)  # period_end is exclusive
    if own is not None:
        return own[2], f"{own[0]}..{own[1]}", False, own[4]
    period = _period(day)
    if normal.shipment.cbam_price is not None:
        warnings.append(f"cbam: the certificate price for {period} is not published at known_at {known}; the price "
                        f"you supplied ({normal.shipment.cbam_price}) is used: an estimate")
        return normal.shipment.cbam_price, f"{period} (user-supplied)", True, None
    earlier = sorted((r for r in published if r[0] <= day), key=lambda r: r[0])
    if not earlier:
        raise InputError("cbam_price", f"no CBAM certificate price is published for {period} or before at known_at "
                         f"{known}", "a price in EUR per tCO2e for an estimate")
    latest = earlier[-1]
    warnings.append(f"cbam: the certificate price for {period} is not published at known_at {known}; the latest "
                    f"published price ({latest[2]} for {latest[0]}..{latest[1]}) is used: an estimate")
    return latest[2], f"{period} (estimate: price of {latest[0]}..{latest[1]})", True, latest[4]


def emissions_used(rules: RuleSet, line: NormalLine, good, source: str, year: int, known: dt.date,
                   warnings: list[str] | None = None):
    """(SEE tCO2e/t, source label, provenance) for default or actual emissions."""
    code, counts_indirect = line.hts, good[2]
    if source == "actual":
        e = line.source.emissions
        if e is None or e.direct is None:
            raise InputError(f"{line.field}.emissions.direct", "actual emissions need the direct emissions",
                             "tCO2e per tonne of goods, from the verified emissions report")
        if counts_indirect and e.indirect is None:
            raise InputError(f"{line.field}.emissions.indirect", f"{good[1]} counts indirect emissions too",
                             "tCO2e per tonne of goods")
        see = e.direct + (e.indirect if counts_indirect else Decimal(0))
        return see, "actual", None
    row = _default_value(rules, line, year, known, warnings)
    return row[3], "default", row[4].prov


def _route(rules: RuleSet, line: NormalLine, year: int, known: dt.date) -> str:
    """The production route letter the default values give for the line's code and origin ("" if none)."""
    rows, _ = _default_rows(rules, line.hts, line.origin, year, known)
    valued = [r for r in rows if r[3] is not None]
    return max(valued, key=lambda r: r[3])[6] if valued else ""


def compute(rules: RuleSet, line: NormalLine, good, source: str, price: Decimal, year: int, day: dt.date,
            known: dt.date, warnings: list[str] | None = None):
    """Certificates and cost for one line and one emissions source (no rounding of certificates)."""
    see, label, prov = emissions_used(rules, line, good, source, year, known, warnings)
    bench = _benchmark(rules, line, _route(rules, line, year, known), day, known, warnings)
    if bench is None:
        raise InputError(f"{line.field}.hts", f"no CBAM benchmark for CN {dotted(line.hts)} in these rules",
                         "a CN code with a benchmark in rules_data/eu/cbam/benchmarks.csv")
    factor = _factor(rules, year, known)
    if factor is None:
        raise InputError("entry_date", f"no CBAM factor for {year} in these rules", "2026 to 2034")
    cbam_factor, cscf = factor[0], factor[1] if factor[1] is not None else Decimal(1)
    sefa = bench[2] * cbam_factor * cscf
    mass = tonnes(line)
    gross = mass * max(see - sefa, Decimal(0))
    deduction = Decimal(0)
    e = line.source.emissions
    if e is not None and e.carbon_price_paid:
        deduction = e.carbon_price_paid * see * mass / price
    certificates = max(gross - deduction, Decimal(0))
    return {"see": see, "source": label, "prov": prov, "sefa": sefa, "benchmark": bench, "factor": cbam_factor,
            "cscf": cscf, "tonnes": mass, "deduction": deduction, "certificates": certificates,
            "cost": cents(certificates * price)}


def _later_good(rules: RuleSet, code: str, day: dt.date, known: dt.date):
    """The goods row of a code that comes into force after ``day`` (as known), if any."""
    rows = [r for r in rules.cbam_goods if r[4].valid_from > day and r[4].known_at(known)]
    row = _longest(rows, code)
    return None if row is None or row[3] else row


def cbam_lines(rules: RuleSet, normal: NormalShipment, works: list[LineWork], known: dt.date,
               warnings: list[str]) -> None:
    day, year = normal.entry_date, normal.entry_date.year
    in_scope = []
    for line, work in zip(normal.lines, works):
        good = cbam_good(rules, line.hts, day, known)
        if good is None:
            later = _later_good(rules, line.hts, day, known)
            if later is not None:
                # An Annex I good entered before the CBAM charge starts: say so rather than charge nothing silently.
                work.not_applied.append(NotApplied(program="cbam", heading=dotted(line.hts), reason=(
                    f"CBAM certificates are due on goods of CN {dotted(later[0])} released from "
                    f"{later[4].valid_from} ({later[4].prov.legal_basis}); entered {day}, before that date")))
                work.rely(f"cbam_good:{later[0]}", later[4].prov)
            continue
        outside = next((r for r in rules.cbam_excluded_origins if r[0] == line.origin and r[1].valid_on(day)
                        and r[1].known_at(known)), None)
        if outside is not None:
            work.not_applied.append(NotApplied(program="cbam", heading=dotted(line.hts), reason=(
                f"origin {line.origin} is outside the CBAM ({outside[1].prov.legal_basis})")))
            work.rely(f"cbam_excluded_origin:{line.origin}", outside[1].prov)
            continue
        in_scope.append((line, work, good))
    if not in_scope:
        return
    rule = next((r for r in rules.cbam_de_minimis if r[2].valid_on(day) and r[2].known_at(known)), None)
    threshold, not_counted = (rule[0], rule[1]) if rule else (None, ())

    def counts(line) -> bool:
        return not line.hts.startswith(not_counted) if not_counted else True

    counted = sum((tonnes(line) for line, _, _ in in_scope if counts(line)), Decimal(0))
    ytd = normal.shipment.cbam_ytd_tonnes
    if ytd is None and threshold is not None:
        warnings.append(f"cbam_ytd_tonnes not given: the importer is assumed to have imported no other CBAM goods "
                        f"this year ({fmt_rate(threshold)} t de minimis, {rule[2].prov.legal_basis})")
    ytd = ytd or Decimal(0)
    if threshold is not None and ytd + counted <= threshold:
        for line, work, good in in_scope:
            if counts(line):
                work.not_applied.append(NotApplied(program="cbam", heading=dotted(line.hts), reason=(
                    f"de minimis: {fmt_rate(ytd)} t already this year + {fmt_rate(counted)} t = "
                    f"{fmt_rate(ytd + counted)} t <= {fmt_rate(threshold)} t ({rule[2].prov.legal_basis})")))
                work.rely("cbam_de_minimis", rule[2].prov)
        in_scope = [x for x in in_scope if not counts(x[0])]
        if not in_scope:
            return
    elif threshold is not None and 0 < ytd <= threshold:
        warnings.append(f"cbam: this shipment takes the year's CBAM tonnage from {fmt_rate(ytd)} t to "
                        f"{fmt_rate(ytd + counted)} t, above {fmt_rate(threshold)} t: the whole year is in scope, so "
                        f"the {fmt_rate(ytd)} t imported earlier this year also need certificates")
    price, period, estimate, price_prov = certificate_price(rules, normal, known, warnings)
    for line, work, good in in_scope:
        chosen = (line.source.emissions.source if line.source.emissions else "default").lower()
        if chosen not in ("default", "actual"):
            raise InputError(f"{line.field}.emissions.source", f"{chosen!r} is not allowed", "default, actual")
        if line.source.emissions is None:
            warnings.append(f"{line.field}: no emissions given: CBAM default values used")
        result = compute(rules, line, good, chosen, price, year, day, known, warnings)
        actual_note = ""
        if chosen == "actual":
            actual_note = "; with actual emissions the Column A process benchmark applies in law — the product " \
                          "benchmark used here makes this an estimate"
        work.charges.append(Charge(
            program="cbam", heading=dotted(line.hts), rate=price, basis="certificates",
            base=result["certificates"], amount=result["cost"],
            legal_basis=f"{LEGAL}; default values Implementing Reg. (EU) 2025/2621; benchmarks (EU) 2025/2620",
            source="https://eur-lex.europa.eu/eli/reg/2023/956/oj", confidence="primary" if result["prov"] is None
            else result["prov"].confidence,
            certificates=result["certificates"], emissions=result["see"], emissions_source=result["source"],
            price=price, price_period=period,
            eur_per_tonne=cents(result["cost"] / result["tonnes"]) if result["tonnes"] else None,
            share_of_customs_value=ratio(result["cost"], line.customs_value),
            estimate=True,
            calculation=(f"{fmt_rate(result['tonnes'])} t x ({fmt_rate(result['see'])} - benchmark "
                         f"{fmt_rate(result['benchmark'][2])}{_route_label(result['benchmark'][1])} x factor "
                         f"{fmt_rate(result['factor'])} x CSCF "
                         f"{fmt_rate(result['cscf'])}) - deduction {fmt_rate(result['deduction'])} = "
                         f"{result['certificates']} certificates x EUR {price} = {result['cost']}; settled per year, "
                         f"so this per-shipment figure is an estimate{actual_note}")))
        if result["prov"] is not None:
            work.rely(f"cbam_default:{dotted(line.hts)}:{line.origin}:{year}", result["prov"])
        work.rely(f"cbam_benchmark:{result['benchmark'][0]}", result["benchmark"][3].prov)
        if price_prov is not None:
            work.rely(f"cbam_price:{period}", price_prov)
        if chosen == "actual":
            default = compute(rules, line, good, "default", price, year, day, known)
            work.green_premium = {
                "default": _view(default), "actual": _view(result),
                "premium": format(default["cost"] - result["cost"], "f"),
                "premium_per_tonne": format(cents((default["cost"] - result["cost"]) / result["tonnes"]), "f")
                if result["tonnes"] else None,
                "note": "CBAM cost with the published default values vs the supplier's verified actual emissions; "
                        "the difference is what buying the lower-carbon product saves"}


def _route_label(route: str) -> str:
    return f" (route {route})" if route else ""


def _view(result) -> dict:
    return {"emissions": format(result["see"], "f"), "certificates": format(result["certificates"], "f"),
            "cost": format(result["cost"], "f"),
            "eur_per_tonne": format(cents(result["cost"] / result["tonnes"]), "f") if result["tonnes"] else None}

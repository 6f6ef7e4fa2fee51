"""Step 4: rate x base (+ specific x quantity), rounded per line and charge, half-up."""
from __future__ import annotations

from decimal import Decimal

from tariffs.engine.mfn import quantity_in
from tariffs.engine.normalise import NormalLine
from tariffs.engine.work import Active, LineWork
from tariffs.model import Charge
from tariffs.money import cents, fmt_rate


def content_base(line: NormalLine, active: Active, work: LineWork) -> Decimal:
    basis = active.measure.basis
    if basis == "value":
        return line.customs_value
    if basis.startswith("content:"):
        metal = basis.split(":", 1)[1]
        if metal in line.metal_content:
            return line.metal_content[metal]
        if line.metal_content:
            # The line declares its metal content; a metal it does not list is not in the article.
            return Decimal(0)
        work.warnings.append(
            f"{line.field}.metal_content.{metal}: not given; {active.measure.heading} is charged on the full customs "
            f"value (CBP: content not stated or substantiated is duty on the full value)")
        return line.customs_value
    return line.customs_value  # non_content handled by the caller


def compute_amounts(line: NormalLine, work: LineWork, rank=None) -> None:
    """``rank(program)`` orders the charges when a basis builds on earlier ones (value_plus_duties)."""
    for active in work.active:
        active.base = content_base(line, active, work)
    if rank is not None:
        work.active.sort(key=lambda a: rank(a.measure.program))
    for active in work.active:
        m = active.measure
        base = active.base
        covered = [w for w in active.non_content_of]
        if m.basis.startswith("non_us_content") and line.us_content_value is not None:
            # "non_us_content:0.20": only the non-US content is charged when US content is at least 20%
            # of the value (EO 14257 sec. 3(f)); below the threshold the full value is.
            threshold = Decimal(m.basis.partition(":")[2] or "0")
            if line.us_content_share is not None and line.us_content_share >= threshold:
                base = line.customs_value - line.us_content_value
        if m.basis == "non_content" or covered:
            covered_value = sum((w.base for w in covered if w.measure.basis.startswith("content:")), Decimal(0))
            if any(w.measure.basis == "value" for w in covered):
                covered_value = line.customs_value
            base = max(base - covered_value, Decimal(0)) if m.basis != "non_content" else max(
                line.customs_value - covered_value, Decimal(0))
        if m.basis == "value_plus_duties":
            # e.g. Taiwan business tax on duty-paid value + duty + commodity tax (charges of lower rank)
            prior = [c for c in work.charges if rank is not None and rank(c.program) < rank(m.program)]
            base = line.customs_value + sum((c.amount for c in prior), Decimal(0))
        rate = m.rate or Decimal(0)
        parts = []
        if m.floor is not None:
            mfn_av = work.mfn_rate.ad_valorem if work.mfn_rate else Decimal(0)
            if work.mfn_rate and work.mfn_rate.specifics:
                work.warnings.append(f"{line.field}: {m.heading} tops up to {fmt_rate(m.floor * 100)}% using the "
                                     "ad valorem part of a compound MFN rate only")
            rate = max(m.floor - mfn_av, Decimal(0))
            parts.append(f"({fmt_rate(m.floor * 100)}% floor - MFN {fmt_rate(mfn_av * 100)}%)")
        amount = rate * base
        if rate:
            parts.append(f"{fmt_rate(rate * 100)}% x {base}")
        used = None
        if m.specific is not None:
            used = quantity_in(line, m.unit, f"${m.specific}/{m.unit}")
            amount += m.specific * used
            parts.append(f"${fmt_rate(m.specific)}/{m.unit} x {fmt_rate(used)} {m.unit}")
        if base == 0 and m.specific is None and covered:
            work.set_aside(m, "zero base: the whole value bears "
                              + ", ".join(sorted({w.measure.heading for w in covered})) + f"; {active.non_content_reason}")
            continue
        if base == 0 and m.specific is None:
            why = (f"no {m.basis.split(':')[1]} content declared in metal_content" if m.basis.startswith("content:")
                   and line.metal_content else f"{m.basis} of the line is 0.00")
            work.set_aside(m, f"zero base: {why}")
            continue
        if cents(amount) == 0:
            work.set_aside(m, f"computes to 0.00 ({' '.join(parts) or 'rate 0'})")
            continue
        if m.basis == "non_content" or covered:
            basis = "non_content"
        elif m.basis.startswith("non_us_content"):
            basis = "non_us_content" if base != line.customs_value else "value"
        else:
            basis = m.basis
        heading = m.in_transit_heading if (active.note == "in transit" and m.in_transit_heading) else m.heading
        work.charges.append(Charge(
            program=m.program, heading=heading, rate=rate, basis=basis, base=base, amount=cents(amount),
            legal_basis=m.prov.legal_basis if m.prov else "", source=m.prov.source if m.prov else "",
            measure_id=m.measure_id, confidence=m.prov.confidence if m.prov else None,
            specific=f"${fmt_rate(m.specific)}/{m.unit}" if m.specific is not None else None, quantity=used,
            calculation=" + ".join(parts) + f" = {cents(amount)}" + (f" ({active.note})" if active.note else "")
            + (f"; {active.scope_note}" if active.scope_note else "")))
        work.rely(m.measure_id, m.prov)

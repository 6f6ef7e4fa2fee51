"""Reconcile one entry: what was paid, what the rules said when it was filed, what they say now.

Per entry line and tariff number (the commodity number for MFN, the Chapter 99 heading for each
additional duty), and per entry for MPF and HMF:

- paid vs as filed  -> `as_filed - paid`: above 0 an underpayment at the time (exposure), below 0 an
  overpayment (mis-declared or missing headings, arithmetic);
- as filed vs as known -> `as_known - as_filed`: what changed since filing (the voided IEEPA duties,
  later corrections);
- paid vs as known  -> the net claim: `refund = max(paid - as_known, 0)`,
  `exposure = max(as_known - paid, 0)`, per tariff number, never netted across tariff numbers (a
  duty paid under the wrong heading is a refund there and an exposure under the right one).

A fee that is not reported on any line of the entry is not reconciled (and said so).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

ZERO = Decimal("0.00")


@dataclass
class HeadingLine:
    line_number: int  # 0 for an entry's fees
    heading: str  # dotted commodity number, Chapter 99 heading, or MPF/HMF
    program: str
    paid: Decimal
    as_filed: Decimal
    as_known: Decimal
    finding: str = ""

    @property
    def refund(self) -> Decimal:
        return max(self.paid - self.as_known, ZERO)

    @property
    def exposure(self) -> Decimal:
        return max(self.as_known - self.paid, ZERO)


@dataclass
class EntryReconciliation:
    headings: list[HeadingLine]
    notes: list[str]

    def total(self, name: str) -> Decimal:
        return sum((getattr(h, name) for h in self.headings), ZERO)


def _charges(quote, numbers: list[int], commodity: dict[int, str]) -> tuple[dict, set]:
    """{(line_number, heading): [program, amount]} and the headings the quote declares at 0%."""
    out: dict[tuple[int, str], list] = {}
    declared: set[tuple[int, str]] = set()
    for line in quote.lines:
        number = numbers[line.index]
        for c in line.charges:
            heading = c.heading if c.heading.startswith("99") else commodity[number]
            slot = out.setdefault((number, heading), [c.program, ZERO])
            slot[1] += c.amount
            if not c.heading.startswith("99") and c.program == "mfn":
                slot[0] = "mfn"
        for d in line.declarations:
            declared.add((number, d.heading))
    return out, declared


def _fees(quote) -> dict[str, Decimal]:
    return {f.program: f.amount for f in quote.entry_charges if f.program in ("mpf", "hmf")}


def reconcile(entry, as_filed, as_known) -> EntryReconciliation:
    """An importer.Entry (or its stored equivalent) and its two quotes -> heading lines and notes."""
    numbers = sorted(entry.lines)
    commodity = {n: entry.lines[n].hts for n in numbers}
    paid: dict[tuple[int, str], Decimal] = {}
    for n in numbers:
        for row in entry.lines[n].rows:
            paid[(n, row.hts)] = paid.get((n, row.hts), ZERO) + row.duty_paid
    filed, filed_declared = _charges(as_filed, numbers, commodity)
    known, known_declared = _charges(as_known, numbers, commodity)
    keys = sorted(set(paid) | set(filed) | set(known), key=lambda k: (k[0], not k[1].startswith("99"), k[1]))
    headings = []
    for key in keys:
        program = (filed.get(key) or known.get(key) or ["mfn" if not key[1].startswith("99") else "reported"])[0]
        p = paid.get(key, ZERO)
        f = filed.get(key, [None, ZERO])[1]
        k = known.get(key, [None, ZERO])[1]
        findings = []
        if key not in paid and (f or key in filed_declared):
            findings.append("not reported at filing")
        if key in paid and key[1].startswith("99") and key not in filed and key not in filed_declared:
            findings.append("reported but not due as filed")
        if f > p:
            findings.append(f"underpaid at filing by {f - p}")
        elif f < p:
            findings.append(f"overpaid at filing by {p - f}")
        if k != f:
            findings.append(f"changed since filing by {k - f}")
        headings.append(HeadingLine(key[0], key[1], program, p, f, k, "; ".join(findings)))
    notes = []
    fees_filed, fees_known = _fees(as_filed), _fees(as_known)
    for program, column in (("mpf", "mpf_paid"), ("hmf", "hmf_paid")):
        reported = [getattr(entry.lines[n], column) for n in numbers if getattr(entry.lines[n], column) is not None]
        due_filed, due_known = fees_filed.get(program, ZERO), fees_known.get(program, ZERO)
        if not reported:
            if due_filed or due_known:
                notes.append(f"{program.upper()} not reported: not reconciled")
            continue
        p = sum(reported, ZERO)
        if len(numbers) > 1 and len(reported) == len(numbers) and len(set(reported)) == 1 and reported[0] and \
                p != due_filed and reported[0] == due_filed:
            # the entry's fee repeated on every line (not prorated): read once
            p = reported[0]
            notes.append(f"{program.upper()} given per entry (the same amount on every line): read once")
        findings = []
        if due_filed != p:
            findings.append(("underpaid" if due_filed > p else "overpaid") + f" at filing by {abs(due_filed - p)}")
        if due_known != due_filed:
            findings.append(f"changed since filing by {due_known - due_filed}")
        headings.append(HeadingLine(0, program.upper(), program, p, due_filed, due_known, "; ".join(findings)))
    return EntryReconciliation(headings, notes)

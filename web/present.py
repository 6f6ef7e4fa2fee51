"""How a quote is shown: the landed-cost bar's segments, and the quote as CSV rows."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal

from tariffs.model import Quote

# One colour per part of the landed cost; programs not listed get the fallback.
COLOURS = {
    "goods": "#4a6fa5", "freight_insurance_other": "#9bb1d4", "mfn": "#e07b39", "section_232": "#c0392b",
    "section_301": "#8e44ad", "ieepa_fentanyl": "#d35400", "ieepa_reciprocal": "#e67e22",
    "ieepa_other": "#f39c12", "section_122": "#16a085", "section_201": "#27ae60", "section_338": "#2c3e50",
    "antidumping": "#7f8c8d", "countervailing": "#95a5a6", "fees": "#6d4c41", "carbon": "#2e7d32",
}
FALLBACK = "#b0736b"
LABELS = {"goods": "goods (customs value)", "freight_insurance_other": "freight, insurance, other",
          "fees": "entry fees (MPF, HMF)", "carbon": "carbon (CBAM)",
          "import_vat": "import VAT (outside landed cost)", "tw_business_tax": "business tax (outside landed cost)"}
COLOURS.update({"import_vat": "#bdbdbd", "tw_business_tax": "#bdbdbd"})
# Line charges that are taxes on the landed cost rather than part of it: drawn last, in grey.
OUTSIDE_LANDED = ("import_vat", "tw_business_tax")


@dataclass
class Segment:
    key: str
    label: str
    amount: Decimal
    colour: str
    x: float = 0.0
    width: float = 0.0
    share: Decimal = Decimal(0)


def duties_by_program(quote: Quote, taxes: bool = False) -> dict[str, Decimal]:
    """Sums per program of the line charges: duties (default), or the taxes outside landed cost."""
    out: dict[str, Decimal] = {}
    for line in quote.lines:
        for charge in line.charges:
            if charge.program == "cbam" or (charge.program in OUTSIDE_LANDED) != taxes:
                continue
            out[charge.program] = out.get(charge.program, Decimal(0)) + charge.amount
    return out


def landed_segments(quote: Quote, width: float = 1000.0) -> list[Segment]:
    """Goods, freight and insurance, each duty program, fees, carbon — positioned on a bar."""
    t = quote.totals
    parts = [("goods", t.customs_value), ("freight_insurance_other", t.freight_insurance_other)]
    parts += sorted(duties_by_program(quote).items(), key=lambda kv: -kv[1])
    parts += [("fees", t.fees), ("carbon", t.carbon)]
    parts += list(duties_by_program(quote, taxes=True).items())
    segments = [Segment(k, LABELS.get(k, k.replace("_", " ")), amount, COLOURS.get(k, FALLBACK))
                for k, amount in parts if amount and amount > 0]
    total = sum((s.amount for s in segments), Decimal(0))
    x = 0.0
    for s in segments:
        s.share = (s.amount / total) if total else Decimal(0)
        s.width = round(float(s.share) * width, 2)
        s.x = round(x, 2)
        x += s.width
    return segments


CSV_COLUMNS = ["section", "line", "hts", "origin", "program", "heading", "rate", "basis", "base", "amount",
               "calculation", "legal_basis", "source", "reason"]


def quote_csv(quote: Quote) -> str:
    """One row per charge, set-aside measure, declaration, entry charge and total."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(CSV_COLUMNS)
    for line in quote.lines:
        for c in line.charges:
            w.writerow(["charge", line.index, line.hts, line.origin, c.program, c.heading, c.rate, c.basis, c.base,
                        c.amount, c.calculation or "", c.legal_basis, c.source, ""])
        for n in line.not_applied:
            w.writerow(["not_applied", line.index, line.hts, line.origin, n.program, n.heading, "", "", "", "", "",
                        "", "", n.reason])
        for d in line.declarations:
            w.writerow(["declaration", line.index, line.hts, line.origin, d.program or "", d.heading, "0", "", "",
                        "0.00", "", "", "", d.reason])
        w.writerow(["line_duty", line.index, line.hts, line.origin, "", "", line.effective_rate, "value",
                    line.customs_value, line.duty, "", "", "", ""])
    for e in quote.entry_charges:
        w.writerow(["entry_charge", "", "", "", e.program, "", e.rate, "entry value", e.base, e.amount,
                    e.calculation or "", e.legal_basis, e.source or "", ""])
    for name, value in quote.totals.model_dump(mode="json").items():
        w.writerow(["total", "", "", "", name, "", "", "", "", value, "", "", "", ""])
    for change in quote.retroactive_changes:
        w.writerow(["retroactive_change", change.line, "", "", change.program, change.heading, "", "",
                    change.as_filed, change.difference, f"as filed {change.as_filed}, as known {change.as_known}",
                    "", "", change.reason])
    for warning in quote.warnings:
        w.writerow(["warning", "", "", "", "", "", "", "", "", "", "", "", "", warning])
    w.writerow(["ruleset", "", "", "", quote.ruleset.version, "", "", "", "", "", "", quote.ruleset.sha256, "",
                f"known at {quote.known_at.isoformat()}"])
    return buf.getvalue()

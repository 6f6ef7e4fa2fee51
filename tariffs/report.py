"""Plain-text rendering of a quote for the terminal (`tariffs quote --format table`)."""
from __future__ import annotations

from tariffs.model import Quote


def quote_table(q: Quote) -> str:
    out = [f"Quote — {q.destination.value} entry {q.entry_date}, known at {q.known_at.isoformat()}, "
           f"ruleset {q.ruleset.version} ({q.ruleset.sha256[:12]})", ""]
    header = f"{'line':<5}{'program':<18}{'heading':<13}{'rate':>10}  {'basis':<16}{'base':>14}{'amount':>14}"
    out.append(header)
    out.append("-" * len(header))
    for line in q.lines:
        out.append(f"{line.index:<5}{line.hts} from {line.origin}, customs value {line.customs_value}")
        for c in line.charges:
            out.append(f"{'':<5}{c.program:<18}{c.heading:<13}{format(c.rate, 'f'):>10}  {c.basis:<16}"
                       f"{format(c.base, 'f'):>14}{format(c.amount, 'f'):>14}")
        for n in line.not_applied:
            out.append(f"{'':<5}  not applied: {n.program} {n.heading} — {n.reason}")
        for d in line.declarations:
            out.append(f"{'':<5}  declare {d.heading} at 0% — {d.reason}")
        out.append(f"{'':<5}{'line duty':<57}{format(line.duty, 'f'):>14}")
    out.append("")
    for fee in q.entry_charges:
        out.append(f"{'':<5}{fee.program:<18}{'':<13}{format(fee.rate, 'f'):>10}  {'entry value':<16}"
                   f"{format(fee.base, 'f'):>14}{format(fee.amount, 'f'):>14}")
    t = q.totals
    out += ["", f"customs value {t.customs_value}   duties {t.duties}   fees {t.fees}   carbon {t.carbon}   "
                f"freight/insurance/other {t.freight_insurance_other}",
            f"LANDED COST {t.landed_cost}   effective duty rate {t.effective_duty_rate}   refundable {t.refundable}"]
    for change in q.retroactive_changes:
        out.append(f"retroactive: line {change.line} {change.program} {change.heading}: as filed {change.as_filed}, "
                   f"as known {change.as_known}, difference {change.difference} — {change.reason}")
    for warning in q.warnings:
        out.append(f"warning: {warning}")
    return "\n".join(out)

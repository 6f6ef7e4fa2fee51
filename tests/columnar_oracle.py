"""The scalar engine as the oracle of the columnar tests: one entry's rows priced by tariffs.Engine,
reduced to the columns the columnar path outputs (cents per program, line duty, reporting order,
the entry's MPF, HMF and landed cost)."""
from __future__ import annotations

import collections
from decimal import Decimal

from tariffs.batch import shipment_of_values
from tariffs.errors import InputError

KNOWN_NOW = "2026-11-21"
_ENGINE = None


def shipment_of_rows(rows: list[dict]) -> dict:
    """The scalar shipment of one entry: the first row's entry fields, one line per row, freight summed."""
    shipment = shipment_of_values(rows[0])
    shipment["lines"] = [shipment_of_values(r)["lines"][0] for r in rows]
    freight = sum((Decimal(r.get("freight") or 0) for r in rows), Decimal(0))
    shipment.pop("freight", None)
    if freight:
        shipment["freight"] = str(freight)
    return shipment


def scalar_entry(rows: list[dict]):
    """Per line (program -> cents, line duty cents, reporting order) and the entry's mpf, hmf,
    landed cost in cents; or the InputError message."""
    try:
        q = _ENGINE.quote(shipment_of_rows(rows), rows[0].get("known_at") or KNOWN_NOW)
    except InputError as exc:
        return str(exc)
    fees = {f.program: int(f.amount * 100) for f in q.entry_charges}
    lines = []
    for line in q.lines:
        by_program = collections.Counter()
        for charge in line.charges:
            by_program[charge.program] += int(charge.amount * 100)
        lines.append(({p: c for p, c in by_program.items() if c}, int(line.duty * 100),
                      ";".join(line.reporting_order)))
    return lines, fees.get("mpf", 0), fees.get("hmf", 0), int(q.totals.landed_cost * 100)


def init(engine):
    """Set the engine the oracle uses (per process: the differential test runs it in a pool)."""
    global _ENGINE
    _ENGINE = engine

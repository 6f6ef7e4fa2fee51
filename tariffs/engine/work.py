"""Working state of one line as it moves through the pipeline."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from tariffs.model import Charge, Declaration, NotApplied
from tariffs.rates import Rate
from tariffs.rules.rows import Measure, Provenance


@dataclass
class Active:
    """A measure that applies to the line (until stacking sets it aside)."""

    measure: Measure
    note: str = ""  # e.g. "in transit"
    non_content_of: list["Active"] = field(default_factory=list)  # winners whose content it must leave out
    non_content_reason: str = ""
    base: Decimal | None = None
    scope_note: str = ""  # how its scope was met when only through the HTS renumbering (tariffs.rules.hts_carry)


@dataclass
class LineWork:
    mfn_rate: Rate | None = None
    mfn_charge: Charge | None = None
    mpf_exempt: bool = False
    active: list[Active] = field(default_factory=list)
    charges: list[Charge] = field(default_factory=list)
    not_applied: list[NotApplied] = field(default_factory=list)
    declarations: list[Declaration] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    relied_on: dict[str, Provenance] = field(default_factory=dict)  # measure/fee/rule id -> provenance
    green_premium: dict | None = None
    flags: list[dict] = field(default_factory=list)
    edition: object = None  # the HTS edition that classifies the line (US)

    def set_aside(self, measure: Measure, reason: str) -> None:
        self.not_applied.append(NotApplied(program=measure.program, heading=measure.heading, reason=reason,
                                           measure_id=measure.measure_id))

    def declare(self, heading: str, reason: str, program: str | None = None, measure_id: str | None = None) -> None:
        if not any(d.heading == heading for d in self.declarations):
            self.declarations.append(Declaration(heading=heading, reason=reason, program=program,
                                                 measure_id=measure_id))

    def rely(self, ident: str, prov: Provenance | None) -> None:
        if prov is not None:
            self.relied_on[ident] = prov

"""Typed rows of the rule tables, each with both time axes and its provenance."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

CONFIDENCE = ("primary", "secondary", "unverified")


@dataclass(frozen=True)
class Timed:
    """Valid time [valid_from, valid_to) and knowledge time [recorded_at, retracted_at)."""

    valid_from: dt.date
    valid_to: dt.date | None
    recorded_at: dt.date
    retracted_at: dt.date | None

    def valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day < self.valid_to)

    def known_at(self, known: dt.date) -> bool:
        """Known at the end of day ``known``."""
        return self.recorded_at <= known and (self.retracted_at is None or known < self.retracted_at)


@dataclass(frozen=True)
class Provenance:
    legal_basis: str
    source: str
    confidence: str


@dataclass(frozen=True)
class GroupMember(Timed):
    group: str = ""
    country: str = ""
    prov: Provenance | None = None


@dataclass(frozen=True)
class SpecialProgram(Timed):
    indicator: str = ""
    program_name: str = ""
    eligible: tuple[str, ...] = ()
    mpf_exempt: bool = False
    prov: Provenance | None = None


@dataclass(frozen=True)
class Edition:
    edition: str
    effective: dt.date
    published: dt.date
    source: str
    legal_basis: str
    confidence: str
    file: str
    base: str = ""  # empty: stored in full; otherwise the edition its delta is taken from


@dataclass(frozen=True)
class MfnLine:
    hts: str
    digits: str
    indent: int
    description: str
    units: tuple[str, ...]
    general: str
    special: str
    other: str
    rate_from: str
    edition: str
    implied: bool = False  # an 8-digit subheading the export prints no row for (rated as documented)


@dataclass(frozen=True)
class Measure(Timed):
    measure_id: str = ""
    key: str = ""
    program: str = ""
    kind: str = "charge"
    heading: str = ""
    scope: tuple[str, ...] = ()  # prefixes (scopes expanded) or ("ALL",)
    except_scope: tuple[str, ...] = ()
    except_set: frozenset = frozenset()  # except_scope as a set, for the per-line test
    scope_text: str = ""
    origins: tuple[str, ...] = ()
    except_origins: tuple[str, ...] = ()
    claim: str | None = None
    except_claims: tuple[str, ...] = ()
    condition: tuple = ()  # tariffs.rules.conditions.Clause
    in_transit_heading: str | None = None
    rate: Decimal | None = None
    specific: Decimal | None = None
    unit: str | None = None
    basis: str = "value"
    floor: Decimal | None = None
    targets: tuple[str, ...] = ()
    loaded_before: dt.date | None = None
    entered_before: dt.date | None = None
    prov: Provenance | None = None
    note: str = ""
    table: str = ""

    @property
    def jurisdiction(self) -> str:
        """us, eu or tw: the folder of the table the row comes from."""
        return self.table.split("/", 1)[0]

    def in_transit_for(self, day: dt.date, loaded_on: dt.date | None) -> bool:
        """Goods loaded before X and entered before Y keep this row after its valid_to."""
        return (
            self.valid_to is not None
            and self.loaded_before is not None
            and self.entered_before is not None
            and loaded_on is not None
            and self.valid_to <= day < self.entered_before
            and loaded_on < self.loaded_before
            and self.valid_from <= day
        )


@dataclass(frozen=True)
class Fee(Timed):
    fee_id: str = ""
    program: str = ""
    rate: Decimal = Decimal(0)
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    modes: tuple[str, ...] = ("ALL",)
    entry_types: tuple[str, ...] = ("formal",)
    prov: Provenance | None = None


@dataclass(frozen=True)
class EntryType(Timed):
    """When an entry may be informal (19 CFR 143.21) or duty-free de minimis (19 U.S.C. 1321)."""

    entry_type: str = ""
    max_value: Decimal = Decimal(0)
    origins: tuple[str, ...] = ("ALL",)
    except_origins: tuple[str, ...] = ()
    note: str = ""
    prov: Provenance | None = None


@dataclass(frozen=True)
class StackingRule(Timed):
    stacking_id: str = ""
    winner: str = ""
    loser: str = ""
    effect: str = "skip"
    origins: tuple[str, ...] = ("ALL",)
    declare: str | None = None
    reason: str = ""
    prov: Provenance | None = None


@dataclass
class Program:
    name: str
    reporting_rank: int
    description: str = ""
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class FtzRule(Timed):
    """US zone treatment of a measure family (19 CFR 146.65 and the instrument's own FTZ clause)."""

    pattern: str = ""
    pf_mandatory_from: "dt.date | None" = None
    pf_admitted_before: str = "locked"  # locked | applies | relieved
    note: str = ""
    prov: Provenance | None = None

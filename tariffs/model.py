"""Pydantic models of the public contract (../shared/contract): Shipment in, Quote out.

Money, rates and quantities are Decimals (serialised as strings); dates ISO 8601.
Fields beyond the contract are extensions; nothing of the contract is renamed.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, PrivateAttr, field_validator

# Decimals go out as plain strings ("100000.00"), never floats or exponents.
DecimalStr = Annotated[Decimal, PlainSerializer(lambda v: format(v, "f"), return_type=str, when_used="always")]


class Destination(str, Enum):
    US = "US"
    EU = "EU"
    TW = "TW"


class Mode(str, Enum):
    ocean = "ocean"
    air = "air"
    truck = "truck"
    rail = "rail"
    mail = "mail"


class FtzStatus(str, Enum):
    privileged_foreign = "privileged_foreign"
    non_privileged_foreign = "non_privileged_foreign"
    domestic = "domestic"
    zone_restricted = "zone_restricted"


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Emissions(_In):
    source: str
    direct: DecimalStr | None = None
    indirect: DecimalStr | None = None
    carbon_price_paid: DecimalStr | None = None


class Ftz(_In):
    zone: str | None = None
    # US statuses (19 CFR 146.41-146.44); a Taiwan free trade zone takes no status (regime TW_FTZ).
    status: FtzStatus | None = None
    admitted_on: dt.date | None = None
    pf_applied_on: dt.date | None = None
    # Extensions: what happens to the goods on entry_date; one weekly estimated entry (19 U.S.C. 1484(i));
    # whether HMF was paid at admission (19 CFR 146.22(e), default true for zone withdrawals).
    disposition: Literal["consumption", "export", "destruction", "in_zone"] = "consumption"
    weekly_entry: bool = False
    hmf_paid_at_admission: bool = True
    regime: Literal["US_FTZ", "TW_FTZ", "EU_FREE_ZONE", "EU_CUSTOMS_WAREHOUSE"] | None = None


class AdCvd(_In):
    """An antidumping or countervailing duty case on the line: company-specific, so the
    importer supplies the case number and the cash-deposit rate; the engine never invents one."""

    case: str
    type: str  # antidumping | countervailing
    rate: DecimalStr | None = None  # ad valorem cash-deposit rate, fraction
    specific: DecimalStr | None = None  # USD per unit
    unit: str | None = None
    company: str | None = None


class Line(_In):
    hts: str
    description: str | None = None
    origin: str | None = None
    customs_value: DecimalStr
    quantity: DecimalStr | None = None
    unit: str | None = None
    quantity2: DecimalStr | None = None
    unit2: str | None = None
    net_weight_kg: DecimalStr | None = None
    metal_content: dict[str, DecimalStr] = Field(default_factory=dict)
    us_content_value: DecimalStr | None = None
    # Extensions for the metals rules: country where each metal was melted and poured (steel)
    # or smelted and cast (aluminum, copper); weight of each metal in the article.
    metal_origin: dict[str, str] = Field(default_factory=dict)
    metal_weight_kg: dict[str, DecimalStr] = Field(default_factory=dict)
    adcvd: list[AdCvd] = Field(default_factory=list)
    claims: list[str] = Field(default_factory=list)
    loaded_on: dt.date | None = None
    emissions: Emissions | None = None
    # Extension: a rate text in the schedule's syntax ("5%", "1.5¢/kg + 5%") for a line
    # whose printed MFN text cannot be parsed; used only for such lines.
    mfn_rate: str | None = None

    @field_validator("metal_content", "metal_origin", "metal_weight_kg", mode="before")
    @classmethod
    def _none_is_empty(cls, value):
        return {} if value is None else value

    @field_validator("claims", "adcvd", mode="before")
    @classmethod
    def _claims_none(cls, value):
        return [] if value is None else value


class Shipment(_In):
    destination: Destination
    entry_date: dt.date
    filed_on: dt.date | None = None
    origin: str | None = None
    member_state: str | None = None
    mode: Mode
    currency: str = "USD"
    fx_rate: DecimalStr | None = None
    freight: DecimalStr = Decimal("0")
    insurance: DecimalStr = Decimal("0")
    other_costs: DecimalStr = Decimal("0")
    ftz: Ftz | None = None
    cbam_ytd_tonnes: DecimalStr | None = None
    # Extension: formal, informal (19 CFR 143.21) or de_minimis (19 U.S.C. 1321); default: the
    # cheapest the rules allow for the entry's value, date and origins.
    entry_type: Literal["formal", "informal", "de_minimis"] | None = None
    # Extension (EU): certificate price (EUR/tCO2e) to use when the period's price is not published yet.
    cbam_price: DecimalStr | None = None
    lines: list[Line] = Field(min_length=1)

    @field_validator("freight", "insurance", "other_costs", mode="before")
    @classmethod
    def _none_is_zero(cls, value):
        return Decimal("0") if value is None else value


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Charge(_Out):
    program: str
    heading: str
    rate: DecimalStr
    basis: str
    base: DecimalStr
    amount: DecimalStr
    legal_basis: str
    source: str
    # extensions
    measure_id: str | None = None
    confidence: str | None = None
    rate_text: str | None = None
    specific: str | None = None
    quantity: DecimalStr | None = None
    calculation: str | None = None
    # CBAM charge fields (contract): certificates unrounded; emissions tCO2e/t used and their source.
    certificates: DecimalStr | None = None
    emissions: DecimalStr | None = None
    emissions_source: str | None = None
    price: DecimalStr | None = None
    price_period: str | None = None
    eur_per_tonne: DecimalStr | None = None
    share_of_customs_value: DecimalStr | None = None
    estimate: bool | None = None


class NotApplied(_Out):
    program: str
    heading: str
    reason: str
    measure_id: str | None = None


class Declaration(_Out):
    heading: str
    reason: str
    program: str | None = None
    measure_id: str | None = None


class LineQuote(_Out):
    index: int
    hts: str
    origin: str
    customs_value: DecimalStr
    charges: list[Charge] = Field(default_factory=list)
    not_applied: list[NotApplied] = Field(default_factory=list)
    duty: DecimalStr
    effective_rate: DecimalStr
    declarations: list[Declaration] = Field(default_factory=list)
    reporting_order: list[str] = Field(default_factory=list)
    # Extensions: default vs actual emissions side by side (EU); legal flags such as Taiwan FTZ Art. 29.
    green_premium: dict | None = None
    flags: list[dict] = Field(default_factory=list)


class EntryCharge(_Out):
    program: str
    rate: DecimalStr
    base: DecimalStr
    amount: DecimalStr
    legal_basis: str
    source: str | None = None
    fee_id: str | None = None
    calculation: str | None = None


class EntryNotApplied(_Out):
    program: str
    reason: str


class Totals(_Out):
    customs_value: DecimalStr
    duties: DecimalStr
    fees: DecimalStr
    carbon: DecimalStr
    freight_insurance_other: DecimalStr
    landed_cost: DecimalStr
    effective_duty_rate: DecimalStr
    refundable: DecimalStr
    import_vat: DecimalStr | None = None
    landed_cost_incl_vat: DecimalStr | None = None


class RetroactiveChange(_Out):
    line: int
    program: str
    heading: str
    as_filed: DecimalStr
    as_known: DecimalStr
    difference: DecimalStr
    reason: str


class RulesetInfo(_Out):
    version: str
    sha256: str
    knowledge_cutoff: dt.date


class Quote(_Out):
    ruleset: RulesetInfo
    known_at: dt.datetime
    destination: Destination
    entry_date: dt.date
    currency: str
    lines: list[LineQuote]
    entry_charges: list[EntryCharge]
    totals: Totals
    warnings: list[str]
    retroactive_changes: list[RetroactiveChange] = Field(default_factory=list)
    # extensions
    filed_on: dt.date | None = None
    as_filed_known_at: dt.datetime | None = None
    entry_not_applied: list[EntryNotApplied] = Field(default_factory=list)
    entry_type: str = "formal"
    source_currency: str | None = None
    fx_rate: DecimalStr | None = None
    # Not part of the contract (never serialised): indexes of the lines whose value is outside the MPF base.
    _mpf_exempt_lines: frozenset = PrivateAttr(default_factory=frozenset)

    def to_json(self, **kwargs: Any) -> str:
        return self.model_dump_json(**kwargs)

"""Pydantic models of the public contract (../shared/contract): Shipment in, Quote out.

Money, rates and quantities are Decimals (serialised as strings); dates ISO 8601.
Fields beyond the contract are extensions; nothing of the contract is renamed.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
import numbers
import re
from enum import Enum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, PrivateAttr, field_validator, model_validator

from tariffs import limits
from tariffs.errors import InputError

# Decimals go out as plain strings ("100000.00"), never floats or exponents.
DecimalStr = Annotated[Decimal, PlainSerializer(lambda v: format(v, "f"), return_type=str, when_used="always")]

_NUMBER = 'a decimal string such as "1234.56" (or a number)'
_ISO_DATE = "an ISO date YYYY-MM-DD"


def to_number(value, field: str = "value") -> Decimal:
    """A finite Decimal from a decimal string, int, Decimal or float, with at most ``limits.MAX_DIGITS``
    significant digits and decimal places.

    Floats are taken by their shortest repr, ``Decimal(repr(x))`` (0.1 -> Decimal("0.1"), never the binary
    expansion). Booleans, bytes and everything else are refused. Bounds are checked by ``bounded``.
    """
    if isinstance(value, bool):
        raise InputError(field, f"{value!r} is a boolean, not a number", _NUMBER)
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, numbers.Integral):  # int, numpy integers
        result = Decimal(int(value))
    elif isinstance(value, float):
        result = Decimal(repr(float(value)))
    elif isinstance(value, str):
        text = value.strip()
        if len(text) > 4 * limits.MAX_DIGITS:
            raise InputError(field, f"{len(text)} characters is too long for a number", _NUMBER)
        try:
            result = Decimal(text)
        except ArithmeticError:
            raise InputError(field, f"{show_input(value)} is not a number", _NUMBER) from None
    else:
        raise InputError(field, f"a value of type {type(value).__name__} is not a number", _NUMBER)
    if not result.is_finite():
        raise InputError(field, f"{show_input(value)} is not a finite number", _NUMBER)
    sign, digits, exponent = result.as_tuple()
    if len(digits) > limits.MAX_DIGITS or exponent < -limits.MAX_DIGITS:
        raise InputError(field, f"more than {limits.MAX_DIGITS} significant digits or decimal places",
                         f"at most {limits.MAX_DIGITS} digits")
    return result


def bounded(value, field: str, low: Decimal, high: Decimal, what: str = "") -> Decimal:
    """``to_number`` and ``low <= value <= high``; an exponent form (1E+3) comes back in plain digits."""
    number = to_number(value, field)
    allowed = f"{what + ' ' if what else ''}from {format(low, 'f')} to {format(high, 'f')}"
    if number < 0 and low >= 0:
        raise InputError(field, f"{format(number, 'f')} is negative", allowed)
    if not low <= number <= high:
        shown = format(number, "f") if number.adjusted() < 40 else str(number)
        raise InputError(field, f"{shown} is outside the bounds", allowed)
    if number.as_tuple().exponent > 0:
        number = number.quantize(Decimal(1))
    return number


def check_date(value, field: str = "date") -> dt.date:
    """A date from a ``datetime.date`` or an ISO ``YYYY-MM-DD`` string, within limits.MIN_DATE..MAX_DATE.

    Numbers, booleans, datetimes and bytes are refused (no Unix timestamps: 0 is not 1970-01-01).
    """
    allowed = f"{_ISO_DATE} from {limits.MIN_DATE} to {limits.MAX_DATE}"
    if isinstance(value, dt.datetime):
        raise InputError(field, f"{value.isoformat()} is a date and time", allowed)
    if isinstance(value, dt.date):
        day = value
    elif isinstance(value, str):
        text = value.strip()
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
            raise InputError(field, f"{show_input(value)} is not a date", allowed)
        try:
            day = dt.date.fromisoformat(text)
        except ValueError as exc:
            raise InputError(field, f"{text!r} is not a date ({exc})", allowed) from None
    else:
        raise InputError(field, f"a value of type {type(value).__name__} is not a date", allowed)
    if not limits.MIN_DATE <= day <= limits.MAX_DATE:
        raise InputError(field, f"{day.isoformat()} is outside the dates accepted", allowed)
    return day


def check_currency(value, field: str = "currency") -> str:
    """An ISO 4217 alphabetic code (pycountry's table of current codes), upper-cased."""
    allowed = "an ISO 4217 currency code such as USD, EUR, TWD, CNY, JPY"
    if not isinstance(value, str):
        raise InputError(field, f"a value of type {type(value).__name__} is not a currency code", allowed)
    code = value.strip().upper()
    if len(code) != 3 or not code.isascii() or not code.isalpha() or code not in _currencies():
        raise InputError(field, f"{show_input(value)} is not an ISO 4217 currency code", allowed)
    return code


_CURRENCIES: frozenset[str] = frozenset()


def _currencies() -> frozenset[str]:
    global _CURRENCIES
    if not _CURRENCIES:
        import pycountry

        _CURRENCIES = frozenset(c.alpha_3 for c in pycountry.currencies)
    return _CURRENCIES


def show_input(value) -> str:
    """A short repr of user input for a message (bounded in length and depth)."""
    import reprlib

    short = reprlib.Repr()
    short.maxstring = short.maxother = 40
    short.maxlevel = 3
    return short.repr(value)


def _num(low, high, what=""):
    return BeforeValidator(lambda v: bounded(v, "", low, high, what))


_Z = Decimal(0)
Money = Annotated[DecimalStr, _num(_Z, limits.MAX_MONEY, "an amount")]
FxRate = Annotated[DecimalStr, _num(limits.MIN_FX_RATE, limits.MAX_FX_RATE, "units of the destination's currency "
                                                                            "per unit of the source currency,")]
AdValorem = Annotated[DecimalStr, _num(_Z, limits.MAX_AD_VALOREM, "a rate as a fraction (0.25 = 25%),")]
Specific = Annotated[DecimalStr, _num(_Z, limits.MAX_SPECIFIC, "an amount per unit")]
Quantity = Annotated[DecimalStr, _num(_Z, limits.MAX_QUANTITY, "a quantity")]
Day = Annotated[dt.date, BeforeValidator(lambda v: check_date(v, ""))]


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
    hand_carried = "hand_carried"  # extension: ACE code 60 (tariffs.modes)
    fixed_installation = "fixed_installation"  # extension: ACE code 70


class FtzStatus(str, Enum):
    privileged_foreign = "privileged_foreign"
    non_privileged_foreign = "non_privileged_foreign"
    domestic = "domestic"
    zone_restricted = "zone_restricted"


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_bytes(cls, value):
        # Text is str: bytes are not decoded behind the user's back (b"7208" is not "7208").
        if isinstance(value, (bytes, bytearray, memoryview)):
            raise InputError("", f"a value of type {type(value).__name__} is not text", "a string")
        return value


class Emissions(_In):
    source: str
    direct: Quantity | None = None
    indirect: Quantity | None = None
    carbon_price_paid: Money | None = None


class Ftz(_In):
    zone: str | None = None
    # US statuses (19 CFR 146.41-146.44); a Taiwan free trade zone takes no status (regime TW_FTZ).
    status: FtzStatus | None = None
    admitted_on: Day | None = None
    pf_applied_on: Day | None = None
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
    rate: AdValorem | None = None  # ad valorem cash-deposit rate, fraction
    specific: Specific | None = None  # USD per unit
    unit: str | None = None
    company: str | None = None


class Line(_In):
    hts: str
    description: str | None = None
    origin: str | None = None
    customs_value: Money
    quantity: Quantity | None = None
    unit: str | None = None
    quantity2: Quantity | None = None
    unit2: str | None = None
    net_weight_kg: Quantity | None = None
    metal_content: dict[str, Money] = Field(default_factory=dict)
    us_content_value: Money | None = None
    # Extensions for the metals rules: country where each metal was melted and poured (steel)
    # or smelted and cast (aluminum, copper); weight of each metal in the article.
    metal_origin: dict[str, str] = Field(default_factory=dict)
    metal_weight_kg: dict[str, Quantity] = Field(default_factory=dict)
    adcvd: list[AdCvd] = Field(default_factory=list)
    claims: list[str] = Field(default_factory=list)
    loaded_on: Day | None = None
    emissions: Emissions | None = None
    # Extension: a rate text in the schedule's syntax ("5%", "1.5¢/kg + 5%") for a line
    # whose printed MFN text cannot be parsed; used only for such lines.
    mfn_rate: str | None = None
    # Extension (EU): the user's duty text for the line ("12%", "10.2% + 93.10 EUR / 100 kg"); wins over the tables.
    eu_duty_rate: str | None = None

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
    entry_date: Day
    filed_on: Day | None = None
    origin: str | None = None
    member_state: str | None = None
    mode: Mode
    _mode_given: str | None = PrivateAttr(default=None)  # the mode as typed (any case, ACE code): tariffs.modes
    currency: str = "USD"
    fx_rate: FxRate | None = None
    freight: Money = Decimal("0")
    insurance: Money = Decimal("0")
    other_costs: Money = Decimal("0")
    ftz: Ftz | None = None
    cbam_ytd_tonnes: Quantity | None = None
    # Extension: formal, informal (19 CFR 143.21) or de_minimis (19 U.S.C. 1321); default: the
    # cheapest the rules allow for the entry's value, date and origins.
    entry_type: Literal["formal", "informal", "de_minimis"] | None = None
    # Extension (EU): certificate price (EUR/tCO2e) to use when the period's price is not published yet.
    cbam_price: Specific | None = None
    lines: list[Line] = Field(min_length=1)

    @model_validator(mode="wrap")
    @classmethod
    def _understand_mode(cls, data: Any, handler):
        from tariffs.modes import understood

        data, given = understood(data)
        shipment = handler(data)
        shipment._mode_given = given if given is not None else shipment._mode_given
        return shipment

    @field_validator("freight", "insurance", "other_costs", mode="before")
    @classmethod
    def _none_is_zero(cls, value):
        return Decimal("0") if value is None else value

    @field_validator("currency", mode="before")
    @classmethod
    def _iso_4217(cls, value):
        return value if value is None else check_currency(value, "")


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
    mode_understood: dict | None = None  # the mode as given and the engine mode it was read as (tariffs.modes)
    # Not part of the contract (never serialised): indexes of the lines whose value is outside the MPF base.
    _mpf_exempt_lines: frozenset = PrivateAttr(default_factory=frozenset)

    def to_json(self, **kwargs: Any) -> str:
        return self.model_dump_json(**kwargs)

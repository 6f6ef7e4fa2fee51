"""Step 1: check and normalise a shipment. Every refusal names the field."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from dataclasses import field as dc_field
from decimal import Decimal

from pydantic import ValidationError

from tariffs.errors import InputError
from tariffs.hts import canonical_unit, known_units, normalise_code
from tariffs import jsonio, units
from tariffs.model import Line, Shipment, show_input
from tariffs.money import cents
from tariffs.rules.ruleset import RuleSet, is_country

METALS = ("steel", "aluminum", "copper")


def _loc(loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "shipment"


def parse_shipment(shipment) -> Shipment:
    """A Shipment from a model, a mapping or JSON text (str or UTF-8 bytes, read strictly by tariffs.jsonio);
    pydantic errors become InputError naming the field."""
    if isinstance(shipment, Shipment):
        return shipment
    if isinstance(shipment, (str, bytes, bytearray)):
        shipment = jsonio.loads(shipment, "shipment")
    if not isinstance(shipment, dict):
        raise InputError("shipment", f"a {type(shipment).__name__} is not a shipment", "a JSON object")
    try:
        return Shipment.model_validate(shipment)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        field_name = _loc(first["loc"])
        message = first["msg"]
        cause = (first.get("ctx") or {}).get("error")
        if isinstance(cause, InputError):  # raised by a validator of tariffs.model, which knows no path
            raise InputError(field_name, cause.message, cause.allowed) from None
        if first["type"] == "extra_forbidden":
            message = "unknown field"
        if first["type"] == "enum" and field_name == "mode":
            from tariffs.modes import allowed

            raise InputError("mode", f"{first.get('input')!r} is not a mode of transport", allowed()) from None
        if first["type"] == "enum":
            raise InputError(field_name, f"{show_input(first.get('input'))} is not allowed",
                             first.get("ctx", {}).get("expected", "")) from None
        raise InputError(field_name, message) from None


@dataclass
class NormalLine:
    index: int
    source: Line
    hts: str  # digits
    origin: str
    customs_value: Decimal  # USD, to the cent
    quantities: list[tuple[Decimal, str | None]]  # (quantity, canonical or printed unit; None: not given)
    metal_content: dict[str, Decimal]  # USD
    us_content_value: Decimal | None
    claims: list[str]
    loaded_on: dt.date | None
    field: str = ""
    metal_origin: dict[str, str] = dc_field(default_factory=dict)
    metal_weight_share: Decimal | None = None

    @property
    def us_content_share(self) -> Decimal | None:
        if self.us_content_value is None or self.customs_value == 0:
            return None
        return self.us_content_value / self.customs_value


@dataclass
class NormalShipment:
    shipment: Shipment
    entry_date: dt.date
    filed_on: dt.date
    mode: str
    fx_rate: Decimal
    freight_insurance_other: Decimal
    lines: list[NormalLine] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    destination: str = "US"
    currency: str = "USD"
    freight: Decimal = Decimal(0)
    insurance: Decimal = Decimal(0)
    other_costs: Decimal = Decimal(0)


def _usd(amount: Decimal, fx: Decimal) -> Decimal:
    # Converted per amount and rounded to the cent (19 CFR 159.32 certified rate supplied by the user).
    return cents(amount * fx)


def _country(code: str | None, field_name: str) -> str:
    if not code:
        raise InputError(field_name, "origin is required (on the line or the shipment)", "ISO 3166-1 alpha-2 code")
    code = code.strip().upper()
    if not is_country(code):
        raise InputError(field_name, f"unknown country {code!r}", "ISO 3166-1 alpha-2 code such as CN, TW, DE")
    return code


# Destination -> its currency, the code lengths of its nomenclature, and the rule for values.
DESTINATIONS = {
    "US": ("USD", (8, 10), "CBP uses the certified rate for the date of exportation, 19 CFR 159.32"),
    "EU": ("EUR", (8,), "the rate under UCC Art. 53 / Implementing Reg. 2015/2447 Art. 146 for the month"),
    "TW": ("TWD", (8, 10, 11), "Taiwan Customs' published rate for the declaration period"),
}


def normalise(shipment: Shipment, rules: RuleSet) -> NormalShipment:
    destination = shipment.destination.value
    home, code_lengths, fx_rule = DESTINATIONS[destination]
    if shipment.entry_date < rules.earliest_date:
        raise InputError("entry_date", f"{shipment.entry_date} is before the earliest date the rules cover",
                         f"{rules.earliest_date} or later")
    if destination == "EU" and not shipment.member_state:
        raise InputError("member_state", "required for an EU entry (it fixes the import VAT rate)",
                         "ISO code of the member state of import, e.g. NL, DE")
    filed_on = shipment.filed_on or shipment.entry_date
    currency = (shipment.currency or home).strip().upper()
    if len(currency) != 3 or not currency.isalpha():
        raise InputError("currency", f"{shipment.currency!r} is not a currency code", "ISO 4217 code such as USD, EUR")
    if currency == home:
        if shipment.fx_rate not in (None, Decimal(1)):
            raise InputError("fx_rate", f"must be empty or 1 when currency is {home}", "null or \"1\"")
        fx = Decimal(1)
    else:
        if shipment.fx_rate is None:
            raise InputError("fx_rate", f"required: values are in {currency}, the customs value is in {home} "
                             f"({fx_rule}); there is no default rate", f"{home} per one unit of {currency}")
        if shipment.fx_rate <= 0:
            raise InputError("fx_rate", f"{shipment.fx_rate} must be positive", "a positive decimal")
        fx = shipment.fx_rate
    for name in ("freight", "insurance", "other_costs"):
        if getattr(shipment, name) < 0:
            raise InputError(name, f"{getattr(shipment, name)} is negative", "zero or a positive decimal")
    fio = _usd(shipment.freight, fx) + _usd(shipment.insurance, fx) + _usd(shipment.other_costs, fx)
    normal = NormalShipment(shipment, shipment.entry_date, filed_on, shipment.mode.value, fx, fio,
                            destination=destination, currency=home)
    normal.freight = _usd(shipment.freight, fx)
    normal.insurance = _usd(shipment.insurance, fx)
    normal.other_costs = _usd(shipment.other_costs, fx)
    default_origin = shipment.origin
    for i, line in enumerate(shipment.lines):
        if line.eu_duty_rate and destination != "EU":
            raise InputError(f"lines[{i}].eu_duty_rate", f"only for an EU entry (destination is {destination})",
                             "empty, or destination EU")
        normal.lines.append(_line(i, line, default_origin, fx, code_lengths))
    return normal


def _line(i: int, line: Line, default_origin: str | None, fx: Decimal, code_lengths=(8, 10)) -> NormalLine:
    f = f"lines[{i}]"
    hts = normalise_code(line.hts, f"{f}.hts", code_lengths)
    origin = _country(line.origin or default_origin, f"{f}.origin")
    if line.customs_value < 0:
        raise InputError(f"{f}.customs_value", f"{line.customs_value} is negative", "zero or a positive decimal")
    quantities = []
    for q, u, name in ((line.quantity, line.unit, "quantity"), (line.quantity2, line.unit2, "quantity2")):
        if q is None:
            continue
        if q < 0:
            raise InputError(f"{f}.{name}", f"{q} is negative", "zero or a positive decimal")
        unit_field = "unit" if name == "quantity" else "unit2"
        if u is None or (isinstance(u, str) and not u.strip()):
            # A quantity without its unit is refused only by a rate that needs a quantity (mfn.quantity_in),
            # which then names the units it can use.
            quantities.append((q, None))
            continue
        canon = units.understand(u)
        if canon is None:
            raise InputError(f"{f}.{unit_field}", f"{u!r} is not a known unit of quantity",
                             ", ".join(units.all_units()))
        quantities.append((q, canon))
    if line.net_weight_kg is not None:
        if line.net_weight_kg < 0:
            raise InputError(f"{f}.net_weight_kg", f"{line.net_weight_kg} is negative", "zero or a positive decimal")
        if not any(u == "kg" for _, u in quantities):
            quantities.append((line.net_weight_kg, "kg"))
    metal_content = {}
    for metal, value in line.metal_content.items():
        if metal not in METALS:
            raise InputError(f"{f}.metal_content.{metal}", "unknown metal", ", ".join(METALS))
        if value < 0 or value > line.customs_value:
            raise InputError(f"{f}.metal_content.{metal}", f"{value} must be between 0 and the customs value",
                             f"0 to {line.customs_value}")
        metal_content[metal] = _usd(value, fx)
    if sum(metal_content.values(), Decimal(0)) > _usd(line.customs_value, fx):
        raise InputError(f"{f}.metal_content", "metal content values add up to more than the customs value")
    us_content = None
    if line.us_content_value is not None:
        if not 0 <= line.us_content_value <= line.customs_value:
            raise InputError(f"{f}.us_content_value", f"{line.us_content_value} must be between 0 and the customs "
                             "value", f"0 to {line.customs_value}")
        us_content = _usd(line.us_content_value, fx)
    metal_origin = {}
    for metal, country in line.metal_origin.items():
        if metal not in METALS:
            raise InputError(f"{f}.metal_origin.{metal}", "unknown metal", ", ".join(METALS))
        metal_origin[metal] = _country(country, f"{f}.metal_origin.{metal}")
    weights = {}
    for metal, kg in line.metal_weight_kg.items():
        if metal not in METALS:
            raise InputError(f"{f}.metal_weight_kg.{metal}", "unknown metal", ", ".join(METALS))
        if kg < 0:
            raise InputError(f"{f}.metal_weight_kg.{metal}", f"{kg} is negative", "zero or a positive decimal")
        weights[metal] = kg
    share = None
    if weights:
        if not line.net_weight_kg:
            raise InputError(f"{f}.net_weight_kg", "required (and above zero) when metal_weight_kg is given",
                             "the article's net weight in kg")
        share = sum(weights.values(), Decimal(0)) / line.net_weight_kg
        if share > 1:
            raise InputError(f"{f}.metal_weight_kg", "metal weights add up to more than net_weight_kg")
    for j, case in enumerate(line.adcvd):
        if case.type not in ("antidumping", "countervailing"):
            raise InputError(f"{f}.adcvd[{j}].type", f"{case.type!r} is not allowed", "antidumping, countervailing")
        if case.rate is None and case.specific is None:
            raise InputError(f"{f}.adcvd[{j}].rate", "a cash-deposit rate (or specific amount) is required",
                             "a fraction such as \"0.2550\" from the Commerce order for the producer/exporter")
        if (case.rate is not None and case.rate < 0) or (case.specific is not None and case.specific < 0):
            raise InputError(f"{f}.adcvd[{j}].rate", "negative", "zero or a positive decimal")
        if case.specific is not None and canonical_unit(case.unit) is None:
            raise InputError(f"{f}.adcvd[{j}].unit", f"{case.unit!r} is not a known unit", ", ".join(known_units()))
    claims = []
    for j, claim in enumerate(line.claims):
        if not isinstance(claim, str) or not claim.strip():
            raise InputError(f"{f}.claims[{j}]", "empty claim", "an SPI such as S, KR, A or a Chapter 99 heading")
        claims.append(claim.strip().upper())
    return NormalLine(i, line, hts, origin, _usd(line.customs_value, fx), quantities, metal_content, us_content,
                      claims, line.loaded_on, f, metal_origin, share)


def load_json_text(text):
    """Parse a shipment's JSON text or UTF-8 bytes strictly (tariffs.jsonio: numbers exact, duplicate keys,
    depth and encoding refused with an InputError)."""
    return jsonio.loads(text, "shipment")

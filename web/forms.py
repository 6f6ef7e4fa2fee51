"""The shipment form: flat HTML field names <-> the contract's nested shipment.

A field's form name is its JSON path with `[i]` and `.` written as `-`
(`lines[0].metal_content.copper` -> `lines-0-metal_content-copper`), so an
`InputError.field` from the library names the input to show the message beside.
Blank inputs are left out of the shipment (the library's defaults apply).
"""
from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass, field

from werkzeug.datastructures import MultiDict

from tariffs import InputError, jsonio

METALS = ("copper", "steel", "aluminum")
SHIPMENT_FIELDS = ("destination", "member_state", "entry_date", "filed_on", "origin", "mode", "currency",
                   "fx_rate", "freight", "insurance", "other_costs", "entry_type", "cbam_ytd_tonnes", "cbam_price")
FTZ_FIELDS = ("status", "zone", "admitted_on", "pf_applied_on", "disposition", "weekly_entry",
              "hmf_paid_at_admission", "regime")
LINE_FIELDS = ("hts", "description", "origin", "customs_value", "quantity", "unit", "quantity2", "unit2",
               "net_weight_kg", "us_content_value", "claims", "loaded_on", "mfn_rate", "eu_duty_rate")
EMISSION_FIELDS = ("source", "direct", "indirect", "carbon_price_paid")
ADCVD_FIELDS = ("case", "type", "rate", "specific", "unit", "company")


def form_name(path: str) -> str:
    """`lines[0].hts` -> `lines-0-hts`."""
    return re.sub(r"\[(\d+)\]", r"-\1", path).replace(".", "-")


@dataclass
class ShipmentForm:
    """What the form shows: raw text values by form name, the number of lines, errors by name."""

    values: dict[str, str] = field(default_factory=dict)
    lines: int = 1
    errors: dict[str, str] = field(default_factory=dict)
    summary: list[str] = field(default_factory=list)
    known_at: str = ""
    requested_lines: int = 1  # line_count as posted, before the form's cap

    def v(self, name: str, default: str = "") -> str:
        return self.values.get(name, default)

    def error(self, name: str) -> str | None:
        return self.errors.get(name)

    def add_error(self, exc: InputError) -> None:
        name = form_name(exc.field)
        text = exc.message + (f" (allowed: {exc.allowed})" if exc.allowed else "")
        self.errors[name] = text
        self.summary.append(f"{exc.field}: {text}")


def _clean(text) -> str | None:
    text = (text or "").strip()
    return text or None


def _claims(text: str | None) -> list[str]:
    return [c for c in re.split(r"[\s,;]+", text or "") if c]


def form_from_request(form: MultiDict, max_lines: int) -> ShipmentForm:
    """The submitted values as they were typed, and how many line fieldsets were shown."""
    values = {k: v for k, v in form.items() if k != "csrf_token" and k != "action"}
    try:
        requested = int(form.get("line_count", "1")[:12])
    except ValueError:
        requested = 1
    lines = min(max(requested, 1), max_lines)
    known_at = (form.get("known_at") or "").strip()
    return ShipmentForm(values=values, lines=lines, known_at=known_at, requested_lines=requested)


def remove_line(state: ShipmentForm, index: int) -> None:
    """Drop line `index` and renumber the ones after it."""
    if state.lines <= 1 or not 0 <= index < state.lines:
        return
    kept = {k: v for k, v in state.values.items() if not k.startswith("lines-")}
    for i in range(state.lines):
        if i == index:
            continue
        j = i if i < index else i - 1
        prefix = f"lines-{i}-"
        for k, v in state.values.items():
            if k.startswith(prefix):
                kept[f"lines-{j}-" + k[len(prefix):]] = v
    state.values, state.lines = kept, state.lines - 1


def shipment_from_form(state: ShipmentForm) -> dict:
    """The contract's shipment from the form values; blanks left out."""
    v = state.values
    shipment: dict = {}
    for name in SHIPMENT_FIELDS:
        value = _clean(v.get(name))
        if value is not None:
            shipment[name] = value.upper() if name in ("origin", "member_state", "currency") else value
    ftz = {}
    for name in FTZ_FIELDS:
        value = _clean(v.get(f"ftz-{name}"))
        if value is not None:
            ftz[name] = value
    if ftz:
        shipment["ftz"] = ftz
    lines = []
    for i in range(state.lines):
        p = f"lines-{i}-"
        line: dict = {}
        for name in LINE_FIELDS:
            value = _clean(v.get(p + name))
            if value is None:
                continue
            if name == "claims":
                line["claims"] = _claims(value)
            elif name == "origin":
                line["origin"] = value.upper()
            else:
                line[name] = value
        for key in ("metal_content", "metal_origin", "metal_weight_kg"):
            part = {}
            for metal in METALS:
                value = _clean(v.get(f"{p}{key}-{metal}"))
                if value is not None:
                    part[metal] = value.upper() if key == "metal_origin" else value
            if part:
                line[key] = part
        source = _clean(v.get(p + "emissions-source"))
        if source:
            emissions = {"source": source}
            for name in EMISSION_FIELDS[1:]:
                value = _clean(v.get(f"{p}emissions-{name}"))
                if value is not None:
                    emissions[name] = value
            line["emissions"] = emissions
        case = _clean(v.get(p + "adcvd-0-case"))
        if case:
            adcvd = {"case": case}
            for name in ADCVD_FIELDS[1:]:
                value = _clean(v.get(f"{p}adcvd-0-{name}"))
                if value is not None:
                    adcvd[name] = value
            line["adcvd"] = [adcvd]
        lines.append(line)
    shipment["lines"] = lines
    return shipment


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(str(x) for x in value)
    return str(value)


def form_from_shipment(shipment: dict, known_at: str = "", max_lines: int = 50) -> ShipmentForm:
    """Prefill the form from a shipment in the contract's shape (a permalink, an example)."""
    values: dict[str, str] = {}
    for name in SHIPMENT_FIELDS:
        if shipment.get(name) is not None:
            values[name] = _text(shipment[name])
    ftz = shipment.get("ftz") or {}
    if isinstance(ftz, dict):
        for name in FTZ_FIELDS:
            if ftz.get(name) is not None:
                values[f"ftz-{name}"] = _text(ftz[name])
    lines = [x for x in (shipment.get("lines") or []) if isinstance(x, dict)][:max_lines]
    for i, line in enumerate(lines):
        p = f"lines-{i}-"
        for name in LINE_FIELDS:
            if line.get(name) is not None:
                values[p + name] = _text(line[name])
        for key in ("metal_content", "metal_origin", "metal_weight_kg"):
            for metal, value in (line.get(key) or {}).items():
                values[f"{p}{key}-{metal}"] = _text(value)
        for name, value in (line.get("emissions") or {}).items():
            values[f"{p}emissions-{name}"] = _text(value)
        adcvd = line.get("adcvd") or []
        if adcvd and isinstance(adcvd[0], dict):
            for name, value in adcvd[0].items():
                values[f"{p}adcvd-0-{name}"] = _text(value)
    return ShipmentForm(values=values, lines=max(len(lines), 1), known_at=known_at or "")


# --- permalinks: the shipment itself, as base64url JSON in the query string, signed ----------
#
# A permalink is re-priced on every visit, so its shipment is input like any other; the signature
# (HMAC with the app's SECRET_KEY, itsdangerous) makes a shared quote tamper-evident: a link whose
# shipment was edited, or that another server made, is refused instead of priced. Links live as long
# as the secret key (set TARIFFS_SECRET_KEY to keep them across restarts and processes).

SALT = "tariffs.permalink.v1"
LINK_ALLOWED = "a link made by this server's price form"


class LinkAltered(InputError):
    """A permalink whose signature does not match: edited, truncated or made elsewhere (400)."""

    status = 400

    def __init__(self, name: str = "s"):
        super().__init__(name, "the link was altered or is not from this server", LINK_ALLOWED)


def _signer(secret=None):
    from flask import current_app
    from itsdangerous import Signer

    return Signer(secret if secret is not None else current_app.config["SECRET_KEY"], salt=SALT)


def encode_shipment(shipment: dict, secret=None) -> str:
    text = json.dumps(shipment, separators=(",", ":"), ensure_ascii=False, sort_keys=False, default=str)
    payload = base64.urlsafe_b64encode(text.encode("utf-8")).decode("ascii").rstrip("=")
    return _signer(secret).sign(payload).decode("ascii")


def decode_shipment(token: str, name: str = "s", secret=None) -> dict:
    from itsdangerous import BadSignature

    try:
        payload = _signer(secret).unsign(token.encode("utf-8", "surrogatepass")).decode("ascii")
    except (BadSignature, UnicodeError):
        raise LinkAltered(name) from None
    try:
        raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    except (binascii.Error, ValueError):
        raise InputError(name, "the link does not hold a shipment", "base64url-encoded JSON") from None
    data = jsonio.loads(raw, name)  # strict: UTF-8, each key once, bounded depth
    if not isinstance(data, dict):
        raise InputError(name, "the link does not hold a shipment", "base64url-encoded JSON object")
    return data

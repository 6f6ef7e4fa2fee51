"""Price an entry: the form (works without JavaScript), the result page, its downloads and
its permalink (the shipment itself, base64url JSON in `?s=` signed with the app's secret key, re-priced
on every visit; see web.forms)."""
from __future__ import annotations

import copy
import json

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for

import tariffs
from tariffs import InputError, limits
from tariffs.model import Ftz, Shipment
from web import inputs
from web.forms import (LinkAltered, ShipmentForm, decode_shipment, encode_shipment, form_from_request,
                       form_from_shipment, remove_line, shipment_from_form)
from web.present import landed_segments, quote_csv

bp = Blueprint("price", __name__)

# The contract's example shipment (../shared/contract/shipment.example.json): refined copper
# wire from Taiwan entered 2025-12-01 — MFN 3% + Section 232 copper 50% = duties 53,000.00.
EXAMPLE = {
    "destination": "US", "entry_date": "2025-12-01", "origin": "TW", "mode": "ocean", "currency": "USD",
    "fx_rate": None, "freight": "4200.00", "insurance": "300.00", "other_costs": "150.00", "ftz": None,
    "lines": [{"hts": "7408.11.60.00",
               "description": "Copper wire, refined, max cross-section over 6 mm but not over 9.5 mm",
               "origin": "TW", "customs_value": "100000.00", "quantity": "10000", "unit": "kg",
               "metal_content": {"copper": "100000.00"}, "us_content_value": None, "claims": [],
               "loaded_on": "2025-11-20", "emissions": None, "net_weight_kg": "10000"}],
    "filed_on": "2025-12-01",
}

def _options(model, field: str, fallback: list[str]) -> list[str]:
    """The allowed values of an enum or Literal field, read off the model."""
    import enum
    import typing

    annotation = model.model_fields[field].annotation if field in model.model_fields else None
    found: list[str] = []
    stack = [annotation]
    while stack:
        item = stack.pop(0)
        if isinstance(item, type) and issubclass(item, enum.Enum):
            found += [m.value for m in item]
        elif typing.get_origin(item) is typing.Literal:
            found += [a for a in typing.get_args(item) if isinstance(a, str)]
        else:
            stack += list(typing.get_args(item))
    return found or fallback


CHOICES = {
    "destination": _options(Shipment, "destination", ["US", "EU", "TW"]),
    "mode": _options(Shipment, "mode", ["ocean", "air", "truck", "rail", "mail"]),
    "entry_type": _options(Shipment, "entry_type", []),
    "ftz_status": _options(Ftz, "status", ["privileged_foreign", "non_privileged_foreign", "domestic",
                                           "zone_restricted"]),
    "ftz_disposition": _options(Ftz, "disposition", []),
    "ftz_regime": _options(Ftz, "regime", []),
    "yes_no": ["true", "false"],
    "emissions_source": ["default", "actual"],
    "adcvd_type": ["antidumping", "countervailing"],
}


def render_form(state: ShipmentForm, status: int = 200):
    return render_template("price.html", form=state, choices=CHOICES,
                           max_lines=current_app.config["MAX_FORM_LINES"]), status


@bp.get("/")
def index():
    if request.args.get("example"):
        state = form_from_shipment(copy.deepcopy(EXAMPLE))
    elif request.args.get("s"):
        try:
            shipment = decode_shipment(request.args["s"])
        except LinkAltered:
            return _altered()
        except InputError as exc:
            state = ShipmentForm()
            state.add_error(exc)
            return render_form(state, 400)
        state = form_from_shipment(shipment, request.args.get("known_at", ""),
                                   current_app.config["MAX_FORM_LINES"])
    else:
        state = ShipmentForm(values={"destination": "US", "mode": "ocean", "currency": "USD"})
    return render_form(state)


def _known_at_or_none(text: str | None):
    return text.strip() if text and text.strip() else None


@bp.post("/price")
def price():
    max_lines = current_app.config["MAX_FORM_LINES"]
    state = form_from_request(request.form, max_lines)
    action = request.form.get("action", "price")
    if action == "add_line":
        if state.lines < max_lines:
            state.lines += 1
        else:
            state.summary.append(f"At most {max_lines} lines per entry in the form; use batch upload for more.")
        return render_form(state)
    if action.startswith("remove_line:"):
        try:
            remove_line(state, int(action.split(":", 1)[1]))
        except ValueError:
            pass
        return render_form(state)
    if state.requested_lines > max_lines:
        # Never price fewer lines than were sent: more than the form holds is bulk work.
        state.summary.append(f"{state.requested_lines} lines; at most {max_lines} lines per entry in the form "
                             f"(and {limits.MAX_LINES_PER_QUOTE} through the API). Price more lines as a batch "
                             f"upload (/batch).")
        return render_form(state, 413)
    shipment = shipment_from_form(state)
    known_at = _known_at_or_none(state.known_at)
    try:
        inputs.known_at(known_at)
        tariffs.quote(shipment, known_at=known_at)
    except InputError as exc:
        state.add_error(exc)
        return render_form(state, 422)
    args = {"s": encode_shipment(shipment)}
    if known_at:
        args["known_at"] = known_at
    return redirect(url_for("price.result", **args), code=303)


def _quote_from_args():
    token = request.args.get("s")
    if not token:
        raise InputError("s", "no shipment in the link", "a permalink made by the price form")
    shipment = decode_shipment(token)
    known_at = inputs.known_at(_known_at_or_none(request.args.get("known_at")))
    return shipment, known_at, tariffs.quote(shipment, known_at=known_at)


def _altered():
    return render_template("error.html", status=400, title="Link altered",
                           detail="This link was altered or is not from this server, so it is not priced. "
                                  "Price the entry again from the form to get a link to share."), 400


@bp.get("/quote")
def result():
    try:
        shipment, known_at, quote = _quote_from_args()
    except LinkAltered:
        return _altered()
    except InputError as exc:
        shipment = None
        try:
            shipment = decode_shipment(request.args.get("s", ""))
        except InputError:
            pass
        state = form_from_shipment(shipment, request.args.get("known_at", "")) if shipment else ShipmentForm()
        state.add_error(exc)
        return render_form(state, 422)
    token = request.args["s"]
    pinned = {"s": token, "known_at": quote.known_at.isoformat().replace("+00:00", "Z")}
    links = {
        "permalink": url_for("price.result", s=token, **({"known_at": known_at} if known_at else {}),
                             _external=True),
        "pinned": url_for("price.result", **pinned, _external=True),
        "json": url_for("price.download_json", s=token, known_at=pinned["known_at"]),
        "csv": url_for("price.download_csv", s=token, known_at=pinned["known_at"]),
        "edit": url_for("price.index", s=token, **({"known_at": known_at} if known_at else {})),
        "compare": url_for("compare.compare", s=token),
    }
    return render_template("result.html", quote=quote, shipment=shipment, segments=landed_segments(quote),
                           links=links, known_at=known_at)


@bp.get("/quote.json")
def download_json():
    _, _, quote = _quote_from_args()
    body = json.dumps(quote.model_dump(mode="json"), indent=2, ensure_ascii=False)
    return Response(body, mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="quote-{quote.entry_date}.json"'})


@bp.get("/quote.csv")
def download_csv():
    _, _, quote = _quote_from_args()
    return Response(quote_csv(quote), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="quote-{quote.entry_date}.csv"'})

"""Compare: one product priced for several origins, entry dates or zone options side by side
(e.g. refined copper wire from Taiwan vs China on one screen). The scenario list lives in the
URL, so a comparison is a link like a quote is."""
from __future__ import annotations

import itertools
import re
from decimal import Decimal

from flask import Blueprint, current_app, redirect, render_template, request, url_for

from tariffs import InputError
from tariffs.known_at import parse_known_at
from tariffs.model import check_date
from web.forms import ShipmentForm, decode_shipment, encode_shipment, form_from_request, form_from_shipment, \
    shipment_from_form
from web.present import COLOURS, FALLBACK, duties_by_program, landed_segments
from web.price import CHOICES
from web.scenarios import UNCHANGED, Variant, run

bp = Blueprint("compare", __name__)

FTZ_OPTIONS = ["unchanged", "none", "privileged_foreign", "non_privileged_foreign"]


def _split(text: str | None) -> list[str]:
    return [x for x in re.split(r"[\s,;]+", (text or "").strip()) if x]


def _variants(origins, dates, ftz_options, ftz_admitted_on, ftz_zone, limit) -> list[Variant]:
    origins = [o.upper() for o in origins] or [None]
    dates = dates or [None]
    ftz_values = []
    for option in ftz_options or ["unchanged"]:
        if option == "unchanged":
            ftz_values.append(UNCHANGED)
        elif option == "none":
            ftz_values.append(None)
        elif option in CHOICES["ftz_status"]:
            ftz = {"status": option}
            if ftz_admitted_on:
                ftz["admitted_on"] = ftz_admitted_on
            if ftz_zone:
                ftz["zone"] = ftz_zone
            ftz_values.append(ftz)
        else:
            raise InputError("ftz", f"{option!r} is not a zone option", ", ".join(FTZ_OPTIONS))
    variants = []
    for origin, day, ftz in itertools.product(origins, dates, ftz_values):
        parts = [p for p in (origin, day) if p]
        if ftz is not UNCHANGED:
            parts.append("no zone" if ftz is None else ftz["status"].replace("_", " "))
        variants.append(Variant(" · ".join(parts) or "as entered", origin, day, ftz))
    if len(variants) > limit:
        raise InputError("origins", f"{len(variants)} scenarios; at most {limit} side by side",
                         "fewer origins, dates or zone options")
    return variants


def _scenario_args(form) -> dict:
    return {"origins": ",".join(o.upper() for o in _split(form.get("origins"))),
            "dates": ",".join(_split(form.get("dates"))),
            "ftz": ",".join(form.getlist("ftz")),
            "ftz_admitted_on": (form.get("ftz_admitted_on") or "").strip(),
            "ftz_zone": (form.get("ftz_zone") or "").strip(),
            "known_at": (form.get("known_at") or "").strip()}


def _render(state: ShipmentForm, scenario: dict, outcomes=None, status=200):
    table = _table(outcomes) if outcomes else None
    return render_template("compare.html", form=state, scenario=scenario, choices=CHOICES,
                           ftz_options=FTZ_OPTIONS, outcomes=outcomes, table=table), status


def _table(outcomes):
    """Rows of the side-by-side table and one bar per scenario on a common scale."""
    programs = []
    for o in outcomes:
        if o.quote:
            for p in duties_by_program(o.quote):
                if p not in programs:
                    programs.append(p)
    top = max((o.quote.totals.landed_cost for o in outcomes if o.quote), default=Decimal(0))
    bars = []
    for o in outcomes:
        if not o.quote or not top:
            bars.append(None)
            continue
        scale = float(o.quote.totals.landed_cost / top) * 1000.0
        bars.append(landed_segments(o.quote, width=scale))
    return {"programs": programs, "bars": bars, "colours": COLOURS, "fallback": FALLBACK}


@bp.get("/compare")
def compare():
    scenario = {k: request.args.get(k, "") for k in ("origins", "dates", "ftz", "ftz_admitted_on", "ftz_zone",
                                                      "known_at")}
    token = request.args.get("s")
    if not token:
        state = ShipmentForm(values={"destination": "US", "mode": "ocean", "currency": "USD"})
        return _render(state, scenario)
    try:
        base = decode_shipment(token)
    except InputError as exc:
        state = ShipmentForm()
        state.add_error(exc)
        return _render(state, scenario, status=400)
    state = form_from_shipment(base, max_lines=1)
    lines = base.get("lines") if isinstance(base.get("lines"), list) else []
    if not scenario["origins"] and not any((scenario["dates"], scenario["ftz"])):
        # Arriving from a result page: offer the entry's origin and China to compare with.
        first = lines[0].get("origin") if lines and isinstance(lines[0], dict) else None
        scenario["origins"] = ", ".join(dict.fromkeys(x for x in (first or base.get("origin"), "CN") if x))
        return _render(state, scenario)
    try:
        variants = _variants(_split(scenario["origins"]), _split(scenario["dates"]), _split(scenario["ftz"]),
                             scenario["ftz_admitted_on"] or None, scenario["ftz_zone"] or None,
                             current_app.config["MAX_COMPARE_SCENARIOS"])
    except InputError as exc:
        state.add_error(exc)
        return _render(state, scenario, status=422)
    outcomes = run(base, variants, scenario["known_at"] or None)
    for o in outcomes:
        o.link = url_for("price.result", s=encode_shipment(o.shipment),
                         **({"known_at": o.known_at} if o.known_at else {}))
    return _render(state, scenario, outcomes)


@bp.post("/compare")
def compare_post():
    state = form_from_request(request.form, 1)
    state.lines = 1
    scenario = _scenario_args(request.form)
    base = shipment_from_form(state)
    try:
        _variants(_split(scenario["origins"]), _split(scenario["dates"]), _split(scenario["ftz"]),
                  scenario["ftz_admitted_on"] or None, scenario["ftz_zone"] or None,
                  current_app.config["MAX_COMPARE_SCENARIOS"])
    except InputError as exc:
        state.add_error(exc)
    # The scenario fields are checked here, so that a bad one is a message beside it (not an error in every
    # column of the comparison): each date an ISO date within the accepted years, known_at as the library's.
    for day in _split(scenario["dates"]):
        try:
            check_date(day, "dates")
        except InputError as exc:
            state.add_error(exc)
            break
    if scenario["ftz_admitted_on"]:
        try:
            check_date(scenario["ftz_admitted_on"], "ftz_admitted_on")
        except InputError as exc:
            state.add_error(exc)
    if scenario.get("known_at"):
        try:
            parse_known_at(scenario["known_at"], "known_at")
        except InputError as exc:
            state.add_error(exc)
    if state.errors:
        return _render(state, scenario, status=422)
    args = {k: v for k, v in scenario.items() if v}
    return redirect(url_for("compare.compare", s=encode_shipment(base), **args), code=303)

"""Look-ups: measures for an HTS number, origin and date (with each measure's history), and
the ruleset in use (version, hash, knowledge cutoff, changelog)."""
from __future__ import annotations

import datetime as dt
import inspect
import re
from pathlib import Path

from flask import Blueprint, render_template, request

import tariffs
from tariffs import InputError
from tariffs.rules.show import show_measures
from web import inputs

bp = Blueprint("lookup", __name__)

# show_measures names its arguments as the CLI's options; the page and the API name them
# as their query parameters.
PARAMS = {"--hts": "hts", "--origin": "origin", "--date": "date", "--known-at": "known_at", "known_at": "known_at",
          "--destination": "destination"}
DESTINATIONS = ("US", "EU", "TW")


def measures_report(hts: str, origin: str, day: str, known_at: str | None, claims: list[str],
                    destination: str | None = None) -> dict:
    kwargs = {}
    if destination and "destination" in inspect.signature(show_measures).parameters:
        kwargs["destination"] = destination
    elif destination and destination.upper() != "US":
        raise InputError("destination", f"{destination!r} is not allowed", "US")
    try:
        return show_measures(hts, origin, day, known_at or None, claims, **kwargs)
    except InputError as exc:
        raise InputError(PARAMS.get(exc.field, exc.field), exc.message, exc.allowed) from None


def changelog_text(rules) -> str | None:
    path = Path(rules.root) / "CHANGELOG.md"
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return None


@bp.get("/measures")
def measures():
    query = {k: (request.args.get(k) or "").strip()
             for k in ("hts", "origin", "date", "known_at", "claims", "destination")}
    report, error = None, None
    if query["hts"] or query["origin"]:
        claims = [c for c in re.split(r"[\s,;]+", query["claims"]) if c]
        try:
            inputs.known_at(query["known_at"])
            report = measures_report(query["hts"], query["origin"], query["date"] or dt.date.today().isoformat(),
                                     query["known_at"], claims, query["destination"] or None)
        except InputError as exc:
            error = exc
    groups = {}
    if report:
        for m in report["measures"]:
            groups.setdefault((m["program"], m["heading"]), []).append(m)
    status = 422 if error else 200
    return render_template("measures.html", query=query, report=report, groups=groups, error=error,
                           destinations=DESTINATIONS), status


@bp.get("/rules")
def rules_page():
    rules = tariffs.load_rules()
    return render_template("rules.html", rules=rules, changelog=changelog_text(rules))

"""The JSON API under /api/v1: quotes, comparisons, batches, measures, rulesets, and the
OpenAPI document generated from the models. Errors are problem details (web.errors)."""
from __future__ import annotations

import datetime as dt
import json
import re

from flask import Blueprint, Response, current_app, jsonify, request
from pydantic import ValidationError

import tariffs
from tariffs import InputError
from tariffs.store import Entry
from web import audit, batchfile, schemas
from web.batch import file_response, render_file
from web.errors import ApiProblem
from web.lookup import changelog_text, measures_report
from web.openapi import openapi_document
from web.scenarios import UNCHANGED, Variant, run

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def _json_response(data, status: int = 200) -> Response:
    return Response(json.dumps(data, ensure_ascii=False), status=status, mimetype="application/json")


def _is_json(mimetype: str) -> bool:
    return mimetype == "application/json" or (mimetype.startswith("application/") and mimetype.endswith("+json"))


def _json_body():
    if not _is_json(request.mimetype):
        raise ApiProblem(415, f"Send the body as application/json (got {request.mimetype or 'no content type'}).",
                         field="Content-Type", allowed="application/json")
    raw = request.get_data(cache=False)
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ApiProblem(400, "The body is not UTF-8 text.", field="body", allowed="a JSON document") from None
    except json.JSONDecodeError as exc:
        raise ApiProblem(400, f"Malformed JSON: {exc.msg} at line {exc.lineno} column {exc.colno}.",
                         field="body", allowed="a JSON document") from None
    except RecursionError:
        raise ApiProblem(400, "The JSON is nested too deeply.", field="body") from None


def _object(body, what: str) -> dict:
    if not isinstance(body, dict):
        raise InputError("body", f"a JSON {type(body).__name__} is not {what}", "a JSON object")
    return body


def _known_at(*candidates) -> str | None:
    """The first given known_at, checked here so that a bad one is a 422 naming it."""
    for value in candidates:
        if value is None or value == "":
            continue
        if not isinstance(value, str):
            raise InputError("known_at", f"{value!r} is not an ISO date or datetime",
                             "YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][Z|+HH:MM]")
        tariffs.parse_known_at(value, "known_at")
        return value
    return None


def _audit_headers(response: Response, ids: list[int], request_id: str) -> Response:
    response.headers["X-Audit-Request"] = request_id
    if ids:
        response.headers["X-Audit-Id"] = ",".join(str(i) for i in ids)
    return response


@bp.post("/quotes")
@audit.idempotent
def create_quote():
    body = _object(_json_body(), "a shipment")
    known_at = _known_at(request.args.get("known_at"), body.pop("known_at", None))
    quote = tariffs.quote(body, known_at=known_at)
    return audit.respond("quote", [Entry(body, quote)], lambda ids, request_id: _audit_headers(
        _json_response(quote.model_dump(mode="json")), ids, request_id))


@bp.post("/quotes/compare")
@audit.idempotent
def compare_quotes():
    body = _object(_json_body(), "a comparison request")
    try:
        parsed = schemas.CompareRequest.model_validate(body)
    except ValidationError as exc:
        raise schemas.input_error(exc) from None
    known_at = _known_at(parsed.known_at)
    variants = []
    for i, scenario in enumerate(parsed.scenarios):
        if scenario.known_at:
            try:
                _known_at(scenario.known_at)
            except InputError as exc:
                raise InputError(f"scenarios[{i}].known_at", exc.message, exc.allowed) from None
        ftz = UNCHANGED
        if "ftz" in scenario.model_fields_set:
            ftz = scenario.ftz.model_dump(mode="json", exclude_none=True) if scenario.ftz else None
        parts = [str(p) for p in (scenario.origin, scenario.entry_date) if p]
        if ftz is not UNCHANGED:
            parts.append((ftz.get("status") or "zone") if ftz else "no zone")
        if scenario.known_at:
            parts.append(f"known at {scenario.known_at}")
        name = scenario.name or " / ".join(parts) or f"scenario {i + 1}"
        variants.append(Variant(name, scenario.origin.upper() if scenario.origin else None, scenario.entry_date,
                                ftz, scenario.known_at))
    outcomes = run(body["shipment"], variants, known_at)
    priced = [o for o in outcomes if o.quote]

    def answer(ids, request_id):
        audit_ids = {id(o): i for o, i in zip(priced, ids)}
        results = []
        for o in outcomes:
            v = o.variant
            item = {"name": v.name, "origin": v.origin,
                    "entry_date": v.entry_date.isoformat() if v.entry_date else None,
                    "ftz_status": v.ftz_status, "known_at": o.known_at,
                    "quote": o.quote.model_dump(mode="json") if o.quote else None,
                    "error": ({"field": o.error.field, "message": o.error.message, "allowed": o.error.allowed}
                              if o.error else None),
                    "audit_id": audit_ids.get(id(o))}
            results.append(item)
        return _audit_headers(_json_response({"scenarios": results}), ids, request_id)

    # One record per priced scenario, all under this request's id.
    return audit.respond("compare", [Entry(o.shipment, o.quote, o.variant.name) for o in priced], answer)


@bp.post("/batch")
@audit.idempotent
def price_batch():
    fmt = request.args.get("format", "json")
    if fmt not in ("json", "csv", "xlsx"):
        raise InputError("format", f"{fmt!r} is not an output format", "json, csv or xlsx")
    max_rows = current_app.config["MAX_BATCH_ROWS"]
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            raise InputError("file", "no file in the upload", "a multipart field named file (CSV or XLSX)")
        try:
            rows = batchfile.read_rows(upload.read(), upload.filename, max_rows)
        except InputError as exc:
            if exc.message.startswith("more than"):
                raise ApiProblem(413, exc.message, field="file", allowed=exc.allowed) from None
            raise
        known_at = _known_at(request.args.get("known_at"), request.form.get("known_at"))
    else:
        body = _object(_json_body(), "a batch request")
        try:
            parsed = schemas.BatchJsonRequest.model_validate(body)
        except ValidationError as exc:
            raise schemas.input_error(exc) from None
        if len(parsed.rows) > max_rows:
            raise ApiProblem(413, f"more than {max_rows} rows", field="rows", allowed=f"at most {max_rows} rows")
        rows = batchfile.rows_from_json(parsed.rows, max_rows)
        known_at = _known_at(request.args.get("known_at"), parsed.known_at)
    for row in rows:
        if row.values.get("known_at"):
            try:
                _known_at(row.values["known_at"])
            except InputError as exc:
                row.error = exc
    batchfile.price_rows([r for r in rows if r.error is None], known_at)
    priced = [r for r in rows if r.quote]

    def answer(ids, request_id):
        if fmt != "json":
            header, body = batchfile.output_table(rows)
            return _audit_headers(file_response(render_file(header, body, fmt), fmt, "tariffs-priced"), ids,
                                  request_id)
        audit_ids = {r.number: i for r, i in zip(priced, ids)}
        out = []
        for row in rows:
            out.append({"row": row.number, "status": "error" if row.error else "ok",
                        "quote": row.quote.model_dump(mode="json") if row.quote else None,
                        "error": ({"field": row.error.field, "message": row.error.message,
                                   "allowed": row.error.allowed} if row.error else None),
                        "audit_id": audit_ids.get(row.number)})
        return _audit_headers(_json_response({"rows": out, "priced": len(priced),
                                              "errors": sum(1 for r in rows if r.error)}), ids, request_id)

    # One record per priced row, all under this request's id (reference: the row number).
    return audit.respond("batch", [Entry(batchfile.shipment_of(r), r.quote, f"row {r.number}") for r in priced],
                         answer)


@bp.get("/batch/columns")
def batch_columns():
    return _json_response([{"name": n, "required": r, "description": d, "example": e}
                           for n, r, d, e in batchfile.COLUMNS])


@bp.get("/measures")
def measures():
    args = {k: (request.args.get(k) or "").strip()
            for k in ("hts", "origin", "date", "known_at", "claims", "destination")}
    for name in ("hts", "origin"):
        if not args[name]:
            raise ApiProblem(400, f"query parameter {name} is required", field=name,
                             allowed="hts: an 8- or 10-digit HTSUS number" if name == "hts"
                             else "origin: ISO 3166-1 alpha-2 code")
    known_at = _known_at(args["known_at"])
    claims = [c for c in re.split(r"[\s,;]+", args["claims"]) if c]
    report = measures_report(args["hts"], args["origin"], args["date"] or dt.date.today().isoformat(),
                             known_at, claims, args["destination"] or None)
    return _json_response(schemas.MeasuresReport.model_validate(report).model_dump(mode="json"))


@bp.get("/rulesets")
def rulesets():
    rules = tariffs.load_rules()
    current = {"version": rules.version, "sha256": rules.sha256,
               "knowledge_cutoff": rules.knowledge_cutoff.isoformat() if hasattr(rules.knowledge_cutoff, "isoformat")
               else str(rules.knowledge_cutoff), "changelog": changelog_text(rules)}
    # One ruleset ships with the package; the audit store remembers every ruleset quotes were made with.
    seen = [{"version": r.version, "sha256": r.sha256, "knowledge_cutoff": r.knowledge_cutoff.isoformat(),
             "changelog": None} for r in current_app.audit_store().rulesets() if r.sha256 != rules.sha256]
    return _json_response({"current": current, "rulesets": [current, *seen]})


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document())

"""The OpenAPI 3.1 document of /api/v1, generated from the pydantic models (the library's
Shipment and Quote, and web.schemas for the API's own envelopes). Nothing here restates a
field: change a model and the document follows."""
from __future__ import annotations

from functools import lru_cache

from pydantic import ValidationError
from pydantic.json_schema import models_json_schema

import tariffs
from tariffs.model import Line, Quote, Shipment
from web import schemas

REF = "#/components/schemas/{model}"

MODELS = [
    (schemas.QuoteRequest, "validation"),
    (Quote, "serialization"),
    (schemas.CompareRequest, "validation"),
    (schemas.CompareResponse, "serialization"),
    (schemas.BatchJsonRequest, "validation"),
    (schemas.BatchResponse, "serialization"),
    (schemas.BatchColumn, "serialization"),
    (schemas.MeasuresReport, "serialization"),
    (schemas.RulesetsResponse, "serialization"),
    (schemas.Problem, "serialization"),
]

PROBLEM_CODES = {
    "400": "Malformed request (e.g. JSON that does not parse, a missing query parameter).",
    "413": "Request body, upload or row count over the limit.",
    "415": "Wrong content type.",
    "422": "Input the engine refuses; `field` names it (e.g. `lines[0].hts`) and `allowed` says what would do.",
    "503": "The rule tables could not be loaded (type rules-unavailable), or the audit log could not be written "
           "(type audit-unavailable: nothing was issued or recorded; retry, with the same Idempotency-Key).",
}


def _problems(*codes: str) -> dict:
    return {code: {"description": PROBLEM_CODES[code],
                   "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
            for code in codes}


def _json(ref: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": ref}}}


def _query(name: str, description: str, required: bool = False, fmt: str | None = None) -> dict:
    schema = {"type": "string"}
    if fmt:
        schema["format"] = fmt
    return {"name": name, "in": "query", "required": required, "description": description, "schema": schema}


IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key", "in": "header", "required": False,
    "description": "Any unique string (e.g. a UUID). A request sent again with the same key and the same body gets "
                   "the answer given the first time (header `Idempotent-Replayed: true`), priced and recorded once; "
                   "the same key with a different request is a 422 problem (type idempotency-key-reused).",
    "schema": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[\\x21-\\x7e]+$"}}
AUDIT_HEADERS = {
    "X-Audit-Request": {"description": "Id of this request in the audit log (shared by the quotes it recorded).",
                        "schema": {"type": "string"}},
    "X-Audit-Id": {"description": "Audit-log id(s) of the quote(s) recorded, comma-separated.",
                   "schema": {"type": "string"}},
}

KNOWN_AT = _query("known_at", "Read the rules as known at this date or datetime (ISO 8601; a date means the end "
                              "of that day). Default: now. For POST /quotes the query parameter wins over a "
                              "`known_at` field in the body.")


# Minimal valid inputs, used to ask the models which fields also take null.
_MINIMAL_LINE = {"hts": "7408.11.60.00", "customs_value": "1"}
_MINIMAL_SHIPMENT = {"destination": "US", "entry_date": "2025-01-01", "mode": "ocean", "lines": [_MINIMAL_LINE]}
_PROBES = {
    "Shipment": lambda field: Shipment.model_validate({**_MINIMAL_SHIPMENT, field: None}),
    "QuoteRequest": lambda field: schemas.QuoteRequest.model_validate({**_MINIMAL_SHIPMENT, field: None}),
    "Line": lambda field: Line.model_validate({**_MINIMAL_LINE, field: None}),
}


def _nullable(schema: dict) -> bool:
    options = schema.get("anyOf", [schema])
    return any(o.get("type") == "null" for o in options)


def _accept_null_where_the_models_do(defs: dict) -> None:
    """Some fields take null for their default through a before-validator (freight, claims...),
    which JSON Schema cannot see; ask the model itself, and widen those fields' schemas so that
    the document says what the API accepts."""
    for name, probe in _PROBES.items():
        for field, schema in defs.get(name, {}).get("properties", {}).items():
            if _nullable(schema):
                continue
            try:
                probe(field)
            except ValidationError:
                continue
            options = schema.pop("anyOf", None) or [{k: schema.pop(k) for k in list(schema)
                                                      if k not in ("title", "default", "description")}]
            schema["anyOf"] = options + [{"type": "null"}]


@lru_cache(maxsize=1)
def _components() -> tuple[dict, dict]:
    refs, top = models_json_schema(MODELS, ref_template=REF)
    defs = top.get("$defs", {})
    _accept_null_where_the_models_do(defs)
    return {(model.__name__, mode): ref for (model, mode), ref in refs.items()}, defs


def openapi_document() -> dict:
    refs, schemas_ = _components()

    def ref(model, mode="serialization"):
        return refs[(model.__name__, mode)]

    paths = {
        "/api/v1/quotes": {"post": {
            "operationId": "createQuote", "summary": "Price a shipment",
            "description": "The body is a shipment in the contract's shape (plus an optional `known_at`); the "
                           "answer is the contract's quote: every charge with its legal basis, totals, warnings.",
            "parameters": [KNOWN_AT, IDEMPOTENCY_KEY],
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": ref(schemas.QuoteRequest, "validation")}}},
            "responses": {"200": {**_json(ref(Quote), "The quote (recorded in the audit log)."),
                                  "headers": AUDIT_HEADERS}, **_problems("400", "413", "415", "422", "503")},
        }},
        "/api/v1/quotes/compare": {"post": {
            "operationId": "compareQuotes", "summary": "Price one shipment under several scenarios",
            "description": "Each scenario changes the origin (of every line), the entry date, the zone status or "
                           "the knowledge date; each answers with a quote or its own error. Each quote is "
                           "recorded in the audit log (`audit_id`).",
            "parameters": [IDEMPOTENCY_KEY],
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": ref(schemas.CompareRequest, "validation")}}},
            "responses": {"200": {**_json(ref(schemas.CompareResponse), "One result per scenario, in order."),
                                  "headers": AUDIT_HEADERS},
                          **_problems("400", "413", "415", "422", "503")},
        }},
        "/api/v1/batch": {"post": {
            "operationId": "priceBatch", "summary": "Price a file (CSV or XLSX) or a list of rows",
            "description": "Each row is one line entered as its own entry (columns: GET /api/v1/batch/columns). "
                           "Bad rows are reported with the column they fail on; good rows are priced. "
                           "`format=csv` or `xlsx` answers with the priced file instead of JSON.",
            "parameters": [KNOWN_AT, IDEMPOTENCY_KEY, {"name": "format", "in": "query", "required": False,
                                      "schema": {"type": "string", "enum": ["json", "csv", "xlsx"]}}],
            "requestBody": {"required": True, "content": {
                "application/json": {"schema": ref(schemas.BatchJsonRequest, "validation")},
                "multipart/form-data": {"schema": {
                    "type": "object", "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary",
                                            "description": "A CSV (UTF-8) or XLSX file with the batch columns."},
                                   "known_at": {"type": "string"}}}}}},
            "responses": {"200": {"description": "Per-row results, or the priced file; each priced row is "
                                                 "recorded in the audit log (`audit_id`).",
                                  "headers": AUDIT_HEADERS, "content": {
                "application/json": {"schema": ref(schemas.BatchResponse)},
                "text/csv": {"schema": {"type": "string"}},
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                    "schema": {"type": "string", "format": "binary"}}}},
                **_problems("400", "413", "415", "422", "503")},
        }},
        "/api/v1/batch/columns": {"get": {
            "operationId": "batchColumns", "summary": "The columns of a batch file",
            "responses": {"200": _json({"type": "array", "items": ref(schemas.BatchColumn)}, "The columns.")},
        }},
        "/api/v1/measures": {"get": {
            "operationId": "showMeasures", "summary": "Measures for an HTS number, origin and date, with history",
            "parameters": [_query("hts", "HTSUS number, 8 or 10 digits.", True),
                           _query("origin", "Country of origin, ISO 3166-1 alpha-2.", True),
                           _query("date", "Entry date, YYYY-MM-DD (default: today).", False, "date"),
                           KNOWN_AT,
                           _query("claims", "Claims on the line (SPI or Chapter 99 headings), comma-separated."),
                           _query("destination", "US (default), EU or TW: whose nomenclature `hts` is in.")],
            "responses": {"200": _json(ref(schemas.MeasuresReport), "Every version of every candidate measure, "
                                                                     "whether it applies, and why not."),
                          **_problems("400", "422", "503")},
        }},
        "/api/v1/rulesets": {"get": {
            "operationId": "listRulesets", "summary": "The ruleset in use: version, SHA-256, knowledge cutoff",
            "responses": {"200": _json(ref(schemas.RulesetsResponse), "The rulesets."), **_problems("503")},
        }},
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "tariffs API", "version": "1",
                 "description": "Tariff and landed-cost engine. Money, rates and quantities are decimal strings; "
                                "errors are RFC 9457 problem details naming the field. Ruleset "
                                f"{_ruleset_version()}."},
        "paths": paths,
        "components": {"schemas": schemas_},
    }


def _ruleset_version() -> str:
    try:
        return tariffs.load_rules().version
    except tariffs.RulesError:
        return "(unavailable)"

"""The JSON API under /api/v1: the contract's answers, and problem details (never 5xx) for
malformed, mistyped, oversize and refused requests."""
from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

import tariffs

KNOWN_AT = "2026-11-21"
PROBLEM = "application/problem+json"


def problem_of(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body = response.get_json(force=True)
    assert body["status"] == status and body["type"] and body["title"] and body["detail"]
    return body


def test_quote_answers_the_contract(client, shipment):
    response = client.post(f"/api/v1/quotes?known_at={KNOWN_AT}", json=shipment)
    assert response.status_code == 200 and response.mimetype == "application/json"
    body = response.get_json()
    assert body == tariffs.quote(shipment, known_at=KNOWN_AT).model_dump(mode="json")
    assert body["totals"]["duties"] == "53000.00"
    assert [c["program"] for c in body["lines"][0]["charges"]] == ["mfn", "section_232"]
    contract = json.loads((Path(__file__).resolve().parents[2] / "tests" / "data" / "contract" /
                           "quote.example.json").read_text())
    assert set(contract) <= set(body)
    assert set(contract["totals"]) <= set(body["totals"])


def test_known_at_in_the_body(client, shipment):
    body = client.post("/api/v1/quotes", json=dict(shipment, known_at=KNOWN_AT)).get_json()
    assert body["known_at"].startswith("2026-11-21T23:59:59")


def test_known_at_query_wins_over_body(client, shipment):
    body = client.post("/api/v1/quotes?known_at=2026-11-20", json=dict(shipment, known_at=KNOWN_AT)).get_json()
    assert body["known_at"].startswith("2026-11-20")


@pytest.mark.parametrize("change, field", [
    (lambda s: s["lines"][0].update(hts="12"), "lines[0].hts"),
    (lambda s: s.update(destination="XX"), "destination"),
    (lambda s: s.update(mode="teleport"), "mode"),
    (lambda s: s.update(lines=[]), "lines"),
    (lambda s: s.update(bogus=1), "bogus"),
    (lambda s: s["lines"][0].update(customs_value="x"), "lines[0].customs_value"),
    (lambda s: s.update(entry_date="2025-13-01"), "entry_date"),
    (lambda s: s.update(currency="EUR"), "fx_rate"),
    (lambda s: s.update(known_at="soon"), "known_at"),
    (lambda s: s.update(known_at=5), "known_at"),
])
def test_quote_input_problems_name_the_field(client, shipment, change, field):
    change(shipment)
    body = problem_of(client.post("/api/v1/quotes", json=shipment), 422)
    assert body["field"] == field
    assert body["detail"].startswith(field)


@pytest.mark.parametrize("data, content_type, status", [
    ("{not json", "application/json", 400),
    ("", "application/json", 400),
    (b"\xff\xfe", "application/json", 422),
    ("[1, 2]", "application/json", 422),
    ("null", "application/json", 422),
    ("\"text\"", "application/json", 422),
    ("{}", "text/plain", 415),
    ("destination=US", "application/x-www-form-urlencoded", 415),
    ("{}", None, 415),
    ("[" * 100000 + "]" * 100000, "application/json", 422),
])
def test_malformed_requests_are_4xx_problems(client, data, content_type, status):
    kwargs = {"data": data}
    if content_type:
        kwargs["content_type"] = content_type
    problem_of(client.post("/api/v1/quotes", **kwargs), status)


def test_oversize_body_is_413(app, client, shipment):
    app.config["MAX_CONTENT_LENGTH"] = 2000
    shipment["lines"][0]["description"] = "x" * 5000
    problem_of(client.post("/api/v1/quotes", json=shipment), 413)


def test_unknown_api_path_and_method(client):
    problem_of(client.get("/api/v1/nothing"), 404)
    response = client.get("/api/v1/quotes")
    problem_of(response, 405)
    assert "POST" in response.headers["Allow"]


def test_api_responses_are_not_cached(client, shipment):
    response = client.post("/api/v1/quotes", json=shipment)
    assert response.headers["Cache-Control"] == "no-store"


def test_api_does_not_need_a_csrf_token(client, shipment):
    # The API keeps no state and reads no cookie: a pure calculator.
    assert client.post("/api/v1/quotes", json=shipment).status_code == 200


def test_compare_origins(client, shipment):
    body = {"shipment": shipment, "known_at": KNOWN_AT,
            "scenarios": [{"origin": "TW"}, {"origin": "CN", "name": "China"}, {"entry_date": "2026-05-01"},
                          {"ftz": {"status": "privileged_foreign", "admitted_on": "2025-03-01"}}, {"origin": "ZZ"}]}
    response = client.post("/api/v1/quotes/compare", json=body)
    assert response.status_code == 200
    results = response.get_json()["scenarios"]
    assert [r["name"] for r in results][:2] == ["TW", "China"]
    assert results[0]["quote"]["totals"]["duties"] == "53000.00"
    cn = dict(shipment, origin="CN", lines=[dict(shipment["lines"][0], origin="CN")])
    assert results[1]["quote"]["totals"] == tariffs.quote(cn, known_at=KNOWN_AT).model_dump(mode="json")["totals"]
    assert results[2]["quote"]["entry_date"] == "2026-05-01"
    assert results[3]["ftz_status"] == "privileged_foreign"
    assert results[4]["quote"] is None and results[4]["error"]["field"] == "lines[0].origin"


@pytest.mark.parametrize("body, field", [
    ({"scenarios": [{"origin": "CN"}]}, "shipment"),
    ({"shipment": {}, "scenarios": [{"origin": "CN"}]}, "shipment.destination"),
    ("SHIPMENT", "scenarios"),
    ("SHIPMENT+", "scenarios[0].entry_date"),
])
def test_compare_problems(client, shipment, body, field):
    if body == "SHIPMENT":
        body = {"shipment": shipment, "scenarios": []}
    elif body == "SHIPMENT+":
        body = {"shipment": shipment, "scenarios": [{"entry_date": "someday"}]}
    assert problem_of(client.post("/api/v1/quotes/compare", json=body), 422)["field"] == field


def test_compare_bad_known_at(client, shipment):
    body = {"shipment": shipment, "scenarios": [{"known_at": "later"}]}
    assert problem_of(client.post("/api/v1/quotes/compare", json=body), 422)["field"] == "scenarios[0].known_at"


def test_measures(client):
    response = client.get("/api/v1/measures?hts=7408.11.60.00&origin=CN&date=2025-12-01&known_at=2026-11-21")
    assert response.status_code == 200
    body = response.get_json()
    assert body["hts"] == "7408.11.60.00" and body["origin"] == "CN" and body["date"] == "2025-12-01"
    applying = {m["measure_id"] for m in body["measures"] if m["applies"]}
    assert "us.s232.copper.2025-08-01" in applying
    assert body["mfn"]["general"] == "3%"
    assert body.get("destination", "US") == "US"


def test_measures_destination_is_checked(client):
    body = client.get("/api/v1/measures?hts=7408.11.60.00&origin=CN&destination=XX").get_json(force=True)
    assert body["status"] == 422 and body["field"] == "destination"


@pytest.mark.parametrize("query, status, field", [
    ("origin=CN", 400, "hts"), ("hts=7408.11.60.00", 400, "origin"),
    ("hts=1&origin=CN", 422, "hts"), ("hts=7408.11.60.00&origin=QQ", 422, "origin"),
    ("hts=7408.11.60.00&origin=CN&date=2025-02-30", 422, "date"),
    ("hts=7408.11.60.00&origin=CN&known_at=x", 422, "known_at"),
])
def test_measures_problems(client, query, status, field):
    assert problem_of(client.get(f"/api/v1/measures?{query}"), status)["field"] == field


def test_rulesets(client):
    body = client.get("/api/v1/rulesets").get_json()
    rules = tariffs.load_rules()
    assert body["current"]["version"] == rules.version and body["current"]["sha256"] == rules.sha256
    assert body["current"]["knowledge_cutoff"] == str(rules.knowledge_cutoff)
    assert body["rulesets"][0]["sha256"] == rules.sha256


def test_openapi_document_is_generated_and_valid(client):
    from openapi_spec_validator import validate

    document = client.get("/api/v1/openapi.json").get_json()
    validate(document)
    assert document["openapi"].startswith("3.")
    schemas = document["components"]["schemas"]
    # Generated from the pydantic models: every field of the models is there.
    quote_schema = schemas["Quote"]
    assert set(tariffs.Quote.model_fields) == set(quote_schema["properties"])
    request_schema = schemas["QuoteRequest"]
    assert set(tariffs.Shipment.model_fields) | {"known_at"} == set(request_schema["properties"])
    assert {"/api/v1/quotes", "/api/v1/quotes/compare", "/api/v1/batch", "/api/v1/measures",
            "/api/v1/rulesets"} <= set(document["paths"])
    text = json.dumps(document)
    assert "#/$defs/" not in text  # every reference resolves inside components


def test_every_api_quote_is_recorded_in_the_audit_log(app, client, shipment):
    response = client.post("/api/v1/quotes?known_at=2026-11-21", json=shipment)
    assert response.status_code == 200
    audit_id = int(response.headers["X-Audit-Id"])
    row = app.audit_store().get(audit_id)
    assert row.duties == Decimal("53000.00") and row.ruleset_sha256 == response.get_json()["ruleset"]["sha256"]


def test_a_failed_audit_write_fails_the_request_loudly(tmp_path, shipment):
    from web import create_app

    broken = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": "sqlite:///" + str(tmp_path / "a.db")})
    store = broken.audit_store()
    store.engine.dispose()
    (tmp_path / "a.db").unlink()
    (tmp_path / "a.db").mkdir()  # the database file is now a directory: every write fails
    response = broken.test_client().post("/api/v1/quotes?known_at=2026-11-21", json=shipment)
    assert response.status_code == 503
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert "audit log" in response.get_json()["detail"]

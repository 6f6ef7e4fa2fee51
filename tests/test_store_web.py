"""The API's audit records, on SQLite and the real PostgreSQL: every quote returned is recorded
(quotes, comparisons, batches), the largest amounts the bounds allow are kept to the cent, eight
first requests at once all succeed, and an Idempotency-Key records a request once."""
import json
import socket
import threading
import time
import urllib.request
from decimal import Decimal

import pytest

from tariffs.store import Store, rerun
from web import create_app

from conftest import shipment
from store_support import fresh_url

KNOWN_AT = "2026-11-21"


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    return fresh_url(request.param, tmp_path, request)


@pytest.fixture
def app(url):
    app = create_app({"TESTING": True, "SECRET_KEY": "t", "DATABASE_URL": url})
    yield app
    app.audit_store().engine.dispose()


def tee(value="1000.00", origin="TW"):
    # Cotton T-shirts, 6109.10.00.12: MFN 16.5%.
    return shipment(entry_date="2025-10-01", line={"hts": "6109.10.00.12", "origin": origin, "customs_value": value})


def test_the_largest_amounts_the_bounds_allow_are_recorded_to_the_cent(app):
    # 10^13 (the largest money per line) in a currency at fx_rate 10^6 (the largest rate): 10^19 USD.
    s = tee("10000000000000")
    s.update(currency="JPY", fx_rate="1000000")
    response = app.test_client().post(f"/api/v1/quotes?known_at={KNOWN_AT}", json=s)
    assert response.status_code == 200, response.get_json()
    row = app.audit_store().get(int(response.headers["X-Audit-Id"]))
    # MFN 16.5% x 10^19 = 1.65 x 10^18. Landed = 10^19 + 1.65 x 10^18 + HMF 0.125% x 10^19 (1.25 x 10^16)
    # + MPF at its FY2026 cap 651.50 = 11,662,500,000,000,000,651.50 (20 digits: more than NUMERIC(18, 2)
    # holds, and more than a binary float keeps).
    assert row.duties == Decimal("1650000000000000000.00")
    assert row.landed_cost == Decimal("11662500000000000651.50")
    assert json.loads(row.quote_json)["totals"]["landed_cost"] == "11662500000000000651.50"


def test_eight_first_requests_at_once_on_a_new_database_all_succeed(url, engine):
    # Eight workers start on an empty database and each answers its first request at the same moment:
    # the schema is made once (under the migration lock) and the ruleset row is an upsert.
    barrier, results, building = threading.Barrier(8), [], threading.Lock()

    def worker():
        barrier.wait()
        Store(url).engine.dispose()  # eight start-ups migrating the new database at once (as create_app does)
        # Flask/Werkzeug compile an app's routes with ast.parse while it is built; CPython 3.11's parser is not
        # safe when threads do that at once ("SystemError: AST constructor recursion depth mismatch" killed a
        # worker now and then), so the apps are built one at a time; their first requests stay concurrent.
        with building:
            app = create_app({"TESTING": True, "SECRET_KEY": "t", "DATABASE_URL": url})
        response = app.test_client().post(f"/api/v1/quotes?known_at={KNOWN_AT}", json=tee())
        results.append((response.status_code, response.headers.get("X-Audit-Id"), response.get_data(as_text=True)))
        app.audit_store().engine.dispose()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert [r[0] for r in results] == [200] * 8, [r[2][:300] for r in results if r[0] != 200]
    store = Store(url)
    assert sorted(int(r[1]) for r in results) == sorted(row.id for row in store.list(100))
    assert len(store.rulesets()) == 1
    store.engine.dispose()


def test_eight_parallel_first_requests_on_one_app_all_succeed(app):
    client_results, barrier = [], threading.Barrier(8)

    def post():
        barrier.wait()
        client_results.append(app.test_client().post(f"/api/v1/quotes?known_at={KNOWN_AT}", json=tee()).status_code)

    threads = [threading.Thread(target=post) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert client_results == [200] * 8
    assert app.audit_store().count() == 8 and len(app.audit_store().rulesets()) == 1


def test_a_comparison_records_each_quote_it_returns(app, engine):
    body = {"shipment": tee(), "known_at": KNOWN_AT,
            "scenarios": [{"origin": "TW"}, {"origin": "CN"}, {"origin": "ZZ"}]}
    response = app.test_client().post("/api/v1/quotes/compare", json=body)
    assert response.status_code == 200
    results = response.get_json()["scenarios"]
    assert [r["error"] is None for r in results] == [True, True, False]
    rows = app.audit_store().by_request(response.headers["X-Audit-Request"])
    assert [r.id for r in rows] == [results[0]["audit_id"], results[1]["audit_id"]]
    assert results[2]["audit_id"] is None
    assert response.headers["X-Audit-Id"] == f"{rows[0].id},{rows[1].id}"
    assert [r.kind for r in rows] == ["compare", "compare"]
    # Each record is the scenario as priced: its origin, its quote.
    assert [json.loads(r.shipment_json)["lines"][0]["origin"] for r in rows] == ["TW", "CN"]
    assert [str(r.duties) for r in rows] == [results[0]["quote"]["totals"]["duties"],
                                              results[1]["quote"]["totals"]["duties"]]
    # MFN 16.5% of 1000.00 = 165.00 for Taiwan as known now.
    assert rows[0].duties == Decimal("165.00")
    assert rerun(app.audit_store(), rows[1].id, known_at=KNOWN_AT, engine=engine)["changes"] == []


def test_a_batch_records_each_priced_row(app):
    rows = [{"hts": "6109.10.00.12", "origin": "TW", "customs_value": "1000.00", "entry_date": "2025-10-01"},
            {"hts": "not-hts", "origin": "TW", "customs_value": "1.00", "entry_date": "2025-10-01"},
            {"hts": "6109.10.00.12", "origin": "TW", "customs_value": "2000.00", "entry_date": "2025-10-01"}]
    response = app.test_client().post("/api/v1/batch", json={"rows": rows, "known_at": KNOWN_AT})
    assert response.status_code == 200
    out = response.get_json()["rows"]
    assert [r["status"] for r in out] == ["ok", "error", "ok"]
    records = app.audit_store().by_request(response.headers["X-Audit-Request"])
    assert [r.id for r in records] == [out[0]["audit_id"], out[2]["audit_id"]] and out[1]["audit_id"] is None
    # 16.5% of 1000.00 and of 2000.00.
    assert [r.duties for r in records] == [Decimal("165.00"), Decimal("330.00")]
    assert [r.reference for r in records] == ["row 2", "row 4"] and {r.kind for r in records} == {"batch"}


def test_a_priced_file_is_recorded_too(app):
    rows = [{"hts": "6109.10.00.12", "origin": "TW", "customs_value": "1000.00", "entry_date": "2025-10-01"}]
    response = app.test_client().post("/api/v1/batch?format=csv", json={"rows": rows, "known_at": KNOWN_AT})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    records = app.audit_store().by_request(response.headers["X-Audit-Request"])
    assert len(records) == 1 and records[0].duties == Decimal("165.00")


# -- Idempotency-Key ---------------------------------------------------------------------------------

def test_the_same_key_and_body_answers_the_stored_quote_and_records_once(app):
    client = app.test_client()
    headers = {"Idempotency-Key": "order-4711"}
    first = client.post(f"/api/v1/quotes?known_at={KNOWN_AT}", json=tee(), headers=headers)
    again = client.post(f"/api/v1/quotes?known_at={KNOWN_AT}", json=tee(), headers=headers)
    assert first.status_code == again.status_code == 200
    assert again.get_data() == first.get_data()
    assert again.headers["X-Audit-Id"] == first.headers["X-Audit-Id"]
    assert again.headers["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first.headers
    assert app.audit_store().count() == 1


def test_the_same_key_with_another_body_is_refused(app):
    client = app.test_client()
    headers = {"Idempotency-Key": "order-4712"}
    assert client.post(f"/api/v1/quotes?known_at={KNOWN_AT}", json=tee(), headers=headers).status_code == 200
    other = client.post(f"/api/v1/quotes?known_at={KNOWN_AT}", json=tee("2000.00"), headers=headers)
    assert other.status_code == 422
    problem = other.get_json()
    assert problem["type"].endswith("/idempotency-key-reused") and problem["field"] == "Idempotency-Key"
    assert app.audit_store().count() == 1


@pytest.mark.parametrize("key", ["", " ", "x" * 201, "tab\there"])
def test_an_unusable_key_is_a_problem_naming_the_header(app, key):
    response = app.test_client().post(f"/api/v1/quotes?known_at={KNOWN_AT}", json=tee(),
                                      headers={"Idempotency-Key": key})
    assert response.status_code == 422 and response.get_json()["field"] == "Idempotency-Key"
    assert app.audit_store().count() == 0


def test_comparisons_and_batches_are_idempotent_too(app):
    client = app.test_client()
    compare = {"shipment": tee(), "known_at": KNOWN_AT, "scenarios": [{"origin": "TW"}, {"origin": "CN"}]}
    batch = {"rows": [{"hts": "6109.10.00.12", "origin": "TW", "customs_value": "1.00", "entry_date": "2025-10-01"}],
             "known_at": KNOWN_AT}
    for path, body, key in (("/api/v1/quotes/compare", compare, "c-1"), ("/api/v1/batch", batch, "b-1"),
                            ("/api/v1/batch?format=xlsx", batch, "b-2")):
        first = client.post(path, json=body, headers={"Idempotency-Key": key})
        again = client.post(path, json=body, headers={"Idempotency-Key": key})
        assert first.status_code == again.status_code == 200
        assert first.get_data() == again.get_data() and again.headers["Idempotent-Replayed"] == "true"
        assert again.headers["X-Audit-Request"] == first.headers["X-Audit-Request"]
    # Two compare quotes, one batch row, one file row: each recorded once.
    assert app.audit_store().count() == 4


def test_a_retry_after_the_client_went_away_yields_one_record(url):
    """The client sends a quote with a key and closes its socket before reading the answer (the
    quote is recorded all the same); its retry with the key gets that quote, and no second record."""
    from waitress.server import create_server

    app = create_app({"SECRET_KEY": "t", "DATABASE_URL": url})
    server = create_server(app, host="127.0.0.1", port=0, threads=2, ident="tariffs-test")
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        body = json.dumps(tee()).encode()
        path = f"/api/v1/quotes?known_at={KNOWN_AT}"
        with socket.create_connection(("127.0.0.1", server.effective_port)) as sock:
            sock.sendall(b"POST " + path.encode() + b" HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                         b"Idempotency-Key: gone-1\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n"
                         + body)
        store = app.audit_store()
        deadline = time.monotonic() + 30
        while store.count() == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert store.count() == 1
        retry = urllib.request.Request(f"http://127.0.0.1:{server.effective_port}{path}", data=body, method="POST",
                                       headers={"Content-Type": "application/json", "Idempotency-Key": "gone-1"})
        with urllib.request.urlopen(retry, timeout=30) as answer:
            assert answer.status == 200 and answer.headers["Idempotent-Replayed"] == "true"
            assert int(answer.headers["X-Audit-Id"]) == store.list(1)[0].id
            assert json.loads(answer.read())["totals"]["duties"] == "165.00"
        assert store.count() == 1
    finally:
        server.close()
        thread.join(timeout=5)
        app.audit_store().engine.dispose()


def test_a_server_with_an_unusable_database_url_answers_503_not_a_client_error():
    """The URL is the server's configuration: the request is not at fault (503 audit-unavailable, no quote),
    whereas the CLI calls it bad input (exit 2, tests/test_cli.py)."""
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "DATABASE_URL": "garbage://"})
    response = app.test_client().post("/api/v1/quotes?known_at=2026-11-21", json=shipment())
    assert response.status_code == 503
    problem = response.get_json()
    assert problem["type"] == "/api/v1/problems/audit-unavailable" and "quote" not in problem

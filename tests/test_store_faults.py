"""Fault injection on the audit store, for real: the SQLite file made unwritable mid-run, and the
PostgreSQL server stopped and restarted during a burst of requests. A write that fails is a 503
without a quote; the service recovers by itself once the fault is gone; every 200 has its one row."""
import os
import subprocess
import threading
import time
import uuid

import pytest
from sqlalchemy import create_engine, text

from web import create_app

from conftest import shipment
from pg_server import PostgresServer

KNOWN_AT = "2026-11-21"
QUOTE = f"/api/v1/quotes?known_at={KNOWN_AT}"


def tee():
    return shipment(entry_date="2025-10-01", line={"hts": "6109.10.00.12", "origin": "TW", "customs_value": "1000.00"})


def _writable(path) -> bool:
    try:
        with open(path, "r+b"):
            return True
    except OSError:
        return False


class Unwritable:
    """Makes a file unwritable, even for root: the immutable attribute (chattr +i) where the file
    system and privileges allow it; otherwise, not as root, permissions on the file and its directory."""

    def __init__(self, path):
        self.path, self.undo = path, None

    def __enter__(self):
        if subprocess.run(["chattr", "+i", str(self.path)], capture_output=True).returncode == 0 \
                and not _writable(self.path):
            self.undo = lambda: subprocess.run(["chattr", "-i", str(self.path)], check=True)
        elif os.geteuid() != 0:
            os.chmod(self.path, 0o444)
            os.chmod(self.path.parent, 0o555)
            self.undo = lambda: (os.chmod(self.path.parent, 0o755), os.chmod(self.path, 0o644))
        else:
            pytest.fail("cannot make a file unwritable here: running as root and chattr +i is refused "
                        "(needs CAP_LINUX_IMMUTABLE and ext2/3/4, xfs, btrfs)")
        assert not _writable(self.path)
        return self

    def __exit__(self, *exc):
        self.undo()


def test_sqlite_file_made_unwritable_mid_run_is_a_503_and_the_service_recovers(tmp_path):
    path = tmp_path / "audit.db"
    app = create_app({"SECRET_KEY": "t", "DATABASE_URL": f"sqlite:///{path}"})
    results, stop = [], threading.Event()

    def load():  # requests under way while the fault comes and goes, as in production
        client = app.test_client()
        while not stop.is_set():
            results.append(client.post(QUOTE, json=tee()).status_code)

    workers = [threading.Thread(target=load) for _ in range(3)]
    for w in workers:
        w.start()
    try:
        time.sleep(0.5)
        with Unwritable(path):
            time.sleep(1.0)  # connections opened during the fault are read-only for good
            client = app.test_client()
            for _ in range(3):
                response = client.post(QUOTE, json=tee())
                assert response.status_code == 503
                problem = response.get_json()
                assert problem["type"] == "/api/v1/problems/audit-unavailable"
                assert problem["title"] == "Audit log unavailable"
                assert response.mimetype == "application/problem+json"
                assert "totals" not in problem and "lines" not in problem and "X-Audit-Id" not in response.headers
    finally:
        stop.set()
        for w in workers:
            w.join(60)
    assert 503 in results and 200 in results and set(results) <= {200, 503}
    # The fault is gone: no restart, every request succeeds again and is recorded.
    client = app.test_client()
    ids = []
    for _ in range(12):
        response = client.post(QUOTE, json=tee())
        assert response.status_code == 200, response.get_json()
        ids.append(int(response.headers["X-Audit-Id"]))
    store = app.audit_store()
    assert all(store.get(i).duties for i in ids)
    # No row without a 200: the rows are exactly the successful requests.
    assert store.count() == results.count(200) + len(ids)
    store.engine.dispose()


@pytest.fixture
def private_postgres():
    if os.environ.get("TARIFFS_TEST_POSTGRES_URL"):
        pytest.fail("this test stops and restarts its own PostgreSQL server; unset TARIFFS_TEST_POSTGRES_URL "
                    "to let the suite start one from the installed binaries")
    server = PostgresServer().start()
    yield server
    try:
        server.stop()
    except AssertionError:
        pass  # already stopped by a failed test
    server.remove()


def test_postgres_stopped_and_restarted_during_a_burst(private_postgres):
    """Four clients send quotes (each with its own Idempotency-Key) while the server is stopped and
    started again. Every 200 has exactly one row; no key has two; a 503 is retried with its key
    until it succeeds, and then too each key has one row."""
    server = private_postgres
    app = create_app({"SECRET_KEY": "t", "DATABASE_URL": server.url})
    outcomes, lock = [], threading.Lock()
    restarted, stop = threading.Event(), threading.Event()

    def client_loop():
        client = app.test_client()
        after_restart = 0
        # Bounded in time, not in requests: while the server is down a request fails in milliseconds, so a
        # count bound could run out before the server is back on a slow machine.
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if stop.is_set() or after_restart >= 8:
                break
            key = str(uuid.uuid4())
            response = client.post(QUOTE, json=tee(), headers={"Idempotency-Key": key})
            with lock:
                outcomes.append((key, response.status_code, response.headers.get("X-Audit-Id"),
                                 response.get_json()))
            if restarted.is_set():
                after_restart += 1
            elif response.status_code == 503:
                time.sleep(0.02)

    clients = [threading.Thread(target=client_loop) for _ in range(4)]
    for c in clients:
        c.start()
    try:
        deadline = time.monotonic() + 30
        while sum(1 for o in outcomes if o[1] == 200) < 8 and time.monotonic() < deadline:
            time.sleep(0.05)
        server.stop("fast")
        time.sleep(1.5)
        server.start()
        restarted.set()
        for c in clients:
            c.join(120)
    finally:
        stop.set()
    statuses = [o[1] for o in outcomes]
    assert set(statuses) <= {200, 503}, [o[3] for o in outcomes if o[1] not in (200, 503)][:3]
    assert 503 in statuses, "the server was stopped, yet no request failed: the fault did not happen"
    for _, status, _, body in outcomes:
        if status == 503:
            assert body["type"] == "/api/v1/problems/audit-unavailable" and "totals" not in body
    # Recovered without restart: each client's last requests succeeded.
    assert statuses[-4:] == [200] * 4

    engine = create_engine(server.url)
    with engine.connect() as connection:
        rows = {key: ids for key, ids in connection.execute(text(
            "SELECT idempotency_key, array_agg(id) FROM quotes GROUP BY idempotency_key"))}
    ok = [(key, int(audit_id)) for key, status, audit_id, _ in outcomes if status == 200]
    for key, audit_id in ok:
        assert rows.get(key) == [audit_id], f"a 200 for {key} without exactly its one row: {rows.get(key)}"
    assert all(len(ids) == 1 for ids in rows.values()), "a request recorded twice"
    # Every failed request, sent again with its key, succeeds: recorded once (or found, if its first
    # commit had gone through before the connection broke).
    client = app.test_client()
    for key, status, _, _ in outcomes:
        if status == 503:
            response = client.post(QUOTE, json=tee(), headers={"Idempotency-Key": key})
            assert response.status_code == 200
    with engine.connect() as connection:
        counts = list(connection.execute(text("SELECT idempotency_key, count(*) FROM quotes GROUP BY 1")))
    assert len(counts) == len(outcomes) and all(n == 1 for _, n in counts)
    engine.dispose()
    app.audit_store().engine.dispose()

"""The audit store's schema comes from the Alembic migrations, on SQLite and the real PostgreSQL:
made once however many processes start at once, and brought forward from the pre-migration schema."""
import sqlite3
import subprocess
import sys
import threading
from decimal import Decimal

import pytest
from sqlalchemy import create_engine, inspect

from tariffs.store import Store
from tariffs.store.migrate import current, heads, upgrade

from conftest import ROOT, shipment
from store_support import fresh_url


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    return fresh_url(request.param, tmp_path, request)


def test_upgrade_makes_every_table_and_reaches_the_heads(url):
    engine = create_engine(url)
    assert current(engine) == set()
    upgrade(engine)
    assert current(engine) == heads() == {"0002"}
    tables = set(inspect(engine).get_table_names())
    assert {"rulesets", "quotes", "idempotency_keys", "alembic_version", "wb_entries", "wb_runs"} <= tables
    upgrade(engine)  # a second run finds nothing to do
    assert current(engine) == {"0002"}
    engine.dispose()


def test_eight_processes_starting_at_once_on_a_new_database_all_succeed(url, engine):
    # Eight stores opened at the same moment on an empty database each run the migrations; without the
    # lock they race to CREATE TABLE ("table quotes already exists", pg_type UniqueViolation).
    barrier, errors, stores = threading.Barrier(8), [], []

    def start():
        barrier.wait()
        try:
            stores.append(Store(url))
        except Exception as exc:  # collected and asserted on below
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == [] and len(stores) == 8
    s = shipment(entry_date="2025-10-01", line={"hts": "6109.10.00.12", "origin": "TW", "customs_value": "100.00"})
    q = engine.quote(s, known_at="2025-10-01")
    ids = [st.record(s, q) for st in stores]
    assert len(set(ids)) == 8 and len(stores[0].rulesets()) == 1
    for st in stores:
        st.engine.dispose()


def test_tariffs_db_upgrade_command(tmp_path):
    target = tmp_path / "cli" / "audit.db"
    run = subprocess.run([sys.executable, "-m", "tariffs.cli", "db", "upgrade", "--url", f"sqlite:///{target}"],
                         capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert run.returncode == 0, run.stderr
    assert f"at revision {', '.join(sorted(heads()))}" in run.stdout
    tables = {r[0] for r in sqlite3.connect(target).execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"rulesets", "quotes", "idempotency_keys"} <= tables


def test_tariffs_db_upgrade_unreachable_database_is_one_line_without_the_password():
    run = subprocess.run([sys.executable, "-m", "tariffs.cli", "db", "upgrade", "--url",
                          "postgresql+psycopg://nobody:secret@127.0.0.1:1/none"],
                         capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert run.returncode == 1
    assert len(run.stderr.strip().splitlines()) == 1 and "secret" not in run.stderr
    assert "migration failed" in run.stderr


# The schema the store made by itself before migrations existed (SQLModel create_all), verbatim.
LEGACY_SQLITE = """
CREATE TABLE rulesets (version VARCHAR(20) NOT NULL, sha256 VARCHAR(64) NOT NULL, knowledge_cutoff DATE NOT NULL,
    id INTEGER NOT NULL, loaded_at DATETIME NOT NULL, PRIMARY KEY (id));
CREATE UNIQUE INDEX ix_rulesets_sha256 ON rulesets (sha256);
CREATE TABLE quotes (destination VARCHAR(2) NOT NULL, entry_date DATE NOT NULL, known_at DATETIME NOT NULL,
    ruleset_sha256 VARCHAR(64) NOT NULL, duties NUMERIC(18, 2) NOT NULL, landed_cost NUMERIC(18, 2) NOT NULL,
    reference VARCHAR(200), id INTEGER NOT NULL, created_at DATETIME NOT NULL, shipment_json TEXT NOT NULL,
    quote_json TEXT NOT NULL, PRIMARY KEY (id));
CREATE INDEX ix_quotes_entry_date ON quotes (entry_date);
CREATE INDEX ix_quotes_ruleset_sha256 ON quotes (ruleset_sha256);
CREATE INDEX ix_quotes_created_at ON quotes (created_at);
INSERT INTO rulesets VALUES ('2026.11', 'abc', '2026-11-21', 1, '2026-11-30 10:00:00.000000');
INSERT INTO quotes VALUES ('US', '2025-10-01', '2025-10-01 00:00:00.000000', 'abc', 3650, 13650.5, 'PO-1', 7,
    '2026-11-30 10:00:00.000000', '{}', '{}');
"""


def test_a_database_made_before_migrations_is_brought_forward_keeping_its_quotes(tmp_path):
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as connection:
        connection.executescript(LEGACY_SQLITE)
    store = Store(f"sqlite:///{path}")
    row = store.get(7)
    # Stored by the old NUMERIC affinity as 3650 and 13650.5: now exact text to the cent.
    assert (row.duties, row.landed_cost, row.reference) == (Decimal("3650.00"), Decimal("13650.50"), "PO-1")
    assert row.request_id == "legacy-7" and row.position == 0 and row.kind == "quote"
    assert current(store.engine) == heads()


def test_a_database_from_a_newer_version_is_a_clear_store_error_and_the_app_still_starts(tmp_path):
    from tariffs.store import StoreError
    from web import create_app

    path = tmp_path / "newer.db"
    Store(f"sqlite:///{path}").engine.dispose()
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(StoreError) as exc:
        Store(f"sqlite:///{path}")
    assert "9999" in str(exc.value) and "knows revisions up to" in str(exc.value)
    app = create_app({"TESTING": True, "SECRET_KEY": "t", "DATABASE_URL": f"sqlite:///{path}"})
    assert app.test_client().get("/healthz").status_code == 200
    response = app.test_client().post("/api/v1/quotes?known_at=2026-11-21", json=shipment())
    assert response.status_code == 503 and response.get_json()["type"].endswith("/audit-unavailable")

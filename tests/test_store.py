"""The audit store, for real, on SQLite (embedded default) and PostgreSQL (a private server)."""
from decimal import Decimal

import pytest

from tariffs.store import Store, StoreError, rerun

from conftest import shipment


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    if request.param == "sqlite":
        return Store(f"sqlite:///{tmp_path / 'audit.db'}")
    return Store(request.getfixturevalue("postgres_url"))


def test_record_and_read_back(store, engine):
    s = shipment(entry_date="2025-10-01", line={"hts": "6109.10.00.12", "origin": "TW", "customs_value": "10000.00"})
    q = engine.quote(s, known_at="2025-10-01")
    quote_id = store.record(s, q, reference="PO-1")
    row = store.get(quote_id)
    # As assessed on 2025-10-01: MFN 16.5% = 1650 + Taiwan reciprocal 20% = 2000 -> 3650.00.
    assert row.duties == Decimal("3650.00") and row.reference == "PO-1"
    assert [r.sha256 for r in store.rulesets()] == [q.ruleset.sha256]
    assert store.list(1)[0].id == quote_id


def test_rerun_as_known_now_shows_the_refund(store, engine):
    s = shipment(entry_date="2025-10-01", line={"hts": "6109.10.00.12", "origin": "TW", "customs_value": "10000.00"})
    quote_id = store.record(s, engine.quote(s, known_at="2025-10-01"))
    report = rerun(store, quote_id, known_at="2026-11-21", engine=engine)
    # Learning Resources v. Trump voided the reciprocal 2000.00: 3650.00 recorded, 1650.00 now.
    assert report["recorded_duties"] == "3650.00" and report["duties_now"] == "1650.00"
    assert report["changes"] == [{"line": 0, "program": "ieepa_reciprocal", "heading": "9903.02.60",
                                  "recorded": "2000.00", "now": "0", "difference": "2000.00"}]


def test_unreachable_database_is_a_clear_error():
    with pytest.raises(StoreError) as exc:
        Store("postgresql+psycopg://nobody:secret@127.0.0.1:1/none")
    assert "secret" not in str(exc.value)

"""Helpers for the audit-store tests: a fresh database of each kind, on the suite's real servers."""
from __future__ import annotations

import uuid

from sqlalchemy import create_engine, make_url, text


def fresh_postgres(admin_url: str) -> str:
    """A new, empty database on the suite's PostgreSQL server; its URL."""
    name = "t_" + uuid.uuid4().hex[:16]
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def fresh_url(kind: str, tmp_path, request) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / ('audit-' + uuid.uuid4().hex[:8] + '.db')}"
    return fresh_postgres(request.getfixturevalue("postgres_url"))

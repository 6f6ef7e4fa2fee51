"""Alembic environment of the audit store.

Run through `tariffs.store.migrate.upgrade(url)` (what `tariffs db upgrade` and the web app's
start-up call): that passes an open connection in ``config.attributes["connection"]`` after taking
the migration lock. Run by hand (`alembic -c tariffs/migrations/alembic.ini ...`), the URL comes from
``-x url=...``, then the ini's ``sqlalchemy.url``, then $TARIFFS_DATABASE_URL / the SQLite default.
"""
from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from tariffs.store.models import SQLModel  # the mapped tables, for `alembic revision --autogenerate`

config = context.config
target_metadata = SQLModel.metadata


def _url() -> str:
    from tariffs.store.store import default_url

    return context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url") \
        or default_url()


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
    else:
        engine = create_engine(_url())
        try:
            with engine.begin() as conn:
                _run(conn)
        finally:
            engine.dispose()

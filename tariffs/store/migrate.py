"""The audit store's schema, made by the Alembic migrations in tariffs/migrations (shipped in the
package): `upgrade(url)` brings a database to the newest revision of every branch (``heads``).

Several processes or threads may start at once on a new database: the upgrade runs under a lock
(a transaction-level advisory lock on PostgreSQL, an exclusive lock on a file beside the SQLite
database), so one of them migrates and the others find the schema made.
"""
from __future__ import annotations

import contextlib
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, text

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
# pg_advisory_xact_lock key: "tariffs" as an integer, the same in every process.
PG_LOCK_KEY = int.from_bytes(b"tariffs", "big")


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", str(MIGRATIONS / "versions"))
    return config


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (None for another database or an in-memory one)."""
    if not url.startswith("sqlite"):
        return None
    path = url.split(":///", 1)[1].split("?", 1)[0] if ":///" in url else ""
    return Path(path) if path and path != ":memory:" else None


@contextlib.contextmanager
def _file_lock(path: Path):
    try:
        import fcntl
    except ImportError:  # not POSIX: SQLite's own locking is all there is
        yield
        return
    lock = open(f"{path}.migrate-lock", "a+b")
    try:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(lock.fileno(), fcntl.LOCK_UN)
        lock.close()


def upgrade(engine: Engine, revision: str = "heads") -> None:
    """Migrate the database of ``engine`` to ``revision`` (all heads by default), under the lock."""
    config = alembic_config()
    path = sqlite_path(str(engine.url))
    lock = _file_lock(path) if path is not None else contextlib.nullcontext()
    with lock, engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_LOCK_KEY})
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def current(engine: Engine) -> set[str]:
    """The revisions the database is at (empty before the first upgrade)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads())


def heads() -> set[str]:
    from alembic.script import ScriptDirectory

    return set(ScriptDirectory.from_config(alembic_config()).get_heads())


__all__ = ["upgrade", "current", "heads", "alembic_config", "sqlite_path", "MIGRATIONS"]

"""The web app's audit log: the store opened (and its schema migrated) at start-up, every quote the
API returns recorded with the request that made it, and Idempotency-Key replays.

A store that cannot be reached at start-up does not stop the app (the pages that record nothing keep
working): it is opened again on the next request that needs it, and until then such requests answer
503 "Audit log unavailable".
"""
from __future__ import annotations

import logging
import threading

from flask import Flask

log = logging.getLogger("tariffs.web")


def init_app(app: Flask):
    """Open the app's store now (running the migrations); returns the accessor `app.audit_store()`."""
    from tariffs.store import Store, StoreError

    lock = threading.Lock()

    def audit_store():
        """The audit store of this app (SQLite by default, TARIFFS_DATABASE_URL / DATABASE_URL otherwise)."""
        store = app.extensions.get("tariffs_store")
        if store is None:
            with lock:
                store = app.extensions.get("tariffs_store")
                if store is None:
                    store = app.extensions["tariffs_store"] = Store(app.config.get("DATABASE_URL"))
        return store

    try:
        audit_store()
    except StoreError as exc:
        log.error("audit store not available at start-up (retried on the next request that records): %s", exc)
    return audit_store

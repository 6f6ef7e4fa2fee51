"""The web app's audit log: the store opened (and its schema migrated) at start-up, every quote the
API returns recorded with the request that made it, and Idempotency-Key replays.

- `init_app(app)` opens the store; one that cannot be reached at start-up does not stop the app
  (pages that record nothing keep working): it is opened again by the next request that records,
  which until then answers 503 "Audit log unavailable".
- `@idempotent` on a POST view: a request carrying an `Idempotency-Key` already answered gets the
  stored answer (header `Idempotent-Replayed: true`) and nothing is priced or recorded again; the
  same key with a different request is a 422 problem (`idempotency-key-reused`).
- `respond(kind, entries, build)` records a request's quotes in one transaction (with the stored
  answer when there is a key) and builds the answer from their ids: `X-Audit-Request` names the
  request, `X-Audit-Id` the quote(s).
"""
from __future__ import annotations

import functools
import hashlib
import logging
import re
import threading
import uuid

from flask import Flask, Response, current_app, request

log = logging.getLogger("tariffs.web")

HEADER = "Idempotency-Key"
KEY_PATTERN = re.compile(r"[\x21-\x7e]{1,200}")
KEY_ALLOWED = "1 to 200 visible ASCII characters (e.g. a UUID)"
# Headers of an answer that are part of what it says (the rest are added per response).
KEPT_HEADERS = ("X-Audit-Id", "X-Audit-Request", "Content-Disposition")


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
                    try:
                        store = app.extensions["tariffs_store"] = Store(app.config.get("DATABASE_URL"))
                    except StoreError as exc:
                        # The server's own configuration (a URL it cannot use) is no fault of the request:
                        # a plain StoreError, answered 503 audit-unavailable, never a 422 blaming the client.
                        raise StoreError(str(exc)) from None
        return store

    try:
        audit_store()
    except StoreError as exc:
        log.error("audit store not available at start-up (retried on the next request that records): %s", exc)
    return audit_store


def _key() -> str | None:
    from web.errors import ApiProblem

    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not KEY_PATTERN.fullmatch(key):
        raise ApiProblem(422, f"{HEADER}: not a usable key", field=HEADER, allowed=KEY_ALLOWED)
    return key


def _fingerprint() -> str:
    """What makes two requests the same request: method, path, query, content type and body."""
    digest = hashlib.sha256()
    for part in (request.method, request.path, request.query_string.decode("latin-1"),
                 request.headers.get("Content-Type", "")):
        digest.update(part.encode("utf-8", "surrogateescape") + b"\0")
    digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def _idempotency():
    from tariffs.store import Idempotency

    key = _key()
    return None if key is None else Idempotency(key, request.endpoint or request.path, _fingerprint())


def _conflict(key: str):
    from web.errors import ApiProblem

    return ApiProblem(422, f"{HEADER} {key!r} was already used for a different request; send a new key for a new "
                           "request", field=HEADER, allowed="the same request again, or a new key",
                      kind="idempotency-key-reused", title="Idempotency key reused")


def _response(stored) -> Response:
    response = Response(stored.body, status=stored.status, content_type=stored.content_type)
    for name, value in stored.headers.items():
        response.headers[name] = value
    if stored.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response


def idempotent(view):
    """Answer a request whose Idempotency-Key was answered before with that answer."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        from tariffs.store import IdempotencyConflict

        idempotency = _idempotency()
        if idempotency is not None:
            try:
                stored = current_app.audit_store().stored_response(idempotency.key, idempotency.endpoint,
                                                                   idempotency.request_sha256)
            except IdempotencyConflict:
                raise _conflict(idempotency.key) from None
            if stored is not None:
                return _response(stored)
        return view(*args, **kwargs)

    return wrapper


def respond(kind: str, entries: list, build) -> Response:
    """Record ``entries`` (tariffs.store.Entry) as one request of ``kind`` and answer with
    ``build(ids, request_id)``; with an Idempotency-Key the answer is stored with the quotes."""
    from tariffs.store import IdempotencyConflict, StoredResponse

    idempotency = _idempotency()
    request_id = str(uuid.uuid4())
    if not entries and idempotency is None:
        return build([], request_id)

    def stored_answer(ids, rid):
        response = build(ids, rid)
        return StoredResponse(response.status_code, response.content_type,
                              {k: response.headers[k] for k in KEPT_HEADERS if k in response.headers},
                              response.get_data())

    if idempotency is not None:
        idempotency.respond = stored_answer
    try:
        ids, stored = current_app.audit_store().record_many(entries, kind, idempotency, request_id)
    except IdempotencyConflict:
        raise _conflict(idempotency.key) from None
    if stored is not None:
        return _response(stored)
    return build(ids, request_id)

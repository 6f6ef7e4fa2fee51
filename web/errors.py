"""Errors as RFC 9457 problem details on /api paths, as an HTML page elsewhere.

Every problem carries `type`, `title`, `status`, `detail`; an input problem also carries
`field` (the JSON path, e.g. `lines[0].hts`) and `allowed`, as `tariffs.InputError` does.
"""
from __future__ import annotations

import json
import logging

from flask import Flask, Response, render_template, request
from werkzeug.exceptions import HTTPException

from tariffs import InputError, RulesError
from tariffs.store import StoreError

log = logging.getLogger("tariffs.web")

PROBLEM_TYPES = {
    400: "bad-request", 404: "not-found", 405: "method-not-allowed", 406: "not-acceptable",
    413: "too-large", 415: "unsupported-media-type", 422: "invalid-input", 500: "internal-error",
    503: "rules-unavailable",
}
TITLES = {
    400: "Bad request", 404: "Not found", 405: "Method not allowed", 406: "Not acceptable",
    413: "Request too large", 415: "Unsupported media type", 422: "Invalid input",
    500: "Internal error", 503: "Rules unavailable",
}


class ApiProblem(Exception):
    """Raised inside the API to answer with a problem document."""

    def __init__(self, status: int, detail: str, field: str | None = None, allowed: str | None = None,
                 **extra):
        super().__init__(detail)
        self.status, self.detail, self.field, self.allowed, self.extra = status, detail, field, allowed, extra


def problem(status: int, detail: str, field: str | None = None, allowed: str | None = None, *,
            kind: str | None = None, title: str | None = None, **extra) -> Response:
    """A problem document; ``kind`` and ``title`` override the status's default type and title."""
    body = {"type": f"/api/v1/problems/{kind or PROBLEM_TYPES.get(status, 'error')}",
            "title": title or TITLES.get(status, "Error"), "status": status, "detail": detail,
            "instance": request.path}
    if field is not None:
        body["field"] = field
    if allowed is not None:
        body["allowed"] = allowed
    body.update(extra)
    return Response(json.dumps(body), status=status, mimetype="application/problem+json")


def input_problem(exc: InputError, status: int = 422) -> Response:
    return problem(status, f"{exc.field}: {exc.message}", field=exc.field, allowed=exc.allowed)


def _wants_problem() -> bool:
    return request.path.startswith("/api/")


def init_app(app: Flask) -> None:
    @app.errorhandler(ApiProblem)
    def _api_problem(exc: ApiProblem):
        return problem(exc.status, exc.detail, exc.field, exc.allowed, **exc.extra)

    @app.errorhandler(InputError)
    def _input_error(exc: InputError):
        if _wants_problem():
            return input_problem(exc)
        return render_template("error.html", status=422, title="Invalid input", detail=str(exc)), 422

    @app.errorhandler(RulesError)
    def _rules_error(exc: RulesError):
        log.error("rules unavailable: %s %s", exc, exc.problems[:3])
        detail = f"The rule tables could not be loaded: {exc}"
        if _wants_problem():
            return problem(503, detail)
        return render_template("error.html", status=503, title="Rules unavailable", detail=detail), 503

    @app.errorhandler(StoreError)
    def _store_error(exc: StoreError):
        # An audit-log write that fails fails the request, loudly: nothing is priced off the record.
        log.error("audit store: %s", exc)
        detail = f"The audit log could not be written, so the quote was not issued: {exc}"
        if _wants_problem():
            return problem(503, detail, kind="audit-unavailable", title="Audit log unavailable")
        return render_template("error.html", status=503, title="Audit log unavailable", detail=detail), 503

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        status = exc.code or 500
        detail = exc.description or TITLES.get(status, "Error")
        if status == 413:
            limit = app.config.get("MAX_CONTENT_LENGTH")
            detail = f"The request body is larger than the limit of {limit} bytes."
        if _wants_problem():
            response = problem(status, detail)
        else:
            response = Response(render_template("error.html", status=status, title=TITLES.get(status, exc.name),
                                                detail=detail), status=status, mimetype="text/html")
        if status == 405 and hasattr(exc, "valid_methods") and exc.valid_methods:
            response.headers["Allow"] = ", ".join(exc.valid_methods)
        return response

    @app.errorhandler(500)
    def _server_error(exc):
        original = getattr(exc, "original_exception", None)
        log.error("unhandled error on %s: %r", request.path, original or exc)
        detail = "The server failed to answer this request; it has been logged."
        if _wants_problem():
            return problem(500, detail)
        return render_template("error.html", status=500, title="Internal error", detail=detail), 500

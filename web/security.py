"""CSRF tokens for the form posts and the security headers of every response.

The token is a random value kept in the signed session cookie and echoed by every form
as a hidden field; a post without it, or with another, is refused with 400. The JSON API
under /api/v1 takes no cookies into account (it is a pure calculator with no state), so
it is not subject to the token.
"""
from __future__ import annotations

import hmac
import secrets

from flask import Flask, abort, request, session

FIELD = "csrf_token"

# No asset comes from elsewhere: styles from /static, pictures drawn as inline SVG markup
# (presentation attributes, not style attributes), and no script at all.
CSP = ("default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self' data:; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")


def csrf_token() -> str:
    token = session.get(FIELD)
    if not token:
        token = session[FIELD] = secrets.token_urlsafe(32)
    return token


def _check_csrf():
    if request.method not in ("POST", "PUT", "PATCH", "DELETE"):
        return
    if request.path.startswith("/api/"):
        return
    expected = session.get(FIELD)
    given = request.form.get(FIELD, "")
    if not expected or not given or not hmac.compare_digest(str(expected), str(given)):
        abort(400, description="The form's security token is missing or has expired. "
                               "Reload the page and submit again.")


def _headers(response):
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.path.startswith("/api/") or request.method == "POST":
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def init_app(app: Flask) -> None:
    app.before_request(_check_csrf)
    app.after_request(_headers)
    app.jinja_env.globals["csrf_token"] = csrf_token

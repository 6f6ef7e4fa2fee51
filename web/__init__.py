"""The Flask web app: form pages for the trade desk and a JSON API under /api/v1.

A thin shell around the library (`tariffs.quote`, `tariffs.rules.show.show_measures`,
`tariffs.load_rules`); the library never imports this package.

    from web import create_app
    app = create_app()            # production settings; `tariffs serve` runs it on waitress
"""
from __future__ import annotations

import logging
import os
import secrets

from flask import Flask, jsonify

from tariffs import limits

log = logging.getLogger("tariffs.web")

# Upload and request limits. A batch file of 5 MB is far above any book a desk prices at once;
# the row limit keeps one request from holding a worker for minutes.
DEFAULTS = {
    "MAX_CONTENT_LENGTH": 5 * 1024 * 1024,
    "MAX_FORM_MEMORY_SIZE": 1024 * 1024,
    "MAX_FORM_PARTS": 2000,
    "MAX_BATCH_ROWS": limits.MAX_BATCH_ROWS,
    "MAX_FORM_LINES": min(50, limits.MAX_LINES_PER_QUOTE),
    "MAX_COMPARE_SCENARIOS": 24,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "JSON_SORT_KEYS": False,
}


def _secret_key() -> bytes | str:
    key = os.environ.get("TARIFFS_SECRET_KEY")
    if key:
        return key
    log.warning("TARIFFS_SECRET_KEY is not set: using a random key for this process "
                "(form sessions end when it restarts, and several processes would not share it)")
    return secrets.token_bytes(32)


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.from_mapping(DEFAULTS)
    if test_config and "SECRET_KEY" in test_config:
        app.config["SECRET_KEY"] = test_config["SECRET_KEY"]
    else:
        app.config["SECRET_KEY"] = _secret_key()
    if test_config:
        app.config.update(test_config)
    # Debug mode runs the Werkzeug debugger (arbitrary code from the browser): tests only.
    if not app.config.get("TESTING"):
        app.config["DEBUG"] = False
        app.debug = False

    from web import api, batch, compare, errors, filters, lookup, price, safety, security, workbench

    security.init_app(app)
    filters.init_app(app)
    errors.init_app(app)
    safety.init_app(app)
    app.register_blueprint(price.bp)
    app.register_blueprint(compare.bp)
    app.register_blueprint(batch.bp)
    app.register_blueprint(lookup.bp)
    app.register_blueprint(api.bp)
    workbench.init_app(app)

    from web import audit

    app.audit_store = audit.init_app(app)

    @app.get("/healthz")
    def healthz():
        from tariffs import load_rules

        rules = load_rules()
        return jsonify(status="ok", ruleset=rules.version, sha256=rules.sha256)

    return app

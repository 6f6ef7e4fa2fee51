"""The Flask web app (form + JSON API). A placeholder until the web issue (#5) lands:
it serves a single page that says so, and a health check. It never imports into the library."""
from __future__ import annotations

import os

from flask import Flask, jsonify


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.from_mapping(SECRET_KEY=os.environ.get("TARIFFS_SECRET_KEY", os.urandom(32)))
    if test_config:
        app.config.update(test_config)

    @app.get("/")
    def index():
        return ("<!doctype html><title>tariffs</title><h1>tariffs</h1><p>The web app is not built yet. "
                "Use the library or the <code>tariffs</code> CLI.</p>")

    @app.get("/healthz")
    def healthz():
        from tariffs.rules.ruleset import load_rules

        rules = load_rules()
        return jsonify(status="ok", ruleset=rules.version, sha256=rules.sha256)

    return app

"""Fixtures for the web app (the Flask tutorial's habits): `app`, `client`, a CSRF token,
the contract's example shipment, and a live server on a free loopback port for the browser."""
from __future__ import annotations

import copy
import json
import re
import sys
import threading
from pathlib import Path

import pytest

from web import create_app

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = ROOT / "tests" / "data" / "contract"
# A knowledge date after the ruleset's cutoff: quotes under it do not move with the clock.
KNOWN_AT = "2026-11-21"


@pytest.fixture(scope="session")
def example_shipment() -> dict:
    path = CONTRACT / "shipment.example.json"
    assert path.is_file(), f"{path} not found: the public contract must sit beside the repository"
    return json.loads(path.read_text())


@pytest.fixture
def shipment(example_shipment) -> dict:
    return copy.deepcopy(example_shipment)


@pytest.fixture
def app(tmp_path_factory):
    return create_app({"TESTING": True, "SECRET_KEY": "test-secret", "MAX_BATCH_ROWS": 50,
                       "DATABASE_URL": f"sqlite:///{tmp_path_factory.mktemp('audit') / 'audit.db'}"})


@pytest.fixture
def client(app):
    return app.test_client()


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


@pytest.fixture
def csrf(client):
    """A CSRF token bound to the client's session."""
    return csrf_from(client.get("/").get_data(as_text=True))


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """The app served by waitress (as `tariffs serve` does) on a free loopback port."""
    from waitress.server import create_server

    app = create_app({"SECRET_KEY": "browser-test",
                      "DATABASE_URL": f"sqlite:///{tmp_path_factory.mktemp('audit') / 'audit.db'}"})
    server = create_server(app, host="127.0.0.1", port=0, threads=4, ident="tariffs-test")
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        server.close()
        thread.join(timeout=5)


_THIS_MODULE = sys.modules[__name__]


def pytest_collectstart(collector):
    """Give the module name `conftest` back to tests/conftest.py before any test module is imported.

    pytest imports every conftest.py under the module name `conftest`, the last one imported winning;
    the library's test modules import their helpers with `from conftest import shipment, ...`. Run
    together with this directory (`pytest tests/web tests/test_errors.py`), they were handed this file
    (and called this file's `shipment` fixture as a function). This restores the root conftest under
    that name whenever a collector starts, which is before any test module below it is imported."""
    if sys.modules.get("conftest") is not _THIS_MODULE:
        return
    root_conftest = ROOT / "tests" / "conftest.py"
    for plugin in collector.config.pluginmanager.get_plugins():
        if getattr(plugin, "__file__", None) and Path(plugin.__file__).resolve() == root_conftest:
            sys.modules["conftest"] = plugin
            return

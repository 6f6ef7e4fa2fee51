"""`tariffs serve`: the README's run command serves the app on waitress, not in debug mode."""
from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port, path):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path)
    response = conn.getresponse()
    return response.status, dict(response.getheaders()), response.read().decode()


def test_serve_answers_on_loopback(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("TARIFFS_SECRET_KEY", "FLASK_DEBUG")}
    env["FLASK_DEBUG"] = "1"  # must not turn the debugger on
    log = open(tmp_path / "serve.log", "w+")
    proc = subprocess.Popen([sys.executable, "-m", "tariffs.cli", "serve", "--port", str(port)], cwd=ROOT, env=env,
                            stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, headers, body = get(port, "/")
                break
            except OSError:
                assert proc.poll() is None, (tmp_path / "serve.log").read_text()
                assert time.monotonic() < deadline, "tariffs serve did not answer within 60 s"
                time.sleep(0.2)
        assert status == 200 and "Price an entry" in body
        assert headers["Server"] == "tariffs"  # waitress, not the Werkzeug development server
        status, _, body = get(port, "/api/v1/does-not-exist")
        assert status == 404 and '"status": 404' in body and "Traceback" not in body
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    log.seek(0)
    text = log.read()
    assert f"http://127.0.0.1:{port}/" in text
    assert "TARIFFS_SECRET_KEY is not set" in text  # the random key is announced


def test_serve_help_names_host_and_port():
    run = subprocess.run([sys.executable, "-m", "tariffs.cli", "serve", "--help"], capture_output=True, text=True,
                         cwd=ROOT, timeout=60)
    assert run.returncode == 0 and "--host" in run.stdout and "--port" in run.stdout

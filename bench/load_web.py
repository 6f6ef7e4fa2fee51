"""Loopback load on the web app, bounded: N requests at a fixed concurrency, then stop.

Starts `tariffs serve` (waitress) in a child process on a free loopback port, sends the
contract's example shipment to POST /api/v1/quotes (and, with --page, GETs the HTML result
page of the same permalink), and prints requests/s and p50/p95/p99 latency. It then times
`tariffs.quote` on the same shipment in this process and prints the ratio: what HTTP, JSON
and WSGI cost on top of the engine.

    python3 bench/load_web.py [--requests 2000] [--concurrency 8] [--threads 4] [--page]
                              [--database URL | --database postgresql-private]

Every quote is written to the audit store: by default a new SQLite file in a temporary directory;
`--database URL` selects another (e.g. postgresql+psycopg://user@host/db), and
`--database postgresql-private` starts a private PostgreSQL server from the installed binaries, as
the test suite does. After the run the store must hold exactly one row per 200.

Not a test: figures depend on the machine (2 cores here: the server and this client share them).
"""
from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout's tariffs, as the server child process runs it
KNOWN_AT = "2026-11-21"


def example_shipment() -> dict:
    for path in (ROOT.parent / "shared" / "contract" / "shipment.example.json", ROOT / "examples" / "shipment.json"):
        if path.is_file():
            return json.loads(path.read_text())
    raise SystemExit("no example shipment found")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, threads: int, log, database: str) -> subprocess.Popen:
    env = dict(os.environ, TARIFFS_SECRET_KEY="bench", TARIFFS_DATABASE_URL=database)
    # The server's log goes to a file: waitress warns about its queue depth under load, and a
    # pipe nobody reads would fill up and stall it.
    proc = subprocess.Popen([sys.executable, "-m", "tariffs.cli", "serve", "--port", str(port), "--threads",
                             str(threads)], cwd=ROOT, env=env, stdout=log, stderr=log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            log.seek(0)
            raise SystemExit(f"server exited: {log.read().decode()[-2000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            status = conn.getresponse().status
            conn.close()
            if status == 200:
                return proc
        except OSError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise SystemExit("server did not answer /healthz with 200 within 60 s")


def run_load(port: int, method: str, path: str, body: bytes | None, total: int, concurrency: int):
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    issued, successes = [0], [0]
    headers = {"Content-Type": "application/json"} if body else {}

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while True:
            with lock:
                if issued[0] >= total:
                    break
                issued[0] += 1
            start = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException) as exc:
                ok = False
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                response = exc
            elapsed = time.perf_counter() - start
            with lock:
                latencies.append(elapsed)
                if ok:
                    successes[0] += 1
                else:
                    failures.append(str(getattr(response, "status", response)))
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    wall = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - wall
    if method == "POST":  # the quotes recorded
        run_load.successes += successes[0]
    return latencies, failures, wall


run_load.successes = 0


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def report(name: str, latencies, failures, wall) -> dict:
    n = len(latencies)
    figures = {"requests": n, "failures": len(failures), "rps": n / wall, "p50_ms": pct(latencies, 50) * 1000,
               "p95_ms": pct(latencies, 95) * 1000, "p99_ms": pct(latencies, 99) * 1000,
               "mean_ms": statistics.fmean(latencies) * 1000}
    print(f"{name:<30} {n} requests, {len(failures)} failed, {figures['rps']:.0f} req/s, "
          f"p50 {figures['p50_ms']:.2f} ms, p95 {figures['p95_ms']:.2f} ms, p99 {figures['p99_ms']:.2f} ms")
    if failures:
        print(f"  first failures: {failures[:5]}")
    return figures


def in_process(shipment: dict, total: int) -> dict:
    import tariffs

    tariffs.quote(shipment, known_at=KNOWN_AT)  # load the rules once, as the server did at start
    latencies = []
    wall = time.perf_counter()
    for _ in range(total):
        start = time.perf_counter()
        tariffs.quote(shipment, known_at=KNOWN_AT)
        latencies.append(time.perf_counter() - start)
    wall = time.perf_counter() - wall
    return report("tariffs.quote in-process", latencies, [], wall)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--threads", type=int, default=4, help="waitress worker threads")
    parser.add_argument("--page", action="store_true", help="also load the HTML result page")
    parser.add_argument("--database", default=None,
                        help="audit store URL, or postgresql-private (default: a new SQLite file)")
    args = parser.parse_args(argv)

    tmp = tempfile.TemporaryDirectory(prefix="tariffs-bench-")
    pg = None
    database = args.database or f"sqlite:///{tmp.name}/audit.db"
    if database == "postgresql-private":
        sys.path.insert(0, str(ROOT / "tests"))
        from pg_server import PostgresServer

        pg = PostgresServer().start()
        database = pg.url
    try:
        return _bench(args, database)
    finally:
        if pg is not None:
            pg.stop()
            pg.remove()
        tmp.cleanup()


def _recorded(database: str) -> int:
    from tariffs.store import Store

    store = Store(database)
    try:
        return store.count()
    finally:
        store.engine.dispose()


def _bench(args, database: str) -> int:
    from sqlalchemy import make_url

    before = _recorded(database)

    shipment = example_shipment()
    body = json.dumps(shipment).encode()
    port = free_port()
    print(f"server: tariffs serve on 127.0.0.1:{port}, {args.threads} threads; client: {args.concurrency} "
          f"connections, {args.requests} requests each run; {os.cpu_count()} CPUs; audit store "
          f"{make_url(database).get_backend_name()}")
    log = tempfile.TemporaryFile()
    proc = start_server(port, args.threads, log, database)
    path = f"/api/v1/quotes?known_at={KNOWN_AT}"
    try:
        run_load(port, "POST", path, body, min(100, args.requests), args.concurrency)  # warm-up
        one = report("POST /api/v1/quotes, 1 conn", *run_load(port, "POST", path, body,
                                                             max(1, args.requests // 4), 1))
        api = report(f"POST /api/v1/quotes, {args.concurrency} conn",
                     *run_load(port, "POST", path, body, args.requests, args.concurrency))
        if args.page:
            token = base64.urlsafe_b64encode(json.dumps(shipment, separators=(",", ":")).encode()).decode()
            report("GET /quote (HTML page)", *run_load(port, "GET", f"/quote?s={token.rstrip('=')}"
                                                                    f"&known_at={KNOWN_AT}", None, args.requests,
                                                       args.concurrency))
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
    recorded = _recorded(database) - before
    print(f"audit store: {recorded} quotes recorded for {run_load.successes} quote answers (200)")
    direct = in_process(shipment, args.requests)
    print(f"ratio: one request over HTTP (p50, 1 connection) takes {one['p50_ms'] / direct['p50_ms']:.2f}x "
          f"the in-process call ({one['p50_ms'] - direct['p50_ms']:+.2f} ms);")
    print(f"       HTTP throughput at {args.concurrency} connections is {api['rps'] / direct['rps']:.2f}x "
          f"single-threaded in-process calls/s")
    return 1 if api["failures"] or one["failures"] or recorded != run_load.successes else 0


if __name__ == "__main__":
    sys.exit(main())

"""Batch pricing beyond one machine: the same `quote_frame` on the partitions of a Dask DataFrame, and
`tariffs batch --dask ADDRESS / --workers N`.

The rules go to the workers once: each worker process loads the rule tables the first time it prices a
partition and keeps them (`load_rules` caches per folder), and checks that their SHA-256 is the one the
client priced with — a worker with other rules fails loudly instead of pricing with them. Nothing but a
folder path and a hash travels with each task. On a real cluster every worker needs the package (and so
the shipped `rules_data`) installed, or the same rules folder at the same path (`rules_path`).

An entry's rows must sit in one partition (quote_dask prices each partition on its own): for a book on
disk `tariffs batch` cuts the chunks itself and never splits an entry; a Dask DataFrame built by the
caller must be partitioned by entry (e.g. ``ddf.shuffle("entry")``, or written sorted by entry).
"""
from __future__ import annotations

import collections
import logging

from tariffs.batch_columns import conform, duty_programs, output_columns
from tariffs.batch_frame import quote_frame
from tariffs.batch_stream import price_chunk, run_batch
from tariffs.errors import InputError
from tariffs.known_at import parse_known_at

_WORKER_RULES: dict = {}


def _rules_on_worker(rules_path: str, sha256: str):
    from tariffs.engine.pipeline import Engine
    from tariffs.rules.ruleset import load_rules

    engine = _WORKER_RULES.get((rules_path, sha256))
    if engine is None:
        rules = load_rules(rules_path)
        if rules.sha256 != sha256:
            raise RuntimeError(f"this worker's rules at {rules_path} are {rules.sha256[:12]}, the client priced with "
                               f"{sha256[:12]}: install the same rules on every worker")
        engine = _WORKER_RULES[(rules_path, sha256)] = Engine(rules)
    return engine


def _warm(rules_path: str, sha256: str) -> str:
    return _rules_on_worker(rules_path, sha256).rules.version


def price_partition(frame, known_at, as_filed: bool, rules_path: str, sha256: str, columns: list[str] | None = None):
    """One partition (or chunk) priced with the worker's cached engine; ``columns`` fixes the output columns."""
    engine = _rules_on_worker(rules_path, sha256)

    def pricer(part):
        return quote_frame(part, known_at, engine, as_filed=as_filed)

    if "_reopened" in frame.columns:
        priced = price_chunk(frame, pricer)
    else:
        priced = pricer(frame)
    return conform(priced, columns) if columns is not None else priced


def _rules_ref(rules):
    return str(rules.root), rules.sha256


def quote_dask(ddf, known_at=None, *, as_filed: bool = False, rules=None):
    """A Dask DataFrame of lines (the columns of tariffs.batch.COLUMNS, as text) -> a lazy Dask DataFrame with
    the result columns of quote_frame (a duty_<program> column for every duty program of the rules).
    ``known_at`` None means now, fixed here once for every partition."""
    import pandas as pd

    from tariffs.rules.ruleset import load_rules

    rules = rules or load_rules()
    known = parse_known_at(known_at)
    columns = output_columns(list(ddf.columns), duty_programs(rules))
    meta = pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    path, sha = _rules_ref(rules)
    return ddf.map_partitions(price_partition, known, as_filed, path, sha, columns, meta=meta)


def run_batch_dask(in_path: str, out_path: str, *, rules, known_at=None, as_filed: bool = False,
                   errors_path: str | None = None, chunk_size: int = 50_000, address: str | None = None,
                   workers: int | None = None, progress: bool | None = None):
    """`tariffs batch` on a cluster: the client reads whole-entry chunks, the workers price them (a few chunks
    in flight per worker, so memory stays bounded), the client writes them in order."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:  # pragma: no cover - dask is a dependency of the dev and dask extras
        raise InputError("--dask", "Dask is not installed", "pip install 'tariffs[dask]'") from None
    if workers is not None and workers < 1:
        raise InputError("--workers", f"{workers} is not a positive number of workers", "an integer >= 1")
    known = parse_known_at(known_at)
    path, sha = _rules_ref(rules)
    cluster = None
    if address:
        try:
            client = Client(address, timeout="10s")
        except (OSError, TimeoutError, ValueError) as exc:
            raise InputError("--dask", f"no Dask scheduler at {address!r} ({type(exc).__name__})",
                             "a scheduler address such as tcp://10.0.0.5:8786") from None
    else:
        # Only errors from the cluster's own logging: stderr keeps the one summary line (or the one error line).
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                               silence_logs=logging.ERROR)
        client = Client(cluster)
    try:
        # Load (and check) the rules on every worker now, once, before the first chunk is sent.
        client.run(_warm, path, sha)
        window = 2 * max(1, len(client.scheduler_info().get("workers", {})) or (workers or 1))

        def mapper(chunks):
            in_flight: collections.deque = collections.deque()
            for chunk in chunks:
                in_flight.append(client.submit(price_partition, chunk, known, as_filed, path, sha, pure=False))
                if len(in_flight) >= window:
                    yield in_flight.popleft().result()
            while in_flight:
                yield in_flight.popleft().result()

        return run_batch(in_path, out_path, rules=rules, known_at=known, as_filed=as_filed, errors_path=errors_path,
                         chunk_size=chunk_size, mapper=mapper, progress=progress)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()

"""`tariffs batch`: a book file in, a priced file out, chunk by chunk (entries never split), with an optional
file of the rows that could not be priced and a progress bar on a terminal.

The pricing of a chunk is a function of a DataFrame (``tariffs.batch.quote_frame`` by default; the Dask
runner passes its own), so the CLI, the web upload and a Dask cluster share the same columns.
"""
from __future__ import annotations

import itertools
import sys
from dataclasses import dataclass

from tariffs.batch_columns import conform, duty_programs, output_columns
from tariffs.batch_frame import quote_frame
from tariffs.batch_io import open_writer, read_chunks, whole_entries
from tariffs.errors import InputError


@dataclass
class BatchSummary:
    rows: int = 0
    priced: int = 0
    errors: int = 0
    columnar: int = 0

    def line(self) -> str:
        return (f"priced {self.priced} of {self.rows} rows, {self.errors} error(s)"
                + (f"; {self.columnar} by the columnar path" if self.columnar else ""))


def _reopened_errors(frame):
    """Result columns for rows whose entry came back after other entries (see batch_io.whole_entries)."""
    out = frame.drop(columns=["_reopened"]).copy()
    out["status"] = "error"
    out["error_field"] = "entry"
    out["error"] = ("entry " + out["entry"].astype(str) + " appears again after other entries: the rows of one "
                    "entry must be adjacent in the file (allowed: a book sorted by entry)")
    out["path"] = ""
    return out


def price_chunk(frame, pricer):
    import pandas as pd

    reopened = frame["_reopened"].astype(bool)
    parts = []
    if (~reopened).any():
        parts.append(pricer(frame[~reopened].drop(columns=["_reopened"])))
    if reopened.any():
        parts.append(_reopened_errors(frame[reopened]))
    return pd.concat(parts).sort_index() if len(parts) > 1 else parts[0]


def run_batch(in_path: str, out_path: str, *, rules, known_at=None, as_filed: bool = False,
              errors_path: str | None = None, chunk_size: int = 50_000, pricer=None, mapper=None,
              progress: bool | None = None) -> BatchSummary:
    """Price IN into OUT, chunk by chunk.

    ``pricer(frame) -> priced frame`` prices one chunk (default: quote_frame with these rules);
    ``mapper(chunks) -> priced chunks, in order`` replaces the loop (the Dask runner prices several chunks
    at once on its workers). ``known_at`` None means now, fixed once for the whole file."""
    from tariffs.engine.pipeline import Engine
    from tariffs.known_at import parse_known_at

    known_at = parse_known_at(known_at)
    if mapper is None:
        if pricer is None:
            engine = Engine(rules)

            def pricer(frame):
                return quote_frame(frame, known_at, engine, as_filed=as_filed)

        def mapper(chunks):
            return (price_chunk(chunk, pricer) for chunk in chunks)

    chunks = whole_entries(read_chunks(in_path, chunk_size))
    first = next(chunks, None)
    if first is None:
        raise InputError("IN", f"{in_path}: the file has a header but no rows", "at least one row under the header")
    columns = output_columns([c for c in first.columns if c != "_reopened"], duty_programs(rules))
    known_columns = set(columns)
    writer = open_writer(out_path, columns, "-o")
    errors = open_writer(errors_path, columns, "--errors") if errors_path else None
    bar = _progress(progress)
    summary = BatchSummary()
    try:
        for priced in mapper(itertools.chain([first], chunks)):
            unknown = sorted(c for c in priced.columns if c.startswith("duty_") and c not in known_columns)
            if unknown:
                raise RuntimeError(f"charged programs with no column: {', '.join(unknown)} (add them to programs.csv)")
            out = conform(priced, columns)
            writer.write(out)
            bad = out["status"] != "ok"
            if errors is not None and bad.any():
                errors.write(out[bad])
            summary.rows += len(out)
            summary.errors += int(bad.sum())
            summary.priced += int((~bad).sum())
            summary.columnar += int((out["path"] == "columnar").sum())
            if bar is not None:
                bar.update(len(out))
    finally:
        writer.close()
        if errors is not None:
            errors.close()
        if bar is not None:
            bar.close()
    return summary


def _progress(progress: bool | None):
    """A tqdm bar on stderr when it is a terminal (or when asked); None otherwise."""
    if progress is None:
        progress = sys.stderr.isatty()
    if not progress:
        return None
    from tqdm import tqdm

    return tqdm(unit=" rows", file=sys.stderr, unit_scale=True, desc="pricing")

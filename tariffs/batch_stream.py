"""`tariffs batch`: a book file in, a priced file out, chunk by chunk (entries never split), with an optional
file of the rows that could not be priced and a progress bar on a terminal.

The pricing of a chunk is a function of a DataFrame (``tariffs.batch.quote_frame`` by default; the Dask
runner passes its own), so the CLI, the web upload and a Dask cluster share the same columns.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass

from tariffs.batch import ENTRY_PROGRAMS, NOT_DUTY, quote_frame
from tariffs.errors import InputError
from tariffs.batch_io import conform, open_writer, output_columns, read_chunks, whole_entries


@dataclass
class BatchSummary:
    rows: int = 0
    priced: int = 0
    errors: int = 0
    columnar: int = 0

    def line(self) -> str:
        return (f"priced {self.priced} of {self.rows} rows, {self.errors} error(s)"
                + (f"; {self.columnar} by the columnar path" if self.columnar else ""))


def duty_programs(rules) -> list[str]:
    """The programs charged on lines as duty, MFN first: each gets a duty_<program> column."""
    names = [p for p in rules.programs if p not in NOT_DUTY and p not in ENTRY_PROGRAMS]
    return sorted(names, key=lambda p: p != "mfn")


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
              errors_path: str | None = None, chunk_size: int = 50_000, pricer=None, progress: bool | None = None
              ) -> BatchSummary:
    """Price IN into OUT. ``pricer(frame) -> priced frame``; default: quote_frame with these rules."""
    from tariffs.engine.pipeline import Engine

    if pricer is None:
        engine = Engine(rules)

        def pricer(frame):
            return quote_frame(frame, known_at, engine, as_filed=as_filed)

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
        chunk = first
        while chunk is not None:
            priced = price_chunk(chunk, pricer)
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
            chunk = next(chunks, None)
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

"""Batch: upload a CSV or XLSX of lines, see each row priced or its error, download the
priced file (CSV or XLSX). Templates of the documented columns are downloadable."""
from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for

from tariffs import InputError
from web import batchfile, inputs

bp = Blueprint("batch", __name__)

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class _Results:
    """The last few priced files, kept in memory for their download links (a bounded cache:
    nothing is written to disk, and an old result simply expires)."""

    def __init__(self, size: int = 32, ttl: float = 3600.0):
        self.size, self.ttl = size, ttl
        self._items: OrderedDict[str, tuple[float, list[str], list[list[str]]]] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, header, body) -> str:
        token = secrets.token_urlsafe(16)
        with self._lock:
            self._items[token] = (time.monotonic(), header, body)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return token

    def get(self, token):
        with self._lock:
            item = self._items.get(token)
        if item is None or time.monotonic() - item[0] > self.ttl:
            return None
        return item[1], item[2]


RESULTS = _Results()


def file_response(data: bytes, fmt: str, name: str) -> Response:
    mimetype = XLSX_TYPE if fmt == "xlsx" else "text/csv"
    return Response(data, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'})


def render_file(header, body, fmt: str) -> bytes:
    return batchfile.write_xlsx(header, body) if fmt == "xlsx" else batchfile.write_csv(header, body)


@bp.get("/batch")
def batch_form():
    return render_template("batch.html", columns=batchfile.COLUMNS,
                           max_rows=current_app.config["MAX_BATCH_ROWS"])


@bp.get("/batch/template.<fmt>")
def template(fmt):
    if fmt not in ("csv", "xlsx"):
        abort(404)
    header, body = batchfile.template_table()
    return file_response(render_file(header, body, fmt), fmt, "tariffs-batch-template")


@bp.post("/batch")
def batch_upload():
    upload = request.files.get("file")
    known_at = (request.form.get("known_at") or "").strip() or None
    error = None
    if upload is None or not upload.filename:
        error = "Choose a CSV or XLSX file to upload."
    else:
        try:
            inputs.known_at(known_at)
        except InputError as exc:
            error = f"known_at: {exc.message} (allowed: {exc.allowed})"
    if error is None:
        try:
            rows = batchfile.read_rows(upload.read(), upload.filename, current_app.config["MAX_BATCH_ROWS"])
        except InputError as exc:
            error = f"{upload.filename}: {exc.message}" + (f" (allowed: {exc.allowed})" if exc.allowed else "")
    if error:
        return render_template("batch.html", columns=batchfile.COLUMNS, error=error, known_at=known_at or "",
                               max_rows=current_app.config["MAX_BATCH_ROWS"]), 422
    rows = batchfile.price_rows(rows, known_at)
    header, body = batchfile.output_table(rows)
    token = RESULTS.put(header, body)
    summary = {"priced": sum(1 for r in rows if r.quote), "errors": sum(1 for r in rows if r.error)}
    links = {fmt: url_for("batch.download", token=token, fmt=fmt) for fmt in ("csv", "xlsx")}
    return render_template("batch.html", columns=batchfile.COLUMNS, rows=rows, summary=summary, links=links,
                           filename=upload.filename, known_at=known_at or "",
                           max_rows=current_app.config["MAX_BATCH_ROWS"])


@bp.get("/batch/result/<token>.<fmt>")
def download(token, fmt):
    if fmt not in ("csv", "xlsx"):
        abort(404)
    table = RESULTS.get(token)
    if table is None:
        abort(404, description="This priced file has expired; upload the file again.")
    return file_response(render_file(*table, fmt), fmt, "tariffs-priced")

"""The auditor's workbench in the browser: upload an entry file, follow the run's progress, read the
report (charts drawn from the numbers) and download it as CSV, XLSX or HTML.

The import is done in the request (validation is fast, and its errors belong beside the form's
fields); the re-run goes to a background thread and the run page refreshes itself until it is done
(no JavaScript).
"""
from __future__ import annotations

import logging
import os
import tempfile
import threading
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, url_for

from tariffs import InputError
from tariffs.store import StoreError

bp = Blueprint("workbench", __name__)
log = logging.getLogger("tariffs.web")
TYPES = {"csv": "text/csv", "html": "text/html; charset=utf-8",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _store():
    """The app's audit store (its schema migrated at start-up, the workbench tables included)."""
    return current_app.audit_store()


def _recent_runs(limit=10):
    from sqlmodel import Session, select

    from tariffs.workbench.models import AuditRun

    with Session(_store().engine) as session:
        return list(session.exec(select(AuditRun).order_by(AuditRun.id.desc()).limit(limit)))


def _form(errors=None, values=None, status=200):
    from tariffs.workbench.fileformat import COLUMNS

    return render_template("workbench.html", columns=COLUMNS, errors=errors or {}, values=values or {},
                           runs=_recent_runs()), status


@bp.get("/workbench")
def index():
    return _form()


@bp.post("/workbench")
def upload():
    from tariffs.workbench.commands import import_file
    from tariffs.workbench.run import RunJob, known_at_moment

    values = {"columns": (request.form.get("columns") or "").strip(),
              "known_at": (request.form.get("known_at") or "").strip()}
    upload_file = request.files.get("file")
    errors = {}
    if upload_file is None or not upload_file.filename:
        errors["file"] = "Choose an entry file (CSV, XLSX or Parquet)."
    if values["known_at"]:
        try:
            known_at_moment(values["known_at"])
        except InputError as exc:
            errors["known_at"] = f"{exc.message} (allowed: {exc.allowed})"
    if errors:
        return _form(errors, values, 422)
    suffix = Path(upload_file.filename).suffix.lower()
    handle, temp = tempfile.mkstemp(suffix=suffix, prefix="tariffs-entries-")
    try:
        with os.fdopen(handle, "wb") as f:
            upload_file.save(f)
        summary, batch = import_file(temp, values["columns"] or None, filename=upload_file.filename,
                                     store=_store())
    except InputError as exc:
        field = "columns" if exc.field == "--columns" else "file"
        errors[field] = f"{exc.field}: {exc.message}" + (f" (allowed: {exc.allowed})" if exc.allowed else "")
        return _form(errors, values, 422)
    finally:
        Path(temp).unlink(missing_ok=True)
    job = RunJob(_store(), values["known_at"] or None)

    def work():
        try:
            job.execute(progress_every=50)
        except Exception:  # recorded on the run (status failed, message) by RunJob.execute
            log.exception("workbench run %s failed", job.run_id)

    threading.Thread(target=work, name=f"workbench-run-{job.run_id}", daemon=True).start()
    notice = (f"Imported {summary.entries} entries ({summary.rows} tariff rows) from {upload_file.filename}"
              + (f"; replaced {len(summary.replaced)} entries already stored" if summary.replaced else "")
              + (f"; {len(batch.rejected)} rows rejected (listed in the report)" if batch.rejected else "") + ".")
    return redirect(url_for("workbench.run_page", run_id=job.run_id, notice=notice), 303)


@bp.get("/workbench/runs/<int:run_id>")
def run_page(run_id):
    from tariffs.workbench import store as wb
    from tariffs.workbench.reports import html_body, load_report

    try:
        run = wb.get_run(_store(), run_id)
    except InputError:
        abort(404, description=f"No run {run_id}.")
    notice = request.args.get("notice", "")[:500]
    if run.status != "done":
        return render_template("workbench_run.html", run=run, notice=notice, body=None)
    body = html_body(load_report(_store(), run_id))
    return render_template("workbench_run.html", run=run, notice=notice, body=body)


@bp.get("/workbench/runs/<int:run_id>/report.<fmt>")
def download(run_id, fmt):
    from tariffs.workbench.reports import FORMATS, load_report

    if fmt not in FORMATS:
        abort(404)
    try:
        report = load_report(_store(), run_id)
    except InputError:
        abort(404, description=f"No run {run_id}.")
    if report.run.status != "done":
        abort(409, description="The run is not finished yet.")
    return Response(FORMATS[fmt](report), mimetype=TYPES[fmt],
                    headers={"Content-Disposition": f'attachment; filename="audit-run-{run_id}.{fmt}"'})


@bp.before_request
def _bigger_uploads():
    # An ACE entry-summary report of 10^5 rows is ~15 MB as CSV: this page has its own upload limit.
    if request.endpoint == "workbench.upload":
        request.max_content_length = current_app.config["MAX_WORKBENCH_BYTES"]


def init_app(app) -> None:
    app.config.setdefault("MAX_WORKBENCH_BYTES", 64 * 1024 * 1024)
    app.register_blueprint(bp)


__all__ = ["bp", "init_app", "StoreError"]

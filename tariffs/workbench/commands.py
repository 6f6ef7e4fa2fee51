"""The workbench's CLI commands, registered on the `tariffs audit` group:

    tariffs audit import FILE [--columns MAP] [--strict]
    tariffs audit rerun [QUOTE_ID] [--known-at K]      (no id: every imported entry)
    tariffs audit report --format csv|xlsx|html -o OUT [--run ID]
    tariffs rules diff OLD NEW [--database URL] [--known-at K]
"""
from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import click

from tariffs.errors import InputError

DATABASE_HELP = "Audit store URL (default: $TARIFFS_DATABASE_URL or the SQLite file)."


def import_file(path: str, columns: str | None, database: str | None = None, strict: bool = False,
                filename: str = "", store=None):
    """Read, validate and store an entry file; returns (summary, batch). Raises InputError when nothing
    can be imported (or, with strict, when any row is rejected)."""
    from tariffs.workbench import fileformat, importer
    from tariffs.workbench import store as wb

    frame = fileformat.read_table(path, fileformat.parse_column_map(columns), filename or None)
    batch = importer.validate(frame)
    if batch.rejected and (strict or not batch.entries):
        first = batch.rejected[0]
        why = "strict import" if strict and batch.entries else "no entry could be imported"
        raise InputError(first.field, f"{why}: {len(batch.rejected)} row(s) rejected, first row "
                                      f"{first.row_number}: {first.message}",
                         "fix the rejected rows (listed without --strict), or import without --strict"
                         if strict and batch.entries else None)
    if not batch.entries:
        raise InputError("FILE", "has no data rows", "one row per tariff number per entry line")
    sha = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    store = store or wb.open_store(database)
    return wb.save_import(store, batch, filename or Path(path).name, sha), batch


def register(main: click.Group) -> None:
    audit = main.commands["audit"]
    previous_rerun = audit.commands.get("rerun")

    @audit.command("import")
    @click.argument("file")
    @click.option("--columns", default=None, help='Map your headers onto the format: "Entry No=entry_number,..." '
                                                  "or a JSON object (or a file holding one).")
    @click.option("--strict", is_flag=True, help="Import nothing if any row is rejected.")
    @click.option("--database", default=None, help=DATABASE_HELP)
    def audit_import(file, columns, strict, database):
        """Import an entry file (CSV, XLSX, Parquet): one row per tariff number per entry line."""
        summary, batch = import_file(file, columns, database, strict)
        click.echo(f"import {summary.import_id}: {summary.entries} entries, {summary.rows} tariff rows imported "
                   f"from {Path(file).name} ({batch.rows_read} rows read)")
        if summary.replaced:
            shown = ", ".join(summary.replaced[:20]) + (" ..." if len(summary.replaced) > 20 else "")
            click.echo(f"replaced {len(summary.replaced)} entries already stored: {shown}")
        if batch.rejected:
            click.echo(f"rejected {len(batch.rejected)} rows (their entries are not imported):")
            for r in batch.rejected:
                click.echo(f"  {r}")

    @audit.command("rerun")
    @click.argument("quote_id", type=int, required=False)
    @click.option("--known-at", "known_at", default=None, help="Knowledge date of the re-run (default: now).")
    @click.option("--database", default=None, help=DATABASE_HELP)
    @click.option("--progress/--no-progress", default=None, help="Progress bar (default: when stderr is a terminal).")
    @click.option("--like", "like_run", type=int, default=None,
                  help="Re-run as run ID was (its known_at; the ruleset must have its hash) and compare the results.")
    def audit_rerun(quote_id, known_at, database, progress, like_run):
        """Re-run every imported entry as filed and as known at --known-at (or one recorded quote by id)."""
        if known_at:  # checked first, whichever re-run it is (and before the store), as the other --known-at are
            from tariffs.known_at import parse_known_at

            try:
                parse_known_at(known_at, "--known-at")
            except InputError as exc:
                raise click.BadParameter(f"{exc.message} (allowed: {exc.allowed})", param_hint="'--known-at'") \
                    from None
        if quote_id is not None:
            ctx = click.get_current_context()
            if known_at is not None:  # checked as the recorded-quote command checks it, before the id is looked up
                param = next(p for p in previous_rerun.params if p.name == "known_at")
                known_at = param.type_cast_value(ctx, known_at)
            return ctx.invoke(previous_rerun, quote_id=quote_id, known_at=known_at, database=database)
        from tariffs.workbench import store as wb
        from tariffs.workbench.reports import FORMATS, load_report
        from tariffs.workbench.run import rerun

        store = wb.open_store(database)
        earlier = None
        if like_run is not None:
            from tariffs.rules.ruleset import load_rules

            earlier = load_report(store, like_run)
            if known_at:
                raise InputError("--known-at", "given with --like", "one of them")
            current = load_rules().sha256
            if current != earlier.run.ruleset_sha256:
                raise InputError("--like", f"run {like_run} used ruleset {earlier.run.ruleset_sha256[:12]}, these rules "
                                           f"are {current[:12]}", "a run made with the installed rule tables "
                                                                  "(compare versions with `tariffs rules diff`)")
            known_at = earlier.run.known_at
        show = sys.stderr.isatty() if progress is None else progress
        bar = None
        if show:
            from tqdm import tqdm

            bar = tqdm(total=0, unit="entry", file=sys.stderr)

        def tick(done, total):
            if bar is not None:
                bar.total = total
                bar.update(done - bar.n)

        run_id = rerun(store, known_at, on_progress=tick)
        if bar is not None:
            bar.close()
        report = load_report(store, run_id)
        t = report.totals()
        errors = sum(e.status == "error" for e in report.entries)
        click.echo(f"run {run_id}: {len(report.entries)} entries as known at {report.known_at}, ruleset "
                   f"{report.run.ruleset_version} ({report.run.ruleset_sha256[:12]}): paid {t['paid']}, as filed "
                   f"{t['as_filed']}, as known {t['as_known']}; refund {t['refund']}, exposure {t['exposure']}"
                   + (f"; {errors} entries not priced" if errors else ""))
        click.echo("interest on refunds not included (no sourced rate table)")
        if earlier is not None:
            same = all(FORMATS[f](earlier) == FORMATS[f](report) for f in ("csv", "html"))
            click.echo(f"run {run_id} is identical to run {like_run} (same CSV and HTML report bytes)" if same else
                       f"run {run_id} DIFFERS from run {like_run}: the stored entries changed since (re-imported?)")

    @audit.command("report")
    @click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "html"]), required=True)
    @click.option("-o", "--output", required=True, help="File to write (- for stdout, csv and html only).")
    @click.option("--run", "run_id", type=int, default=None, help="Run id (default: the latest finished run).")
    @click.option("--database", default=None, help=DATABASE_HELP)
    def audit_report(fmt, output, run_id, database):
        """Write a run's report: by entry, importer, month and program, and the detail per heading."""
        from tariffs.workbench import store as wb
        from tariffs.workbench.reports import FORMATS, load_report

        data = FORMATS[fmt](load_report(wb.open_store(database), run_id))
        if output == "-":
            if fmt == "xlsx":
                raise InputError("--output", "XLSX is binary", "a file name")
            sys.stdout.buffer.write(data)
            return
        Path(output).write_bytes(data)
        click.echo(f"wrote {output} ({len(data)} bytes)", err=True)

    @main.commands["rules"].command("diff")
    @click.argument("old")
    @click.argument("new")
    @click.option("--database", default=None, help="Also re-price the entries and quotes stored here under both "
                                                   "versions and list those that differ.")
    @click.option("--known-at", "known_at", default=None, help="Knowledge date for the stored entries' re-pricing "
                                                               "(default: now).")
    @click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
    def rules_diff(old, new, database, known_at, fmt):
        """Rows added, retracted and changed between two rule directories (or 'installed'), and which stored
        entries and recorded quotes would price differently."""
        import json

        from tariffs.rules.diff import diff_rules, render_text, resolve_root

        old_root, new_root = resolve_root(old), resolve_root(new)
        diffs = diff_rules(old_root, new_root)
        impact = None
        if database:
            from tariffs.workbench import store as wb
            from tariffs.workbench.impact import affected

            impact = affected(old_root, new_root, wb.open_store(database), known_at)
        if fmt == "json":
            click.echo(json.dumps({"tables": [vars(d) for d in diffs], "affected": impact}, indent=2,
                                  ensure_ascii=False))
        else:
            click.echo(render_text(diffs, impact))

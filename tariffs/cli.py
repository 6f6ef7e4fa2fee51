"""The `tariffs` command: quote, rules check/show/import-hts, serve.

Bad input (a field, an option, a file that is not UTF-8 JSON, a closed stdin) exits 2 with one line on
stderr naming what is wrong; an output that cannot be written (closed stdout, full disk) exits 1 with one
line; never a traceback. Exit 3 is kept for defects.
"""
from __future__ import annotations

import datetime as dt
import errno
import json
import os
import sys
from pathlib import Path

import click

from tariffs.errors import InputError, RulesError, TariffsError


class OutputError(TariffsError):
    """The result could not be written (standard output closed, disk full, broken pipe)."""


def _emit(text: str) -> None:
    """Write one result to standard output and flush it; a failure is an OutputError (exit 1)."""
    stream = sys.stdout
    if stream is None:
        raise OutputError("cannot write the output: standard output is closed")
    # Text from the input (a lone surrogate escaped in JSON) must not make the output unwritable.
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    try:
        stream.write(text + "\n")
        stream.flush()
    except OSError as exc:
        # What is still buffered would fail again at exit (a second message): send it nowhere.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, stream.fileno())
        except (OSError, ValueError):
            pass
        raise OutputError(f"cannot write the output: {exc.strerror or exc}") from None


class _DateType(click.ParamType):
    """An option holding a date, YYYY-MM-DD within the accepted years; passed on as that text."""

    name = "YYYY-MM-DD"

    def convert(self, value, param, ctx):
        from tariffs.model import check_date

        try:
            return check_date(value, "").isoformat()
        except InputError as exc:
            self.fail(f"{exc.message} (allowed: {exc.allowed})", param, ctx)


class _KnownAtType(click.ParamType):
    """--known-at: a date or datetime the library accepts (tariffs.parse_known_at); passed on as text."""

    name = "DATE[TIME]"

    def convert(self, value, param, ctx):
        from tariffs.engine.pipeline import parse_known_at

        try:
            parse_known_at(value)
        except InputError as exc:
            self.fail(f"{exc.message} (allowed: {exc.allowed})", param, ctx)
        return value.strip()


DATE = _DateType()
KNOWN_AT = _KnownAtType()


# Errors of writing, not of what was asked: the README's "output that cannot be written exits 1".
_WRITE_FAILURES = {errno.ENOSPC, errno.EPIPE, errno.EBADF, errno.EIO, errno.EFBIG, errno.EDQUOT}


class _Group(click.Group):
    """Turns every expected failure into one line on stderr and exit code 2."""

    def main(self, *args, **kwargs):
        kwargs.setdefault("standalone_mode", True)
        try:
            return super().main(*args, **{**kwargs, "standalone_mode": False})
        except click.exceptions.Exit as exc:
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("aborted", err=True)
            sys.exit(1)
        except click.UsageError as exc:
            click.echo(f"usage: {exc.format_message()}", err=True)
            sys.exit(2)
        except InputError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(2)
        except RulesError as exc:
            first = f"; {exc.problems[0]}" if exc.problems else ""
            click.echo(f"rules error: {exc}{first}", err=True)
            sys.exit(1)
        except TariffsError as exc:
            click.echo(f"error: {str(exc).splitlines()[0]}", err=True)
            sys.exit(1)
        except OSError as exc:
            name = getattr(exc, "filename", None)
            if exc.errno in _WRITE_FAILURES:  # the output could not be written (full disk, closed pipe): exit 1
                click.echo(f"error: cannot write the output{f' {name}' if name else ''}: {exc.strerror or exc}",
                           err=True)
                sys.exit(1)
            click.echo(f"error: {exc.strerror or exc}" + (f": {name}" if name else ""), err=True)
            sys.exit(2)
        except Exception as exc:  # a defect, not bad input: one line, never a traceback, and a distinct exit code
            click.echo(f"internal error: {type(exc).__name__}: {exc} (please report it with the input)", err=True)
            sys.exit(3)


@click.group(cls=_Group)
@click.version_option(package_name="tariffs")
def main():
    """Tariff and landed-cost compliance engine."""


def _read_input(path: str) -> bytes:
    """The bytes of FILE, or of standard input for -; decoded and parsed by tariffs.jsonio."""
    if path == "-":
        if sys.stdin is None:
            raise InputError("FILE", "standard input is closed", "a path to a JSON shipment, or - with JSON on stdin")
        return sys.stdin.buffer.read()
    p = Path(path)
    if not p.is_file():
        raise InputError("FILE", f"{path!r} does not exist or is not a file", "a path to a JSON shipment, or -")
    return p.read_bytes()


@main.command()
@click.argument("file")
@click.option("--known-at", "known_at", default=None, type=KNOWN_AT,
              help="Read the rules as known at this date/datetime (default now).")
@click.option("--format", "fmt", type=click.Choice(["json", "table"]), default="json", show_default=True)
@click.option("--rules", "rules_path", default=None, help="A rules_data folder (default: the shipped one).")
@click.option("--record", is_flag=True, help="Write the quote to the audit log (its id goes to stderr).")
@click.option("--database", default=None, help="Audit store URL (default: $TARIFFS_DATABASE_URL or SQLite).")
def quote(file, known_at, fmt, rules_path, record, database):
    """Price the shipment in FILE (or - for stdin) and print the quote."""
    from tariffs.engine.normalise import load_json_text
    from tariffs.engine.pipeline import Engine
    from tariffs.rules.ruleset import load_rules

    data = load_json_text(_read_input(file))
    result = Engine(load_rules(rules_path)).quote(data, known_at)
    if record:
        from tariffs.store import Store

        click.echo(f"recorded as audit id {Store(database).record(data, result)}", err=True)
    if fmt == "json":
        _emit(json.dumps(result.model_dump(mode="json"), indent=2, ensure_ascii=False))
    else:
        from tariffs.report import quote_table

        _emit(quote_table(result))


def _load_shipment(file):
    from tariffs.engine.normalise import load_json_text

    return load_json_text(_read_input(file))


def _print_json(data):
    _emit(json.dumps(data, indent=2, default=lambda o: format(o, "f") if hasattr(o, "is_finite") else str(o),
                     ensure_ascii=False))


@main.command("compare-zone")
@click.argument("file")
@click.option("--withdraw-on", required=True, type=DATE, help="Date of withdrawal from the zone, YYYY-MM-DD.")
@click.option("--status", type=click.Choice(["privileged_foreign", "non_privileged_foreign"]),
              default="privileged_foreign", show_default=True)
@click.option("--known-at", "known_at", default=None, type=KNOWN_AT)
def compare_zone(file, withdraw_on, status, known_at):
    """Direct entry now vs admission to a US zone now and withdrawal on --withdraw-on."""
    from tariffs.scenarios import zone_vs_direct

    _print_json(zone_vs_direct(_load_shipment(file), withdraw_on, status, known_at))


@main.command("inverted")
@click.argument("file")
@click.option("--admitted-on", required=True, type=DATE, help="Date the components were admitted to the zone.")
@click.option("--known-at", "known_at", default=None, type=KNOWN_AT)
def inverted(file, admitted_on, known_at):
    """Zone manufacturing: finished product in NPF status vs components in PF status.

    FILE: {"shipment": {... one finished line, entry_date = withdrawal ...}, "components": [lines]}.
    """
    from tariffs.scenarios import inverted_tariff

    data = _load_shipment(file)
    if not isinstance(data, dict) or "shipment" not in data or "components" not in data:
        raise InputError("FILE", "expected an object with shipment and components", '{"shipment": ..., '
                         '"components": [...]}')
    _print_json(inverted_tariff(data["shipment"], data["components"], admitted_on, known_at))


@main.command("carbon")
@click.argument("file")
@click.option("--known-at", "known_at", default=None, type=KNOWN_AT)
def carbon(file, known_at):
    """CBAM cost on default values vs the supplier's actual emissions, per EU line."""
    from tariffs.scenarios import carbon_comparison

    _print_json(carbon_comparison(_load_shipment(file), known_at))


@main.command("compare")
@click.argument("file")
@click.option("--origin", "origins", multiple=True, help="Re-price for this origin (repeatable).")
@click.option("--date", "dates", multiple=True, type=DATE, help="Re-price for this entry date (repeatable).")
@click.option("--known-at", "known_at", default=None, type=KNOWN_AT)
def compare_cmd(file, origins, dates, known_at):
    """One shipment side by side for several origins or entry dates."""
    from tariffs.scenarios import compare

    variants = [{"origin": o} for o in origins] + [{"entry_date": d} for d in dates]
    if not variants:
        raise InputError("--origin/--date", "nothing to compare", "one or more --origin or --date")
    _print_json(compare(_load_shipment(file), variants, known_at))


@main.group()
def audit():
    """The audit log: recorded quotes, re-run under another knowledge date."""


@audit.command("list")
@click.option("--database", default=None)
@click.option("--limit", default=50, show_default=True)
def audit_list(database, limit):
    """The most recent recorded quotes."""
    from tariffs.store import Store

    for row in Store(database).list(limit):
        _emit(f"{row.id}\t{row.created_at:%Y-%m-%d %H:%M}\t{row.destination}\t{row.entry_date}\t"
              f"known {row.known_at:%Y-%m-%d}\tduties {row.duties}\tlanded {row.landed_cost}\t"
              f"ruleset {row.ruleset_sha256[:12]}")


@audit.command("rerun")
@click.argument("quote_id", type=int)
@click.option("--known-at", "known_at", default=None, type=KNOWN_AT,
              help="Knowledge date of the re-run (default: now).")
@click.option("--database", default=None)
def audit_rerun(quote_id, known_at, database):
    """Re-price a recorded quote as known at --known-at, and the difference per heading."""
    from tariffs.store import Store, rerun

    _print_json(rerun(Store(database), quote_id, known_at))


@main.group()
def db():
    """The audit store's schema (Alembic migrations shipped with the package)."""


@db.command("upgrade")
@click.option("--url", "--database", "url", default=None,
              help="Audit store URL (default: $TARIFFS_DATABASE_URL or the SQLite file).")
@click.option("--revision", default="heads", show_default=True, help="Target revision.")
def db_upgrade(url, revision):
    """Create or migrate the audit store's tables (safe to run from several processes at once)."""
    from tariffs.store import Store
    from tariffs.store.migrate import current

    store = Store(url, migrate_schema=False)
    store.upgrade(revision)
    click.echo(f"audit store {store._safe_url()} at revision {', '.join(sorted(current(store.engine)))}")


@main.group()
def rules():
    """Inspect, check and import the rule tables."""


@rules.command("check")
@click.option("--rules", "rules_path", default=None)
@click.option("--report", is_flag=True, help="Also list what the Chapter 99 cross-check could not decide.")
def rules_check(rules_path, report):
    """Validate the rule tables; exit 1 listing every problem."""
    from tariffs.rules.check import check_rules

    notes = [] if report else None
    problems, summary = check_rules(rules_path, notes)
    for note in notes or ():
        click.echo(f"report: {note}")
    for problem in problems:
        click.echo(problem, err=True)
    _emit(summary)
    sys.exit(1 if problems else 0)


@rules.command("show")
@click.option("--hts", required=True)
@click.option("--origin", required=True)
@click.option("--date", "day", required=True, type=DATE, help="Entry date YYYY-MM-DD.")
@click.option("--known-at", "known_at", default=None, type=KNOWN_AT)
@click.option("--claim", "claims", multiple=True, help="A claim on the line (SPI or Chapter 99 heading).")
@click.option("--destination", default="US", show_default=True, help="US, EU or TW.")
@click.option("--rules", "rules_path", default=None)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def rules_show(hts, origin, day, known_at, claims, destination, rules_path, fmt):
    """Every measure in force for a product, origin and date, and why others are not."""
    from tariffs.rules.show import show_measures

    report = show_measures(hts, origin, day, known_at, list(claims), rules_path, destination)
    if fmt == "json":
        _emit(json.dumps(report, indent=2, default=str, ensure_ascii=False))
    else:
        from tariffs.rules.show import render_text

        _emit(render_text(report))


@rules.command("import-hts")
@click.argument("files", nargs=-1, required=True)
@click.option("--effective", default=None, type=DATE, help="Effective date, YYYY-MM-DD: all FILES are one edition.")
@click.option("--published", default=None, type=DATE, help="Publication date (default: effective).")
@click.option("--edition", default=None, help="Edition id (default: the effective date).")
@click.option("--dates", "dates_path", default=None,
              help="CSV of edition dates (edition,effective,published[,note] or USITC revision_dates.csv): "
                   "each file is one edition, named by its file name (hts_2025_rev_3.json.gz -> 2025_rev_3).")
@click.option("--full", is_flag=True, help="Store the (first) edition in full, as a base of the delta chain.")
@click.option("--rules", "rules_path", default=None, help="rules_data folder to write into.")
def rules_import_hts(files, effective, published, edition, dates_path, full, rules_path):
    """Load USITC HTS exports (JSON or CSV, gzip or not) into the MFN tables, one or several editions."""
    from tariffs.rules.hts_import import EXPORT_SUFFIXES, import_editions, import_hts, read_dates
    from tariffs.rules.ruleset import default_rules_path

    def _day(text, name):
        try:
            return dt.date.fromisoformat(text)
        except (TypeError, ValueError):
            raise InputError(name, f"{text!r} is not a date", "YYYY-MM-DD") from None

    paths = []
    for f in files:
        p = Path(f)
        if p.is_dir():
            paths.extend(sorted(x for x in p.iterdir() if x.name.endswith(EXPORT_SUFFIXES)))
        elif p.is_file():
            paths.append(p)
        else:
            raise InputError("FILES", f"{f!r} does not exist",
                             "USITC HTS export files (.json, .csv, optionally .gz) or a folder of them")
    if not paths:
        raise InputError("FILES", "no export file found", "USITC HTS export files (.json, .csv, optionally .gz)")
    if (effective is None) == (dates_path is None):
        raise InputError("--effective", "give either --effective (one edition) or --dates (one edition per file)",
                         "--effective YYYY-MM-DD or --dates FILE")
    root = Path(rules_path) if rules_path else default_rules_path()
    try:
        if effective is not None:
            result = import_hts(paths, root, _day(effective, "--effective"),
                                _day(published, "--published") if published else None, edition, full=full)
        else:
            dates = read_dates(Path(dates_path))
            result = import_editions(_specs(paths, dates), root, full=full)
    except (ValueError, json.JSONDecodeError, UnicodeDecodeError, OSError) as exc:
        raise InputError("FILES", str(exc).splitlines()[0], "USITC HTS export files (JSON or CSV, gzip or not)") \
            from None
    _emit(json.dumps(result, indent=2))


@main.command("batch")
@click.argument("in_path", metavar="IN")
@click.option("-o", "--output", "out_path", required=True, help="Priced file: .csv, .xlsx or .parquet.")
@click.option("--known-at", "known_at", default=None, help="Read the rules as known at this date/datetime (default now).")
@click.option("--as-filed", is_flag=True, help="Money as known on each entry's filing day (refundable is the same).")
@click.option("--errors", "errors_path", default=None, help="Also write the rows that could not be priced here.")
@click.option("--chunk-size", default=50_000, show_default=True, type=int, help="Rows per chunk (bounded memory).")
@click.option("--rules", "rules_path", default=None, help="A rules_data folder (default: the shipped one).")
@click.option("--dask", "dask_address", default=None, help="Price on a Dask cluster: its scheduler address.")
@click.option("--workers", default=None, type=int, help="Price on a local Dask cluster of N worker processes.")
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: only on a terminal).")
def batch_cmd(in_path, out_path, known_at, as_filed, errors_path, chunk_size, rules_path, dask_address, workers,
              progress):
    """Price a book of lines (CSV, XLSX or Parquet; rows with the same `entry` are one entry) into OUT."""
    from tariffs.batch_stream import run_batch
    from tariffs.known_at import parse_known_at
    from tariffs.rules.ruleset import load_rules

    known = parse_known_at(known_at, "--known-at") if known_at else None
    rules = load_rules(rules_path)
    if dask_address or workers is not None:
        from tariffs.batch_dask import run_batch_dask

        summary = run_batch_dask(in_path, out_path, rules=rules, known_at=known, as_filed=as_filed,
                                 errors_path=errors_path, chunk_size=chunk_size, address=dask_address,
                                 workers=workers, progress=progress)
    else:
        summary = run_batch(in_path, out_path, rules=rules, known_at=known, as_filed=as_filed,
                            errors_path=errors_path, chunk_size=chunk_size, progress=progress)
    click.echo(summary.line(), err=True)


def _specs(paths, dates):
    from tariffs.rules.hts_import import edition_name

    specs = []
    for path in paths:
        name = edition_name(path)
        if name not in dates:
            raise InputError("--dates", f"no dates for edition {name!r} ({path.name})",
                             "a row for every edition imported")
        effective, published, note = dates[name]
        basis = ("Harmonized Tariff Schedule of the United States (19 U.S.C. 1202), USITC export, edition "
                 f"{name}" + (f"; {note}" if note else ""))
        specs.append({"files": [path], "edition": name, "effective": effective, "published": published,
                      "legal_basis": basis})
    return specs


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535), help="TCP port.")
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 64), help="Worker threads.")
def serve(host, port, threads):
    """Serve the web app (form and /api/v1) on waitress, a production WSGI server; never in debug mode."""
    # The library never imports the web app: it is loaded only when asked for.
    from waitress import serve as waitress_serve

    from tariffs.rules.ruleset import load_rules
    from web import create_app

    load_rules()  # fail here, not on the first request, when the rule tables are broken
    app = create_app()
    click.echo(f"tariffs web app on http://{host}:{port}/ (API: http://{host}:{port}/api/v1/openapi.json)", err=True)
    waitress_serve(app, host=host, port=port, threads=threads, ident="tariffs")


# The auditor's workbench registers its own commands (audit import/rerun/report, rules diff).
from tariffs.workbench.commands import register as _register_workbench  # noqa: E402

_register_workbench(main)


if __name__ == "__main__":  # pragma: no cover
    main()

"""Reports of a run: by entry (what to claim, how much, under which heading, by when), by importer,
by month and program, and the detail per line and tariff number; as CSV, XLSX or a standalone HTML
page with charts drawn from the numbers.

Output is a function of the run's stored results only (no clock, no run id in the body), so two runs
with the same ruleset hash and known_at give the same CSV and HTML bytes.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from html import escape

from tariffs.workbench import charts
from tariffs.workbench import store as wb

ZERO = Decimal("0.00")
INTEREST_NOTE = ("Interest on refunds (19 U.S.C. 1505(c)) is not included: the rule tables hold no sourced "
                 "table of the overpayment interest rates.")
DETAIL_COLUMNS = ["entry_number", "importer", "entry_date", "filed_on", "line_number", "heading", "program", "paid",
                  "as_filed", "as_known", "filed_minus_paid", "known_minus_filed", "paid_minus_known", "refund",
                  "exposure", "finding", "entry_status", "next_date", "next_action", "known_at", "ruleset_sha256"]
ENTRY_COLUMNS = ["entry_number", "importer", "entry_date", "filed_on", "status", "paid", "as_filed", "as_known",
                 "refund", "exposure", "net_claim", "claim_headings", "deadline_status", "next_date", "next_action",
                 "deadline_basis", "note"]


@dataclass
class Report:
    run: object
    entries: list
    headings: list
    rejected: list

    @property
    def known_at(self) -> str:
        moment = self.run.known_at
        # UTC whatever the database session's time zone (PostgreSQL returns timestamptz in it)
        moment = moment.astimezone(dt.timezone.utc) if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)
        return moment.isoformat()

    def totals(self) -> dict[str, Decimal]:
        out = {k: sum((getattr(e, k) for e in self.entries), ZERO) for k in ("paid", "as_filed", "as_known", "refund",
                                                                              "exposure")}
        out["net_claim"] = out["refund"] - out["exposure"]
        return out

    def by_entry(self) -> list[dict]:
        per_entry = wb.results_by_entry(self.headings)
        rows = []
        for e in self.entries:
            claims = [f"{h.heading} {h.refund}" for h in per_entry.get(e.entry_number, []) if h.refund > 0]
            rows.append({"entry_number": e.entry_number, "importer": e.importer, "entry_date": e.entry_date.isoformat(),
                         "filed_on": e.filed_on.isoformat(), "status": e.status, "paid": e.paid,
                         "as_filed": e.as_filed, "as_known": e.as_known, "refund": e.refund, "exposure": e.exposure,
                         "net_claim": e.refund - e.exposure, "claim_headings": "; ".join(claims),
                         "deadline_status": e.deadline_status,
                         "next_date": e.next_date.isoformat() if e.next_date else "", "next_action": e.next_action,
                         "deadline_basis": e.deadline_basis, "note": e.error})
        return rows

    def by_importer(self) -> list[dict]:
        acc: dict[str, dict] = {}
        for e in self.entries:
            row = acc.setdefault(e.importer, {"importer": e.importer, "entries": 0, "paid": ZERO, "refund": ZERO,
                                              "exposure": ZERO, "errors": 0})
            row["entries"] += 1
            row["errors"] += e.status == "error"
            for k in ("paid", "refund", "exposure"):
                row[k] += getattr(e, k)
        rows = sorted(acc.values(), key=lambda r: (-r["exposure"], -r["refund"], r["importer"]))
        for r in rows:
            r["net_claim"] = r["refund"] - r["exposure"]
        return rows

    def by_month_program(self) -> list[dict]:
        month_of = {e.entry_number: e.entry_date.strftime("%Y-%m") for e in self.entries}
        acc: dict[tuple, dict] = {}
        for h in self.headings:
            key = (month_of[h.entry_number], h.program)
            row = acc.setdefault(key, {"month": key[0], "program": key[1], "paid": ZERO, "as_filed": ZERO,
                                       "as_known": ZERO, "refund": ZERO, "exposure": ZERO})
            for k in ("paid", "as_filed", "as_known", "refund", "exposure"):
                row[k] += getattr(h, k)
        return [acc[k] for k in sorted(acc)]

    def detail(self) -> list[dict]:
        entries = {e.entry_number: e for e in self.entries}
        rows = []
        for h in self.headings:
            e = entries[h.entry_number]
            rows.append({"entry_number": h.entry_number, "importer": e.importer, "entry_date": e.entry_date.isoformat(),
                         "filed_on": e.filed_on.isoformat(), "line_number": h.line_number or "", "heading": h.heading,
                         "program": h.program, "paid": h.paid, "as_filed": h.as_filed, "as_known": h.as_known,
                         "filed_minus_paid": h.as_filed - h.paid, "known_minus_filed": h.as_known - h.as_filed,
                         "paid_minus_known": h.paid - h.as_known, "refund": h.refund, "exposure": h.exposure,
                         "finding": h.finding, "entry_status": e.deadline_status,
                         "next_date": e.next_date.isoformat() if e.next_date else "", "next_action": e.next_action,
                         "known_at": self.known_at, "ruleset_sha256": self.run.ruleset_sha256})
        return rows


def load_report(store, run_id: int | None = None) -> Report:
    import json

    run = wb.get_run(store, run_id)
    entries, headings = wb.run_results(store, run.id)
    # line 0 (the entry's fees) after the entry's lines
    headings.sort(key=lambda h: (h.entry_number, h.line_number == 0, h.line_number, h.id))
    last = wb.last_import(store)
    rejected = json.loads(last.rejected_json) if last else []
    return Report(run, entries, headings, rejected)


def _text(value) -> str:
    if isinstance(value, Decimal):
        return format(value, "f")
    return "" if value is None else str(value)


def to_csv(report: Report) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(DETAIL_COLUMNS)
    for row in report.detail():
        writer.writerow([_text(row[c]) for c in DETAIL_COLUMNS])
    for e in report.entries:
        if e.status == "error":
            writer.writerow([_text(v) for v in (e.entry_number, e.importer, e.entry_date, e.filed_on, "", "", "",
                                                e.paid, "", "", "", "", "", "", "", "not priced: " + e.error,
                                                e.deadline_status, e.next_date or "", e.next_action, report.known_at,
                                                report.run.ruleset_sha256)])
    return out.getvalue().encode("utf-8")


def _summary_rows(report: Report) -> list[tuple[str, str]]:
    t = report.totals()
    errors = sum(e.status == "error" for e in report.entries)
    return [("known at", report.known_at), ("ruleset version", report.run.ruleset_version),
            ("ruleset SHA-256", report.run.ruleset_sha256), ("entries", str(len(report.entries))),
            ("entries not priced", str(errors)), ("paid", _text(t["paid"])), ("as filed", _text(t["as_filed"])),
            ("as known", _text(t["as_known"])), ("refund", _text(t["refund"])), ("exposure", _text(t["exposure"])),
            ("net claim", _text(t["net_claim"])), ("interest", INTEREST_NOTE)]


def to_xlsx(report: Report) -> bytes:
    """The report as a workbook, streamed row by row (`tariffs.xlsx_stream`; openpyxl's write-only mode
    took minutes for 10^5 tariff rows). Dated by the run's known_at, so the same run gives the same bytes."""
    import datetime as dt

    from tariffs.xlsx_stream import Workbook

    moment = report.run.known_at.replace(tzinfo=None) if report.run.known_at else dt.datetime(2000, 1, 1)
    out = io.BytesIO()
    with Workbook(out, created=moment) as book:

        def sheet(title, columns, rows):
            ws = book.sheet(title)
            ws.append(columns)
            for row in rows:
                ws.append([row[c] for c in columns])

        ws = book.sheet("Summary")
        for label, value in _summary_rows(report):
            ws.append([label, value])
        sheet("By entry", ENTRY_COLUMNS, report.by_entry())
        importer_columns = ["importer", "entries", "errors", "paid", "refund", "exposure", "net_claim"]
        sheet("By importer", importer_columns, report.by_importer())
        sheet("By month and program", ["month", "program", "paid", "as_filed", "as_known", "refund", "exposure"],
              report.by_month_program())
        sheet("Detail", DETAIL_COLUMNS, report.detail())
        sheet("Rejected rows", ["row", "field", "message", "entry_number"], report.rejected)
    return out.getvalue()


def chart_data(report: Report):
    months: dict[str, dict[str, Decimal]] = defaultdict(dict)
    for row in report.by_month_program():
        if row["refund"] > 0:
            months[row["month"]][row["program"]] = row["refund"]
    importers = [(r["importer"], r["exposure"], r["refund"]) for r in report.by_importer()]
    return dict(months), importers


def _table(columns, rows, limit=None) -> str:
    head = "".join(f"<th>{escape(c)}</th>" for c in columns)
    body = []
    for row in rows[:limit] if limit else rows:
        cells = []
        for c in columns:
            v = row[c] if isinstance(row, dict) else row[columns.index(c)]
            cls = ' class="num"' if isinstance(v, (Decimal, int)) else ""
            cells.append(f"<td{cls}>{escape(_text(v))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def html_body(report: Report, entry_limit: int | None = 500) -> str:
    """The report's content (summary, charts, tables) as an HTML fragment, for the file and the web page."""
    months, importers = chart_data(report)
    summary = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in _summary_rows(report))
    by_entry = report.by_entry()
    more = (f"<p>First {entry_limit} of {len(by_entry)} entries; the CSV and XLSX downloads have them all.</p>"
            if entry_limit and len(by_entry) > entry_limit else "")
    parts = [
        f'<section><h2>Summary</h2><table class="summary">{summary}</table></section>',
        '<section class="charts"><h2>Charts</h2>',
        charts.stacked_months(months, "Refund by month of entry, by program (USD)"),
        charts.bars_by_importer(importers, "Exposure and refund by importer (USD)"),
        "</section>",
        "<section><h2>By entry: what to claim, how much, under which heading, by when</h2>", more,
        _table(ENTRY_COLUMNS, by_entry, entry_limit), "</section>",
        "<section><h2>By importer</h2>",
        _table(["importer", "entries", "errors", "paid", "refund", "exposure", "net_claim"], report.by_importer()),
        "</section>",
        "<section><h2>By month and program</h2>",
        _table(["month", "program", "paid", "as_filed", "as_known", "refund", "exposure"], report.by_month_program()),
        "</section>",
    ]
    if report.rejected:
        parts += ["<section><h2>Rejected rows of the last import</h2>",
                  _table(["row", "field", "message", "entry_number"], report.rejected, 1000), "</section>"]
    return "\n".join(parts)


def to_html(report: Report) -> bytes:
    style = ("body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0;"
             "font-size:13px}th,td{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}"
             "td.num{text-align:right;font-variant-numeric:tabular-nums}.charts svg{display:block;margin:1em 0}")
    page = (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Audit report, known at '
            f'{escape(report.known_at)}</title><style>{style}</style></head><body>'
            f"<h1>Audit report: entries as filed, as known at {escape(report.known_at)}</h1>"
            f"{html_body(report, None)}</body></html>\n")
    return page.encode("utf-8")


FORMATS = {"csv": to_csv, "xlsx": to_xlsx, "html": to_html}

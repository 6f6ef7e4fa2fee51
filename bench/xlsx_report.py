"""XLSX report writers compared in one run (not a test): the workbench report of --rows tariff rows
(default 10^5) written by openpyxl's write-only mode (the writer before branch b2) and by
tariffs.xlsx_stream (the writer now), seconds each, the ratio, and whether both read back the same.

    python3 bench/xlsx_report.py [--rows 100000] [--database sqlite:///kept.db]

The entry file is bench/workbench.py's; with --database pointing at a store already imported and re-run,
the import and re-run are skipped.
"""
from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.workbench import build_file  # noqa: E402
from tariffs.workbench import reports  # noqa: E402
from tariffs.workbench import store as wb  # noqa: E402
from tariffs.workbench.commands import import_file  # noqa: E402
from tariffs.workbench.run import rerun  # noqa: E402


def openpyxl_write_only(report) -> bytes:
    """The report's sheets through openpyxl's write-only workbook (the former reports.to_xlsx)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for title, columns, rows in sheets(report):
        ws = book.create_sheet(title)
        if columns:
            ws.append(columns)
        for row in rows:
            ws.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def sheets(report):
    importer_columns = ["importer", "entries", "errors", "paid", "refund", "exposure", "net_claim"]
    month_columns = ["month", "program", "paid", "as_filed", "as_known", "refund", "exposure"]
    yield "Summary", None, [list(r) for r in reports._summary_rows(report)]
    for title, columns, rows in (("By entry", reports.ENTRY_COLUMNS, report.by_entry()),
                                 ("By importer", importer_columns, report.by_importer()),
                                 ("By month and program", month_columns, report.by_month_program()),
                                 ("Detail", reports.DETAIL_COLUMNS, report.detail()),
                                 ("Rejected rows", ["row", "field", "message", "entry_number"], report.rejected)):
        yield title, columns, ([r[c] for c in columns] for r in rows)


def cells(data: bytes):
    from openpyxl import load_workbook

    def trimmed(row):  # an empty cell at the end of a row is not written by xlsx_stream
        row = list(row)
        while row and row[-1] is None:
            row.pop()
        return row

    book = load_workbook(io.BytesIO(data), read_only=True)
    return [[trimmed(row) for row in book[name].iter_rows(values_only=True)] for name in book.sheetnames]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database", default=None)
    parser.add_argument("--known-at", default="2026-11-20")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tariffs-bench-") as tmp:
        url = args.database
        if url is None:
            folder = Path(tmp)
            url = f"sqlite:///{folder / 'audit.db'}"
            import_file(str(build_file(args.rows, folder)), None, url)
            rerun(wb.open_store(url), args.known_at)
        report = reports.load_report(wb.open_store(url))
        report.detail(), report.by_entry()  # warm the store's objects for both writers alike
        t0 = time.perf_counter()
        before = openpyxl_write_only(report)
        t_before = time.perf_counter() - t0
        t0 = time.perf_counter()
        after = reports.to_xlsx(report)
        t_after = time.perf_counter() - t0
        detail_rows = len(report.detail())
        same = cells(before) == cells(after)
        print(f"report: {len(report.entries)} entries, {detail_rows} detail rows")
        print(f"openpyxl write-only: {t_before:8.1f} s ({len(before) / 1e6:.1f} MB)")
        print(f"xlsx_stream:         {t_after:8.1f} s ({len(after) / 1e6:.1f} MB)")
        print(f"ratio: {t_before / t_after:.1f}x faster; same cells read back: {same}")


if __name__ == "__main__":
    main()

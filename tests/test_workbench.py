"""The auditor's workbench end to end, on SQLite and on the real PostgreSQL the suite starts:
import an entry file, re-run it as filed and as known, reconcile, date the deadlines, report.

The hand case (tests/data/workbench/entries_hand.csv), re-run as known at 2026-11-20. Every
number below is worked from the law, not read from the engine:

AB1-0000001-1 (Acme Home), entered 2025-06-10, summary 2025-06-20, no liquidation date:
  line 1 CN 9403.60.80.93, 5000.00: MFN Free; Section 301 list 3 25% (9903.88.03) = 1250.00;
    IEEPA fentanyl 20% (9903.01.24) = 1000.00; IEEPA reciprocal 10% (9903.01.25) = 500.00.
  line 2 VN 6109.10.00.12, 3000.00: MFN 16.5% = 495.00; reciprocal 10% (9903.01.25, the pause) = 300.00.
  MPF 0.3464% x 8000.00 = 27.71, below the FY2025 minimum 32.71 -> 32.71 (paid 20.44 + 12.27 = 32.71);
  HMF 0.125% x 8000.00 = 10.00 (paid 6.25 + 3.75). All paid as due at filing.
  Learning Resources v. Trump voids the IEEPA duties: refund 1000.00 + 500.00 + 300.00 = 1800.00.
  Deadline: deemed liquidated 2025-06-10 + 1 year = 2026-06-10 (19 U.S.C. 1504(a)); protest by
  2026-06-10 + 180 days = 2026-12-07 (19 U.S.C. 1514(c)(3)); CAPE Phase 1 ended 80 days after
  liquidation (2026-08-29), before 2026-11-20.
AB1-0000002-2 (Blue Ridge), CN 6109.10.00.12, 10000.00, entered 2025-06-10, liquidated 2026-10-01:
  MFN 16.5% = 1650.00; Section 301 list 4A 7.5% (9903.88.15) = 750.00 NOT reported (paid 0):
  exposure 750.00; fentanyl 20% = 2000.00 and reciprocal 10% = 1000.00 paid: refund 3000.00.
  MPF 0.3464% x 10000 = 34.64; HMF 12.50. Deadline: CAPE Phase 1 until 2026-10-01 + 80 days =
  2026-12-20 (before the protest period's end, 2026-10-01 + 180 = 2027-03-30).
C7Q-0000003-3 (Blue Ridge), IN 7113.19.50.95, 20000.00, entered 2025-10-01 by air:
  MFN 5.5% = 1100.00; India 25% (9903.01.84) = 5000.00 but 5100.00 deposited (overpaid 100.00);
  reciprocal India 25% (9903.02.26) = 5000.00. Refund 5100.00 + 5000.00 = 10100.00.
  MPF 0.3464% x 20000 = 69.28; no HMF (air). Deemed liquidated 2026-10-01; CAPE until 2026-12-20.
C7Q-0000004-4 (Cascade Valve), DE 8481.80.90.50, 10000.00, entered 2024-03-01, liquidated 2025-01-10:
  MFN 2% = 200.00, nothing else; protest period ended 2025-01-10 + 180 = 2025-07-09: finally liquidated.
C7Q-0000005-5 (Delta), VN 6404.11.90.50, 8000.00, entered 2026-02-10: MFN 20% = 1600.00; reciprocal
  Vietnam 20% (9903.02.69) = 1600.00 -> refund 1600.00. MPF 0.3464% x 8000 = 27.71 < FY2026 minimum
  33.58 -> 33.58, paid 27.71: exposure 5.87. HMF 10.00. Unliquidated: PSC until 2026-02-10 + 300 days
  = 2026-12-07.
C7Q-0000006-6 (Delta): 9401.79.00.99 is not an HTSUS line: not priced (paid 800.00 listed, no claim).

Totals: refund 1800.00 + 3000.00 + 10100.00 + 1600.00 = 16500.00; exposure 750.00 + 5.87 = 755.87.
"""
import datetime as dt
import json
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from tariffs.cli import main
from tariffs.errors import InputError
from tariffs.store import StoreError
from tariffs.workbench import fileformat, importer, reports
from tariffs.workbench import store as wb
from tariffs.workbench.run import rerun

HAND = Path(__file__).parent / "data" / "workbench" / "entries_hand.csv"
KNOWN = "2026-11-20"
D = Decimal


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'audit.db'}"
        return
    import sqlalchemy

    base = request.getfixturevalue("postgres_url")
    name = "wb_" + uuid.uuid4().hex[:12]
    admin = sqlalchemy.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(sqlalchemy.text(f"CREATE DATABASE {name}"))
    yield base.replace("/postgres?", f"/{name}?")
    with admin.connect() as c:
        c.execute(sqlalchemy.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


def _import(url, path=HAND, columns=None):
    batch = importer.validate(fileformat.read_table(path, fileformat.parse_column_map(columns)))
    store = wb.open_store(url)
    return store, wb.save_import(store, batch, Path(path).name, "0" * 64)


def test_hand_case_refund_and_exposure_to_the_cent(store_url, engine):
    store, summary = _import(store_url)
    assert (summary.entries, summary.rows, summary.rejected) == (6, 17, [])
    run_id = rerun(store, KNOWN, engine)
    report = reports.load_report(store, run_id)
    totals = report.totals()
    assert totals["refund"] == D("16500.00") and totals["exposure"] == D("755.87")
    entries = {e.entry_number: e for e in report.entries}
    assert {k: (e.refund, e.exposure) for k, e in entries.items()} == {
        "AB1-0000001-1": (D("1800.00"), D("0.00")), "AB1-0000002-2": (D("3000.00"), D("750.00")),
        "C7Q-0000003-3": (D("10100.00"), D("0.00")), "C7Q-0000004-4": (D("0.00"), D("0.00")),
        "C7Q-0000005-5": (D("1600.00"), D("5.87")), "C7Q-0000006-6": (D("0.00"), D("0.00"))}
    detail = {(r["entry_number"], r["line_number"], r["heading"]): r for r in report.detail()}
    # the three comparisons, per heading
    missing = detail[("AB1-0000002-2", 1, "9903.88.15")]
    assert (missing["paid"], missing["as_filed"], missing["as_known"]) == (D("0.00"), D("750.00"), D("750.00"))
    assert "not reported at filing" in missing["finding"]
    typo = detail[("C7Q-0000003-3", 1, "9903.01.84")]
    assert (typo["filed_minus_paid"], typo["known_minus_filed"], typo["paid_minus_known"]) == (
        D("-100.00"), D("-5000.00"), D("5100.00"))
    mpf = detail[("C7Q-0000005-5", "", "MPF")]
    assert (mpf["paid"], mpf["as_filed"], mpf["exposure"]) == (D("27.71"), D("33.58"), D("5.87"))
    # deadlines
    assert (entries["AB1-0000001-1"].deadline_status, entries["AB1-0000001-1"].next_date) == (
        "liquidated (deemed)", dt.date(2026, 12, 7))
    assert entries["AB1-0000002-2"].next_date == dt.date(2026, 12, 20)
    assert "CAPE" in entries["AB1-0000002-2"].next_action
    assert entries["C7Q-0000003-3"].next_date == dt.date(2026, 12, 20)
    assert entries["C7Q-0000004-4"].deadline_status == "finally liquidated" and entries["C7Q-0000004-4"].next_date is None
    assert entries["C7Q-0000005-5"].next_date == dt.date(2026, 12, 7) and "post-summary" in \
        entries["C7Q-0000005-5"].next_action
    # the entry that cannot be priced says why, naming its line
    bad = entries["C7Q-0000006-6"]
    assert bad.status == "error" and bad.error.startswith("line 1.hts: 9401.79.00.99") and bad.paid == D("800.00")
    assert report.run.ruleset_sha256 == engine.rules.sha256


def test_as_known_at_filing_nothing_to_refund(tmp_path, engine):
    # Known at 2026-02-19, the day before Learning Resources v. Trump, the IEEPA duties stand: only the
    # mistakes remain: refund 100.00 (the India deposit typed 100.00 too high), exposure 750.00 (the
    # unreported Section 301 row) + 5.87 (the MPF short of the FY2026 minimum) = 755.87.
    store, _ = _import(f"sqlite:///{tmp_path / 'a.db'}")
    report = reports.load_report(store, rerun(store, "2026-02-19", engine))
    assert report.totals()["refund"] == D("100.00") and report.totals()["exposure"] == D("755.87")


def test_rerun_is_reproducible_byte_for_byte(store_url, engine):
    store, _ = _import(store_url)
    first, second = rerun(store, KNOWN, engine), rerun(store, KNOWN, engine)
    assert first != second
    a, b = reports.load_report(store, first), reports.load_report(store, second)
    for fmt in ("csv", "html"):
        assert reports.FORMATS[fmt](a) == reports.FORMATS[fmt](b)
    strip = lambda rows: [{k: v for k, v in vars(r).items() if k not in ("id", "run_id", "_sa_instance_state")}
                          for r in rows]
    assert strip(a.entries) == strip(b.entries) and strip(a.headings) == strip(b.headings)


def test_reimport_replaces_and_says_so(store_url):
    store, first = _import(store_url)
    assert first.replaced == []
    _, again = _import(store_url)
    assert again.replaced == ["AB1-0000001-1", "AB1-0000002-2", "C7Q-0000003-3", "C7Q-0000004-4", "C7Q-0000005-5",
                              "C7Q-0000006-6"]
    assert len(wb.load_entries(store)) == 6


def test_import_lands_whole_or_not_at_all(tmp_path):
    # A real failure inside the transaction (the tariff-row table is gone): nothing of the import stays.
    import sqlalchemy

    url = f"sqlite:///{tmp_path / 'a.db'}"
    store = wb.open_store(url)
    with store.engine.begin() as c:
        c.execute(sqlalchemy.text("DROP TABLE wb_tariff_rows"))
    batch = importer.validate(fileformat.read_table(HAND))
    with pytest.raises(StoreError):
        wb.save_import(store, batch, "entries_hand.csv", "0" * 64)
    assert wb.last_import(store) is None
    with store.engine.connect() as c:
        assert c.execute(sqlalchemy.text("SELECT count(*) FROM wb_entries")).scalar() == 0


BAD = """entry_number,line_number,importer,entry_type,entry_date,filed_on,mode,origin,hts,entered_value,duty_paid
AB1-0000001-1,1,Acme,01,2025-06-10,2025-06-20,11,CN,9403.60.80.93,5000.00,0.00
AB1-0000001-1,1,Acme,01,2025-06-10,2025-06-20,11,CN,9903.88.03,,1250.5
AB1-0000002-2,1,Acme,01,2025-06-10,2025-06-20,ship,CN,9403.60.80.93,5000.00,0.00
AB1-0000002-2,1,Acme,01,2025-06-10,2025-06-20,11,CN,9903.88.03,,1250.00
X,1,Acme,01,2025-06-10,2025-06-20,11,CN,9403.60.80.93,5000.00,0.00
AB1-0000003-3,1,Acme,01,2025-06-10,2025-06-20,11,CN,9403.60.80.93,,0.00
AB1-0000004-4,1,Acme,01,2025-06-10,2025-06-20,11,CN,9403.60.80.93,100.00,1.234
AB1-0000005-5,1,Acme,01,2025-06-10,2025-06-21,11,CN,9403.60.80.93,100.00,0.00
AB1-0000005-5,1,Acme,01,2025-06-10,2025-06-20,11,CN,9903.88.03,,25.00
"""


def test_rejected_rows_name_row_and_field(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(BAD)
    batch = importer.validate(fileformat.read_table(path))
    assert [e.entry_number for e in batch.entries] == ["AB1-0000001-1"]
    got = [(r.row_number, r.field) for r in batch.rejected]
    assert got == [(4, "mode"), (5, "entry_number"), (6, "entry_number"), (7, "entered_value"), (8, "duty_paid"),
                   (9, "entry_number"), (10, "filed_on")]
    assert "differs from 2025-06-21 on row 9" in batch.rejected[-1].message
    assert "has a rejected row (row 4)" in batch.rejected[1].message


def test_column_map_and_xlsx_input(tmp_path):
    import pandas as pd

    frame = pd.read_csv(HAND, dtype=str, keep_default_na=False).rename(
        columns={"entry_number": "Entry No", "duty_paid": "Duty Amount", "hts": "HTS Number"})
    path = tmp_path / "ace.xlsx"
    frame.to_excel(path, index=False)
    read = fileformat.read_table(path, fileformat.parse_column_map(
        "Entry No=entry_number, Duty Amount=duty_paid, HTS Number=hts"))
    assert list(read.columns) == fileformat.COLUMN_NAMES
    assert read.equals(fileformat.read_table(HAND))
    with pytest.raises(InputError) as exc:
        fileformat.read_table(path)
    assert exc.value.field == "entry_number"
    with pytest.raises(InputError) as exc:
        fileformat.parse_column_map("Entry No=entry_no")
    assert exc.value.field == "--columns" and "entry_number" in exc.value.allowed


def test_parquet_input(tmp_path):
    import pandas as pd

    path = tmp_path / "entries.parquet"
    pd.read_csv(HAND, dtype=str, keep_default_na=False).to_parquet(path)
    assert fileformat.read_table(path).equals(fileformat.read_table(HAND))


def test_cli_import_rerun_report(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    runner = CliRunner()
    out = runner.invoke(main, ["audit", "import", str(HAND), "--database", url])
    assert out.exit_code == 0, out.output
    assert "6 entries, 17 tariff rows imported" in out.output
    again = runner.invoke(main, ["audit", "import", str(HAND), "--database", url])
    assert "replaced 6 entries already stored: AB1-0000001-1" in again.output
    ran = runner.invoke(main, ["audit", "rerun", "--known-at", KNOWN, "--database", url, "--no-progress"])
    assert ran.exit_code == 0, ran.output
    assert "refund 16500.00, exposure 755.87" in ran.output and "1 entries not priced" in ran.output
    for fmt in ("csv", "xlsx", "html"):
        target = tmp_path / f"report.{fmt}"
        done = runner.invoke(main, ["audit", "report", "--format", fmt, "-o", str(target), "--database", url])
        assert done.exit_code == 0, done.output
    text = (tmp_path / "report.csv").read_text()
    assert text.splitlines()[0].startswith("entry_number,importer,entry_date,filed_on,line_number,heading")
    html = (tmp_path / "report.html").read_text()
    assert html.count("<svg") == 2 and "Refund by month" in html and "16500.00" in html
    from openpyxl import load_workbook

    book = load_workbook(tmp_path / "report.xlsx")
    assert book.sheetnames == ["Summary", "By entry", "By importer", "By month and program", "Detail", "Rejected rows"]
    by_importer = {r[0]: r for r in book["By importer"].iter_rows(min_row=2, values_only=True)}
    # Blue Ridge: refund 3000.00 + 10100.00, exposure 750.00
    assert by_importer["Blue Ridge"][4] == D("13100.00") or by_importer["Blue Ridge"][4] == 13100


def test_cli_bad_input_is_one_line_exit_2(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    runner = CliRunner()
    bad = tmp_path / "bad.csv"
    bad.write_text("entry_number,line_number\nAB1-0000001-1,1\n")
    for args in (["audit", "import", str(tmp_path / "none.csv")], ["audit", "import", str(bad)],
                 ["audit", "import", str(HAND), "--columns", "x=nope"],
                 ["audit", "report", "--format", "csv", "-o", "-"],
                 ["audit", "rerun", "--known-at", "yesterday"],
                 # outside the accepted years (1900-01-01..9998-12-31): refused as the library refuses them,
                 # not an OverflowError on the way to the store (exit 1) nor a run of 0001 with nothing priced
                 ["audit", "rerun", "--known-at", "9999-12-31T23:59:59-14:00"],
                 ["audit", "rerun", "--known-at", "0001-01-01"],
                 ["rules", "diff", "installed", "installed", "--known-at", "9999-12-31T23:59:59-14:00"]):
        out = runner.invoke(main, args + ["--database", url])
        assert out.exit_code == 2, (args, out.output)
        assert len(out.output.strip().splitlines()) == 1 and "Traceback" not in out.output
    strict = tmp_path / "some_bad.csv"
    strict.write_text(BAD)
    out = runner.invoke(main, ["audit", "import", str(strict), "--strict", "--database", url])
    assert out.exit_code == 2 and "strict import: 7 row(s) rejected, first row 4" in out.output


def test_same_cents_as_the_batch_interface(tmp_path, engine):
    # The hand entries are all formal and above $2,500, the entry type quote_frame would choose itself:
    # the workbench's amounts per line and program must be quote_frame's, as known and as filed.
    import pandas as pd

    from tariffs.batch import quote_frame
    from tariffs.workbench.pricing import shipment_of_entry

    store, _ = _import(f"sqlite:///{tmp_path / 'a.db'}")
    report = reports.load_report(store, rerun(store, KNOWN, engine))
    entries = [e for e in wb.load_entries(store) if e.entry_number != "C7Q-0000006-6"]
    rows = []
    for e in entries:
        s = shipment_of_entry(e)
        for line in s["lines"]:
            rows.append({"entry": e.entry_number, "entry_date": s["entry_date"], "filed_on": s["filed_on"],
                         "mode": s["mode"], "hts": line["hts"], "origin": line["origin"],
                         "customs_value": line["customs_value"], "quantity": line.get("quantity", ""),
                         "unit": line.get("unit", ""), "claims": " ".join(line.get("claims", []))})
    frame = pd.DataFrame(rows)
    numbers = [n for e in entries for n in sorted(e.lines)]
    for column, as_filed in (("as_known", False), ("as_filed", True)):
        priced = quote_frame(frame, KNOWN, engine, as_filed=as_filed)
        batch = {}
        for (_, row), number in zip(priced.iterrows(), numbers):
            for name, value in row.items():
                if name.startswith("duty_") and value:
                    batch[(row["entry"], number, name[5:])] = D(value)
        ours = {}
        for h in report.headings:
            if h.line_number:
                key = (h.entry_number, h.line_number, h.program)
                ours[key] = ours.get(key, D("0.00")) + getattr(h, column)
        assert {k: v for k, v in batch.items() if v} == {k: v for k, v in ours.items() if v}, column


def test_migration_makes_the_tables_the_models_map(store_url):
    # The schema comes from migration 0002; the models must map it exactly (columns, types, keys, indexes).
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import MetaData

    from tariffs.workbench.models import TABLES

    store = wb.open_store(store_url)
    metadata = MetaData()
    for table in TABLES:
        table.__table__.to_metadata(metadata)
    with store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = [d for d in compare_metadata(context, metadata)
                       if not (isinstance(d, tuple) and d[0] == "remove_table" and not d[1].name.startswith("wb_"))
                       and not (isinstance(d, tuple) and d[0] == "remove_index" and not d[1].table.name.startswith("wb_"))]
    assert differences == []


def test_cli_rerun_like_an_earlier_run_and_rerun_of_a_recorded_quote(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    runner = CliRunner()
    assert runner.invoke(main, ["audit", "import", str(HAND), "--database", url]).exit_code == 0
    first = runner.invoke(main, ["audit", "rerun", "--known-at", KNOWN, "--database", url, "--no-progress"])
    run_id = int(first.output.split()[1].rstrip(":"))
    again = runner.invoke(main, ["audit", "rerun", "--like", str(run_id), "--database", url, "--no-progress"])
    assert again.exit_code == 0, again.output
    assert f"is identical to run {run_id} (same CSV and HTML report bytes)" in again.output
    # with an id, `audit rerun` still re-prices one recorded quote (the audit log's command)
    shipment_file = Path(__file__).parent / "data" / "contract" / "shipment.example.json"
    recorded = runner.invoke(main, ["quote", str(shipment_file), "--record", "--database", url,
                                    "--known-at", "2026-11-21"])
    assert recorded.exit_code == 0, recorded.output
    quote_id = recorded.output.split("recorded as audit id ")[1].split()[0]
    out = runner.invoke(main, ["audit", "rerun", quote_id, "--known-at", "2026-11-21", "--database", url])
    assert out.exit_code == 0 and json.loads(out.output)["difference"] == "0.00"


def test_ace_spellings_and_fees_repeated_per_entry(tmp_path, engine):
    # MM/DD/YYYY dates, $ and thousands separators, ACE status words; the entry's MPF (0.3464% x 20000.00
    # = 69.28) printed on both lines instead of prorated is read once: no refund of MPF.
    text = """entry_number,line_number,importer,entry_type,entry_date,filed_on,liquidation_status,mode,origin,hts,entered_value,duty_paid,mpf_paid
AB1 0000009 9,1,Acme,1,06/10/2025,06/20/2025,Open,11,VN,6109.10.00.12,"$10,000.00","$1,650.00",69.28
AB1 0000009 9,2,Acme,1,06/10/2025,06/20/2025,Open,11,VN,6110.20.20.79,"10,000.00",1650.00,69.28
"""
    path = tmp_path / "ace.csv"
    path.write_text(text)
    batch = importer.validate(fileformat.read_table(path))
    assert batch.rejected == [] and batch.entries[0].entry_number == "AB1-0000009-9"
    assert batch.entries[0].entry_date == dt.date(2025, 6, 10) and batch.entries[0].liquidation_status == "unliquidated"
    from tariffs.workbench.pricing import price_entry
    from tariffs.workbench.reconcile import reconcile

    entry = batch.entries[0]
    priced = price_entry(entry, dt.datetime(2026, 11, 20, tzinfo=dt.timezone.utc), engine)
    result = reconcile(entry, priced.as_filed, priced.as_known)
    mpf = next(h for h in result.headings if h.heading == "MPF")
    assert (mpf.paid, mpf.as_filed, mpf.refund) == (D("69.28"), D("69.28"), D("0.00"))
    assert "MPF given per entry (the same amount on every line): read once" in result.notes


def test_deadline_rows_are_sourced_and_checked(tmp_rules):
    from tariffs.errors import RulesError
    from tariffs.workbench.deadlines import load_deadlines

    rows = load_deadlines(tmp_rules)
    assert {r.kind for r in rows} == {"deemed_liquidation", "post_summary_correction", "protest", "ieepa_refund"}
    assert all(r.legal_basis and r.source.startswith("http") and r.confidence in ("primary", "secondary")
               for r in rows)
    path = tmp_rules / "us" / "deadlines.csv"
    path.write_text(path.read_text().replace("https://www.law.cornell.edu/uscode/text/19/1514", "cornell"))
    with pytest.raises(RulesError) as exc:
        load_deadlines(tmp_rules)
    assert "us.protest.1514" in str(exc.value) and "source is not a URL" in str(exc.value)


@pytest.mark.parametrize("entry_date, liquidation, status, as_of, expected", [
    # PSC: 300 days after entry, or 15 days before a scheduled liquidation, whichever is earlier
    ("2026-02-10", None, "", "2026-12-07", ("unliquidated", "2026-12-07")),  # last day of the PSC window
    ("2026-02-10", None, "", "2026-12-08", ("unliquidated", "2027-02-10")),  # then the deemed liquidation
    ("2026-02-10", "2026-11-01", "scheduled", "2026-10-10", ("unliquidated", "2026-10-17")),  # 11-01 minus 15
    # protest: 180 days after liquidation, the last day included
    ("2024-03-01", "2025-01-10", "liquidated", "2025-07-09", ("liquidated", "2025-07-09")),
    ("2024-03-01", "2025-01-10", "liquidated", "2025-07-10", ("finally liquidated", None)),
    # extended: no deemed liquidation date
    ("2025-01-15", None, "extended", "2026-11-20", ("unliquidated (extended)", None)),
])
def test_deadline_edges(entry_date, liquidation, status, as_of, expected):
    from tariffs.rules.ruleset import default_rules_path
    from tariffs.workbench.deadlines import entry_deadline, load_deadlines

    day = dt.date.fromisoformat
    result = entry_deadline(load_deadlines(default_rules_path()), day(entry_date),
                            day(liquidation) if liquidation else None, status, day(as_of), set())
    assert (result.status, result.next_date.isoformat() if result.next_date else None) == expected


def test_entry_columns_carried_down_from_the_first_row(tmp_path):
    text = """entry_number,line_number,importer,entry_type,entry_date,filed_on,mode,origin,hts,entered_value,duty_paid
AB1-0000001-1,1,Acme,01,2025-06-10,2025-06-20,11,CN,9403.60.80.93,5000.00,0.00
AB1-0000001-1,1,,,,,,,9903.88.03,,1250.00
AB1-0000001-1,2,,,,,,VN,6109.10.00.12,3000.00,495.00
AB1-0000001-1,2,,,,,,,9903.01.25,,300.00
"""
    path = tmp_path / "sparse.csv"
    path.write_text(text)
    batch = importer.validate(fileformat.read_table(path))
    assert batch.rejected == []
    entry = batch.entries[0]
    assert entry.importer == "Acme" and entry.lines[2].origin == "VN" and entry.lines[2].chapter99 == ["9903.01.25"]


def test_errors_name_the_entry_line_as_the_engine_names_the_field(tmp_path, engine):
    # Priced through quote_frame, an entry's error still names the entry's own line number and the engine's
    # field and message (the text the per-entry engine call gave): line 2 of this entry is not an HTSUS line.
    text = """entry_number,line_number,importer,entry_type,entry_date,filed_on,mode,origin,hts,entered_value,duty_paid
AB1-0000007-7,1,Acme,01,2025-07-01,2025-07-02,11,VN,6109.10.00.12,3000.00,495.00
AB1-0000007-7,2,Acme,01,2025-07-01,2025-07-02,11,CN,9401.79.00.99,4000.00,0.00
"""
    path = tmp_path / "bad.csv"
    path.write_text(text)
    entry = importer.validate(fileformat.read_table(path)).entries[0]
    from tariffs.workbench.pricing import price_entry, shipment_of_entry

    with pytest.raises(InputError) as raised:
        engine.quote(shipment_of_entry(entry), KNOWN)
    exc = raised.value
    assert exc.field == "lines[1].hts"
    priced = price_entry(entry, dt.datetime(2026, 11, 20, 23, 59, tzinfo=dt.timezone.utc), engine)
    expected = f"line 2.hts: {exc.message}" + (f" (allowed: {exc.allowed})" if exc.allowed else "")
    assert (priced.as_known, priced.error) == (None, expected[:500])


def test_rerun_in_chunks_gives_the_same_results(tmp_path, engine):
    # One quote_frame call per chunk: a chunk of one entry or of all of them gives the same result rows.
    from tariffs.workbench.run import evaluate, known_at_moment

    store, _ = _import(f"sqlite:///{tmp_path / 'a.db'}")
    entries = wb.load_entries(store)
    moment = known_at_moment(KNOWN)
    whole = evaluate(entries, moment, engine, engine.rules.root)
    ones = evaluate(entries, moment, engine, engine.rules.root, chunk_entries=1)
    assert whole == ones and len(whole[0]) == 6


def test_cli_rerun_of_a_recorded_quote_reads_known_at(tmp_path, engine):
    # `tariffs audit rerun ID --known-at K` (the recorded-quote re-run behind the workbench's command): a bad
    # K is refused on --known-at before the id is looked up; a good one re-prices the recorded quote.
    # Recorded as known 2025-10-01: MFN 16.5% x 10000.00 = 1650.00 + Taiwan reciprocal 20% = 2000.00; voided
    # by Learning Resources v. Trump: 1650.00 as known 2026-11-21.
    from tariffs.store import Store

    from conftest import shipment

    url = f"sqlite:///{tmp_path / 'q.db'}"
    s = shipment(entry_date="2025-10-01", line={"hts": "6109.10.00.12", "origin": "TW", "customs_value": "10000.00"})
    quote_id = Store(url).record(s, engine.quote(s, known_at="2025-10-01"))
    runner = CliRunner()
    bad = runner.invoke(main, ["audit", "rerun", "999", "--known-at", "abc", "--database", url])
    assert bad.exit_code == 2 and "--known-at" in bad.output
    good = runner.invoke(main, ["audit", "rerun", str(quote_id), "--known-at", "2026-11-21", "--database", url])
    assert good.exit_code == 0, good.output
    report = json.loads(good.output)
    assert (report["recorded_duties"], report["duties_now"]) == ("3650.00", "1650.00")

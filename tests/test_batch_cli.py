"""`tariffs batch IN -o OUT` through a real subprocess: CSV, XLSX and Parquet in and out, entries kept whole
across chunks, an errors file, formula-like cells escaped, bad input exit 2 with one line."""
import csv
import os
import subprocess
import sys
from decimal import Decimal

import pandas as pd
import pytest

from conftest import ROOT

HEADER = ["entry", "entry_date", "hts", "origin", "customs_value", "copper_content", "mode"]
# Entry E1: three lines of TW copper wire (copper content = full value): 3% MFN + 50% Section 232 = 53% each.
BOOK = [
    ["E1", "2025-12-01", "7408.11.60.00", "TW", "200000.00", "200000.00", "air"],
    ["E1", "2025-12-01", "7408.11.60.00", "TW", "100000.00", "100000.00", "air"],
    ["E1", "2025-12-01", "7408.11.60.00", "TW", "100000.00", "100000.00", "air"],
    ["", "2025-12-01", "=HYPERLINK(\"x\")", "TW", "1.00", "", "air"],
    ["E2", "2025-12-01", "7408.11.60.00", "TW", "3000.00", "3000.00", "air"],
]


def run(*args):
    return subprocess.run([sys.executable, "-m", "tariffs.cli", "batch", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=300)


def write_csv(path, rows, header=HEADER):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def read(path):
    if str(path).endswith(".parquet"):
        return pd.read_parquet(path)
    if str(path).endswith(".xlsx"):
        return pd.read_excel(path, dtype=str, keep_default_na=False)
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def check_book(out):
    assert list(out["status"]) == ["ok", "ok", "ok", "error", "ok"]
    # E1: duties 53% of 200,000 / 100,000 / 100,000 = 106,000.00, 53,000.00, 53,000.00.
    assert list(out["duties"][:3]) == ["106000.00", "53000.00", "53000.00"]
    # MPF 0.3464% x 400,000.00 = 1,385.60 > FY2026 maximum 651.50: 651.50 split 2:1:1 = 325.75, 162.875,
    # 162.875 -> floors 325.75 + 162.87 + 162.87 = 651.49; the cent goes to the earlier of the equal remainders.
    assert list(out["mpf"][:3]) == ["325.75", "162.88", "162.87"]
    assert set(out["entry_mpf"][:3]) == {"651.50"} and set(out["entry_lines"][:3]) == {"3"}
    # By air: no HMF. E2 alone: 0.3464% x 3,000.00 = 10.39 < minimum 33.58 -> 33.58.
    assert list(out["hmf"][:3]) == ["0.00"] * 3 and out["mpf"].iloc[4] == "33.58"
    assert out["error_field"].iloc[3] == "hts"


@pytest.mark.parametrize("out_ext", ["csv", "parquet", "xlsx"])
def test_batch_csv_in_each_format_out_with_entries_across_chunks(tmp_path, out_ext):
    book = write_csv(tmp_path / "book.csv", BOOK)
    out = tmp_path / f"priced.{out_ext}"
    # A chunk of 2 rows would cut E1 after its second line: the reader keeps the entry whole.
    p = run(str(book), "-o", str(out), "--known-at", "2026-11-21", "--chunk-size", "2",
            "--errors", str(tmp_path / "errors.csv"))
    assert p.returncode == 0, p.stderr
    assert p.stderr.strip().splitlines() == ["priced 4 of 5 rows, 1 error(s)"]
    priced = read(out)
    check_book(priced)
    errors = read(tmp_path / "errors.csv")
    assert len(errors) == 1 and errors["error_field"].iloc[0] == "hts"
    if out_ext != "parquet":
        # A cell a spreadsheet would run as a formula is written as text.
        assert priced["hts"].iloc[3] == "'=HYPERLINK(\"x\")"


def test_batch_parquet_in(tmp_path):
    frame = pd.DataFrame(BOOK, columns=HEADER)
    frame.to_parquet(tmp_path / "book.parquet")
    p = run(str(tmp_path / "book.parquet"), "-o", str(tmp_path / "priced.csv"), "--known-at", "2026-11-21")
    assert p.returncode == 0, p.stderr
    check_book(read(tmp_path / "priced.csv"))


def test_batch_xlsx_in_with_numbers(tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    # Spreadsheet numbers (floats) are read back as the text that was typed.
    sheet.append(["E9", "2025-12-01", "7408.11.60.00", "TW", 100000.0, 100000, "air"])
    workbook.save(tmp_path / "book.xlsx")
    p = run(str(tmp_path / "book.xlsx"), "-o", str(tmp_path / "priced.csv"), "--known-at", "2026-11-21")
    assert p.returncode == 0, p.stderr
    out = read(tmp_path / "priced.csv")
    assert out["customs_value"].iloc[0] == "100000" and out["duties"].iloc[0] == "53000.00"


def test_an_entry_that_comes_back_is_refused(tmp_path):
    rows = [BOOK[4], ["E3", *BOOK[4][1:]], BOOK[4]]
    p = run(str(write_csv(tmp_path / "b.csv", rows)), "-o", str(tmp_path / "o.csv"), "--known-at", "2026-11-21",
            "--chunk-size", "1")
    assert p.returncode == 0, p.stderr
    out = read(tmp_path / "o.csv")
    assert list(out["status"]) == ["ok", "ok", "error"]
    assert out["error_field"].iloc[2] == "entry" and "adjacent" in out["error"].iloc[2]


def test_as_filed(tmp_path):
    # CN copper wire entered 2025-12-01: as filed 3% + 25% (301) + 50% (232) + 10% (IEEPA fentanyl) = 88% of
    # 100,000 = 88,000.00; as known 2026-11-21 the IEEPA duty is void: 78,000.00; refundable 10,000.00.
    rows = [["", "2025-12-01", "7408.11.60.00", "CN", "100000.00", "100000.00", "ocean"]]
    book = write_csv(tmp_path / "b.csv", rows)
    p = run(str(book), "-o", str(tmp_path / "known.csv"), "--known-at", "2026-11-21")
    q = run(str(book), "-o", str(tmp_path / "filed.csv"), "--known-at", "2026-11-21", "--as-filed")
    assert p.returncode == q.returncode == 0, p.stderr + q.stderr
    known, filed = read(tmp_path / "known.csv"), read(tmp_path / "filed.csv")
    assert (known["duties"].iloc[0], filed["duties"].iloc[0]) == ("78000.00", "88000.00")
    assert known["refundable"].iloc[0] == filed["refundable"].iloc[0] == "10000.00"
    assert Decimal(filed["duty_ieepa_fentanyl"].iloc[0]) == Decimal("10000.00")


@pytest.mark.parametrize("make, args, needle", [
    (None, ["missing.csv", "-o", "o.csv"], "IN: 'missing.csv' does not exist"),
    ("book.csv", ["book.csv", "-o", "o.pdf"], "-o: 'o.pdf': unknown file type"),
    ("book.txt", ["book.txt", "-o", "o.csv"], "IN: 'book.txt': unknown file type"),
    ("nohts.csv", ["nohts.csv", "-o", "o.csv"], "missing column(s) hts"),
    ("book.csv", ["book.csv", "-o", "o.csv", "--known-at", "someday"], "--known-at"),
    ("book.csv", ["book.csv", "-o", "o.csv", "--chunk-size", "0"], "--chunk-size"),
    ("bad.parquet", ["bad.parquet", "-o", "o.csv"], "not a readable Parquet file"),
    ("bad.xlsx", ["bad.xlsx", "-o", "o.csv"], "not a readable XLSX workbook"),
    ("book.csv", ["book.csv", "-o", "o.csv", "--workers", "0"], "--workers: 0 is not a positive number"),
    ("binary.csv", ["binary.csv", "-o", "o.csv"], "IN: binary.csv: not a readable UTF-8 CSV file"),
])
def test_bad_input_exits_2_with_one_line(tmp_path, make, args, needle):
    if make in ("book.csv", "book.txt"):
        write_csv(tmp_path / make, BOOK)
    elif make == "nohts.csv":
        write_csv(tmp_path / make, [r[:2] for r in BOOK], HEADER[:2])
    elif make == "binary.csv":
        (tmp_path / make).write_bytes(b"\x89PNG\r\n\x1a\n\x00\xff\xfe")  # not UTF-8 from its first bytes
    elif make:
        (tmp_path / make).write_bytes(b"not really")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # this checkout's tariffs, run from the temporary folder
    p = subprocess.run([sys.executable, "-m", "tariffs.cli", "batch", *args], capture_output=True, text=True,
                       cwd=tmp_path, timeout=120, env=env)
    assert p.returncode == 2, p.stderr
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0], p.stderr


def test_batch_on_a_local_cluster_from_the_command_line(tmp_path):
    book = write_csv(tmp_path / "book.csv", BOOK)
    p = run(str(book), "-o", str(tmp_path / "priced.csv"), "--known-at", "2026-11-21", "--workers", "1",
            "--chunk-size", "2")
    assert p.returncode == 0, p.stderr
    assert p.stderr.strip().splitlines() == ["priced 4 of 5 rows, 1 error(s)"]
    check_book(read(tmp_path / "priced.csv"))


def test_csv_output_escapes_the_users_column_headers(tmp_path):
    """Headers are user text: one a spreadsheet would run as a formula is written with a leading quote."""
    header = HEADER + ["=HYPERLINK(\"http://x\")", "@sum", "+1", "-cmd"]
    book = write_csv(tmp_path / "book.csv", [BOOK[0] + ["a", "b", "c", "d"]], header)
    p = run(str(book), "-o", str(tmp_path / "out.csv"), "--known-at", "2026-11-21")
    assert p.returncode == 0, p.stderr
    with open(tmp_path / "out.csv", newline="", encoding="utf-8") as f:
        written = next(csv.reader(f))
    assert written[len(HEADER):len(HEADER) + 4] == ["'=hyperlink(\"http://x\")", "'@sum", "'+1", "'-cmd"]
    assert not any(h[:1] in "=+-@" for h in written if h)

"""tariffs.xlsx_stream: the streaming writer of the workbench's XLSX report, read back by openpyxl."""
import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from tariffs.xlsx_stream import Workbook, column_letter


def write(sheets, created=dt.datetime(2026, 11, 20, 23, 59, 59)):
    out = io.BytesIO()
    with Workbook(out, created=created) as book:
        for title, rows in sheets:
            sheet = book.sheet(title)
            for row in rows:
                sheet.append(row)
    return out.getvalue()


def test_column_letters():
    assert [column_letter(i) for i in (0, 25, 26, 51, 52, 701, 702)] == ["A", "Z", "AA", "AZ", "BA", "ZZ", "AAA"]


def test_values_read_back_by_openpyxl():
    rows = [["entry_number", "paid", "lines", "note"],
            ["AB1-0000001-1", Decimal("12345678901.23"), 3, "<a & b> \"quoted\""],
            ["  padded ", Decimal("-0.10"), 0, None],
            ["=SUM(A1:A2)", "", None, "tab\there\x01bell"]]
    data = write([("By entry", rows), ("Rejected rows", [["row", "field"]])])
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["By entry", "Rejected rows"]
    got = list(book["By entry"].iter_rows(values_only=True))
    assert got[0] == ("entry_number", "paid", "lines", "note")
    assert got[1][0] == "AB1-0000001-1" and got[1][2] == 3 and got[1][3] == "<a & b> \"quoted\""
    assert Decimal(str(got[1][1])) == Decimal("12345678901.23")
    assert got[2][0] == "  padded " and Decimal(str(got[2][1])) == Decimal("-0.1") and got[2][3] is None
    # Text that looks like a formula stays text; a control character XML cannot hold is dropped.
    assert got[3][0] == "=SUM(A1:A2)" and got[3][1] is None and got[3][3] == "tab\there" + "bell"
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
        assert "<v>12345678901.23</v>" in sheet and "<v>-0.10</v>" in sheet  # the exact decimal text
        assert "2026-11-20T23:59:59Z" in z.read("docProps/core.xml").decode()


def test_same_rows_same_bytes():
    sheets = [("Summary", [["known at", "2026-11-20"], ["refund", Decimal("16500.00")]])]
    assert write(sheets) == write(sheets)
    assert write(sheets) != write(sheets, created=dt.datetime(2026, 11, 21))


@pytest.mark.parametrize("title", ["", "x" * 32, "a/b", "what?", "dup"])
def test_bad_sheet_names_are_refused(title):
    out = io.BytesIO()
    with Workbook(out) as book:
        book.sheet("dup")
        with pytest.raises(ValueError, match="sheet name"):
            book.sheet(title)


def test_floats_are_refused():
    out = io.BytesIO()
    with Workbook(out) as book:
        sheet = book.sheet("S")
        with pytest.raises(TypeError, match="Decimal"):
            sheet.append([0.1])

"""Batch upload: CSV and XLSX in (with a bad row), priced file out; the form page and the API."""
from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import Workbook, load_workbook

import tariffs
from web.batchfile import COLUMN_NAMES

KNOWN_AT = "2026-11-21"
HEADER = ["reference", "entry_date", "hts", "origin", "customs_value", "copper_content", "freight", "mode"]
ROWS = [
    ["good-tw", "2025-12-01", "7408.11.60.00", "TW", "100000.00", "100000.00", "4650.00", "ocean"],
    ["bad-hts", "2025-12-01", "12", "TW", "100.00", "", "", "ocean"],
    ["good-cn", "2025-12-01", "7408.11.60.00", "CN", "50000.00", "50000.00", "", "air"],
    ["no-value", "2025-12-01", "7408.11.60.00", "CN", "", "", "", ""],
]


def csv_bytes(header=HEADER, rows=ROWS, delimiter=","):
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


def xlsx_bytes(header=HEADER, rows=ROWS):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        # Numbers as a spreadsheet stores them (floats), dates as dates.
        import datetime as dt

        cells = []
        for name, value in zip(header, row):
            if name in ("customs_value", "copper_content", "freight") and value:
                cells.append(float(value))
            elif name == "entry_date":
                cells.append(dt.date.fromisoformat(value))
            else:
                cells.append(value or None)
        sheet.append(cells)
    buf = io.BytesIO()
    workbook.save(buf)
    return buf.getvalue()


def expected_duties(origin, value, copper, mode="ocean"):
    return tariffs.quote({"destination": "US", "entry_date": "2025-12-01", "mode": mode, "currency": "USD",
                          "lines": [{"hts": "7408.11.60.00", "origin": origin, "customs_value": value,
                                     "metal_content": {"copper": copper}}]}, known_at=KNOWN_AT).totals.duties


def upload(client, csrf, data, name):
    return client.post("/batch", data={"csrf_token": csrf, "known_at": KNOWN_AT,
                                       "file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


@pytest.mark.parametrize("maker, name", [(csv_bytes, "book.csv"), (xlsx_bytes, "book.xlsx")])
def test_batch_page_prices_good_rows_and_reports_bad_ones(client, csrf, maker, name):
    response = upload(client, csrf, maker(), name)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert re.search(r'id="batch-priced">2<', html) and re.search(r'id="batch-errors">2<', html)
    assert re.search(r'id="batch-row-3".*?hts: .*?digits', html, re.S)
    assert re.search(r'id="batch-row-5".*?customs_value: required column is empty', html, re.S)
    assert "53000.00" in html
    for fmt in ("csv", "xlsx"):
        link = re.search(rf'href="([^"]+)" id="priced-{fmt}"', html).group(1)
        download = client.get(link)
        assert download.status_code == 200 and "attachment" in download.headers["Content-Disposition"]
        if fmt == "csv":
            rows = list(csv.DictReader(io.StringIO(download.data.decode("utf-8-sig"))))
        else:
            sheet = load_workbook(io.BytesIO(download.data)).active
            values = [[("" if c is None else str(c)) for c in r] for r in sheet.iter_rows(values_only=True)]
            rows = [dict(zip(values[0], r)) for r in values[1:]]
        assert [r["status"] for r in rows] == ["ok", "error", "ok", "error"]
        assert [r["reference"] for r in rows] == ["good-tw", "bad-hts", "good-cn", "no-value"]
        assert rows[0]["duties"] == "53000.00" and rows[0]["duty_section_232"] == "50000.00"
        assert rows[2]["duties"] == str(expected_duties("CN", "50000.00", "50000.00", "air"))
        assert rows[1]["error_field"] == "hts" and rows[3]["error_field"] == "customs_value"
        assert rows[0]["row"] == "2" and rows[1]["row"] == "3"


def test_batch_semicolon_csv_and_bom(client, csrf):
    data = b"\xef\xbb\xbf" + csv_bytes(delimiter=";")
    html = upload(client, csrf, data, "book.csv").get_data(as_text=True)
    assert re.search(r'id="batch-priced">2<', html)


@pytest.mark.parametrize("data, needle", [
    (b"", "empty"),
    (b"hts,origin\n7408.11.60.00,TW\n", "missing column"),
    (b"\x00\x01\x02binary", "not a CSV"),
    (b"PK\x03\x04 not really a zip", "not a readable XLSX"),
    (",".join(HEADER).encode() + b"\n", "no rows"),
    (b"\xff\xfe\xfa", "UTF-8"),
])
def test_batch_page_file_errors(client, csrf, data, needle):
    response = upload(client, csrf, data, "book.csv")
    assert response.status_code == 422 and needle in response.get_data(as_text=True)


def test_batch_page_without_a_file(client, csrf):
    response = client.post("/batch", data={"csrf_token": csrf}, content_type="multipart/form-data")
    assert response.status_code == 422 and "Choose a CSV or XLSX file" in response.get_data(as_text=True)


def test_batch_row_limit(client, csrf):
    data = csv_bytes(rows=[ROWS[0]] * 51)
    response = upload(client, csrf, data, "big.csv")
    assert response.status_code == 422 and "more than 50 rows" in response.get_data(as_text=True)


def test_batch_expired_result_is_404(client):
    assert client.get("/batch/result/nothing.csv").status_code == 404
    assert client.get("/batch/template.pdf").status_code == 404


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_templates_have_the_documented_columns_and_price(client, csrf, fmt):
    response = client.get(f"/batch/template.{fmt}")
    assert response.status_code == 200
    if fmt == "csv":
        header = next(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    else:
        header = [c.value for c in next(load_workbook(io.BytesIO(response.data)).active.iter_rows())]
    assert header == COLUMN_NAMES
    # The template's example row prices as the contract's example.
    html = upload(client, csrf, response.data, f"template.{fmt}").get_data(as_text=True)
    assert re.search(r'id="batch-priced">1<', html) and "53000.00" in html


def test_api_batch_multipart(client):
    response = client.post(f"/api/v1/batch?known_at={KNOWN_AT}",
                           data={"file": (io.BytesIO(xlsx_bytes()), "book.xlsx")}, content_type="multipart/form-data")
    assert response.status_code == 200
    body = response.get_json()
    assert body["priced"] == 2 and body["errors"] == 2
    assert [r["status"] for r in body["rows"]] == ["ok", "error", "ok", "error"]
    assert body["rows"][0]["quote"]["totals"]["duties"] == "53000.00"
    assert body["rows"][1]["error"]["field"] == "hts"


def test_api_batch_json_rows_and_file_formats(client):
    rows = [dict(zip(HEADER, r)) for r in ROWS]
    body = client.post("/api/v1/batch", json={"rows": rows, "known_at": KNOWN_AT}).get_json()
    assert [r["status"] for r in body["rows"]] == ["ok", "error", "ok", "error"]
    as_csv = client.post(f"/api/v1/batch?format=csv&known_at={KNOWN_AT}", json={"rows": rows})
    assert as_csv.mimetype == "text/csv"
    priced = list(csv.DictReader(io.StringIO(as_csv.data.decode("utf-8-sig"))))
    assert priced[0]["duties"] == "53000.00"
    as_xlsx = client.post(f"/api/v1/batch?format=xlsx&known_at={KNOWN_AT}", json={"rows": rows})
    assert load_workbook(io.BytesIO(as_xlsx.data)).active.max_row == 5


def test_api_batch_numbers_in_json_rows(client):
    rows = [{"entry_date": "2025-12-01", "hts": "7408.11.60.00", "origin": "TW", "customs_value": 100000,
             "copper_content": 100000.0}]
    body = client.post(f"/api/v1/batch?known_at={KNOWN_AT}", json={"rows": rows}).get_json()
    assert body["rows"][0]["quote"]["totals"]["duties"] == "53000.00"


@pytest.mark.parametrize("kwargs, status, field", [
    ({"json": {"rows": []}}, 422, "rows"),
    ({"json": {"rows": [1]}}, 422, "rows[0]"),
    ({"json": {"rows": [{}], "extra": 1}}, 422, "extra"),
    ({"data": {"nofile": "x"}, "content_type": "multipart/form-data"}, 422, "file"),
    ({"data": {"file": (io.BytesIO(b""), "x.csv")}, "content_type": "multipart/form-data"}, 422, "file"),
    ({"data": "rows", "content_type": "text/plain"}, 415, "Content-Type"),
    ({"json": {"rows": [{"hts": "1"}] * 51}}, 413, "rows"),
])
def test_api_batch_problems(client, kwargs, status, field):
    response = client.post("/api/v1/batch", **kwargs)
    assert response.status_code == status and response.mimetype == "application/problem+json"
    assert response.get_json(force=True)["field"] == field


def test_api_batch_row_limit_in_a_file(client):
    response = client.post("/api/v1/batch", data={"file": (io.BytesIO(csv_bytes(rows=[ROWS[0]] * 51)), "b.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 413


def test_api_batch_bad_format(client):
    response = client.post("/api/v1/batch?format=pdf", json={"rows": [{}]})
    assert response.status_code == 422 and response.get_json(force=True)["field"] == "format"


def test_api_batch_columns(client):
    columns = client.get("/api/v1/batch/columns").get_json()
    assert [c["name"] for c in columns] == COLUMN_NAMES
    assert {c["name"] for c in columns if c["required"]} == {"entry_date", "hts", "origin", "customs_value"}


def test_formula_cells_are_defused_in_the_priced_file(client, csrf):
    rows = [["=HYPERLINK(\"http://x\")"] + ROWS[0][1:]]
    html = upload(client, csrf, csv_bytes(rows=rows), "f.csv").get_data(as_text=True)
    link = re.search(r'href="([^"]+)" id="priced-csv"', html).group(1)
    priced = list(csv.DictReader(io.StringIO(client.get(link).data.decode("utf-8-sig"))))
    assert priced[0]["reference"].startswith("'=")


def test_control_characters_do_not_break_the_xlsx(client):
    rows = [{"reference": "a\x08b", "\x01odd": "x\x14"}]
    response = client.post("/api/v1/batch?format=xlsx", json={"rows": rows})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = [c for r in sheet.iter_rows(values_only=True) for c in r]
    assert "ab" in values and "odd" in values


def test_api_batch_multi_line_entry_uses_the_library_batch_path(client):
    # Two TW copper lines of one entry by air: duties 53% each (3% MFN + 50% Section 232) = 53,000.00 and
    # 26,500.00; MPF 0.3464% x 150,000.00 = 519.60 (under the 651.50 maximum) allocated 2:1 = 346.40 + 173.20.
    rows = [{"entry": "E1", "entry_date": "2025-12-01", "hts": "7408.11.60.00", "origin": "TW", "mode": "air",
             "customs_value": v, "copper_content": v} for v in ("100000.00", "50000.00")]
    body = client.post(f"/api/v1/batch?known_at={KNOWN_AT}", json={"rows": rows}).get_json()
    quotes = [r["quote"] for r in body["rows"]]
    assert quotes[0] == quotes[1] and quotes[0]["totals"]["duties"] == "79500.00"
    as_csv = client.post(f"/api/v1/batch?format=csv&known_at={KNOWN_AT}", json={"rows": rows})
    priced = list(csv.DictReader(io.StringIO(as_csv.data.decode("utf-8-sig"))))
    assert [p["duties"] for p in priced] == ["53000.00", "26500.00"]
    assert [p["mpf"] for p in priced] == ["346.40", "173.20"] and priced[0]["entry_mpf"] == "519.60"
    assert [p["path"] for p in priced] == ["scalar", "scalar"]

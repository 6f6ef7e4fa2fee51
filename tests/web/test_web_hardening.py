"""Hardening of the web app (issue 8): each test feeds an input that gave a 500, an HTML answer to a
data request, a silently truncated or last-wins reading, a forgeable link or an unbounded upload, and
checks the typed 4xx (or per-row error) that replaces it."""
from __future__ import annotations

import base64
import copy
import csv
import io
import json
import re
import time
import tracemalloc
import zipfile

import pytest
from openpyxl import Workbook

from tariffs import limits
from web.batchfile import XLSX_MAX_SHARED_STRINGS
from web.forms import encode_shipment, form_from_shipment

KNOWN_AT = "2026-11-21"
SECRET = "test-secret"  # the app fixture's SECRET_KEY
PROBLEM = "application/problem+json"
# An offset at the end of the calendar: converting it to UTC overflows datetime (OverflowError).
OVERFLOW = "9999-12-31T23:59:59-14:00"
UNDERFLOW = "0001-01-01T00:00:00+14:00"
ROW = {"entry_date": "2025-12-01", "hts": "7408.11.60.00", "origin": "TW", "customs_value": "100000.00",
       "copper_content": "100000.00"}


def problem_of(response, status):
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == PROBLEM
    body = response.get_json(force=True)
    assert body["type"].startswith("/api/v1/problems/") and body["title"] and body["detail"]
    return body


def link(shipment, secret=SECRET) -> str:
    return encode_shipment(shipment, secret=secret)


# 1. Lines per quote ----------------------------------------------------------------------------------

def test_api_quote_over_the_line_cap_is_413_pointing_to_batch(client, shipment):
    shipment["lines"] = shipment["lines"] * (limits.MAX_LINES_PER_QUOTE + 1)
    body = problem_of(client.post(f"/api/v1/quotes?known_at={KNOWN_AT}", json=shipment), 413)
    assert body["type"] == "/api/v1/problems/too-large" and body["field"] == "lines"
    assert "/api/v1/batch" in body["detail"] and str(limits.MAX_LINES_PER_QUOTE) in body["allowed"]


def test_api_compare_over_the_line_cap_is_413(client, shipment):
    shipment["lines"] = shipment["lines"] * (limits.MAX_LINES_PER_QUOTE + 1)
    body = problem_of(client.post("/api/v1/quotes/compare", json={"shipment": shipment,
                                                                  "scenarios": [{"origin": "CN"}]}), 413)
    assert body["field"] == "shipment.lines"


def test_quote_at_the_line_cap_is_priced(client, shipment):
    # 500 copies of the example line: duties 500 x 53,000.00 (MFN 3% + Section 232 copper 50% of
    # 100,000.00) = 26,500,000.00.
    shipment["lines"] = shipment["lines"] * limits.MAX_LINES_PER_QUOTE
    response = client.post(f"/api/v1/quotes?known_at={KNOWN_AT}", json=shipment)
    assert response.status_code == 200
    assert response.get_json()["totals"]["duties"] == "26500000.00"


def test_form_with_more_lines_than_it_holds_is_refused_not_truncated(client, csrf, shipment, app):
    state = form_from_shipment(shipment)
    too_many = app.config["MAX_FORM_LINES"] + 1
    data = dict(state.values, csrf_token=csrf, line_count=str(too_many), action="price", known_at=KNOWN_AT)
    response = client.post("/price", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 413
    assert f"{too_many} lines" in html and "/batch" in html


def test_line_cap_is_documented_in_openapi(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    text = doc["paths"]["/api/v1/quotes"]["post"]["responses"]["413"]["description"]
    assert str(limits.MAX_LINES_PER_QUOTE) in text and "/api/v1/batch" in text


# 2. Strict JSON ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("path, body, key", [
    ("/api/v1/quotes", '{"destination": "US", "destination": "EU", "lines": []}', "destination"),
    ("/api/v1/quotes/compare", '{"shipment": {}, "scenarios": [], "scenarios": []}', "scenarios"),
    ("/api/v1/batch", '{"rows": [{"hts": "1", "hts": "2"}]}', "hts"),
])
def test_duplicate_keys_are_refused_naming_the_key(client, path, body, key):
    problem = problem_of(client.post(path, data=body, content_type="application/json"), 422)
    assert problem["field"] == "body" and f"duplicate key '{key}'" in problem["detail"]


@pytest.mark.parametrize("data, needle", [
    ("[" * 33 + "]" * 33, "nested deeper than 32"),
    ('{"a":' * 40 + "1" + "}" * 40, "nested deeper than 32"),
    (b"{\"a\": \"\xe9\"}", "not UTF-8"),
])
def test_deep_or_non_utf8_bodies_are_422(client, data, needle):
    problem = problem_of(client.post("/api/v1/quotes", data=data, content_type="application/json"), 422)
    assert problem["field"] == "body" and needle in problem["detail"]


def test_numbers_in_a_body_are_read_as_decimals_not_floats(client, shipment):
    # 0.1 + 0.2 as floats is 0.30000000000000004; read as Decimal, freight 0.1 and insurance 0.2
    # give freight_insurance_other 0.3 + other_costs 150.00 = 150.30.
    raw = json.dumps(dict(shipment, freight="X", insurance="Y")).replace('"X"', "0.1").replace('"Y"', "0.2")
    body = client.post(f"/api/v1/quotes?known_at={KNOWN_AT}", data=raw, content_type="application/json")
    assert body.get_json()["totals"]["freight_insurance_other"] == "150.30"


# 3. known_at out of range -------------------------------------------------------------------------------

@pytest.mark.parametrize("value", [OVERFLOW, UNDERFLOW, "0001-01-01", "9999-12-31"])
def test_known_at_out_of_range_in_query_and_body(client, shipment, value):
    problem = problem_of(client.post(f"/api/v1/quotes?known_at={value}", json=shipment), 422)
    assert problem["field"] == "known_at"
    problem = problem_of(client.post("/api/v1/quotes", json=dict(shipment, known_at=value)), 422)
    assert problem["field"] == "known_at"


@pytest.mark.parametrize("value", [OVERFLOW, UNDERFLOW])
def test_known_at_out_of_range_in_compare(client, shipment, value):
    top = client.post("/api/v1/quotes/compare", json={"shipment": shipment, "known_at": value,
                                                      "scenarios": [{"origin": "CN"}]})
    assert problem_of(top, 422)["field"] == "known_at"
    scenario = client.post("/api/v1/quotes/compare", json={"shipment": shipment,
                                                           "scenarios": [{"origin": "CN", "known_at": value}]})
    assert problem_of(scenario, 422)["field"] == "scenarios[0].known_at"


@pytest.mark.parametrize("value", [OVERFLOW, UNDERFLOW])
def test_known_at_out_of_range_in_measures(client, value):
    response = client.get(f"/api/v1/measures?hts=7408.11.60.00&origin=TW&date=2025-12-01&known_at={value}")
    assert problem_of(response, 422)["field"] == "known_at"
    page = client.get(f"/measures?hts=7408.11.60.00&origin=TW&date=2025-12-01&known_at={value}")
    assert page.status_code == 422 and "known_at" in page.get_data(as_text=True)


def test_known_at_out_of_range_on_the_result_page_and_download(client, shipment):
    token = link(shipment)
    assert client.get(f"/quote?s={token}&known_at={OVERFLOW}").status_code == 422
    assert problem_of(client.get(f"/quote.json?s={token}&known_at={OVERFLOW}"), 422)["field"] == "known_at"


def test_known_at_out_of_range_in_the_price_form(client, csrf, shipment):
    state = form_from_shipment(shipment)
    data = dict(state.values, csrf_token=csrf, line_count="1", action="price", known_at=OVERFLOW)
    response = client.post("/price", data=data)
    assert response.status_code == 422 and 'id="e-known_at"' in response.get_data(as_text=True)


# 4. Batch: a bad row stays that row's error ----------------------------------------------------------------

def test_batch_bad_rows_do_not_fail_the_batch(client):
    rows = [dict(ROW, reference="huge value", customs_value="1e40"),
            dict(ROW, reference="overflowing known_at", known_at=OVERFLOW),
            dict(ROW, reference="huge fx rate", currency="EUR", fx_rate="1e30"),
            dict(ROW, reference="good")]
    response = client.post(f"/api/v1/batch?known_at={KNOWN_AT}", json={"rows": rows})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    body = response.get_json()
    assert [r["status"] for r in body["rows"]] == ["error", "error", "error", "ok"]
    assert body["rows"][1]["error"]["field"] == "known_at"
    assert all(r["error"]["message"] for r in body["rows"][:3])
    # MFN 3% + Section 232 copper 50% of 100,000.00.
    assert body["rows"][3]["quote"]["totals"]["duties"] == "53000.00"


def test_batch_bad_rows_in_the_priced_csv_and_on_the_page(client, csrf):
    rows = [dict(ROW, customs_value="1e40"), ROW]
    response = client.post(f"/api/v1/batch?format=csv&known_at={KNOWN_AT}", json={"rows": rows})
    assert response.status_code == 200
    priced = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert [r["status"] for r in priced] == ["error", "ok"]
    text = ",".join(ROW) + "\r\n" + ",".join(ROW.values()).replace("100000.00", "1e40", 1) + "\r\n"
    page = client.post("/batch", data={"csrf_token": csrf, "known_at": KNOWN_AT,
                                       "file": (io.BytesIO(text.encode()), "b.csv")},
                       content_type="multipart/form-data")
    assert page.status_code == 200


def test_batch_known_at_out_of_range_for_the_whole_file(client, csrf):
    text = ",".join(ROW) + "\r\n" + ",".join(ROW.values()) + "\r\n"
    api = client.post(f"/api/v1/batch?known_at={OVERFLOW}", data={"file": (io.BytesIO(text.encode()), "b.csv")},
                      content_type="multipart/form-data")
    assert problem_of(api, 422)["field"] == "known_at"
    page = client.post("/batch", data={"csrf_token": csrf, "known_at": OVERFLOW,
                                       "file": (io.BytesIO(text.encode()), "b.csv")},
                       content_type="multipart/form-data")
    assert page.status_code == 422 and "known_at" in page.get_data(as_text=True)


def test_batch_row_limit_is_the_documented_one():
    from web import create_app

    app = create_app({"TESTING": True, "SECRET_KEY": "x"})
    assert app.config["MAX_BATCH_ROWS"] == limits.MAX_BATCH_ROWS
    assert app.config["MAX_FORM_LINES"] <= limits.MAX_LINES_PER_QUOTE


# 5. Permalinks ------------------------------------------------------------------------------------------

def _signed_payload(text: bytes) -> str:
    """Any bytes, signed as this server signs a permalink (what only the server itself could make)."""
    from itsdangerous import Signer

    from web.forms import SALT
    payload = base64.urlsafe_b64encode(text).decode().rstrip("=")
    return Signer(SECRET, salt=SALT).sign(payload).decode()


@pytest.mark.parametrize("path", ["/quote", "/", "/quote.json", "/quote.csv", "/compare"])
@pytest.mark.parametrize("signed", [True, False])
def test_deeply_nested_permalink_is_4xx(client, path, signed):
    deep = b"[" * 5000 + b"]" * 5000
    token = _signed_payload(deep) if signed else base64.urlsafe_b64encode(deep).decode()
    response = client.get(f"{path}?s={token}")
    assert 400 <= response.status_code < 500, (path, response.status_code)


@pytest.mark.parametrize("path", ["/quote.json", "/quote.csv"])
@pytest.mark.parametrize("token", ["garbage", "", "bm90IGpzb24"])
def test_downloads_of_a_bad_link_answer_problem_json(client, path, token):
    response = client.get(f"{path}?s={token}")
    assert 400 <= response.status_code < 500 and response.mimetype == PROBLEM
    assert response.get_json(force=True)["field"] == "s"


def _tamper(token: str, change) -> str:
    payload, signature = token.rsplit(".", 1)
    shipment = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    change(shipment)
    forged = base64.urlsafe_b64encode(json.dumps(shipment).encode()).decode().rstrip("=")
    return f"{forged}.{signature}"


def test_a_tampered_link_is_refused(client, shipment):
    token = link(shipment)
    assert client.get(f"/quote?s={token}&known_at={KNOWN_AT}").status_code == 200
    forged = _tamper(token, lambda s: s["lines"][0].update(description="Certified duty-free by CBP"))
    page = client.get(f"/quote?s={forged}&known_at={KNOWN_AT}")
    html = page.get_data(as_text=True)
    assert page.status_code == 400 and "altered or is not from this server" in html
    assert "Certified duty-free" not in html
    problem = problem_of(client.get(f"/quote.json?s={forged}"), 400)
    assert "altered or is not from this server" in problem["detail"]
    assert client.get(f"/?s={forged}").status_code == 400


def test_a_link_from_another_server_or_unsigned_is_refused(client, shipment):
    other = link(shipment, secret="another-server")
    assert client.get(f"/quote?s={other}").status_code == 400
    unsigned = base64.urlsafe_b64encode(json.dumps(shipment).encode()).decode().rstrip("=")
    assert problem_of(client.get(f"/quote.csv?s={unsigned}"), 400)["field"] == "s"


def test_a_signed_link_with_duplicate_keys_is_refused(client):
    signed = _signed_payload(b'{"destination": "US", "destination": "EU"}')
    assert "duplicate key" in problem_of(client.get(f"/quote.json?s={signed}"), 422)["detail"]


def test_description_is_shown_as_the_users_words_and_escaped(client, shipment):
    shipment["lines"][0]["description"] = "<b>Duty-free</b> per CBP"
    html = client.get(f"/quote?s={link(shipment)}&known_at={KNOWN_AT}").get_data(as_text=True)
    assert "your description: <q>&lt;b&gt;Duty-free&lt;/b&gt; per CBP</q>" in html
    assert "<b>Duty-free</b>" not in html


# 6. The priced CSV escapes the user's headers --------------------------------------------------------------

@pytest.mark.parametrize("header", ['=hyperlink("http://x")', "@sum(a1)", "+cmd", "-cmd"])
def test_priced_csv_escapes_user_column_headers(client, header):
    rows = [dict(ROW, **{header: "x"})]
    response = client.post(f"/api/v1/batch?format=csv&known_at={KNOWN_AT}", json={"rows": rows})
    assert response.status_code == 200
    first = next(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert "'" + header in first
    assert not [h for h in first if h[:1] in ("=", "+", "-", "@", "\t", "\r")]


def test_priced_csv_escapes_tab_and_cr_cells(client):
    rows = [dict(ROW, reference="\t=1+1"), dict(ROW, reference="\r=1+1")]
    response = client.post(f"/api/v1/batch?format=csv&known_at={KNOWN_AT}", json={"rows": rows})
    priced = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert [r["reference"][:1] for r in priced] == ["'", "'"]


# 7. XLSX bombs ------------------------------------------------------------------------------------------------

SST_REL = (b'<Relationship Id="rIdSharedStrings" Target="sharedStrings.xml" Type="http://schemas.openxmlformats.org/'
           b'officeDocument/2006/relationships/sharedStrings"/></Relationships>')
SST_TYPE = (b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
            b'officedocument.spreadsheetml.sharedStrings+xml"/></Types>')


def _xlsx_with_shared_strings(count: int) -> bytes:
    """A real workbook (header and one row, written by openpyxl) with a shared-strings part of `count`
    strings added (its relationship and content type too, as Excel writes them): a few hundred KB
    compressed, count x 17 bytes uncompressed."""
    workbook = Workbook()
    workbook.active.append(list(ROW))
    workbook.active.append(list(ROW.values()))
    buf = io.BytesIO()
    workbook.save(buf)
    source = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", SST_REL)
            elif info.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", SST_TYPE)
            target.writestr(info, data)
        with target.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
            part.write(b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
                       b'spreadsheetml/2006/main">')
            chunk = b"<si><t>x</t></si>" * 100_000
            for _ in range(count // 100_000):
                part.write(chunk)
            part.write(b"</sst>")
    return out.getvalue()


@pytest.fixture(scope="module")
def shared_strings_bomb() -> bytes:
    return _xlsx_with_shared_strings(10_000_000)  # 170 MB of shared strings


def test_xlsx_shared_strings_bomb_is_refused_early(client, shared_strings_bomb):
    assert len(shared_strings_bomb) < 2 * 1024 * 1024
    tracemalloc.start()
    started = time.monotonic()
    try:
        response = client.post("/api/v1/batch", data={"file": (io.BytesIO(shared_strings_bomb), "bomb.xlsx")},
                               content_type="multipart/form-data")
        elapsed = time.monotonic() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    problem = problem_of(response, 413)
    assert problem["field"] == "file" and "expands to" in problem["detail"]
    assert elapsed < 10  # refused from the zip directory, not after inflating it
    assert peak < 64 * 1024 * 1024


def test_xlsx_too_many_shared_strings_within_the_size_bound_is_refused(client):
    # 300,000 strings = 5.1 MB uncompressed: under the size bound, over the string bound.
    bomb = _xlsx_with_shared_strings(300_000)
    tracemalloc.start()
    try:
        response = client.post("/api/v1/batch", data={"file": (io.BytesIO(bomb), "many.xlsx")},
                               content_type="multipart/form-data")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    problem = problem_of(response, 413)
    assert f"more than {XLSX_MAX_SHARED_STRINGS:,} shared strings" in problem["detail"]
    assert peak < 64 * 1024 * 1024


def test_xlsx_bomb_on_the_batch_page_is_a_message(client, csrf, shared_strings_bomb):
    response = client.post("/batch", data={"csrf_token": csrf, "file": (io.BytesIO(shared_strings_bomb), "b.xlsx")},
                           content_type="multipart/form-data")
    assert response.status_code == 422 and "expands to" in response.get_data(as_text=True)


def test_xlsx_with_a_forged_dimension_is_not_padded(client):
    workbook = Workbook()
    workbook.active.append(list(ROW))
    workbook.active.append(list(ROW.values()))
    buf = io.BytesIO()
    workbook.save(buf)
    source = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]+"', b'<dimension ref="A1:XFD1048576"', data)
            target.writestr(info, data)
    response = client.post(f"/api/v1/batch?known_at={KNOWN_AT}",
                           data={"file": (io.BytesIO(out.getvalue()), "dim.xlsx")}, content_type="multipart/form-data")
    assert response.status_code == 200
    assert response.get_json()["rows"][0]["quote"]["totals"]["duties"] == "53000.00"


# 8. Arithmetic and range failures from deep inside are typed 4xx -------------------------------------------

@pytest.mark.parametrize("change", [
    lambda s: s["lines"][0].update(customs_value="1e26"),
    lambda s: s["lines"][0].update(customs_value="1E16"),
    lambda s: s.update(currency="EUR", fx_rate="1e30"),
    lambda s: s["lines"][0].update(adcvd=[{"case": "A-570-001", "type": "antidumping", "rate": "1e40"}]),
    lambda s: s["lines"][0].update(us_content_value="1e40"),
    lambda s: s["lines"][0].update(quantity="1e40"),
    lambda s: s.update(freight="1e-40000"),
    lambda s: s.update(entry_date="9999-12-31", filed_on="9999-12-31"),
])
def test_huge_and_tiny_numbers_are_4xx_never_500(client, shipment, change):
    change(shipment)
    response = client.post(f"/api/v1/quotes?known_at={KNOWN_AT}", json=shipment)
    assert response.status_code < 500, response.get_data(as_text=True)[:300]
    if response.status_code >= 400:
        body = problem_of(response, response.status_code)
        assert body["type"] in ("/api/v1/problems/invalid-input", "/api/v1/problems/unpriceable-input")
    compared = client.post("/api/v1/quotes/compare", json={"shipment": shipment, "known_at": KNOWN_AT,
                                                           "scenarios": [{"origin": "CN"}]})
    assert compared.status_code < 500


def test_huge_value_in_the_form_is_a_message(client, csrf, shipment):
    state = form_from_shipment(copy.deepcopy(shipment))
    data = dict(state.values, csrf_token=csrf, line_count="1", action="price", known_at=KNOWN_AT)
    data["lines-0-customs_value"] = "1e26"
    response = client.post("/price", data=data)
    assert response.status_code == 422


@pytest.mark.parametrize("value, says", [(0, "a value of type int is not a date"),  # not 1970-01-01
                                         (True, "a value of type bool is not a date"),
                                         ("9999-12-31", "9999-12-31 is outside the dates accepted")])
def test_compare_scenario_entry_date_is_a_date_within_the_years(client, shipment, value, says):
    response = client.post("/api/v1/quotes/compare", json={"shipment": shipment,
                                                           "scenarios": [{"entry_date": value}]})
    problem = problem_of(response, 422)
    assert problem["field"] == "scenarios[0].entry_date"
    assert problem["detail"] == f"scenarios[0].entry_date: {says}"  # the library's words, no pydantic prefix
    assert "1900-01-01 to 9998-12-31" in problem["allowed"]


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31"])
def test_measures_date_outside_the_years_is_refused(client, value):
    """As `tariffs rules show --date` refuses it (exit 2), not a 200 listing the measures of year 0001."""
    response = client.get(f"/api/v1/measures?hts=7408.11.60.00&origin=TW&date={value}")
    problem = problem_of(response, 422)
    assert problem["field"] == "date" and "outside the dates accepted" in problem["detail"]
    page = client.get(f"/measures?hts=7408.11.60.00&origin=TW&date={value}")
    assert page.status_code == 422 and "outside the dates accepted" in page.get_data(as_text=True)

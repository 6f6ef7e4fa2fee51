"""The workbench pages: upload an entry file, follow the run, read the report with its SVG charts,
download it; errors beside the field. Flask's client, then a real browser (Debian's chromium)."""
from __future__ import annotations

import io
import os
import re
import time
from pathlib import Path

import pytest

HAND = Path(__file__).resolve().parents[1] / "data" / "workbench" / "entries_hand.csv"
KNOWN_AT = "2026-11-20"


def _wait_done(client, location, seconds=120):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        html = client.get(location).get_data(as_text=True)
        if 'id="report"' in html or 'id="run-failed"' in html:
            return html
        assert 'id="progress"' in html and 'http-equiv="refresh"' in html
        time.sleep(0.5)
    raise AssertionError("the run did not finish")


def test_upload_run_report_download(client, csrf):
    assert 'id="workbench-form"' in client.get("/workbench").get_data(as_text=True)
    response = client.post("/workbench", data={"csrf_token": csrf, "known_at": KNOWN_AT,
                                                "file": (io.BytesIO(HAND.read_bytes()), "entries_hand.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    location = response.headers["Location"]
    html = _wait_done(client, location)
    assert "Imported 6 entries (17 tariff rows) from entries_hand.csv" in html
    # the hand case of tests/test_workbench.py: refund 16500.00, exposure 755.87
    assert re.search(r"<th>refund</th><td>16500.00</td>", html) and re.search(r"<th>exposure</th><td>755.87</td>", html)
    assert html.count("<svg") == 2 and "Refund by month of entry, by program" in html
    assert "ieepa_reciprocal" in html and "Blue Ridge" in html
    run_id = re.search(r"/workbench/runs/(\d+)", location).group(1)
    csv_text = client.get(f"/workbench/runs/{run_id}/report.csv").get_data(as_text=True)
    assert csv_text.startswith("entry_number,importer,entry_date,filed_on,line_number,heading,program,paid")
    xlsx = client.get(f"/workbench/runs/{run_id}/report.xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    assert client.get("/workbench/runs/99999").status_code == 404
    # re-importing the same file says so
    again = client.post("/workbench", data={"csrf_token": csrf, "known_at": KNOWN_AT,
                                             "file": (io.BytesIO(HAND.read_bytes()), "entries_hand.csv")},
                        content_type="multipart/form-data")
    assert "replaced+6+entries" in again.headers["Location"] or "replaced%206%20entries" in again.headers["Location"]
    _wait_done(client, again.headers["Location"])


def test_errors_beside_the_field(client, csrf):
    response = client.post("/workbench", data={"csrf_token": csrf, "known_at": "someday"},
                           content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="e-file"' in html and 'id="e-known_at"' in html
    for far in ("9999-12-31T23:59:59-14:00", "0001-01-01"):  # outside 1900..9998: beside the field, no run
        response = client.post("/workbench", data={"csrf_token": csrf, "known_at": far,
                                                   "file": (io.BytesIO(HAND.read_bytes()), "entries.csv")},
                               content_type="multipart/form-data")
        html = response.get_data(as_text=True)
        assert response.status_code == 422 and 'id="e-known_at"' in html and "outside the dates accepted" in html
    bad_map = client.post("/workbench", data={"csrf_token": csrf, "columns": "Entry=entry_no",
                                               "file": (io.BytesIO(HAND.read_bytes()), "entries.csv")},
                          content_type="multipart/form-data")
    assert bad_map.status_code == 422 and 'id="e-columns"' in bad_map.get_data(as_text=True)
    missing = client.post("/workbench", data={"csrf_token": csrf,
                                               "file": (io.BytesIO(b"entry_number,hts\nAB1-0000001-1,1\n"), "e.csv")},
                          content_type="multipart/form-data")
    html = missing.get_data(as_text=True)
    assert missing.status_code == 422 and "required column is missing" in html and 'id="e-file"' in html


CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} not found: install Debian's chromium (as .ci/run does); browser tests do not skip")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=["--headless", "--no-sandbox", "--disable-gpu"])
        try:
            yield browser
        finally:
            browser.close()


def test_in_a_browser(browser, live_server):
    context = browser.new_context(accept_downloads=True, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(60000)
    page.goto(f"{live_server}/workbench")
    page.set_input_files("#f-file", str(HAND))
    page.fill("#f-known_at", KNOWN_AT)
    page.click("#workbench-button")
    page.wait_for_selector("#report svg")  # the run page refreshes itself until the report is there
    assert page.locator("#report svg").count() == 2
    assert "16500.00" in page.inner_text("#report")
    with page.expect_download() as download:
        page.click("#report-csv")
    assert Path(download.value.path()).read_text().startswith("entry_number,importer")
    context.close()

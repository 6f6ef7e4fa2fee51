"""A real browser: Debian's chromium, driven by Playwright, against the app served by waitress
on a loopback port. Fills the price form with the contract's example shipment and a second
line, submits, reads the totals; compares origins; uploads a batch file.

Chromium must be installed (CI's .ci/run installs Debian's package): if it is missing, these
tests fail rather than skip, so a green run always means a browser was driven."""
from __future__ import annotations

import csv
import io
import os
import re

import pytest

import tariffs

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
KNOWN_AT = "2026-11-21"


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium), "
                    "as .ci/run does; the browser tests do not skip")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(accept_downloads=True, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(20000)
    elsewhere, problems = [], []
    page.on("request", lambda r: None if r.url.startswith((live_server, "data:")) else elsewhere.append(r.url))
    # A 422 answer (a form with errors) is logged as a failed load; anything else is a problem.
    page.on("console", lambda m: problems.append(m.text)
            if m.type == "error" and "status of 422" not in m.text else None)
    yield page
    context.close()
    assert not elsewhere, f"the page asked for something outside the app: {elsewhere}"
    assert not problems, f"console errors (CSP violations?): {problems}"


def fill_line(page, i, line):
    p = f"#f-lines-{i}-"
    page.fill(p + "hts", line["hts"])
    if line.get("description"):
        page.fill(p + "description", line["description"])
    page.fill(p + "origin", line.get("origin") or "")
    page.fill(p + "customs_value", line["customs_value"])
    for metal, value in (line.get("metal_content") or {}).items():
        page.fill(f"{p}metal_content-{metal}", value)
    if line.get("quantity"):
        page.fill(p + "quantity", line["quantity"])
        page.fill(p + "unit", line.get("unit") or "")
    if line.get("loaded_on"):
        page.fill(p + "loaded_on", line["loaded_on"])
    if line.get("claims"):
        page.fill(p + "claims", ", ".join(line["claims"]))
    if line.get("net_weight_kg"):
        page.click(f"#line-{i} details > summary")
        page.fill(p + "net_weight_kg", line["net_weight_kg"])


def fill_entry(page, shipment, known_at=KNOWN_AT):
    page.select_option("#f-destination", shipment["destination"])
    page.fill("#f-entry_date", shipment["entry_date"])
    if shipment.get("filed_on"):
        page.fill("#f-filed_on", shipment["filed_on"])
    page.fill("#f-origin", shipment.get("origin") or "")
    page.select_option("#f-mode", shipment["mode"])
    page.fill("#f-currency", shipment.get("currency") or "USD")
    for name in ("freight", "insurance", "other_costs"):
        if shipment.get(name):
            page.fill(f"#f-{name}", shipment[name])
    if known_at:
        page.fill("#f-known_at", known_at)


def test_price_the_contract_example_then_two_lines(page, live_server, example_shipment):
    page.goto(live_server + "/")
    fill_entry(page, example_shipment)
    fill_line(page, 0, example_shipment["lines"][0])
    page.click("#price-button")
    page.wait_for_url(re.compile(r"/quote\?s="))
    assert page.inner_text("#total-duties") == "53000.00"
    assert page.inner_text("#total-landed_cost") == "158121.40"
    assert page.locator("tr.charge-section_232").count() == 1
    assert page.locator("svg.bar rect").count() >= 4

    # The permalink re-prices the same input.
    permalink = page.get_attribute("#permalink", "href")
    page.goto(permalink)
    assert page.inner_text("#total-duties") == "53000.00"

    # Back to the form (the Edit link keeps what was entered), add a second line, price both.
    page.click("text=Edit")
    assert page.input_value("#f-lines-0-hts") == "7408.11.60.00"
    page.click("#add-line")
    assert page.locator("fieldset.line").count() == 2
    assert page.input_value("#f-lines-0-customs_value") == "100000.00"
    second = {"hts": "7408.11.60.00", "origin": "CN", "customs_value": "50000.00",
              "metal_content": {"copper": "50000.00"}, "description": "Copper wire from China"}
    fill_line(page, 1, second)
    page.fill("#f-known_at", KNOWN_AT)
    page.click("#price-button")
    page.wait_for_url(re.compile(r"/quote\?s="))
    both = dict(example_shipment, lines=example_shipment["lines"] + [second])
    expected = tariffs.quote(both, known_at=KNOWN_AT)
    assert page.inner_text("#total-duties") == str(expected.totals.duties)
    assert page.inner_text("#total-landed_cost") == str(expected.totals.landed_cost)
    assert page.locator("section.line-result").count() == 2

    # JSON download of the same quote.
    with page.expect_download() as info:
        page.click("#download-json")
    import json

    body = json.loads(open(info.value.path(), encoding="utf-8").read())
    assert body["totals"]["duties"] == str(expected.totals.duties)


def test_remove_line_and_field_errors_without_javascript(page, live_server):
    page.goto(live_server + "/?example=1")
    page.click("#add-line")
    page.fill("#f-lines-1-hts", "7403.11.00")
    page.click("button[value='remove_line:0']")
    assert page.locator("fieldset.line").count() == 1
    assert page.input_value("#f-lines-0-hts") == "7403.11.00"
    page.fill("#f-lines-0-customs_value", "1000.00")
    page.fill("#f-lines-0-hts", "12")
    page.press("#f-lines-0-hts", "Enter")  # Enter prices; it does not remove a line
    page.wait_for_selector("#e-lines-0-hts")
    assert page.locator("fieldset.line").count() == 1
    assert "digits" in page.inner_text("#e-lines-0-hts")
    page.fill("#f-currency", "EUR")  # a US entry in euros needs the rate: there is no default
    page.fill("#f-lines-0-hts", "7408.11.60.00")
    page.click("#price-button")
    page.wait_for_selector("#e-fx_rate")
    assert "no default rate" in page.inner_text("#e-fx_rate")


def test_compare_taiwan_and_china(page, live_server, example_shipment):
    page.goto(live_server + "/compare")
    fill_entry(page, example_shipment, known_at=None)
    fill_line(page, 0, example_shipment["lines"][0])
    page.fill("#f-origins", "TW, CN")
    page.fill("#f-known_at", KNOWN_AT)
    page.click("#compare-button")
    page.wait_for_selector("#comparison")
    duties = page.locator("td.cmp-duties").all_inner_texts()
    cn = dict(example_shipment, origin="CN", lines=[dict(example_shipment["lines"][0], origin="CN")])
    assert duties == ["53000.00", str(tariffs.quote(cn, known_at=KNOWN_AT).totals.duties)]
    assert page.locator("div.cmp-bar svg").count() == 2


def test_batch_upload_and_download(page, live_server, tmp_path):
    book = tmp_path / "book.csv"
    with open(book, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["reference", "entry_date", "hts", "origin", "customs_value", "copper_content", "freight",
                         "insurance", "other_costs"])
        writer.writerow(["example", "2025-12-01", "7408.11.60.00", "TW", "100000.00", "100000.00", "4200.00",
                         "300.00", "150.00"])
        writer.writerow(["broken", "2025-12-01", "not-a-code", "TW", "10.00", "", "", "", ""])
        writer.writerow(["china", "2025-12-01", "7408.11.60.00", "CN", "50000.00", "50000.00", "", "", ""])
    page.goto(live_server + "/batch")
    page.set_input_files("#f-file", str(book))
    page.fill("#f-known_at", KNOWN_AT)
    page.click("#batch-button")
    page.wait_for_selector("#batch-result")
    assert page.inner_text("#batch-priced") == "2" and page.inner_text("#batch-errors") == "1"
    assert "hts" in page.inner_text("#batch-row-3")
    with page.expect_download() as info:
        page.click("#priced-csv")
    rows = list(csv.DictReader(io.StringIO(open(info.value.path(), encoding="utf-8-sig").read())))
    assert [r["status"] for r in rows] == ["ok", "error", "ok"]
    assert rows[0]["duties"] == "53000.00" and rows[0]["landed_cost"] == "158121.40"
    with page.expect_download() as info:
        page.click("#priced-xlsx")
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(open(info.value.path(), "rb").read())).active
    assert sheet.max_row == 4


def test_measures_and_rules_pages(page, live_server):
    page.goto(live_server + "/measures")
    page.fill("#f-hts", "7408.11.60.00")
    page.fill("#f-origin", "CN")
    page.fill("#f-date", "2025-12-01")
    page.click("#measures-button")
    page.wait_for_selector("#measures-result")
    assert "9903.78.01" in page.inner_text("#measures-result")
    page.click("nav >> text=Rules")
    assert page.inner_text("#ruleset-version") == tariffs.load_rules().version

"""The form pages through the Flask test client: every route, CSRF, the no-JavaScript line
add/remove, errors beside their field, result page, downloads, permalink round trip."""
from __future__ import annotations

import csv
import io
import json
import re
from decimal import Decimal

import pytest

import tariffs
from web.forms import decode_shipment, encode_shipment, form_from_shipment, form_name

KNOWN_AT = "2026-11-21"
SECRET = "test-secret"  # the app fixture's SECRET_KEY: permalinks are signed with it


def link(shipment) -> str:
    return encode_shipment(shipment, secret=SECRET)


def form_data(shipment, csrf, action="price", known_at=KNOWN_AT):
    state = form_from_shipment(shipment)
    return dict(state.values, csrf_token=csrf, line_count=str(state.lines), action=action, known_at=known_at)


def errors_in(html):
    return dict(re.findall(r'class="error" id="e-([^"]+)">([^<]*)<', html))


@pytest.mark.parametrize("path", ["/", "/?example=1", "/compare", "/batch", "/measures", "/rules", "/healthz",
                                  "/static/style.css", "/batch/template.csv", "/batch/template.xlsx"])
def test_get_pages(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["Referrer-Policy"]


def test_pages_load_nothing_from_elsewhere(client):
    for path in ("/", "/?example=1", "/compare", "/batch", "/measures", "/rules"):
        html = client.get(path).get_data(as_text=True)
        assert not re.search(r'(src|href)="(https?:)?//', html.split("<main>")[0]), path
        assert "<script" not in html
        assert ' style="' not in html  # the CSP allows styles from /static only


def test_unknown_page_is_404_html(client):
    response = client.get("/nowhere")
    assert response.status_code == 404 and response.mimetype == "text/html"


@pytest.mark.parametrize("path", ["/price", "/compare", "/batch"])
def test_form_posts_without_csrf_are_refused(client, path):
    client.get("/")
    assert client.post(path, data={"action": "price"}).status_code == 400
    assert client.post(path, data={"action": "price", "csrf_token": "forged"}).status_code == 400


def test_csrf_token_of_another_session_is_refused(app, shipment):
    first, second = app.test_client(), app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', first.get("/").get_data(as_text=True)).group(1)
    second.get("/")
    assert second.post("/price", data=form_data(shipment, token)).status_code == 400
    assert first.post("/price", data=form_data(shipment, token)).status_code == 303


def test_example_prefills_the_form(client, example_shipment):
    html = client.get("/?example=1").get_data(as_text=True)
    assert 'value="7408.11.60.00"' in html and 'value="100000.00"' in html and 'value="2025-12-01"' in html


def test_price_redirects_to_the_result_and_shows_the_contract_duties(client, csrf, shipment):
    response = client.post("/price", data=form_data(shipment, csrf))
    assert response.status_code == 303
    location = response.headers["Location"]
    assert location.startswith("/quote?s=")
    page = client.get(location)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert re.search(r'id="total-duties">53000.00<', html)
    assert "section_232" in html and "9903.78.01" in html and "mfn" in html
    assert "Proclamation 10962" in html  # legal basis, linked to its source
    assert re.search(r'<a href="https://www\.whitehouse\.gov/[^"]+"[^>]*>Proclamation 10962', html)
    assert "<svg class=\"bar\"" in html and html.count("<rect x=") >= 3  # goods, freight, mfn, 232, fees
    assert 'id="permalink"' in html and 'id="download-json"' in html and 'id="download-csv"' in html
    assert "mpf" in html and "346.40" in html and "158121.40" in html


def test_result_shows_not_applied_and_declarations(client):
    shipment = {"destination": "US", "entry_date": "2025-06-01", "mode": "ocean", "currency": "USD",
                "lines": [{"hts": "7408.11.60.00", "origin": "CN", "customs_value": "1000.00",
                           "metal_content": {"copper": "1000.00"}}]}
    quote = tariffs.quote(shipment, known_at=KNOWN_AT)
    html = client.get(f"/quote?s={link(shipment)}&known_at={KNOWN_AT}").get_data(as_text=True)
    for item in quote.lines[0].not_applied:
        assert item.heading in html
    for item in quote.lines[0].declarations:
        assert item.heading in html
    assert re.search(rf'id="total-duties">{quote.totals.duties}<', html)


def test_add_and_remove_lines_without_javascript(client, csrf, shipment):
    response = client.post("/price", data=form_data(shipment, csrf, action="add_line"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and html.count('<fieldset class="line"') == 2
    assert 'name="line_count" value="2"' in html
    assert 'value="7408.11.60.00"' in html  # what was typed survives the round trip
    data = form_data(shipment, csrf)
    data.update({"line_count": "3", "lines-1-hts": "7408.19.00", "lines-2-hts": "7403.11.00",
                 "action": "remove_line:1"})
    html = client.post("/price", data=data).get_data(as_text=True)
    assert html.count('<fieldset class="line"') == 2
    assert 'value="7403.11.00"' in html and 'value="7408.19.00"' not in html
    assert 'name="lines-1-hts" type="text" value="7403.11.00"' in html


def test_two_lines_price_as_one_entry(client, csrf, shipment):
    second = {"hts": "7408.11.60.00", "origin": "CN", "customs_value": "50000.00",
              "metal_content": {"copper": "50000.00"}}
    data = form_data(shipment, csrf)
    data.update({"line_count": "2", "lines-1-hts": second["hts"], "lines-1-origin": "CN",
                 "lines-1-customs_value": "50000.00", "lines-1-metal_content-copper": "50000.00"})
    location = client.post("/price", data=data).headers["Location"]
    expected = tariffs.quote(dict(shipment, lines=shipment["lines"] + [second]), known_at=KNOWN_AT)
    html = client.get(location).get_data(as_text=True)
    assert re.search(rf'id="total-duties">{expected.totals.duties}<', html)
    assert 'id="line-result-1"' in html


@pytest.mark.parametrize("change, field, needle", [
    (lambda s: s["lines"][0].update(hts="12"), "lines-0-hts", "digits"),
    (lambda s: s.update(destination="XX"), "destination", "not allowed"),
    (lambda s: s["lines"][0].update(customs_value="lots"), "lines-0-customs_value", "decimal"),
    (lambda s: s.update(currency="EUR"), "fx_rate", "no default rate"),
    (lambda s: s["lines"][0].update(origin="ZZ"), "lines-0-origin", ""),
])
def test_errors_are_shown_beside_their_field(client, csrf, shipment, change, field, needle):
    change(shipment)
    response = client.post("/price", data=form_data(shipment, csrf))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    errors = errors_in(html)
    assert field in errors and needle in errors[field]
    assert 'id="error-summary"' in html
    assert f'id="f-{field}"' in html


def test_bad_known_at_is_shown_on_the_form(client, csrf, shipment):
    response = client.post("/price", data=form_data(shipment, csrf, known_at="yesterday"))
    assert response.status_code == 422 and "known_at" in errors_in(response.get_data(as_text=True))


def test_form_name_follows_the_json_path():
    assert form_name("lines[0].metal_content.copper") == "lines-0-metal_content-copper"
    assert form_name("ftz.status") == "ftz-status"


def test_form_round_trip_keeps_every_field(shipment):
    from web.forms import ShipmentForm, shipment_from_form

    shipment["ftz"] = {"zone": "FTZ 49", "status": "privileged_foreign", "admitted_on": "2025-03-01"}
    shipment["lines"][0]["claims"] = ["S", "9903.01.33"]
    shipment["lines"][0]["metal_origin"] = {"copper": "CL"}
    shipment["lines"][0]["emissions"] = {"source": "actual", "direct": "1.5"}
    shipment["lines"][0]["adcvd"] = [{"case": "A-570-967", "type": "antidumping", "rate": "0.3218"}]
    state = form_from_shipment(shipment)
    again = shipment_from_form(ShipmentForm(values=state.values, lines=state.lines))
    assert _strip(again) == _strip(shipment)


def _strip(value):
    """Drop empty values: the form leaves blanks out of the shipment."""
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if v not in (None, [], {})}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def test_permalink_round_trip(client, shipment):
    token = link(shipment)
    assert decode_shipment(token, secret=SECRET) == shipment
    first = client.get(f"/quote?s={token}&known_at={KNOWN_AT}").get_data(as_text=True)
    permalink = re.search(r'href="([^"]+)" id="permalink"', first).group(1).replace("&amp;", "&")
    again = client.get(permalink).get_data(as_text=True)
    total = lambda html: re.search(r'id="total-landed_cost">([^<]+)<', html).group(1)
    assert total(first) == total(again) == "158121.40"
    # The edit link puts the same shipment back in the form.
    edit = client.get(f"/?s={token}").get_data(as_text=True)
    assert 'value="7408.11.60.00"' in edit and 'value="4200.00"' in edit


def test_pinned_permalink_carries_the_knowledge_date(client, shipment):
    html = client.get(f"/quote?s={link(shipment)}").get_data(as_text=True)
    pinned = re.search(r'href="([^"]+)" id="permalink-pinned"', html).group(1).replace("&amp;", "&")
    assert "known_at=" in pinned
    assert client.get(pinned).status_code == 200


@pytest.mark.parametrize("token", ["!!!", link([1, 2])[:-1] + "@", "bm90IGpzb24"])
def test_broken_permalink_is_a_clear_4xx(client, token):
    response = client.get(f"/quote?s={token}")
    assert 400 <= response.status_code < 500
    assert client.get(f"/?s={token}").status_code == 400


def test_result_without_shipment_is_4xx(client):
    assert client.get("/quote").status_code == 422


def test_download_json_is_the_contract_quote(client, shipment):
    token = link(shipment)
    response = client.get(f"/quote.json?s={token}&known_at={KNOWN_AT}")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    body = json.loads(response.data)
    assert body == tariffs.quote(shipment, known_at=KNOWN_AT).model_dump(mode="json")


def test_download_csv(client, shipment):
    response = client.get(f"/quote.csv?s={link(shipment)}&known_at={KNOWN_AT}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    charges = [r for r in rows if r["section"] == "charge"]
    assert sum(Decimal(r["amount"]) for r in charges) == Decimal("53000.00")
    assert {r["program"] for r in charges} == {"mfn", "section_232"}
    totals = {r["program"]: r["amount"] for r in rows if r["section"] == "total"}
    assert totals["duties"] == "53000.00" and totals["landed_cost"] == "158121.40"


def test_download_of_bad_input_is_4xx(client):
    bad = link({"destination": "US"})
    assert client.get(f"/quote.json?s={bad}").status_code == 422
    assert client.get(f"/quote.csv?s={bad}").status_code == 422


def test_measures_page(client):
    response = client.get("/measures?hts=7408.11.60.00&origin=CN&date=2025-12-01&known_at=2026-11-21")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "9903.78.01" in html and "us.s232.copper.2025-08-01" in html and "History of each measure" in html
    assert "3%" in html  # MFN general rate


@pytest.mark.parametrize("query, field", [("hts=12&origin=CN", "hts"), ("hts=7408.11.60.00&origin=ZZ", "origin"),
                                          ("hts=7408.11.60.00&origin=CN&date=soon", "date"),
                                          ("hts=7408.11.60.00&origin=CN&known_at=never", "known_at")])
def test_measures_page_errors(client, query, field):
    response = client.get(f"/measures?{query}")
    assert response.status_code == 422
    assert f"{field}:" in response.get_data(as_text=True)


def test_rules_page(client):
    rules = tariffs.load_rules()
    html = client.get("/rules").get_data(as_text=True)
    assert rules.version in html and rules.sha256 in html and str(rules.knowledge_cutoff) in html
    assert '<pre class="changelog">' in html


def test_compare_page_side_by_side(client, csrf, shipment):
    state = form_from_shipment(shipment)
    data = dict(state.values, csrf_token=csrf, origins="TW, CN", dates="", known_at=KNOWN_AT)
    response = client.post("/compare", data=data)
    assert response.status_code == 303
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    duties = re.findall(r'class="num cmp-duties">([^<]+)<', html)
    cn = tariffs.quote(dict(shipment, origin="CN", lines=[dict(shipment["lines"][0], origin="CN")]),
                       known_at=KNOWN_AT)
    assert duties == ["53000.00", str(cn.totals.duties)]
    assert html.count('<div class="cmp-bar">') == 2


def test_compare_dates_and_zone_options(client, shipment):
    token = link(shipment)
    html = client.get(f"/compare?s={token}&dates=2025-12-01,2026-05-01&ftz=unchanged,privileged_foreign"
                      f"&ftz_admitted_on=2025-03-01&known_at={KNOWN_AT}").get_data(as_text=True)
    assert len(re.findall(r'class="num cmp-duties"', html)) == 4


def test_compare_from_a_result_offers_origins(client, shipment):
    html = client.get(f"/compare?s={link(shipment)}").get_data(as_text=True)
    assert 'value="TW, CN"' in html and 'id="comparison"' not in html


def test_compare_too_many_scenarios_is_refused(client, csrf, shipment):
    state = form_from_shipment(shipment)
    data = dict(state.values, csrf_token=csrf, origins=" ".join(["CN"] * 30))
    response = client.post("/compare", data=data)
    assert response.status_code == 422 and "at most" in response.get_data(as_text=True)


def test_compare_shows_scenario_errors_in_their_column(client, shipment):
    html = client.get(f"/compare?s={link(shipment)}&origins=TW,ZZ").get_data(as_text=True)
    assert re.search(r'cmp-duties"><span class="error">lines\[0\]\.origin', html)


def test_secret_key_from_environment(monkeypatch):
    from web import create_app

    monkeypatch.setenv("TARIFFS_SECRET_KEY", "from-env")
    assert create_app().config["SECRET_KEY"] == "from-env"


def test_random_secret_key_warns(monkeypatch, caplog):
    from web import create_app

    monkeypatch.delenv("TARIFFS_SECRET_KEY", raising=False)
    with caplog.at_level("WARNING", logger="tariffs.web"):
        a, b = create_app(), create_app()
    assert a.config["SECRET_KEY"] != b.config["SECRET_KEY"]
    assert "TARIFFS_SECRET_KEY" in caplog.text


def test_no_debug_outside_tests(monkeypatch):
    from web import create_app

    monkeypatch.setenv("TARIFFS_SECRET_KEY", "x")
    app = create_app({"DEBUG": True})
    assert app.debug is False and app.config["DEBUG"] is False


def test_oversize_form_post_is_413(app, client, csrf):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = client.post("/price", data={"csrf_token": csrf, "lines-0-description": "x" * 5000})
    assert response.status_code == 413


@pytest.mark.parametrize("fields, name, says", [
    ({"dates": "9999-12-31"}, "dates", "9999-12-31 is outside the dates accepted"),
    ({"dates": "2025-12-01, 0"}, "dates", "is not a date"),
    ({"known_at": "9999-12-31T23:59:59-14:00"}, "known_at", "9999-12-31 is outside the dates accepted"),
    ({"ftz": "privileged_foreign", "ftz_admitted_on": "0001-01-01"}, "ftz_admitted_on", "outside the dates accepted"),
    ({"origins": " ".join(["CN"] * 30)}, "origins", "30 scenarios; at most 24"),
])
def test_compare_scenario_field_errors_are_beside_the_field(client, csrf, shipment, fields, name, says):
    """Refused before any pricing, with the message beside its field (not an error in every column)."""
    state = form_from_shipment(shipment)
    data = dict(state.values, csrf_token=csrf, origins="TW, CN", known_at=KNOWN_AT)
    data.update(fields)
    response = client.post("/compare", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    match = re.search(rf'<p class="error" id="e-{name}">([^<]+)<', html)
    assert match and says in match.group(1), html[:2000]
    assert f'aria-describedby="e-{name}"' in html

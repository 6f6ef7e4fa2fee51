"""Bounded property test over the API: large and tiny numbers, extreme datetimes and offsets, deep
nesting and unusual unicode in a quote, a comparison, a batch CSV, a measures query and a permalink.
Whatever the input, the answer is never a 5xx; a 4xx is always a problem document with a type.
(Bounded: a fixed number of examples per endpoint, no deadline, so the run takes seconds.)"""
from __future__ import annotations

import base64
import copy
import csv
import datetime as dt
import io
import json
from urllib.parse import quote as urlquote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from web.forms import encode_shipment

KNOWN_AT = "2026-11-21"
SECRET = "test-secret"  # the app fixture's SECRET_KEY
SETTINGS = settings(max_examples=40, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# Numbers as text: huge and tiny exponents, long digit strings, signs, specials.
NUMBER_TEXT = st.one_of(
    st.builds(lambda m, e: f"{m}e{e}", st.integers(-9, 9), st.integers(-100_000, 100_000)),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.integers(-(10 ** 60), 10 ** 60).map(str),
    st.sampled_from(["1e26", "1E16", "1e40", "1e-40000", "-0", "0.0000000000000000000001", "NaN", "-Infinity",
                     "1" * 200, "٣", "１２３", "1_000", " 1 ", ""]),
)
# Datetimes at the ends of the calendar, with offsets up to ±23:59, and dates alone.
OFFSETS = st.integers(-(24 * 60 - 1), 24 * 60 - 1).map(lambda m: dt.timezone(dt.timedelta(minutes=m)))
DATETIME_TEXT = st.one_of(
    st.datetimes(min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 31, 23, 59, 59),
                 timezones=st.one_of(st.none(), OFFSETS)).map(lambda d: d.isoformat()),
    st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)).map(lambda d: d.isoformat()),
    st.sampled_from(["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00", "0001-01-01", "9999-12-31",
                     "2025-02-30", "2025-12-01T24:00:00", "+2025-12-01", "2025-W49-1"]),
)
UNICODE_TEXT = st.text(min_size=0, max_size=40)
# Nested lists around the documented depth (32 levels): deeper bodies are refused as a whole.
NESTED = st.integers(1, 40).map(lambda n: json.loads("[" * n + "]" * n))
JSON_VALUE = st.one_of(NUMBER_TEXT, DATETIME_TEXT, UNICODE_TEXT, st.none(), st.booleans(),
                       st.integers(-(10 ** 40), 10 ** 40), st.lists(UNICODE_TEXT, max_size=3), NESTED)

SHIPMENT_FIELDS = ["entry_date", "filed_on", "origin", "currency", "fx_rate", "freight", "insurance", "other_costs",
                   "destination", "mode", "known_at", "member_state", "cbam_price"]
LINE_FIELDS = ["hts", "customs_value", "quantity", "net_weight_kg", "us_content_value", "loaded_on", "origin",
               "description", "claims", "mfn_rate", "unit"]


def assert_answer(response):
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    if response.status_code >= 400:
        assert response.mimetype == "application/problem+json", response.get_data(as_text=True)[:300]
        body = response.get_json(force=True)
        assert body["type"].startswith("/api/v1/problems/") and body["status"] == response.status_code
        assert body["title"] and body["detail"]


def _mutate(shipment: dict, where: str, field: str, value) -> dict:
    shipment = copy.deepcopy(shipment)
    (shipment if where == "shipment" else shipment["lines"][0])[field] = value
    return shipment


@SETTINGS
@given(where=st.sampled_from(["shipment", "line"]), data=st.data(), value=JSON_VALUE)
def test_fuzz_quote(client, shipment, where, data, value):
    field = data.draw(st.sampled_from(SHIPMENT_FIELDS if where == "shipment" else LINE_FIELDS))
    assert_answer(client.post(f"/api/v1/quotes?known_at={KNOWN_AT}", json=_mutate(shipment, where, field, value)))


@SETTINGS
@given(known_at=DATETIME_TEXT)
def test_fuzz_quote_known_at_query(client, shipment, known_at):
    assert_answer(client.post(f"/api/v1/quotes?known_at={urlquote(known_at)}", json=shipment))


@SETTINGS
@given(origin=st.one_of(UNICODE_TEXT, st.sampled_from(["CN", "ZZ", "tw"])), entry_date=DATETIME_TEXT,
       known_at=DATETIME_TEXT, value=NUMBER_TEXT)
def test_fuzz_compare(client, shipment, origin, entry_date, known_at, value):
    base = _mutate(shipment, "line", "customs_value", value)
    body = {"shipment": base, "known_at": KNOWN_AT,
            "scenarios": [{"origin": origin}, {"entry_date": entry_date}, {"known_at": known_at}]}
    assert_answer(client.post("/api/v1/quotes/compare", json=body))


@SETTINGS
@given(cells=st.fixed_dictionaries({
    "entry_date": DATETIME_TEXT, "hts": st.one_of(UNICODE_TEXT, st.just("7408.11.60.00")),
    "origin": st.one_of(UNICODE_TEXT, st.just("TW")), "customs_value": NUMBER_TEXT, "fx_rate": NUMBER_TEXT,
    "currency": st.one_of(UNICODE_TEXT, st.just("EUR")), "known_at": DATETIME_TEXT,
    "copper_content": NUMBER_TEXT, "reference": UNICODE_TEXT}), header_extra=UNICODE_TEXT)
def test_fuzz_batch_csv(client, cells, header_extra):
    buf = io.StringIO()
    writer = csv.writer(buf)
    header = list(cells) + ([header_extra] if header_extra.strip() else [])
    writer.writerow(header)
    writer.writerow(list(cells.values()) + (["x"] if header_extra.strip() else []))
    data = buf.getvalue().encode("utf-8", "surrogatepass")
    for fmt in ("json", "csv"):
        response = client.post(f"/api/v1/batch?format={fmt}&known_at={KNOWN_AT}",
                               data={"file": (io.BytesIO(data), "fuzz.csv")}, content_type="multipart/form-data")
        assert_answer(response)


@SETTINGS
@given(hts=st.one_of(UNICODE_TEXT, st.just("7408.11.60.00")), origin=st.one_of(UNICODE_TEXT, st.just("CN")),
       day=DATETIME_TEXT, known_at=DATETIME_TEXT, claims=UNICODE_TEXT,
       destination=st.one_of(UNICODE_TEXT, st.sampled_from(["US", "EU", "TW"])))
def test_fuzz_measures(client, hts, origin, day, known_at, claims, destination):
    query = "&".join(f"{k}={urlquote(v.encode('utf-8', 'surrogatepass'))}" for k, v in
                     {"hts": hts, "origin": origin, "date": day, "known_at": known_at, "claims": claims,
                      "destination": destination}.items())
    assert_answer(client.get(f"/api/v1/measures?{query}"))


@SETTINGS
@given(payload=st.one_of(JSON_VALUE, st.dictionaries(UNICODE_TEXT, JSON_VALUE, max_size=4)),
       raw=st.one_of(UNICODE_TEXT, st.integers(1, 5000).map(lambda n: "[" * n + "]" * n)),
       sign=st.booleans(), path=st.sampled_from(["/quote.json", "/quote.csv"]))
def test_fuzz_permalink(client, shipment, payload, raw, sign, path):
    # A link this server signed (so only its content is odd), and raw text that is no link at all.
    if sign:
        token = encode_shipment(payload if isinstance(payload, dict) else {"lines": payload}, secret=SECRET)
    else:
        token = base64.urlsafe_b64encode(raw.encode("utf-8", "surrogatepass")).decode()
    assert_answer(client.get(f"{path}?s={urlquote(token)}&known_at={KNOWN_AT}"))
    assert_answer(client.get(f"{path}?s={urlquote(raw.encode('utf-8', 'surrogatepass'))}"))


@SETTINGS
@given(depth=st.integers(1, 100_000), kind=st.sampled_from(["[", '{"a":']))
def test_fuzz_nesting(client, depth, kind):
    close = "]" if kind == "[" else "}"
    body = kind * depth + "1" + close * depth
    for path in ("/api/v1/quotes", "/api/v1/quotes/compare", "/api/v1/batch"):
        assert_answer(client.post(path, data=body, content_type="application/json"))

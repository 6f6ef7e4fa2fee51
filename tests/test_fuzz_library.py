"""Bounded fuzzing of the library's and the CLI's input boundary.

Whatever goes in — huge and tiny numbers, extreme datetimes and offsets, deep nesting, unusual unicode
(NUL, right-to-left marks, lone surrogates escaped in JSON, combining marks) — ``tariffs.quote`` returns a
Quote or raises InputError (TypeError only for a misused ``rules`` argument, not exercised here), and the CLI
exits 0 or 2 with at most one line on stderr: never an untyped exception, never exit 3.
"""
import datetime as dt
import json
import subprocess
import sys
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tariffs

from conftest import ROOT, shipment

FUZZ = settings(max_examples=60, deadline=None, derandomize=True,  # the same examples on every run (CI)
                suppress_health_check=[HealthCheck.function_scoped_fixture])

WEIRD_TEXT = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["\x00", "74\x0008.11", "\u202eWT", "T\u0301W", "ＴＷ", "७४०८.११.६०", "7408.11.60\u200b",
                     "\ud800", "\udfff7408", "\U0001F600", "", " ", "null", "1e400"]),
)
NUMBERS = st.one_of(
    st.decimals(allow_nan=True, allow_infinity=True),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-10 ** 60, max_value=10 ** 60),
    st.builds(lambda m, e: f"{m}e{e}", st.integers(-10 ** 6, 10 ** 6), st.integers(-400, 400)),
    st.sampled_from(["1e26", "1e-30", "0E-999999999", "-0", "1,000.00", "0x10", " 5 ", "١٢٣", "Infinity",
                     "9" * 40, "0." + "0" * 40 + "1"]),
    st.booleans(), st.none(), WEIRD_TEXT,
)
OFFSETS = st.builds(dt.timezone, st.timedeltas(min_value=-dt.timedelta(hours=23, minutes=59),
                                               max_value=dt.timedelta(hours=23, minutes=59)).map(
    lambda d: dt.timedelta(minutes=d // dt.timedelta(minutes=1))))
DATETIMES = st.datetimes(timezones=st.one_of(st.none(), OFFSETS))
KNOWN_AT = st.one_of(
    DATETIMES, DATETIMES.map(lambda d: d.isoformat()), st.dates(), st.dates().map(str),
    st.sampled_from(["9999-12-31T23:59:59-14:00", "9999-12-31T23:59:59+23:59", "0001-01-01T00:00:00+23:59",
                     "0001-01-01", "2026-11-21T25:00", "2026-02-29", "2026-11-21Z", "now", ""]),
    st.integers(), st.floats(), st.booleans(), WEIRD_TEXT,
)
DATES = st.one_of(st.dates(), st.dates().map(str), DATETIMES, st.integers(), st.floats(), st.booleans(), WEIRD_TEXT)


def nested(depth: int, leaf="1"):
    value = leaf
    for i in range(depth):
        value = [value] if i % 2 else {"k": value}
    return value


# (path in the shipment, strategy for its value)
TARGETS = [
    (("lines", 0, "customs_value"), NUMBERS), (("lines", 0, "quantity"), NUMBERS), (("fx_rate",), NUMBERS),
    (("freight",), NUMBERS), (("lines", 0, "us_content_value"), NUMBERS),
    (("lines", 0, "adcvd"), NUMBERS.map(lambda r: [{"case": "A-570-000", "type": "antidumping", "rate": r}])),
    (("lines", 0, "metal_content"), NUMBERS.map(lambda v: {"copper": v})),
    (("lines", 0, "hts"), WEIRD_TEXT), (("lines", 0, "origin"), WEIRD_TEXT), (("currency",), WEIRD_TEXT),
    (("lines", 0, "description"), WEIRD_TEXT), (("lines", 0, "claims"), st.lists(WEIRD_TEXT, max_size=3)),
    (("lines", 0, "mfn_rate"), WEIRD_TEXT), (("mode",), WEIRD_TEXT), (("destination",), WEIRD_TEXT),
    (("entry_date",), DATES), (("filed_on",), DATES), (("lines", 0, "loaded_on"), DATES),
    (("lines", 0, "unit"), WEIRD_TEXT), (("lines", 0, "emissions"), st.fixed_dictionaries({"source": WEIRD_TEXT})),
    (("lines", 0, "customs_value"), st.integers(1, 3000).map(nested)),
    (("lines",), st.integers(1, 3000).map(lambda d: [nested(d)])),
]


def _set(doc, path, value):
    target = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value


def _price(s, known_at="2026-11-21"):
    try:
        return tariffs.quote(s, known_at=known_at)
    except tariffs.InputError as exc:
        assert exc.field and isinstance(exc.field, str)
        str(exc)  # the message renders
        return exc


@FUZZ
@given(st.data())
def test_any_field_value_gives_a_quote_or_an_input_error(data):
    path, strategy = data.draw(st.sampled_from(TARGETS))
    s = shipment()
    _set(s, path, data.draw(strategy))
    result = _price(s)
    if isinstance(result, tariffs.Quote):
        json.loads(result.to_json())  # and the quote serialises


@FUZZ
@given(KNOWN_AT)
def test_any_known_at_gives_a_quote_or_an_input_error_on_known_at(known_at):
    result = _price(shipment(), known_at)
    if isinstance(result, tariffs.InputError):
        assert result.field == "known_at", str(result)


@FUZZ
@given(st.data())
def test_json_text_with_escapes_and_extremes(data):
    # The same, through JSON text: escaped surrogates and control characters, exponents beyond any float.
    path, strategy = data.draw(st.sampled_from(TARGETS))
    s = shipment()
    value = data.draw(strategy)
    if isinstance(value, Decimal):
        value = str(value)
    _set(s, path, value)
    ascii_only = data.draw(st.booleans())
    try:
        text = json.dumps(s, ensure_ascii=ascii_only, default=str)
    except RecursionError:  # json.dumps itself cannot write it: write the deep value by hand
        _set(s, path, "__DEEP__")
        text = json.dumps(s, ensure_ascii=ascii_only).replace('"__DEEP__"', "[" * 3000 + "]" * 3000)
    if data.draw(st.booleans()):
        text = text.replace('"100000.00"', data.draw(st.sampled_from(["1e400", "-0.0", "1E+13", "1" * 5000])))
    try:
        encoded = text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate cannot be UTF-8: pass the text itself
        encoded = text
    _price(encoded)


@pytest.mark.parametrize("depth", [33, 1000, 100_000])
def test_deep_nesting_in_json_text(depth):
    text = json.dumps(shipment()).replace('"100000.00"', "[" * depth + "]" * depth)
    assert isinstance(_price(text), tariffs.InputError)


def _cli(args, stdin):
    return subprocess.run([sys.executable, "-m", "tariffs.cli", *args], input=stdin, capture_output=True,
                          cwd=ROOT, timeout=120)


def _dump(s, ascii_only=True):
    return json.dumps(s, ensure_ascii=ascii_only).encode("utf-8")


def _with(path, value):
    s = shipment()
    _set(s, path, value)
    return s


@pytest.mark.parametrize("stdin, known_at", [
    (_dump(_with(("lines", 0, "hts"), "7408.11\x00.60")), "2026-11-21"),
    (_dump(_with(("lines", 0, "origin"), "\u202eWT")), "2026-11-21"),
    (_dump(_with(("lines", 0, "description"), "wire \ud800 \u0301\u0301")), "2026-11-21"),
    (_dump(_with(("lines", 0, "claims"), ["\udfff"])), "2026-11-21"),
    (_dump(_with(("lines", 0, "unit"), "k\u0300g"), ascii_only=False), "2026-11-21"),
    (_dump(shipment()).replace(b'"100000.00"', b"1e400"), "2026-11-21"),
    (_dump(shipment()).replace(b'"100000.00"', b"[" * 5000 + b"]" * 5000), "2026-11-21"),
    (_dump(shipment()), "9999-12-31T23:59:59-14:00"),
    (_dump(shipment()), "0001-01-01T00:00:00+23:59"),
    (_dump(_with(("lines", 0, "description"), "wire \ud800")), "2026-11-21"),
], ids=["nul", "rtl", "surrogate-description", "surrogate-claim", "combining-unit", "1e400", "deep", "known-at-max",
        "known-at-min", "surrogate-priced"])
def test_cli_never_exits_3(stdin, known_at):
    p = _cli(["quote", "-", "--known-at", known_at], stdin)
    assert p.returncode in (0, 2), p.stderr
    assert b"Traceback" not in p.stderr and len(p.stderr.strip().splitlines()) <= 1, p.stderr
    if p.returncode == 0:
        json.loads(p.stdout)

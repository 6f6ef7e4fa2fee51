"""The strict JSON reader: every refusal names the field and says what is allowed."""
from decimal import Decimal

import pytest

from tariffs.errors import InputError
from tariffs.jsonio import MAX_DEPTH, loads


def test_numbers_are_decimal_never_float():
    data = loads('{"a": 0.1, "b": 2, "c": 1e2}')
    assert data == {"a": Decimal("0.1"), "b": 2, "c": Decimal("1E+2")}
    assert type(data["a"]) is Decimal and type(data["b"]) is int


def test_duplicate_key_is_refused_and_named():
    with pytest.raises(InputError) as err:
        loads('{"lines": [{"hts": "1", "hts": "2"}]}', field="body")
    assert err.value.field == "body" and "'hts'" in err.value.message


def test_deep_nesting_is_refused_without_recursion():
    deep = "[" * 100_000 + "]" * 100_000
    with pytest.raises(InputError) as err:
        loads(deep)
    assert "nested deeper" in err.value.message
    assert loads("[" * MAX_DEPTH + "]" * MAX_DEPTH) is not None


def test_brackets_inside_strings_do_not_count():
    assert loads('{"d": "' + "[" * 100 + '\\""}') == {"d": "[" * 100 + '"'}


def test_non_utf8_bytes_and_malformed_text():
    with pytest.raises(InputError) as err:
        loads(b"\xff\xfe{}")
    assert "UTF-8" in err.value.message
    with pytest.raises(InputError) as err:
        loads("{nope")
    assert "malformed JSON" in err.value.message
    assert loads("\ufeff{}".encode()) == {}

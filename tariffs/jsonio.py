"""Strict JSON input: the one reader for shipments and API bodies.

Refused, each with an InputError naming the field and what is allowed:
- bytes that are not UTF-8;
- malformed JSON;
- nesting deeper than MAX_DEPTH (a shipment is at most five levels deep; a deep document is refused
  before it can exhaust the stack);
- duplicate keys in one object (JSON leaves them undefined; last-wins would silently drop a value).
Numbers with a fraction or exponent are read as Decimal (never float), integers as int.
"""
from __future__ import annotations

import json
from decimal import Decimal

from tariffs.errors import InputError

MAX_DEPTH = 32
_ALLOWED = "a UTF-8 JSON object, each key once, nested at most 32 levels"


def _depth(text: str) -> int:
    """The deepest nesting of [ and { outside strings (a linear scan, no recursion)."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
        elif ch in "]}":
            depth -= 1
    return deepest


class _DuplicateKey(Exception):
    def __init__(self, key: str):
        self.key = key


def _pairs(pairs):
    out = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


def decode_text(raw, field: str = "shipment") -> str:
    """bytes -> str (UTF-8, a leading byte-order mark dropped); str passes through."""
    if isinstance(raw, (bytes, bytearray)):
        try:
            raw = bytes(raw).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(field, f"not UTF-8 text (byte {exc.start})", _ALLOWED) from None
    if not isinstance(raw, str):
        raise InputError(field, f"a {type(raw).__name__} is not JSON text", _ALLOWED)
    return raw.removeprefix("\ufeff")


def loads(raw, field: str = "shipment"):
    """Parse JSON text or UTF-8 bytes strictly (see the module doc)."""
    text = decode_text(raw, field)
    if _depth(text) > MAX_DEPTH:
        raise InputError(field, f"JSON nested deeper than {MAX_DEPTH} levels", _ALLOWED)
    try:
        return json.loads(text, parse_float=Decimal, object_pairs_hook=_pairs)
    except _DuplicateKey as exc:
        raise InputError(field, f"duplicate key {exc.key!r} in one JSON object", _ALLOWED) from None
    except RecursionError:
        raise InputError(field, "JSON nested too deeply", _ALLOWED) from None
    except ValueError as exc:  # JSONDecodeError
        raise InputError(field, f"malformed JSON: {str(exc).splitlines()[0]}", _ALLOWED) from None

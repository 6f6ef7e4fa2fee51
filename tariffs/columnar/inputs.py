"""Parse a batch frame (the columns of tariffs.batch.COLUMNS, plus ``entry``) into typed arrays.

Text is parsed with pyarrow compute kernels (no Python loop per row). A value the columnar path
does not read exactly (a money amount with more than two decimals, a date that is not YYYY-MM-DD,
a currency other than USD, ...) does not guess: the row is marked unsupported and the caller
prices it with the scalar engine, which accepts or refuses it with its own message.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from tariffs.columnar.compile import CHAPTER99, Compiled
from tariffs.columnar.tables import EPOCH, group_reduce
from tariffs.hts import canonical_unit

MODES = ("ocean", "air", "truck", "rail", "mail")
# Columns that change what a line is but that the columnar path does not price: a non-empty value
# sends the row to the scalar engine.
SCALAR_ONLY = ("mfn_rate", "metal_origin", "metal_weight_kg", "adcvd", "ftz", "emissions", "member_state")
NONE = np.int32(-(2**31))
MAX_CENTS = 10**11  # 10^9 USD per amount: keeps rate x value inside int64
MAX_MILLI = 10**11  # 10^8 units of quantity


@dataclass
class Inputs:
    n: int
    ok: np.ndarray
    entry: np.ndarray  # int64 entry id per row (0..n_entries-1)
    n_entries: int
    day: np.ndarray
    known: np.ndarray
    filed: np.ndarray
    loaded: np.ndarray  # NONE when not given
    code: np.ndarray
    origin: np.ndarray
    mode: np.ndarray  # index into MODES
    value: np.ndarray  # customs value, cents
    us_content: np.ndarray
    has_us: np.ndarray
    content: dict  # metal -> (cents, given)
    quantities: list  # [(milli, unit index, given)] in the scalar engine's order
    claim_row: np.ndarray  # exploded claims: row, claim index (into Compiled.claims)
    claim_id: np.ndarray
    spi: np.ndarray  # indicator index of the row's special-program claim, -1 none
    fio: np.ndarray  # freight + insurance + other costs of the row, cents


def _strings(frame: pd.DataFrame, column: str) -> pa.Array | None:
    """The column as trimmed strings (missing -> ""), or None when the frame has no such column."""
    if column not in frame.columns:
        return None
    series = frame[column]
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        series = series.dt.strftime("%Y-%m-%d")
    elif pd.api.types.is_float_dtype(series.dtype):
        series = series.map(lambda v: "" if v != v else str(v)).astype(object)
    elif pd.api.types.is_integer_dtype(series.dtype):
        series = series.astype(str)
    try:
        arr = pa.array(series, type=pa.string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        arr = pa.array(series.map(lambda v: "" if v is None or (isinstance(v, float) and v != v) else str(v)),
                       type=pa.string())
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return pc.utf8_trim_whitespace(pc.fill_null(arr, ""))


def _empty(arr: pa.Array | None, n: int) -> np.ndarray:
    if arr is None:
        return np.ones(n, bool)
    return pc.equal(pc.utf8_length(arr), 0).to_numpy(zero_copy_only=False)


def _subset(arr: pa.Array, n: int):
    """(positions of the non-empty values, those values): sparse columns are parsed where given."""
    given = ~_empty(arr, n)
    if given.all():
        return given, None, arr
    where = np.nonzero(given)[0]
    return given, where, arr.take(pa.array(where))


def _decimal(arr: pa.Array | None, n: int, places: int, max_int_digits: int):
    """(scaled int64, given, exact): '1234.5' with places=2 -> 123450.

    Arrow parses the text into a decimal128 of that scale; its storage is the scaled integer
    (little-endian, low 64 bits first), read without any float. Text that is not plain digits
    with at most ``places`` decimals is not read (the row goes to the scalar engine)."""
    if arr is None:
        return np.zeros(n, np.int64), np.zeros(n, bool), np.ones(n, bool)
    given, where, values = _subset(arr, n)
    shaped = pc.match_substring_regex(values, rf"^\d{{1,{max_int_digits}}}(\.\d{{1,{places}}})?$")
    valid = shaped.to_numpy(zero_copy_only=False)
    decimal = pc.cast(values if valid.all() else pc.if_else(shaped, values, "0"), pa.decimal128(18, places))
    if isinstance(decimal, pa.ChunkedArray):
        decimal = decimal.combine_chunks()
    words = np.frombuffer(decimal.buffers()[1], dtype=np.int64)
    parsed = np.where(valid, words[2 * decimal.offset::2][:len(decimal)], 0)
    exact = np.ones(n, bool)
    if where is None:
        return parsed, given, valid
    value = np.zeros(n, np.int64)
    value[where] = parsed
    exact[where] = valid
    return value, given, exact


def _dates(arr: pa.Array | None, n: int):
    """(int32 days, given, exact)."""
    if arr is None:
        return np.full(n, NONE, np.int32), np.zeros(n, bool), np.ones(n, bool)
    given, where, values = _subset(arr, n)
    try:  # Arrow's string -> date32 cast reads exactly YYYY-MM-DD and fails on anything else
        days = pc.cast(pc.cast(values, pa.date32()), pa.int32())
        valid = np.ones(len(values), bool)
    except pa.ArrowInvalid:  # some text is not a date: find which, row by row in the kernel
        shaped = pc.match_substring_regex(values, r"^\d{4}-\d{2}-\d{2}$")
        parsed = pc.strptime(pc.if_else(shaped, values, "1970-01-01"), format="%Y-%m-%d", unit="s",
                             error_is_null=True)
        days = pc.cast(pc.cast(parsed, pa.date32()), pa.int32())
        valid = pc.and_(shaped, pc.is_valid(days)).to_numpy(zero_copy_only=False)
    days = np.where(valid, pc.fill_null(days, 0).to_numpy(zero_copy_only=False).astype(np.int32), NONE)
    if where is None:
        return days, given, valid
    out = np.full(n, NONE, np.int32)
    exact = np.ones(n, bool)
    out[where] = days
    exact[where] = valid
    return out, given, exact


def _lookup(arr: pa.Array | None, n: int, mapping, default=-1, transform=None) -> np.ndarray:
    """Map each distinct string through ``mapping`` (a dict or function) once; -1 when unknown."""
    if arr is None:
        return np.full(n, default, np.int64)
    encoded = pc.dictionary_encode(arr)
    uniques = encoded.dictionary.to_pylist()
    get = mapping if callable(mapping) else mapping.get
    table = np.array([get(transform(u) if transform else u) for u in uniques] + [default], dtype=object)
    table = np.array([default if v is None else v for v in table], dtype=np.int64)
    idx = pc.fill_null(encoded.indices, len(uniques)).to_numpy(zero_copy_only=False)
    return table[idx]


def parse_inputs(compiled: Compiled, frame: pd.DataFrame, known_at: dt.date) -> Inputs:
    n = len(frame)
    ok = np.ones(n, bool)
    cache: dict = {}

    def text(name):
        """The column as trimmed text, read once and only when the pricer needs it."""
        if name not in cache:
            cache[name] = _strings(frame, name)
        return cache[name]

    # Destination, currency and fx: US lines in USD only.
    for name, allowed in (("destination", {"", "US"}), ("currency", {"", "USD"})):
        if text(name) is not None:
            ok &= _lookup(text(name), n, lambda v: 1 if v in allowed else 0, transform=str.upper) == 1
    # An explicit entry type, an fx rate, or a column the columnar path does not read: scalar.
    for name in ("fx_rate", "entry_type", *SCALAR_ONLY):
        if text(name) is not None:
            ok &= _empty(text(name), n)
    day, given, exact = _dates(text("entry_date"), n)
    ok &= given & exact & (day >= compiled.earliest)
    filed, filed_given, exact = _dates(text("filed_on"), n)
    ok &= exact
    filed = np.where(filed_given, filed, day)
    loaded, _, exact = _dates(text("loaded_on"), n)
    ok &= exact
    known = np.full(n, (known_at - EPOCH).days, np.int32)
    if text("known_at") is not None:
        row_known, row_given, exact = _dates(text("known_at"), n)
        ok &= exact
        known = np.where(row_given, row_known, known).astype(np.int32)
    # HTS: 8 or 10 digits, dots optional, a code of a loaded edition.
    hts = text("hts")
    if hts is None:
        ok[:] = False
        code = np.zeros(n, np.int64)
    else:
        # the scalar engine reads digits with dots anywhere; a code outside the loaded editions (or
        # written otherwise) is left to it
        digits = pc.replace_substring(hts, ".", "")
        code = _lookup(digits, n, compiled.code_index)
        ok &= code >= 0
        code = np.maximum(code, 0)
    origin = _lookup(text("origin"), n, compiled.countries.index, transform=str.upper)
    ok &= origin > 0
    origin = np.maximum(origin, 0)
    mode = _lookup(text("mode"), n, {m: i for i, m in enumerate(MODES)} | {"": 0})
    if text("mode") is None:
        mode = np.zeros(n, np.int64)
    ok &= mode >= 0
    mode = np.maximum(mode, 0)
    value, given, exact = _decimal(text("customs_value"), n, 2, 11)
    ok &= given & exact & (value <= MAX_CENTS)
    us, has_us, exact = _decimal(text("us_content_value"), n, 2, 11)
    ok &= exact & (us <= value)
    content = {}
    total_content = np.zeros(n, np.int64)
    for metal in ("steel", "aluminum", "copper"):
        cents, metal_given, exact = _decimal(text(f"{metal}_content"), n, 2, 11)
        ok &= exact & (cents <= value)
        total_content += cents
        content[metal] = (cents, metal_given)
    ok &= total_content <= value
    fio = np.zeros(n, np.int64)
    for name in ("freight", "insurance", "other_costs"):
        cents, _, exact = _decimal(text(name), n, 2, 11)
        ok &= exact
        fio += cents
    # Quantities in the scalar engine's order: quantity/unit, quantity2/unit2, then net weight as kg.
    units = compiled.units
    quantities = []
    has_kg = np.zeros(n, bool)
    for qname, uname in (("quantity", "unit"), ("quantity2", "unit2")):
        milli, q_given, exact = _decimal(text(qname), n, 3, 9)
        unit = _lookup(text(uname), n, lambda u: units.get(canonical_unit(u)) if canonical_unit(u) else None)
        if text(uname) is not None:
            known_unit = _lookup(text(uname), n, lambda u: 1 if canonical_unit(u) else 0) == 1
        else:
            known_unit = np.zeros(n, bool)
        ok &= exact & (~q_given | known_unit) & (milli <= MAX_MILLI)
        # a unit the engine knows but no rate uses cannot serve any specific rate: keep it, unmatched
        unit = np.where(q_given & known_unit & (unit < 0), 10**6, unit)
        has_kg |= q_given & (unit == units["kg"])
        quantities.append((milli, unit, q_given & known_unit))
    weight, w_given, exact = _decimal(text("net_weight_kg"), n, 3, 9)
    ok &= exact & (weight <= MAX_MILLI)
    quantities.append((weight, np.full(n, units["kg"], np.int64), w_given & ~has_kg))
    # Claims: SPI indicators and Chapter 99 headings, separated by spaces, commas or ';'.
    claim_row = np.zeros(0, np.int64)
    claim_id = np.zeros(0, np.int64)
    spi = np.full(n, -1, np.int64)
    claims_text = text("claims")
    if claims_text is not None and (~_empty(claims_text, n)).any():
        tokens = pc.split_pattern_regex(pc.utf8_upper(claims_text), r"[\s,;]+")
        parent = pc.list_parent_indices(tokens).to_numpy(zero_copy_only=False)
        flat = pc.list_flatten(tokens)
        keep = pc.greater(pc.utf8_length(flat), 0)
        parent = parent[keep.to_numpy(zero_copy_only=False)]
        flat = pc.filter(flat, keep)
        claims = compiled.claims
        ind = {x: i for i, x in enumerate(compiled.indicators)}
        claim_id = _lookup(flat, len(flat), claims)
        is_spi = _lookup(flat, len(flat), lambda t: 0 if CHAPTER99.match(t) else 1) == 1
        spi_idx = _lookup(flat, len(flat), ind)
        # An SPI this ruleset does not know is refused by the scalar engine; two SPIs on a line are
        # decided one after the other there: both go to the scalar path.
        bad = is_spi & (spi_idx < 0)
        ok[parent[bad]] = False
        spi_count = np.bincount(parent[is_spi], minlength=n)
        ok &= spi_count <= 1
        spi[parent[is_spi & (spi_idx >= 0)]] = spi_idx[is_spi & (spi_idx >= 0)]
        known_claim = claim_id >= 0
        claim_row, claim_id = parent[known_claim].astype(np.int64), claim_id[known_claim]
        order = np.lexsort((claim_id, claim_row))
        claim_row, claim_id = claim_row[order], claim_id[order]
    # Entries: rows sharing ``entry`` form one shipment; its date, filing, mode and knowledge must agree.
    if "entry" in frame.columns:
        entry, _ = pd.factorize(frame["entry"], use_na_sentinel=False)
        entry = entry.astype(np.int64)
        n_entries = int(entry.max()) + 1 if n else 0
        for values in (day, filed, known, mode):
            values = values.astype(np.int64)
            lo = group_reduce(np.minimum, entry, values, n_entries, np.iinfo(np.int64).max)
            hi = group_reduce(np.maximum, entry, values, n_entries, np.iinfo(np.int64).min)
            ok &= (lo == hi)[entry]
        bad_entry = np.zeros(n_entries, bool)
        bad_entry[entry[~ok]] = True
        ok &= ~bad_entry[entry]
    else:
        entry = np.arange(n, dtype=np.int64)
        n_entries = n
    return Inputs(n=n, ok=ok, entry=entry, n_entries=n_entries, day=day, known=known, filed=filed,
                  loaded=loaded, code=code.astype(np.int64), origin=origin.astype(np.int64), mode=mode,
                  value=value, us_content=us, has_us=has_us, content=content, quantities=quantities,
                  claim_row=claim_row, claim_id=claim_id, spi=spi, fio=fio)


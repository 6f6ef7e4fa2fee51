"""Edge dates generated from the shipped tables: for every charge row, the day before and
the day of its valid_from (and valid_to), quoted through the engine."""
import datetime as dt

import pytest

from tariffs.rates import try_parse
from tariffs.rules.ruleset import load_rules

RULES = load_rules()
FIRST_DAY = RULES.earliest_date
LAST_FEE_DAY = max((f.valid_to or dt.date(2100, 1, 1)) for f in RULES.fees if f.program == "mpf") - dt.timedelta(1)


def _sample_line(measure, days):
    """A real 10-digit HTS line in the measure's scope (not carved out), a line of the editions in force
    on all ``days``, and an origin it covers."""
    editions = {RULES.edition_for(day, dt.date(2026, 11, 21))[0].edition for day in days}
    tables = [RULES.mfn[e] for e in sorted(editions)]
    lines = tables[0]
    for prefix in measure.scope:
        if prefix == "ALL":
            prefix = "7408"
        for d in sorted(lines):
            if d.startswith(prefix) and len(d) == 10 and not any(d.startswith(x) for x in measure.except_scope) \
                    and all(d in t for t in tables[1:]):
                rate = try_parse(lines[d].general)
                if rate is not None and not rate.specifics:  # an ad valorem line needs no quantity
                    return d
    return None


_REPORT = []


def _scope_report():
    if not _REPORT:
        from tariffs.rules.chapter99_check import check_measures

        _REPORT.extend(check_measures(RULES).scope_codes or ["(none)"])
    return _REPORT


def _origin(measure, day):
    for token in measure.origins:
        if token == "ALL":
            return "VN"
        if len(token) == 2 and token not in RULES.groups:
            return token
        members = [m.country for m in RULES.groups.get(token, ()) if m.valid_on(day)]
        if members:
            return sorted(members)[0]
    return None


def _cases():
    cases = []
    for m in RULES.measures:
        # US rows: sample lines come from the loaded HTSUS; EU/TW rows are covered by their own tests.
        if m.kind != "charge" or m.retracted_at or m.jurisdiction != "us":
            continue
        for edge in filter(None, [m.valid_from, m.valid_to]):
            if FIRST_DAY < edge <= LAST_FEE_DAY:
                cases.append(pytest.param(m.measure_id, edge, id=f"{m.measure_id}@{edge}"))
    return cases


def _appears(quote, measure_id):
    line = quote.lines[0]
    return (any(c.measure_id == measure_id for c in line.charges)
            or any(n.measure_id == measure_id for n in line.not_applied))


@pytest.mark.parametrize("measure_id, edge", _cases())
def test_measure_edges(engine, measure_id, edge):
    m = next(x for x in RULES.measures if x.measure_id == measure_id)
    inside = edge if edge == m.valid_from else edge - dt.timedelta(days=1)
    outside = edge - dt.timedelta(days=1) if edge == m.valid_from else edge
    hts, origin = _sample_line(m, (inside, outside)), _origin(m, inside)
    if hts is None and origin is not None:
        # No line of the editions in force on both days is in scope: `tariffs rules check` must report it.
        assert any(r.split(": ", 1)[0].endswith(" " + measure_id) for r in _scope_report()), \
            f"{measure_id}: no HTS line of the editions in force on {outside}/{inside} in scope, and not reported"
        return
    if hts is None or origin is None:
        pytest.fail(f"{measure_id}: no HTS line or origin to test with: scope or origins are wrong")
    claims = [m.claim] if m.claim else []
    line = {"hts": hts, "origin": origin, "customs_value": "1000.00", "claims": claims, "quantity": "10",
            "unit": m.unit or "kg"}
    ship = {"destination": "US", "mode": "ocean", "entry_type": "formal", "lines": [line]}
    from tariffs.errors import InputError
    try:
        q_in = engine.quote({**ship, "entry_date": inside.isoformat()}, known_at="2026-11-21")
        q_out = engine.quote({**ship, "entry_date": outside.isoformat()}, known_at="2026-11-21")
    except InputError as exc:  # e.g. an MFN rate needing another unit: the edge test needs a priceable line
        pytest.fail(f"{measure_id}: sample line {hts} not priceable: {exc}")
    if m.except_origins and RULES.matches_origin(origin, m.except_origins, inside, dt.date(2026, 11, 21)):
        assert any(n.measure_id == measure_id for n in q_in.lines[0].not_applied)
    else:
        assert _appears(q_in, measure_id), f"{measure_id} should be considered on {inside}"
    assert not any(c.measure_id == measure_id for c in q_out.lines[0].charges), f"{measure_id} charged on {outside}"


@pytest.mark.parametrize("fee", [f for f in RULES.fees if f.program == "mpf" and f.valid_from > FIRST_DAY],
                         ids=lambda f: f.fee_id)
def test_mpf_fiscal_year_edges(engine, fee):
    entry_type = fee.entry_types[0]
    # A formal entry of 1,000,000 hits the cap (0.3464% = 3464.00 > any maximum); an informal one pays the flat fee.
    value = "1000000.00" if entry_type == "formal" else "1000.00"
    base = {"destination": "US", "mode": "air", "entry_type": entry_type,
            "lines": [{"hts": "8471.30.01.00", "origin": "VN", "customs_value": value}]}
    on = engine.quote({**base, "entry_date": fee.valid_from.isoformat()}, known_at="2026-11-21")
    before = engine.quote({**base, "entry_date": (fee.valid_from - dt.timedelta(1)).isoformat()},
                          known_at="2026-11-21")
    assert on.entry_charges[0].fee_id == fee.fee_id and on.entry_charges[0].amount == fee.maximum
    assert before.entry_charges[0].fee_id != fee.fee_id

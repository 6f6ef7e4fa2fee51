"""Foreign-trade zones: US (19 CFR part 146) and Taiwan (FTZ Act). Figures worked by hand."""
from decimal import Decimal

import pytest

import tariffs
from tariffs.scenarios import zone_vs_direct


def us_zone(entry_date, status, admitted_on, origin="CN", **ftz):
    return {"destination": "US", "entry_date": entry_date, "mode": "ocean",
            "ftz": {"status": status, "admitted_on": admitted_on, **ftz},
            "lines": [{"hts": "7408.11.60.00", "origin": origin, "customs_value": "100000.00",
                       "metal_content": {"copper": "100000.00"}}]}


def programs(q):
    out = {}
    for c in q.lines[0].charges:
        out[c.program] = out.get(c.program, Decimal(0)) + c.amount
    return out


def test_privileged_foreign_locks_the_rates_of_the_pf_date(engine):
    # PF applied 2025-06-01 (before 232 copper of 2025-08-01, whose proclamation does not reach goods already in
    # PF status); withdrawn 2025-12-01, as known then: MFN 3% 3000 + 301 List 3 25% 25000 + fentanyl 20% (the
    # 10% cut of 2025-11-10 came later) 20000 + reciprocal 10% (China from 2025-05-14) 10000 = 58000.
    q = engine.quote(us_zone("2025-12-01", "privileged_foreign", "2025-06-01"), known_at="2025-12-01")
    assert programs(q) == {"mfn": Decimal("3000.00"), "section_301": Decimal("25000.00"),
                           "ieepa_fentanyl": Decimal("20000.00"), "ieepa_reciprocal": Decimal("10000.00")}
    assert any(n.heading == "9903.78.01" and "came into force later" in n.reason for n in q.lines[0].not_applied)
    # HMF was paid on admission to the zone, not on withdrawal.
    assert [f.program for f in q.entry_charges] == ["mpf"]


def test_a_measure_that_reaches_pf_goods_applies_on_entry(engine):
    # Taiwan copper, PF 2026-03-01 (then 232 copper 9903.78.01 50%); withdrawn 2026-08-15. Proc. 11021 cl. 12 makes
    # PF goods pay its rates on entry: 9903.82.02 50% of 100000 replaces the ended 9903.78.01. 3000 + 50000.
    q = engine.quote(us_zone("2026-08-15", "privileged_foreign", "2026-03-01", origin="TW"), known_at="2026-11-21")
    headings = {c.heading: c.amount for c in q.lines[0].charges}
    assert headings == {"7408.11.60": Decimal("3000.00"), "9903.82.02": Decimal("50000.00")}


def test_non_privileged_foreign_is_rated_at_entry(engine):
    # Taiwan copper admitted 2025-06-01, withdrawn 2025-12-01. NPF: rated at entry for consumption, so the 232 copper
    # duty of 2025-08-01 applies (50% x 100000 = 50000); in PF status applied for on admission it would not.
    npf = engine.quote(us_zone("2025-12-01", "non_privileged_foreign", "2025-06-01", origin="TW"),
                       known_at="2025-12-01")
    pf = engine.quote(us_zone("2025-12-01", "privileged_foreign", "2025-06-01", origin="TW"), known_at="2025-12-01")
    assert programs(npf)["section_232"] == Decimal("50000.00")
    assert "section_232" not in programs(pf)


def test_domestic_status_and_export_owe_nothing(engine):
    q = engine.quote(us_zone("2025-12-01", "domestic", "2025-09-01"), known_at="2025-12-01")
    assert q.totals.duties == Decimal("0.00") and q.entry_charges == []
    q = engine.quote(us_zone("2025-12-01", "privileged_foreign", "2025-09-01", disposition="export"),
                     known_at="2025-12-01")
    assert q.totals.duties == Decimal("0.00")
    assert any("export from the zone" in n.reason for n in q.lines[0].not_applied)


def test_zone_restricted_goods_cannot_enter_for_consumption(engine):
    with pytest.raises(tariffs.InputError) as exc:
        engine.quote(us_zone("2025-12-01", "zone_restricted", "2025-09-01"), known_at="2025-12-01")
    assert exc.value.field == "ftz.status"


def test_bad_zone_dates(engine):
    with pytest.raises(tariffs.InputError) as exc:
        engine.quote(us_zone("2025-12-01", "privileged_foreign", "2026-01-01"), known_at="2025-12-01")
    assert exc.value.field == "ftz.admitted_on"


def test_zone_vs_direct_side_by_side(engine):
    # Taiwan copper: direct on 2026-03-01 = 53000 duties + MPF 346.40 + HMF 125.00. Admit 2026-03-01 in PF and
    # withdraw 2026-08-15: 53000 duties (9903.82.02 replaces 9903.78.01), MPF 346.40, HMF 125.00 paid at
    # admission: the same landed cost, later.
    shipment = {"destination": "US", "entry_date": "2026-03-01", "mode": "ocean",
                "lines": [{"hts": "7408.11.60.00", "origin": "TW", "customs_value": "100000.00"}]}
    result = zone_vs_direct(shipment, "2026-08-15", known_at="2026-11-21", engine=engine)
    assert result["direct"]["duties"] == Decimal("53000.00") and result["zone"]["duties"] == Decimal("53000.00")
    assert result["zone"]["hmf_paid_at_admission"] == Decimal("125.00")
    assert result["difference"]["landed_cost"] == Decimal("0.00")


def test_taiwan_zone_metals_flag_art29_and_owe_nothing_in_zone(engine):
    s = {"destination": "TW", "entry_date": "2026-08-15", "mode": "ocean", "currency": "USD", "fx_rate": "32.0",
         "ftz": {"regime": "TW_FTZ", "zone": "Kaohsiung", "disposition": "in_zone"},
         "lines": [{"hts": "7403.11.00", "origin": "CL", "customs_value": "100000.00"}]}
    q = engine.quote(s, known_at="2026-11-21")
    assert q.totals.duties == Decimal("0.00") and q.totals.import_vat == Decimal("0.00")
    flag = q.lines[0].flags[0]
    assert flag["flag"] == "tw_ftz_art29_income_tax_exemption" and "Art. 29" in flag["legal_basis"]
    # 100000 USD x 32.0 = 3,200,000.00 TWD customs value.
    assert q.totals.customs_value == Decimal("3200000.00")


def test_taiwan_release_without_a_sourced_duty_rate_is_refused(engine):
    s = {"destination": "TW", "entry_date": "2026-08-15", "mode": "ocean", "currency": "TWD",
         "lines": [{"hts": "7403.11.00", "origin": "CL", "customs_value": "100000.00"}]}
    with pytest.raises(tariffs.InputError) as exc:
        engine.quote(s, known_at="2026-11-21")
    assert exc.value.field == "lines[0].hts" and "no Taiwan duty data" in str(exc.value)


def test_inverted_tariff_comparison(engine):
    from tariffs.scenarios import inverted_tariff

    # Finished: a laptop 8471.30.01 from VN (MFN Free), made in the zone from insulated cable 8544.42.90.90
    # (MFN 2.6%) from VN worth 1000, admitted and withdrawn in 2024 (before the 2025-26 measures).
    # NPF finished: Free -> 0.00; PF components: 2.6% x 1000 = 26.00. The finished rate is cheaper by 26.00.
    shipment = {"destination": "US", "entry_date": "2024-06-03", "mode": "air", "entry_type": "formal",
                "lines": [{"hts": "8471.30.01.00", "origin": "VN", "customs_value": "1200.00"}]}
    components = [{"hts": "8544.42.90.90", "origin": "VN", "customs_value": "1000.00"}]
    result = inverted_tariff(shipment, components, "2024-05-01", known_at="2026-11-21", engine=engine)
    assert result["finished_npf"]["duties"] == Decimal("0.00")
    assert result["components_pf"]["duties"] == Decimal("26.00")
    assert result["cheaper"] == "finished (NPF)" and result["saving"] == Decimal("26.00")

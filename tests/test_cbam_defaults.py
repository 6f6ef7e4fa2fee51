"""CBAM default values for every country and code (the Commission's workbook, Implementing Reg. (EU)
2025/2621) and the Column B benchmark of the production route the workbook names (Reg. (EU) 2025/2620).

Each figure: certificates = t x (SEE - benchmark x CBAM factor 2026 (0.975) x CSCF (1)); cost =
certificates x the Q1 2026 price (EUR 75.36), to the cent, half-up. SEE is the Annex's two-decimal
figure of the workbook value (including the 2026 mark-up)."""
import csv
from decimal import Decimal
from pathlib import Path

import pytest

import tariffs
from tariffs.rules.cbam_import import printed, read_benchmarks, read_defaults

ROOT = Path(__file__).resolve().parents[1]
SHARED = next((p for p in (ROOT.parent / "shared" / "data" / "cbam_commission_2026",
                           ROOT.parent.parent / "shared" / "data" / "cbam_commission_2026") if p.is_dir()), None)


def cbam(engine, hts, origin, tonnes="100"):
    s = {"destination": "EU", "member_state": "NL", "entry_date": "2026-02-10", "mode": "ocean", "currency": "EUR",
         "cbam_ytd_tonnes": "200",
         "lines": [{"hts": hts, "origin": origin, "customs_value": "100000.00", "quantity": tonnes, "unit": "t",
                    "emissions": {"source": "default"}}]}
    q = engine.quote(s, known_at="2026-11-21")
    return [c for c in q.lines[0].charges if c.program == "cbam"][0], q.warnings


def test_printed_two_decimal_figure():
    # The README's check: China 7208, 2026 = 3.505582 in the workbook, 3.51 in the Annex.
    assert printed("3.505582") == "3.51"
    assert printed("2.255") == "2.26" and printed("3.465") == "3.47"  # half-up on the decimal figure
    assert printed("") == ""


def test_origin_outside_the_old_rows_aluminium_route_l(engine):
    # Vietnam 7601 (route L, secondary aluminium): 0.396 -> 0.40; Column B 7601 10 10/90 route L = 0.091.
    # SEFA 0.091 x 0.975 = 0.088725; 100 x (0.40 - 0.088725) = 31.1275 certificates x 75.36 = 2345.7684 -> 2345.77.
    c, _ = cbam(engine, "7601.10.00", "VN")
    assert c.emissions == Decimal("0.40") and c.certificates == Decimal("31.1275") and c.amount == Decimal("2345.77")
    assert "route L" in c.calculation


def test_route_letter_picks_the_column_b_benchmark(engine):
    # Uzbekistan 7207 19 19, route (E) (scrap EAF): 3.465 -> 3.47; Column B 7207 19 19 (E) = 0.331.
    # SEFA 0.331 x 0.975 = 0.322725; 100 x (3.47 - 0.322725) = 314.7275 x 75.36 = 23717.8644 -> 23717.86.
    c, _ = cbam(engine, "7207.19.19", "UZ")
    assert c.emissions == Decimal("3.47") and c.amount == Decimal("23717.86")
    # China 7208, route (C) (BF-BOF): Column B 7208 51 20 (C) = 1.370 (not (D) 0.481 or (E) 0.072).
    c, _ = cbam(engine, "7208.51.20", "CN", tonnes="1000")
    # 1000 x (3.51 - 1.370 x 0.975) = 2174.25 certificates x 75.36 = 163851.48.
    assert c.certificates == Decimal("2174.25") and c.amount == Decimal("163851.48")


def test_country_not_in_the_workbook_takes_other_countries(engine):
    # Fiji is not among the 120 countries: "Other Countries and Territories", 7208: 4.453558 -> 4.45, route C.
    # 100 x (4.45 - 1.370 x 0.975) = 100 x 3.11425 = 311.425 x 75.36 = 23468.988 -> 23468.99.
    c, warnings = cbam(engine, "7208.51.20", "FJ")
    assert c.emissions == Decimal("4.45") and c.amount == Decimal("23468.99")
    assert any("other countries and territories" in w for w in warnings)


def test_two_products_under_one_code_take_the_higher_value_with_a_warning(engine):
    # China 2523 10 00: white clinker 1.43 (route B), grey clinker 1.529 -> 1.53 (route A). Higher: 1.53, route A,
    # Column B 2523 10 00 (A) = 0.666. 100 x (1.53 - 0.666 x 0.975) = 100 x 0.88065 = 88.065 x 75.36 = 6636.5784
    # -> 6636.58.
    c, warnings = cbam(engine, "2523.10.00", "CN")
    assert c.emissions == Decimal("1.53") and c.amount == Decimal("6636.58")
    assert any("2 values" in w and "highest" in w for w in warnings)


def test_listed_country_without_a_value_is_not_given_the_other_countries_value(engine):
    with pytest.raises(tariffs.InputError) as exc:
        cbam(engine, "2814.10.00", "AL")
    assert exc.value.field == "lines[0].emissions"


def test_rules_hold_every_workbook_row(rules):
    # 12,532 workbook rows x 3 years; 120 countries (OTHER included).
    assert len(rules.cbam_defaults) == 12532 * 3
    assert len({r[1] for r in rules.cbam_defaults}) == 120
    china_7208 = {r[2]: r[3] for r in rules.cbam_defaults if r[0] == "7208" and r[1] == "CN"}
    # 3.505582, 3.824271, 4.14296 as printed.
    assert china_7208 == {2026: Decimal("3.51"), 2027: Decimal("3.82"), 2028: Decimal("4.14")}
    # The misaligned Albania 25232100 row (its direct/indirect/total sit in the mark-up columns) is no value.
    assert {r[3] for r in rules.cbam_defaults if r[0] == "25232100" and r[1] == "AL"} == {None}


@pytest.mark.skipif(SHARED is None, reason="../shared/data not present (clone alone): nothing to re-import")
def test_tables_are_the_import_of_the_workbooks():
    with open(ROOT / "rules_data" / "eu" / "cbam" / "default_values.csv", encoding="utf-8", newline="") as f:
        stored = [list(r.values()) for r in csv.DictReader(f)]
    assert stored == read_defaults(SHARED / "cbam_default_values_2026.csv")
    with open(ROOT / "rules_data" / "eu" / "cbam" / "benchmarks.csv", encoding="utf-8", newline="") as f:
        stored = [list(r.values()) for r in csv.DictReader(f)]
    assert stored == read_benchmarks(SHARED / "cbam_benchmarks_column_b.csv")


def test_origins_outside_cbam_are_not_charged(engine):
    # Reg. (EU) 2023/956 Annex III point 1: Switzerland is outside the scope, so no "other countries" default.
    s = {"destination": "EU", "member_state": "NL", "entry_date": "2026-02-10", "mode": "ocean", "currency": "EUR",
         "cbam_ytd_tonnes": "200",
         "lines": [{"hts": "7208.51.20", "origin": "CH", "customs_value": "100000.00", "quantity": "100", "unit": "t"}]}
    q = engine.quote(s, known_at="2026-11-21")
    assert not [c for c in q.lines[0].charges if c.program == "cbam"]
    assert any(n.program == "cbam" and "outside the CBAM" in n.reason for n in q.lines[0].not_applied)

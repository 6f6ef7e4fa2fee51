"""quote_frame's output columns: multi-line entries, fees allocated to lines, entry totals, refundable as filed
vs as known, errors per entry, warning codes. Every figure is computed by hand from the law's arithmetic."""
from decimal import Decimal

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tariffs
from tariffs.batch import RESULT_COLUMNS, entry_groups, quote_frame, shipment_of_rows
from tariffs.money import allocate
from tariffs.warncodes import WARNING_CODES, warning_code, warning_codes

COPPER_TW = {"entry_date": "2025-12-01", "hts": "7408.11.60.00", "origin": "TW", "customs_value": "100000.00",
             "copper_content": "100000.00"}
ALU_CA = {"entry_date": "2025-12-01", "hts": "7601.10.30.00", "origin": "CA", "customs_value": "50000.00",
          "claims": "S"}


def price(rows, **kwargs):
    return quote_frame(pd.DataFrame(rows), **{"known_at": "2026-11-21", **kwargs})


def test_allocate_is_pro_rata_and_sums_exactly():
    # 10.00 over three equal lines: 3.33 each, the left-over cent to the first (ties: the earlier line).
    assert allocate(Decimal("10.00"), [Decimal(1)] * 3) == [Decimal("3.34"), Decimal("3.33"), Decimal("3.33")]
    # 651.50 over 200,000 : 100,000 -> 434.333.. and 217.1666..: floors 434.33 + 217.16 = 651.49, the cent goes
    # to the larger remainder (.0066 of the second line).
    assert allocate(Decimal("651.50"), [Decimal("200000"), Decimal("100000")]) == [Decimal("434.33"),
                                                                                  Decimal("217.17")]
    assert allocate(Decimal("5.00"), [Decimal(0), Decimal(0)]) == [Decimal("2.50"), Decimal("2.50")]
    assert allocate(Decimal("0.00"), [Decimal(3)]) == [Decimal("0.00")]


def test_entry_groups_keep_order_and_single_rows():
    assert entry_groups(["A", "", "B", "A", ""]) == [[0, 3], [1], [2], [4]]


def test_two_line_entry_allocates_fees_and_freight_and_repeats_entry_totals():
    rows = [{**COPPER_TW, "entry": "E1", "freight": "1000.00"}, {**ALU_CA, "entry": "E1"}]
    priced = price(rows)
    a, b = priced.loc[0], priced.loc[1]
    assert list(priced["status"]) == ["ok", "ok"] and list(priced["path"]) == ["scalar", "scalar"]
    # Line A (TW copper wire, copper content = full value): MFN 3% = 3,000.00; Section 232 copper 50% =
    # 50,000.00 (9903.78.01); duties 53,000.00.
    assert (a["duties"], a["duty_mfn"], a["duty_section_232"]) == ("53000.00", "3000.00", "50000.00")
    assert a["headings_charged"] == "9903.78.01"
    # Line B (Canadian aluminium, USMCA claimed 'S'): MFN free under USMCA; Section 232 aluminium 50% on
    # 50,000.00 = 25,000.00; USMCA goods are outside the MPF base (19 CFR 24.23(c)).
    assert (b["duties"], b["duty_mfn"], b["duty_section_232"]) == ("25000.00", "0.00", "25000.00")
    # MPF FY2026 0.3464% x 100,000.00 (line A only) = 346.40 (between 33.58 and 651.50): all on line A.
    assert (a["mpf"], b["mpf"], a["entry_mpf"]) == ("346.40", "0.00", "346.40")
    # HMF 0.125% x 150,000.00 = 187.50, pro rata 2:1 -> 125.00 and 62.50.
    assert (a["hmf"], b["hmf"], a["entry_hmf"]) == ("125.00", "62.50", "187.50")
    assert (a["fees"], b["fees"], b["entry_fees"]) == ("471.40", "62.50", "533.90")
    # Freight 1,000.00 pro rata 2:1 = 666.666.. / 333.333..: 666.67 and 333.33 (largest remainder).
    # Landed A = 100,000 + 666.67 + 53,000 + 471.40 = 154,138.07; B = 50,000 + 333.33 + 25,000 + 62.50 = 75,395.83.
    assert (a["landed_cost"], b["landed_cost"]) == ("154138.07", "75395.83")
    # Entry: 150,000 + 1,000 + 78,000 + 533.90 = 229,533.90 = the two lines' sum.
    assert a["entry_landed_cost"] == b["entry_landed_cost"] == "229533.90"
    assert (a["entry_lines"], a["entry_duties"], a["entry_customs_value"]) == ("2", "78000.00", "150000.00")
    assert Decimal(a["effective_duty_rate"]) == Decimal("0.53") and Decimal(b["effective_duty_rate"]) == Decimal("0.5")
    # The same entry through the scalar quote: the line columns add up to its totals, cent for cent.
    quote = tariffs.quote(shipment_of_rows(rows, "E1"), known_at="2026-11-21")
    for line_col, total in (("duties", quote.totals.duties), ("fees", quote.totals.fees),
                            ("landed_cost", quote.totals.landed_cost)):
        assert Decimal(a[line_col]) + Decimal(b[line_col]) == total


def test_mpf_minimum_is_allocated_over_the_entry():
    rows = [{**COPPER_TW, "customs_value": "3000.00", "copper_content": "3000.00", "entry": "M", "mode": "air"},
            {**COPPER_TW, "customs_value": "3000.00", "copper_content": "3000.00", "entry": "M"}]
    priced = price(rows)
    # 0.3464% x 6,000.00 = 20.78 < FY2026 minimum 33.58 -> 33.58, split equally 16.79 + 16.79. By air: no HMF.
    assert list(priced["mpf"]) == ["16.79", "16.79"] and priced.loc[0, "entry_mpf"] == "33.58"
    assert list(priced["hmf"]) == ["0.00", "0.00"]
    # One line alone in its own entry pays the whole minimum.
    alone = price([{**COPPER_TW, "customs_value": "3000.00", "copper_content": "3000.00", "mode": "air"}])
    assert alone.loc[0, "mpf"] == "33.58"


def test_mpf_maximum_is_allocated_pro_rata():
    rows = [{**COPPER_TW, "customs_value": "200000.00", "copper_content": "200000.00", "entry": "X", "mode": "air"},
            {**COPPER_TW, "customs_value": "100000.00", "copper_content": "100000.00", "entry": "X"}]
    priced = price(rows)
    # 0.3464% x 300,000.00 = 1,039.20 > FY2026 maximum 651.50 -> 651.50 = 434.33 + 217.17 (see allocate above).
    assert list(priced["mpf"]) == ["434.33", "217.17"] and priced.loc[1, "entry_mpf"] == "651.50"


def test_refundable_as_known_and_as_filed():
    # Chinese copper wire entered 2025-12-01: MFN 3% 3,000 + Section 301 list 3 25% 25,000 + Section 232 copper
    # 50% 50,000 + IEEPA fentanyl 10% (9903.01.24, from 2025-11-10) 10,000 = 88,000.00 as filed. The IEEPA
    # duties were void as known after 2026-02-20 (Learning Resources v. Trump): 78,000.00 as known, 10,000.00
    # refundable.
    row = {**COPPER_TW, "origin": "CN"}
    known = price([row])
    assert (known.loc[0, "duties"], known.loc[0, "refundable"]) == ("78000.00", "10000.00")
    assert "duty_ieepa_fentanyl" not in known.columns or known.loc[0, "duty_ieepa_fentanyl"] == "0.00"
    assert "retroactive" in known.loc[0, "warncodes"].split()
    filed = price([row], as_filed=True)
    assert (filed.loc[0, "duties"], filed.loc[0, "duty_ieepa_fentanyl"]) == ("88000.00", "10000.00")
    assert filed.loc[0, "refundable"] == "10000.00"
    assert filed.loc[0, "known_at_used"].startswith("2025-12-01T23:59:59")
    assert "9903.01.24" in filed.loc[0, "headings_charged"].split(";")
    # Known on the entry date itself: nothing has changed yet.
    same_day = price([row], known_at="2025-12-01")
    assert (same_day.loc[0, "duties"], same_day.loc[0, "refundable"]) == ("88000.00", "0.00")


def test_a_bad_line_fails_its_entry_only():
    rows = [{**COPPER_TW, "entry": "E2"}, {**COPPER_TW, "entry": "E2", "customs_value": "abc"},
            {**COPPER_TW, "entry": "E3"}]
    priced = price(rows)
    assert list(priced["status"]) == ["error", "error", "ok"]
    assert priced.loc[1, "error_field"] == "customs_value"
    assert priced.loc[0, "error_field"] == "entry" and "line 2 of entry 'E2'" in priced.loc[0, "error"]
    assert priced.loc[0, "duties"] == "" and priced.loc[2, "duties"] == "53000.00"


def test_rows_of_an_entry_must_agree_on_entry_columns():
    rows = [{**COPPER_TW, "entry": "E4"}, {**COPPER_TW, "entry": "E4", "entry_date": "2025-12-02"}]
    priced = price(rows)
    assert list(priced["status"]) == ["error", "error"] and list(priced["error_field"]) == ["entry_date"] * 2
    assert "one value per entry" in priced.loc[0, "error"]


def test_result_columns_in_documented_order():
    priced = price([COPPER_TW])
    result = [c for c in priced.columns if c not in COPPER_TW]
    assert [c for c in result if not c.startswith("duty_")] == RESULT_COLUMNS
    assert result.index("duty_mfn") == RESULT_COLUMNS.index("duties") + 1


def test_keep_quotes_gives_the_entry_quote():
    priced = price([{**COPPER_TW, "entry": "Q"}, {**ALU_CA, "entry": "Q"}], keep_quotes=True)
    assert priced.loc[0, "quote"] is priced.loc[1, "quote"]
    assert priced.loc[0, "quote"].totals.duties == Decimal("78000.00")


def test_eu_line_reports_vat_apart():
    row = {"destination": "EU", "member_state": "DE", "entry_date": "2026-01-15", "hts": "7601.10.00",
           "origin": "CN", "customs_value": "10000.00", "currency": "EUR", "quantity": "1", "unit": "t"}
    priced = price([row])
    if priced.loc[0, "status"] != "ok":
        pytest.fail(priced.loc[0, "error"])
    # EU: aluminium unwrought 7601.10 CN 3% = 300.00 duty; DE import VAT 19% on (10,000 + 300) = 1,957.00,
    # reported apart from landed cost (recoverable), and no US fees. CBAM: 1 t, no other imports this year
    # assumed (a warning), under the 50 t de minimis: no certificates.
    assert priced.loc[0, "duties"] == "300.00" and priced.loc[0, "import_vat"] == "1957.00"
    assert priced.loc[0, "mpf"] == "0.00" and priced.loc[0, "fees"] == "0.00" and priced.loc[0, "carbon"] == "0.00"
    assert "cbam_ytd_assumed" in priced.loc[0, "warncodes"].split()
    assert Decimal(priced.loc[0, "landed_cost_incl_vat"]) - Decimal(priced.loc[0, "landed_cost"]) == Decimal("1957.00")


@pytest.mark.parametrize("code,text", [
    ("retroactive", "rules changed after the entry was filed (as known at 2025-12-01): duties as filed 1"),
    ("after_cutoff", "entry_date 2027-01-01 is after the ruleset's knowledge cutoff 2026-11-21: measures"),
    ("hts_10digit", "lines[0].hts: 9903.78.01 (x) covers some 10-digit lines under 7408.11.60; give the 10-digit code"),
    ("fee_estimate", "mpf (formal entry): the amount for 2026-12-01 is not yet published; us.mpf.fy2026 is used as an estimate"),
    ("content_not_given", "lines[1].metal_content.copper: not given; 9903.78.01 is charged on the full customs value"),
    ("entry_type_assumed", "entry_type not given: priced as informal (19 CFR 143.21(a))"),
    ("other", "something the engine has never said"),
])
def test_warning_codes(code, text):
    assert warning_code(text) == code


def test_warning_codes_are_unique_and_deduplicated():
    codes = [c for c, _, _ in WARNING_CODES]
    assert len(codes) == len(set(codes)) and "other" not in codes
    assert warning_codes(["a", "b", "rules changed after the entry was filed"]) == ["other", "retroactive"]


def test_fast_hook_takes_whole_entries_and_leaves_the_rest_to_the_scalar_engine(engine):
    """The hook's contract, with a stand-in core that 'prices' rows by copying what the scalar path gives
    (so the money is right) and claims only some of them: a row it leaves, or an entry it prices in part,
    is priced by the scalar engine (path scalar)."""
    rows = [{**COPPER_TW, "entry": "A"}, {**ALU_CA, "entry": "A"}, {**COPPER_TW, "entry": "B"},
            {**ALU_CA, "entry": "B"}, COPPER_TW]
    frame = pd.DataFrame(rows)
    reference = quote_frame(frame, "2026-11-21", engine)

    def core(part, known_at, as_filed):
        out = reference.loc[part.index].copy()
        # entry A whole, row 4 alone; of entry B only its first line: B must go back whole.
        out["path"] = ["columnar", "columnar", "columnar", None, "columnar"]
        return out

    priced = quote_frame(frame, "2026-11-21", engine, fast=core)
    assert list(priced["path"]) == ["columnar", "columnar", "scalar", "scalar", "columnar"]
    for column in ("duties", "mpf", "hmf", "landed_cost", "entry_landed_cost", "refundable"):
        assert list(priced[column]) == list(reference[column]), column


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.lists(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("400000"), places=2), min_size=1,
                       max_size=4),
       origins=st.lists(st.sampled_from(["CN", "TW", "CA", "DE", "VN", "MX"]), min_size=4, max_size=4),
       freight=st.decimals(min_value=Decimal("0"), max_value=Decimal("9999.99"), places=2),
       day=st.sampled_from(["2019-06-03", "2025-06-01", "2025-12-01", "2026-03-15"]),
       mode=st.sampled_from(["ocean", "air"]))
def test_lines_add_up_to_their_entry(engine, values, origins, freight, day, mode):
    rows = [{"entry": "P", "entry_date": day, "hts": "7601.10.30.00", "origin": origin, "customs_value": str(v),
             "mode": mode, "freight": str(freight) if i == 0 else ""} for i, (v, origin) in enumerate(zip(values, origins))]
    priced = quote_frame(pd.DataFrame(rows), "2026-11-21", engine)
    assert set(priced["status"]) == {"ok"}, priced["error"].tolist()
    quote = engine.quote(shipment_of_rows(rows, "P"), known_at="2026-11-21")
    for line_column, total in (("duties", quote.totals.duties), ("fees", quote.totals.fees),
                               ("landed_cost", quote.totals.landed_cost), ("refundable", quote.totals.refundable),
                               ("mpf", sum((f.amount for f in quote.entry_charges if f.program == "mpf"), Decimal(0))),
                               ("hmf", sum((f.amount for f in quote.entry_charges if f.program == "hmf"), Decimal(0)))):
        assert sum(Decimal(x) for x in priced[line_column]) == total, line_column
    assert set(priced["entry_landed_cost"]) == {str(quote.totals.landed_cost)}
    # Each line's allocated fee is its pro-rata share to within a cent.
    base = sum(values)
    for v, hmf in zip(values, priced["hmf"]):
        share = sum((f.amount for f in quote.entry_charges if f.program == "hmf"), Decimal(0)) * v / base
        assert abs(Decimal(hmf) - share) < Decimal("0.01")


@pytest.mark.parametrize("given, mpf", [
    # Formal: 0.3464% x 2,000.00 = 6.93, below the FY2026 minimum 33.58 (19 CFR 24.23(b)(1)) -> 33.58.
    ("formal", "33.58"), ("01", "33.58"), ("1", "33.58"),
    # Informal (ACE type 11), automated: the flat FY2026 fee 2.69 (19 CFR 24.23(b)(2)(i)).
    ("informal", "2.69"), ("11", "2.69"), ("Informal", "2.69"),
])
def test_entry_type_column_decides_the_mpf(given, mpf):
    row = {**COPPER_TW, "customs_value": "2000.00", "copper_content": "2000.00", "mode": "air", "entry_type": given}
    priced = price([row])
    assert priced.loc[0, "status"] == "ok", priced.loc[0, "error"]
    assert (priced.loc[0, "mpf"], priced.loc[0, "entry_mpf"]) == (mpf, mpf)


def test_entry_type_column_refuses_what_it_does_not_know():
    priced = price([{**COPPER_TW, "entry_type": "99"}])
    assert (priced.loc[0, "status"], priced.loc[0, "error_field"]) == ("error", "entry_type")
    assert "formal, informal, de_minimis" in priced.loc[0, "error"] and "11" in priced.loc[0, "error"]


def test_keep_both_quotes_as_known_and_as_filed():
    # The Chinese copper wire of test_refundable_as_known_and_as_filed: 88,000.00 as filed, 78,000.00 as known.
    priced = price([{**COPPER_TW, "origin": "CN"}], keep_quotes="both")
    assert "quote" not in priced.columns
    assert priced.loc[0, "quote_as_known"].totals.duties == Decimal("78000.00")
    assert priced.loc[0, "quote_as_filed"].totals.duties == Decimal("88000.00")
    # Known on the filing day itself: the same knowledge both ways.
    same_day = price([{**COPPER_TW, "origin": "CN"}], keep_quotes="both", known_at="2025-12-01")
    assert same_day.loc[0, "quote_as_filed"].totals.duties == Decimal("88000.00")

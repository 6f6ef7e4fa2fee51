"""Every public worked case of ../shared/golden is a test. Cases whose scope is a later
issue are strict xfails naming that issue: when the issue lands, the mark comes off."""
from decimal import Decimal

import pytest

import tariffs

from conftest import DATA, GOLDEN, SHARED, golden_cases

DONE_SCOPES = {"foundation", "us-regime", "cbam"}
LATER = {"us-regime": "issue #3 (the whole US regime)", "cbam": "issue #4 (CBAM and zones)"}


def check(case, quote):
    """The checks of ../shared/tools/golden_check.py, on a quote dumped to JSON."""
    exp, errs = case["expect"], []
    lines = quote["lines"]
    charges = [c for line in lines for c in line["charges"]]
    got = {}
    for c in charges:
        got[c["program"]] = got.get(c["program"], Decimal(0)) + Decimal(c["amount"])
    for program, amount in exp.get("charges", {}).items():
        if got.get(program, Decimal(0)) != Decimal(amount):
            errs.append(f"{program} {got.get(program)} != {amount}")
    extra = {p for p, v in got.items() if v} - set(exp.get("charges", {})) - {"cbam", "eu_duty", "import_vat"}
    if "charges" in exp and extra:
        errs.append(f"unexpected {sorted(extra)}")
    set_aside = {n["program"] for line in lines for n in line["not_applied"]}
    errs += [f"{p} not in not_applied" for p in exp.get("not_applied", []) if p not in set_aside]
    declared = {d["heading"] for line in lines for d in line["declarations"]}
    errs += [f"{h} not declared" for h in exp.get("declarations", []) if h not in declared]
    for key in ("duties", "landed_cost", "refundable"):
        if key in exp and Decimal(quote["totals"][key]) != Decimal(exp[key]):
            errs.append(f"{key} {quote['totals'][key]} != {exp[key]}")
    fees = {f["program"]: Decimal(f["amount"]) for f in quote["entry_charges"]}
    for key in ("mpf", "hmf"):
        if key in exp and fees.get(key, Decimal(0)) != Decimal(exp[key]):
            errs.append(f"{key} {fees.get(key)} != {exp[key]}")
    if "cbam" in exp and got.get("cbam", Decimal(0)) != Decimal(exp["cbam"]):
        errs.append("cbam")
    return errs


def _params():
    out = []
    for case in golden_cases():
        marks = []
        if case["scope"] not in DONE_SCOPES:
            marks.append(pytest.mark.xfail(strict=True, reason=f"needs {LATER.get(case['scope'], case['scope'])}"))
        out.append(pytest.param(case, id=case["id"], marks=marks))
    return out


@pytest.mark.parametrize("case", _params())
def test_golden_case(case):
    quote = tariffs.quote(case["shipment"], known_at=case["known_at"]).model_dump(mode="json")
    assert check(case, quote) == []


@pytest.mark.parametrize("name", ["golden", "contract"])
def test_in_repo_copies_agree_with_shared(name):
    """tests/golden and tests/data/contract are copies of ../shared; where ../shared is present (CI),
    they must be identical. Only this comparison is skipped on a clone without ../shared."""
    source = SHARED / name
    if not source.is_dir():
        pytest.skip(f"{source} is absent: nothing to compare the in-repo copy with")
    copy = GOLDEN if name == "golden" else DATA / "contract"
    files = sorted(p.name for p in source.iterdir() if p.is_file())
    assert files == sorted(p.name for p in copy.iterdir() if p.is_file())
    for filename in files:
        assert (copy / filename).read_bytes() == (source / filename).read_bytes(), filename

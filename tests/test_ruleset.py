import re

import pytest

from tariffs.errors import RulesError
from tariffs.rules.check import check_rules
from tariffs.rules.ruleset import RuleSet, canonical_hash

from conftest import add_measure


def test_shipped_rules_pass_check(rules):
    problems, summary = check_rules()
    assert problems == [], problems[:10]
    assert "ok" in summary


def test_every_row_has_legal_basis_source_and_confidence(rules):
    for m in rules.measures:
        assert m.prov.legal_basis and m.prov.source.startswith("http"), m.measure_id
        assert m.prov.confidence in ("primary", "secondary", "unverified")
    for f in rules.fees:
        assert f.prov.legal_basis and f.prov.source, f.fee_id


def test_hash_is_canonical_and_content_sensitive(tmp_rules):
    original = canonical_hash(tmp_rules)
    assert re.fullmatch(r"[0-9a-f]{64}", original)
    fees = tmp_rules / "us" / "fees.csv"
    text = fees.read_text()
    fees.write_text(text.replace("\n", "\r\n"))  # same content, different line ends
    assert canonical_hash(tmp_rules) == original
    fees.write_text(text.replace("0.003464", "0.003465", 1))
    assert canonical_hash(tmp_rules) != original


@pytest.mark.parametrize("values, expected", [
    ({"measure_id": "t.1", "legal_basis": ""}, "legal_basis is empty"),
    ({"measure_id": "t.2", "source": ""}, "source is empty"),
    ({"measure_id": "t.3", "origins": "ZZ"}, "unknown country or group 'ZZ'"),
    ({"measure_id": "t.4", "program": "section_999"}, "unknown program"),
    ({"measure_id": "t.5", "valid_from": "2019-02-30"}, "not an ISO date"),
    ({"measure_id": "t.6", "confidence": "sure"}, "confidence"),
    ({"measure_id": "t.7", "scope": "@no_such_list"}, "unknown scope"),
    ({"measure_id": "t.8", "rate": "abc"}, "not a decimal"),
])
def test_load_refuses_schema_errors(tmp_rules, values, expected):
    add_measure(tmp_rules, **values)
    with pytest.raises(RulesError) as exc:
        RuleSet(tmp_rules)
    assert any(expected in p for p in exc.value.problems), exc.value.problems


def test_check_finds_overlaps_and_scopes_matching_no_line(tmp_rules):
    add_measure(tmp_rules, measure_id="t.a", key="t.same", valid_from="2019-01-01", valid_to="2020-01-01")
    add_measure(tmp_rules, measure_id="t.b", key="t.same", valid_from="2019-06-01")
    add_measure(tmp_rules, measure_id="t.c", key="t.other", scope="0000.11")
    problems, summary = check_rules(tmp_rules)
    assert any("t.a and t.b overlap" in p for p in problems)
    assert any("t.c: scope prefix 000011 matches no HTS line" in p for p in problems)
    assert "FAILED" in summary


def test_retracted_row_does_not_overlap_its_replacement(tmp_rules):
    add_measure(tmp_rules, measure_id="t.old", key="t.k", recorded_at="2019-01-01", retracted_at="2020-01-01")
    add_measure(tmp_rules, measure_id="t.new", key="t.k", recorded_at="2020-01-01")
    problems, _ = check_rules(tmp_rules)
    assert not any("t.old" in p for p in problems)

from decimal import Decimal

import pytest

from tariffs.rates import RateParseError, parse_rate, parse_special


@pytest.mark.parametrize("text, ad_valorem, specifics", [
    ("Free", "0", []),
    ("5%", "0.05", []),
    ("2.6%", "0.026", []),
    ("1.5¢/kg + 5%", "0.05", [("0.015", "kg")]),
    ("$1.035/kg", "0", [("1.035", "kg")]),
    ("25¢/doz. + 3%", "0.03", [("0.25", "doz.")]),
    ("3.3¢ each", "0", [("0.033", "No.")]),
    ("8.8¢/kg + 20%", "0.2", [("0.088", "kg")]),
    ("0.9¢/liter", "0", [("0.009", "liters")]),
    ("$2.16/t", "0", [("2.16", "t")]),
])
def test_parse_rate_components(text, ad_valorem, specifics):
    rate = parse_rate(text)
    assert rate.ad_valorem == Decimal(ad_valorem)
    assert [(str(s.amount), s.unit) for s in rate.specifics] == [(Decimal(a).__str__(), u) for a, u in specifics]


@pytest.mark.parametrize("text", ["", "The duty provided in the applicable subheading", "33 1/3%",
                                  "8.8¢/kg on copper content + 3.3¢/kg on lead content", "5 percent"])
def test_unparseable_texts_raise(text):
    with pytest.raises(RateParseError):
        parse_rate(text)


def test_parse_special_groups_and_references():
    result = parse_special("Free (A*,AU,BH,KR) 0.4% (JP) See 9822.05.20 (P+)")
    assert result["AU"].is_free and result["A*"].is_free
    assert result["JP"].ad_valorem == Decimal("0.004")
    # A chapter 98 reference is kept as text: the engine refuses such a claim instead of guessing.
    assert result["P+"] == "See 9822.05.20"


def test_parse_special_tolerates_schedule_typos():
    assert "OM" in parse_special("Free (AU,BH,CL,CO,IL,JO,KR,MA,.OM,P,PA,PE,S,SG)")


def test_parse_special_rejects_prose():
    with pytest.raises(RateParseError):
        parse_special("No change")

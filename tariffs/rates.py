"""Parse the rate texts of the HTSUS (general, special and column 2) into components.

A rate is a sum of components: ad valorem (a fraction of customs value) and specific
amounts per unit of quantity (in USD). Shapes handled: "Free", "5%", "1.5¢/kg",
"$1.035/kg", "25¢/doz. + 3%", "3.3¢ each", "37.5¢/kg + 3.5%", and sums of those.
Anything else (e.g. "The duty provided in the applicable subheading", watch-movement
rates "on the case") is unparseable: it is counted and listed in rules_data/GAPS.md,
and quoting such a line needs a user-supplied rate.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from tariffs.hts import canonical_unit

_NUM = r"(\d+(?:\.\d+)?)"
_AD_VALOREM = re.compile(rf"^{_NUM}\s*%$")
_CENTS_PER = re.compile(rf"^{_NUM}\s*¢\s*/\s*(.+)$")
_DOLLARS_PER = re.compile(rf"^\${_NUM}\s*/\s*(.+)$")
_CENTS_EACH = re.compile(rf"^{_NUM}\s*¢\s+each$")
_DOLLARS_EACH = re.compile(rf"^\${_NUM}\s+each$")


@dataclass(frozen=True)
class Specific:
    amount: Decimal  # USD per unit
    unit: str  # canonical unit

    def text(self) -> str:
        return f"${self.amount}/{self.unit}"


@dataclass(frozen=True)
class Rate:
    text: str
    ad_valorem: Decimal = Decimal(0)
    specifics: tuple[Specific, ...] = field(default_factory=tuple)

    @property
    def is_free(self) -> bool:
        return self.ad_valorem == 0 and not self.specifics


class RateParseError(ValueError):
    pass


def _term(term: str) -> tuple[Decimal, Specific | None]:
    term = term.strip()
    if m := _AD_VALOREM.match(term):
        return Decimal(m.group(1)) / 100, None
    for pattern, scale in ((_CENTS_EACH, Decimal("0.01")), (_DOLLARS_EACH, Decimal(1))):
        if m := pattern.match(term):
            return Decimal(0), Specific(Decimal(m.group(1)) * scale, "No.")
    for pattern, scale in ((_CENTS_PER, Decimal("0.01")), (_DOLLARS_PER, Decimal(1))):
        if m := pattern.match(term):
            unit = canonical_unit(m.group(2))
            if unit is None:
                raise RateParseError(f"unknown unit in {term!r}")
            return Decimal(0), Specific(Decimal(m.group(1)) * scale, unit)
    raise RateParseError(f"cannot parse {term!r}")


@lru_cache(maxsize=8192)
def parse_rate(text: str) -> Rate:
    """Parse one rate text; raises RateParseError when the shape is not understood."""
    clean = re.sub(r"\s+", " ", (text or "").strip())
    if not clean:
        raise RateParseError("empty rate text")
    if clean.lower() == "free":
        return Rate(text=clean)
    ad_valorem = Decimal(0)
    specifics: list[Specific] = []
    for term in re.split(r"\s*\+\s*", clean):
        av, sp = _term(term)
        ad_valorem += av
        if sp is not None:
            specifics.append(sp)
    return Rate(text=clean, ad_valorem=ad_valorem, specifics=tuple(specifics))


_INDICATOR = re.compile(r"^[A-Z]{1,2}[*+]?$")
_SPECIAL_GROUP = re.compile(r"([^()]+?)\s*\(([A-Za-z0-9*+,.\s]+)\)")


@lru_cache(maxsize=8192)
def parse_special(text: str) -> dict[str, Rate | str]:
    """'Free (A*,AU,KR) 0.4% (JP)' -> {'A*': Free, 'AU': Free, 'KR': Free, 'JP': 0.4%}.

    A group whose rate is not a plain rate (e.g. "See 9822.05.20 (P+)", a tariff-rate
    quota in chapter 98/99) maps its indicators to that raw text: the engine refuses such
    a claim with the reference rather than guessing. Raises RateParseError when the text
    is not a sequence of "rate (indicators)" groups at all.
    """
    clean = re.sub(r"\s+", " ", (text or "").strip())
    if not clean:
        return {}
    result: dict[str, Rate] = {}
    pos = 0
    for m in _SPECIAL_GROUP.finditer(clean):
        if clean[pos:m.start()].strip():
            raise RateParseError(f"cannot parse special text {clean!r}")
        try:
            rate: Rate | str = parse_rate(m.group(1))
        except RateParseError:
            rate = m.group(1).strip()
        if re.search(r"[a-z]{2,}", m.group(2)):  # prose in parentheses ("see U.S. note 3 ..."), not indicators
            pos = m.end()
            continue
        for indicator in re.split(r"[,\s]+", m.group(2)):
            indicator = indicator.strip(".").upper()
            if _INDICATOR.match(indicator):
                result[indicator] = rate
        pos = m.end()
    if clean[pos:].strip() or not result:
        raise RateParseError(f"cannot parse special text {clean!r}")
    return result


def try_parse(text: str) -> Rate | None:
    try:
        return parse_rate(text)
    except RateParseError:
        return None

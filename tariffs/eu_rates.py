"""Parse EU Common Customs Tariff duty texts (CN Annex I conventional rates) into components.

A duty is a main term, optionally bounded by a MIN and/or a MAX term; each term is a sum of an
ad valorem part and specific parts in EUR per a quantity of a unit:

    "12%", "0.0%", "Free"                          ad valorem
    "41.20 EUR / 100 kg", "114.00 EUR / tonne"     specific (per 100 kg, per tonne, per hl, per item...)
    "10.20% + 93.10 EUR / 100 kg"                  compound
    "4.50% MIN 0.30 EUR / item MAX 0.80 EUR / item"  bounded
    "15.00% (01 JAN-14 FEB, 16 JUN-31 DEC), 0.00% (15 FEB-15 JUN)"  seasonal: the part whose
                                                    period holds the entry date

Components that depend on facts an entry line does not carry (agricultural components `EA`,
`ADSZ`, `ADFM`, the entry-price system, per % vol of alcohol, per kg of lactic matter, net
drained or dry weight, sugar content, gross weight...) raise ``EuRateUnsupported`` naming the
component: such a line needs the user's own rate (``eu_duty_rate``).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from tariffs.money import fmt_rate

_NUM = r"(\d+(?:\.\d+)?)"
_AV = re.compile(rf"^{_NUM}\s*%$")
_BARE = re.compile(rf"^{_NUM}$")
_SPECIFIC = re.compile(rf"^{_NUM}\s*EUR\s*/\s*(\d[\d,]*\s*)?([a-z0-9]+)\s*(.*)$", re.I)
# per-unit words of the tariff -> (canonical line unit, factor): "hl" is 100 liters.
_UNITS = {
    "kg": ("kg", Decimal(1)), "tonne": ("t", Decimal(1)), "t": ("t", Decimal(1)),
    "hl": ("liters", Decimal(100)), "l": ("liters", Decimal(1)),
    "item": ("No.", Decimal(1)), "items": ("No.", Decimal(1)), "p/st": ("No.", Decimal(1)),
    "pa": ("prs.", Decimal(1)), "m2": ("m2", Decimal(1)), "m": ("m", Decimal(1)), "m3": ("m3", Decimal(1)),
}
# qualifiers after the unit that mean the same quantity as the line's (net weight)
_PLAIN_QUALIFIERS = {"", "net", "/net", "/ net"}
_UNSUPPORTED = (
    (re.compile(r"\bEA\b"), "EA (agricultural component, Regulation (EU) No 510/2014)"),
    (re.compile(r"\bAD\s*S/?Z\b|\bADSZ\b"), "ADSZ (additional duty on sugar)"),
    (re.compile(r"\bAD\s*F/?M\b|\bADFM\b"), "ADFM (additional duty on flour)"),
    (re.compile(r"entry\s*price", re.I), "the entry-price system"),
    (re.compile(r"%\s*vol", re.I), "a duty per % vol of alcohol"),
    (re.compile(r"lactic", re.I), "a duty per kg of lactic matter"),
    (re.compile(r"drained", re.I), "a duty per net drained weight"),
    (re.compile(r"net\s*dry", re.I), "a duty per net dry weight"),
    (re.compile(r"sacchar", re.I), "a duty per % of sucrose content"),
    (re.compile(r"std\s*qual", re.I), "a duty per 100 kg of standard quality"),
    (re.compile(r"tot\s*alc", re.I), "a duty per kg of total alcohol"),
    (re.compile(r"\beda\b", re.I), "a duty per net drained weight (eda)"),
    (re.compile(r"gross|/\s*br\b", re.I), "a duty per gross weight"),
)
_MONTHS = {m: i for i, m in enumerate(("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV",
                                       "DEC"), start=1)}
_PERIOD = re.compile(r"^(\d{1,2})\s*([A-Z]*)\s*-\s*(\d{1,2})\s*([A-Z]+)$")


class EuRateError(ValueError):
    """The text is not an EU duty."""


class EuRateUnsupported(EuRateError):
    """The text is an EU duty with a component the engine cannot compute from a line."""


@dataclass(frozen=True)
class EuSpecific:
    amount: Decimal  # EUR
    per: Decimal  # per this many units
    unit: str  # canonical line unit (tariffs.hts)
    text: str

    def per_unit(self) -> Decimal:
        return self.amount / self.per


@dataclass(frozen=True)
class EuTerm:
    ad_valorem: Decimal = Decimal(0)
    specifics: tuple[EuSpecific, ...] = field(default_factory=tuple)

    def describe(self) -> str:
        parts = [f"{fmt_rate(self.ad_valorem * 100)}%"] if self.ad_valorem or not self.specifics else []
        return " + ".join(parts + [s.text for s in self.specifics])


@dataclass(frozen=True)
class EuRate:
    text: str  # the text as given
    main: EuTerm
    minimum: EuTerm | None = None
    maximum: EuTerm | None = None
    season: str = ""  # the seasonal part chosen, if any

    @property
    def is_free(self) -> bool:
        return (self.main.ad_valorem == 0 and not self.main.specifics and self.minimum is None)

    @property
    def ad_valorem(self) -> Decimal:
        return self.main.ad_valorem


def _clean(text: str) -> str:
    text = (text or "").replace("\u00a0", " ").replace("€", " EUR ")
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)  # thousands separators: 1,024.00 -> 1024.00
    return re.sub(r"\s+", " ", text).strip()


def _term(text: str, original: str) -> EuTerm:
    av = Decimal(0)
    specifics = []
    for i, piece in enumerate(re.split(r"\s*\+\s*", text)):
        piece = piece.strip()
        if m := _AV.match(piece):
            av += Decimal(m.group(1)) / 100
        elif (m := _BARE.match(piece)) and i == 0:
            av += Decimal(m.group(1)) / 100  # "6.4 + 24.6 EUR/100 kg": the first figure is a percentage
        elif m := _SPECIFIC.match(piece):
            amount, qty, unit, qualifier = m.group(1), m.group(2), m.group(3).lower(), m.group(4).strip().lower()
            if unit not in _UNITS:
                raise EuRateError(f"unknown unit {unit!r} in {original!r}")
            if qualifier not in _PLAIN_QUALIFIERS:
                raise EuRateUnsupported(f"{original!r}: the quantity '{qualifier}' is not a line quantity")
            canon, factor = _UNITS[unit]
            per = Decimal(qty.replace(",", "").strip()) if qty and qty.strip() else Decimal(1)
            specifics.append(EuSpecific(Decimal(amount), per * factor, canon,
                                        f"EUR {fmt_rate(Decimal(amount))}/{fmt_rate(per) + ' ' if per != 1 else ''}"
                                        f"{unit}"))
        else:
            raise EuRateError(f"cannot read {piece!r} in {original!r}")
    return EuTerm(av, tuple(specifics))


def _bounded(text: str, original: str) -> tuple[EuTerm, EuTerm | None, EuTerm | None]:
    if text.lower() == "free":
        return EuTerm(), None, None
    pieces = re.split(r"\s+(MIN|MAX)\s+", text)
    main = _term(pieces[0].strip(), original)
    bounds: dict[str, EuTerm] = {}
    for word, part in zip(pieces[1::2], pieces[2::2]):
        bounds[word] = _term(part.strip(), original)
    return main, bounds.get("MIN"), bounds.get("MAX")


def _in_period(period: str, day: dt.date) -> bool:
    m = _PERIOD.match(period.strip().upper())
    if not m:
        raise EuRateError(f"cannot read the period {period!r}")
    d1, m1, d2, m2 = int(m.group(1)), m.group(2)[:3], int(m.group(3)), m.group(4)[:3]
    if (m1 and m1 not in _MONTHS) or m2 not in _MONTHS:
        raise EuRateError(f"cannot read the period {period!r}")
    start = (_MONTHS[m1 or m2], d1)
    end = (_MONTHS[m2], d2)
    return start <= (day.month, day.day) <= end


def _season(text: str, day: dt.date | None) -> tuple[str, str]:
    """The part of a seasonal text in force on ``day``, and the periods it was chosen by."""
    if "(" not in text:
        return text, ""
    if day is None:
        raise EuRateError(f"{text!r} is seasonal: the entry date chooses the rate")
    alternatives = re.findall(r"\s*([^(),]+?)\s*(?:\(([^)]*)\))?\s*(?:,|$)", text)
    fallback = None
    for rate_text, periods in alternatives:
        if not rate_text.strip():
            continue
        if not periods:
            fallback = rate_text
            continue
        if any(_in_period(p, day) for p in periods.split(",")):
            return rate_text.strip(), f"({periods.strip()})"
    if fallback is not None:
        return fallback.strip(), "(rest of the year)"
    raise EuRateError(f"no part of {text!r} covers {day:%d %b}")


@lru_cache(maxsize=4096)
def parse_eu_rate(text: str, day: dt.date | None = None) -> EuRate:
    """Parse an EU duty text; ``day`` picks the part of a seasonal rate."""
    clean = _clean(text)
    if not clean:
        raise EuRateError("empty duty text")
    for pattern, what in _UNSUPPORTED:
        if pattern.search(clean):
            raise EuRateUnsupported(f"{text!r} has {what}, which depends on facts a line does not carry")
    chosen, season = _season(clean, day)
    main, minimum, maximum = _bounded(chosen, text)
    return EuRate(text=clean, main=main, minimum=minimum, maximum=maximum, season=season)

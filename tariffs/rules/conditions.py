"""Conditions on a measure row (`condition` column): facts of the line or entry that decide
whether the row applies. Clauses are `;`-separated and must all hold.

    metal_origin:<metal>=<countries/groups,...>   country where the metal was melted and poured
    metal_origin:<metal>!=<countries/groups,...>   (steel) or smelted and cast (aluminum, copper)
    metal_weight_share>=0.15 | <0.15              steel+aluminum+copper weight / net weight
    us_content_share>=0.20 | <0.20                US content value / customs value
    mode=ocean,air | mode!=mail                   transport mode of the entry
    entry_value<=800 | >800 (also <, >=)          total customs value of the entry (USD)

A fact the line does not state gets the documented assumption, and the quote says so:
metal origin unknown -> not the named countries ("assumed not Russian metal"); metal weight
share unknown -> at or above any threshold (the article is covered); US content unknown -> 0.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

METALS = ("steel", "aluminum", "copper")
_CLAUSE = re.compile(
    r"^(?:metal_origin:(?P<metal>steel|aluminum|copper)(?P<mop>!?=)(?P<mvals>[A-Z0-9_,]+)"
    r"|(?P<share>metal_weight_share|us_content_share|entry_value)(?P<sop><=|>=|<|>)(?P<num>\d+(?:\.\d+)?)"
    r"|mode(?P<modeop>!?=)(?P<modes>[a-z,]+))$")


@dataclass(frozen=True)
class Clause:
    text: str
    kind: str  # metal_origin | share | mode
    name: str = ""
    op: str = ""
    values: tuple[str, ...] = ()
    number: Decimal | None = None


def parse_condition(text: str) -> tuple[Clause, ...]:
    """Parse a condition cell; raises ValueError naming the bad clause."""
    out = []
    for raw in (part.strip() for part in (text or "").split(";")):
        if not raw:
            continue
        m = _CLAUSE.match(raw.replace(" ", ""))
        if not m:
            raise ValueError(f"condition clause {raw!r} is not understood")
        if m.group("metal"):
            out.append(Clause(raw, "metal_origin", m.group("metal"), m.group("mop"),
                              tuple(v for v in m.group("mvals").split(",") if v)))
        elif m.group("share"):
            try:
                number = Decimal(m.group("num"))
            except InvalidOperation:
                raise ValueError(f"condition clause {raw!r}: bad number") from None
            out.append(Clause(raw, "share", m.group("share"), m.group("sop"), (), number))
        else:
            out.append(Clause(raw, "mode", "mode", m.group("modeop"), tuple(m.group("modes").split(","))))
    return tuple(out)


def _compare(left: Decimal, op: str, right: Decimal) -> bool:
    return {"<=": left <= right, ">=": left >= right, "<": left < right, ">": left > right}[op]


def evaluate(clauses, facts, matches_origin) -> tuple[bool, list[str], str]:
    """(holds, assumptions made, the first clause that failed).

    ``facts``: mapping with metal_origin (dict), metal_weight_share (Decimal|None),
    us_content_share (Decimal|None), mode (str), entry_value (Decimal).
    ``matches_origin(country, tokens)``: dated group membership test.
    """
    assumptions: list[str] = []
    for clause in clauses:
        if clause.kind == "metal_origin":
            country = facts["metal_origin"].get(clause.name)
            if country is None:
                assumptions.append(f"country of {'melt and pour' if clause.name == 'steel' else 'smelt and cast'} "
                                   f"of the {clause.name} not given: assumed not {','.join(clause.values)}")
                holds = clause.op == "!="
            else:
                hit = matches_origin(country, clause.values)
                holds = hit if clause.op == "=" else not hit
        elif clause.kind == "share":
            value = facts.get(clause.name)
            if value is None:
                if clause.name == "metal_weight_share":
                    assumptions.append("metal weight share not given (net_weight_kg and metal_weight_kg): the "
                                       f"article is assumed to meet the {clause.number} threshold")
                    holds = clause.op in (">=", ">")
                else:
                    value = Decimal(0)
                    holds = _compare(value, clause.op, clause.number)
            else:
                holds = _compare(value, clause.op, clause.number)
        else:
            hit = facts["mode"] in clause.values
            holds = hit if clause.op == "=" else not hit
        if not holds:
            return False, assumptions, clause.text
    return True, assumptions, ""

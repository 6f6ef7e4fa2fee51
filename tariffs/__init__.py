"""tariffs — a tariff and landed-cost compliance engine.

    import tariffs
    quote = tariffs.quote({"destination": "US", ...}, known_at="2026-11-21")
    quote.model_dump(mode="json")
"""
from __future__ import annotations

from tariffs.engine.pipeline import Engine
from tariffs.known_at import parse_known_at
from tariffs.errors import InputError, RulesError, TariffsError
from tariffs.model import Line, Quote, Shipment
from tariffs.rules.ruleset import RuleSet, load_rules

__all__ = ["Engine", "InputError", "Line", "Quote", "RuleSet", "RulesError", "Shipment", "TariffsError",
           "engine_for", "load_rules", "parse_known_at", "quote"]

_ENGINES: dict[str, Engine] = {}


def engine_for(rules: RuleSet | None = None) -> Engine:
    """An Engine for these rules (default: the current rules), kept while they are unchanged."""
    loaded = rules or load_rules()
    engine = _ENGINES.get(loaded.sha256)
    if engine is None or engine.rules is not loaded:
        engine = _ENGINES[loaded.sha256] = Engine(loaded)
    return engine


def quote(shipment, known_at=None, rules: RuleSet | None = None) -> Quote:
    """Price one shipment (a Shipment, a mapping in the contract's shape, or JSON text).

    ``known_at``: date, datetime or ISO string — the moment whose knowledge the rules are
    read under (default: now; a date alone means the end of that day).
    """
    if rules is not None:
        return Engine(rules).quote(shipment, known_at)
    return engine_for().quote(shipment, known_at)

"""Typed exceptions. Every input error names the field and what is allowed."""
from __future__ import annotations


class TariffsError(Exception):
    """Base class of every error the library raises on purpose."""


class InputError(TariffsError, ValueError):
    """The shipment (or a call argument) is not acceptable.

    ``field`` is the JSON path of the offending field (``lines[0].hts``); ``allowed``
    says what would be accepted.
    """

    def __init__(self, field: str, message: str, allowed: str | None = None):
        self.field = field
        self.message = message
        self.allowed = allowed
        text = f"{field}: {message}"
        if allowed:
            text += f" (allowed: {allowed})"
        super().__init__(text)


class RulesError(TariffsError):
    """The rule tables are missing, malformed or inconsistent."""

    def __init__(self, message: str, problems: list[str] | None = None):
        self.problems = problems or []
        super().__init__(message)

"""Target patterns: which measures an exemption, a stacking rule or a zone rule points at.

A pattern is ``program:heading-glob`` (``section_301:9903.88.*``), several separated by ``;``. It lives
with the rules (the stacking table, the FTZ rules and the exemptions are data written in it), below the
engine that applies them.
"""
from __future__ import annotations

from fnmatch import fnmatchcase

from tariffs.rules.rows import Measure


def matches_target(pattern: str, measure: Measure) -> bool:
    """``section_301:9903.88.*`` (or several, ``;``-separated) against a measure's program and heading."""
    for item in pattern.split(";"):
        program, _, heading = item.strip().partition(":")
        if program == measure.program and fnmatchcase(measure.heading, heading or "*"):
            return True
    return False

"""What a destination's pricer (us, eu, tw) hands back to the pipeline, which assembles the quote."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass
class Priced:
    """What a destination's pricer hands back to the common assembly of the quote."""

    works: list
    fees: list
    fees_skipped: list
    entry_type: str
    freight_insurance_other: Decimal
    after_lines: object = None

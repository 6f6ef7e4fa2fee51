"""Documented bounds on input: checked at the boundary (library, CLI, API, form, batch), so that every
value inside them prices exactly and fits the audit store (SQLite and PostgreSQL alike).

Outside them the input is refused with an InputError naming the field and these bounds; nothing is
clipped. The bounds are far beyond any real entry (the largest single US entries are around 10^9 USD)
while keeping every product the engine forms (value x rate x lines) well inside Decimal's context and
the store's columns.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

# A money amount of one line or shipment (customs value, freight, insurance, other costs, metal content,
# U.S. content, carbon price paid), in whatever currency it is given: 0 <= amount <= 10^13.
MAX_MONEY = Decimal("1E13")
# Units of the destination's currency per unit of the source currency: 10^-9 <= fx_rate <= 10^6.
MIN_FX_RATE = Decimal("1E-9")
MAX_FX_RATE = Decimal("1E6")
# An ad valorem rate as a fraction (AD/CVD cash deposit, a user's rate text): 0 <= rate <= 100 (10,000%).
MAX_AD_VALOREM = Decimal("100")
# A specific rate per unit (USD or EUR per unit): 0 <= amount <= 10^6.
MAX_SPECIFIC = Decimal("1E6")
# Quantities, weights and emissions (kg, units, tCO2e): 0 <= quantity <= 10^13.
MAX_QUANTITY = Decimal("1E13")
# A number's significant digits (more is refused before any arithmetic).
MAX_DIGITS = 30
# Dates of entry, filing, loading, admission: within these years.
MIN_DATE = dt.date(1900, 1, 1)
MAX_DATE = dt.date(9998, 12, 31)
# Lines in one quote through the API or the form (bulk work goes to the batch endpoint / `tariffs batch`).
MAX_LINES_PER_QUOTE = 500
# Rows in one web batch upload.
MAX_BATCH_ROWS = 2000

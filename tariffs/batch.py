"""Batch pricing for developers: a pandas DataFrame of lines in, one priced row per line out.

    import pandas as pd, tariffs.batch
    priced = tariffs.batch.quote_frame(pd.read_csv("book.csv", dtype=str), known_at="2026-11-21")

Input: the columns of COLUMNS (strings or numbers). Rows with the same non-empty ``entry`` form one
multi-line entry (their entry-level columns must agree); a row without ``entry`` is an entry of its own.
Output: the input columns, then RESULT_COLUMNS (plus one ``duty_<program>`` column per program charged):

- per line: ``duties`` (customs duty of the line) and ``duty_<program>``; ``headings_charged`` and
  ``headings_declared`` (Chapter 99 headings, ``;``-separated, in CBP reporting order); ``mpf``, ``hmf``,
  ``fees``: the entry's fees **allocated to its lines pro rata by customs value** (MPF over the lines in
  its base, i.e. not exempt under 19 CFR 24.23(c)), in cents that add up exactly to the entry's fee
  (largest remainder, `tariffs.money.allocate`); freight, insurance and other costs allocated the same
  way into ``landed_cost``, so the lines' landed costs add up to the entry's; ``carbon`` (CBAM),
  ``import_vat``; ``effective_duty_rate`` (duties / customs value); ``refundable`` (as filed minus as
  known, this line's share of the entry's ``retroactive_changes``); ``warncodes`` (short codes,
  `tariffs.warncodes`) and ``warnings`` (full text: the line's own and the entry's);
- per entry, repeated on each of its rows: ``entry_lines``, ``entry_customs_value``, ``entry_duties``,
  ``entry_mpf``, ``entry_hmf``, ``entry_fees``, ``entry_carbon``, ``entry_landed_cost``,
  ``entry_refundable`` (the quote's totals, exactly);
- ``status`` ok/error, ``error_field`` (the column to blame), ``error``; a bad row fails its entry, the
  other entries are still priced; ``path``: which engine priced the row (``scalar``: the one-shipment
  engine, `tariffs.Engine`; ``columnar`` when the vectorised core prices it);
- ``ruleset_version``, ``known_at_used``.

Money is text with exactly two decimals (exact; ``decimal.Decimal(text)`` reads it back). With
``as_filed=True`` the money columns are the entry as known on its filing day (``filed_on``, default the
entry date) and ``refundable`` is unchanged.
"""
from __future__ import annotations

from tariffs.batch_columns import (
    COLUMN_NAMES,
    COLUMNS,
    ENTRY_PROGRAMS,
    LINE_KEYS,
    NOT_DUTY,
    REQUIRED,
    RESULT_COLUMNS,
    SHIPMENT_KEYS,
    VAT_PROGRAMS,
    duty_programs,
    field_of,
    output_columns,
    result_columns,
    shipment_of_rows,
    shipment_of_values,
)
from tariffs.batch_dask import quote_dask
from tariffs.batch_frame import entry_groups, line_values, price_entry, quote_frame

__all__ = ["COLUMNS", "COLUMN_NAMES", "ENTRY_PROGRAMS", "LINE_KEYS", "NOT_DUTY", "REQUIRED", "RESULT_COLUMNS",
           "SHIPMENT_KEYS", "VAT_PROGRAMS", "duty_programs", "entry_groups", "field_of", "line_values",
           "output_columns", "price_entry", "quote_dask", "quote_frame", "result_columns", "shipment_of_rows",
           "shipment_of_values"]

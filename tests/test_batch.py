"""The pandas batch API gives the same cents as the scalar path, row by row, and keeps going past bad rows."""
from decimal import Decimal

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tariffs.batch import quote_frame, shipment_of_values


def test_frame_with_a_bad_row():
    frame = pd.DataFrame([
        {"entry_date": "2025-12-01", "hts": "7408.11.60.00", "origin": "TW", "customs_value": "100000.00",
         "copper_content": "100000.00"},
        {"entry_date": "2025-12-01", "hts": "9999.99.99.99", "origin": "TW", "customs_value": "100.00"},
    ])
    priced = quote_frame(frame, known_at="2026-11-21")
    # Row 0: MFN 3% + 232 copper 50% = 53000.00; row 1: unknown HTS, reported on its column.
    assert list(priced["status"]) == ["ok", "error"]
    assert priced.loc[0, "duties"] == "53000.00"
    assert priced.loc[1, "error_field"] == "hts"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=st.decimals(min_value=Decimal("2500.01"), max_value=Decimal("900000"), places=2),
       origin=st.sampled_from(["CN", "TW", "VN", "DE", "CA"]),
       day=st.sampled_from(["2019-06-03", "2025-06-01", "2025-12-01", "2026-03-15", "2026-08-15"]))
def test_batch_equals_scalar(engine, value, origin, day):
    row = {"entry_date": day, "hts": "7601.10.30.00", "origin": origin, "customs_value": str(value)}
    priced = quote_frame(pd.DataFrame([row]), known_at="2026-11-21", engine=engine)
    scalar = engine.quote(shipment_of_values(row), known_at="2026-11-21")
    assert Decimal(priced.loc[0, "duties"]) == scalar.totals.duties
    assert Decimal(priced.loc[0, "landed_cost"]) == scalar.totals.landed_cost

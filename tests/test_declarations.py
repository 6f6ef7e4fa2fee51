"""Headings that report an exclusion are declarations on the lines they cover (contract: headings
reported at 0% go to lines[].declarations)."""
from decimal import Decimal


def quote(engine, origin, day):
    s = {"destination": "US", "entry_date": day, "mode": "ocean", "currency": "USD",
         "lines": [{"hts": "7408.11.60.00", "origin": origin, "customs_value": "100000.00"}]}
    return engine.quote(s, known_at="2026-11-21")


def declared(q):
    return {d.heading for d in q.lines[0].declarations}


def test_section_232_goods_declare_the_section_122_exclusion(engine):
    # 2026-03-15: copper wire 7408.11.60 from Taiwan: Section 232 copper (content basis; no metal_content given, so
    # on the full value) displaces the Section 122 surcharge, reported under 9903.03.06 (note 2(aa)(v)).
    q = quote(engine, "TW", "2026-03-15")
    assert "9903.03.06" in declared(q)
    assert "9903.03.01" not in {c.heading for c in q.lines[0].charges}


def test_section_232_goods_declare_the_2026_section_301_exclusions(engine):
    # 2026-08-15, Taiwan: 232 +50% x 100000 = 50000 (9903.82.02), MFN 3% = 3000; the forced-labor 301 duty is
    # set aside and its exclusion heading 9903.05.90 declared.
    q = quote(engine, "TW", "2026-08-15")
    assert {c.heading: c.amount for c in q.lines[0].charges} == {"7408.11.60": Decimal("3000.00"),
                                                                   "9903.82.02": Decimal("50000.00")}
    assert "9903.05.90" in declared(q)
    # Brazil: the Brazil 301 action's 232 exclusion (9903.05.07) as well.
    assert {"9903.05.90", "9903.05.07"} <= declared(quote(engine, "BR", "2026-08-15"))
    # Before the forced-labor action (2026-07-24) there is nothing to declare for it.
    assert "9903.05.90" not in declared(quote(engine, "TW", "2026-07-20"))

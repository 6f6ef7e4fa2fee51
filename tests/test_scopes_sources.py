"""Every scope list whose full text is stored locally, rebuilt from that text and compared code by code.

The texts are in tests/data/scope_texts (see its README); when ../shared/data is present the excerpts
are also checked to be byte-identical to the line ranges of the published files they were cut from."""
import csv
import gzip
import re
from decimal import Decimal
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCOPES = ROOT / "rules_data" / "us" / "scopes"
TEXTS = Path(__file__).resolve().parent / "data" / "scope_texts"
# ../shared beside the repository (CI), or beside the directory of worktrees.
SHARED = next((p for p in (ROOT.parent / "shared" / "data", ROOT.parent.parent / "shared" / "data") if p.is_dir()),
              ROOT.parent / "shared" / "data")

# A code as printed in the HTSUS and the orders: 4, 6, 8 or 10 digits with dots (10 digits may be
# written 8505.11.0070).
TOKEN = r"\d{4}(?:\.\d{2}(?:\.\d{2}(?:\.?\d{2})?)?)?"
DOTTED = re.compile(r"(?<![\d.])(\d{4}\.\d{2}(?:\.\d{2}(?:\.?\d{2})?)?)(?!\d)")
LIST_LINE = re.compile(r"^\s*%s(?:\s+%s)*\s*$" % (TOKEN, TOKEN))

# (scope file, text, first line, end line exclusive within the excerpt or None, source filter)
CH99 = {
    "recip_annex2_rev6": ("ch99_rev6_note2_v_iii_a", 12382, 12802),
    "s122_annex2": ("ch99_rev6_note2_aa_ii", 14829, 15089),
    "s122_particular": ("ch99_rev6_note2_aa_iii", 15089, 15127),
    "s122_civil_aircraft": ("ch99_rev6_note2_aa_iv", 15127, 15263),
    "s301_list1": ("ch99_rev6_note20_b", 17173, 17440),
    "s301_list2": ("ch99_rev6_note20_d", 17485, 17586),
    "s301_list3": ("ch99_rev6_note20_f", 17637, 19342),
    "s301_list4a": ("ch99_rev6_note20_s_i", 21959, 22817),
    "s232s_autos_vehicles": ("ch99_rev6_note33_b", 35340, 35351),
    "s232s_autos_parts": ("ch99_rev6_note33_g", 35438, 35489),
    "ieepao_br_annex_202511": ("ch99_rev6_note2_x_iii_a", 14372, 14468),
}


def codes_in(text):
    """The HTS codes a list text prints: dotted codes anywhere (the Chapter 99 headings of the
    note's own wording excluded) and bare 4-digit headings standing in a column of codes."""
    found = set()
    for line in text.split("\n"):
        for code in DOTTED.findall(line):
            digits = code.replace(".", "")
            if not digits.startswith("99"):
                found.add(digits)
        if LIST_LINE.match(line):
            found.update(tok.replace(".", "") for tok in line.split())
    return found


def scope_codes(name, keep=lambda row: True):
    with open(SCOPES / f"{name}.csv", encoding="utf-8-sig", newline="") as f:
        return {r["hts"].replace(".", "").strip() for r in csv.DictReader(f) if keep(r)}


def ch99_excerpt(name):
    with gzip.open(TEXTS / f"{name}.txt.gz", "rt", encoding="utf-8", errors="replace", newline="") as f:
        return f.read()


def from_the_note(row):
    # s301 list files carry a few lines taken from the 2025 Basic edition's footnotes ("See
    # 9903.88.0x"), not from the note; those rows name that source.
    return "footnote" not in row["source"]


@pytest.mark.parametrize("scope", sorted(CH99))
def test_chapter99_note_lists_rebuild_exactly(scope):
    excerpt, _, _ = CH99[scope]
    assert scope_codes(scope, from_the_note) == codes_in(ch99_excerpt(excerpt))


@pytest.mark.skipif(not (SHARED / "usitc_hts_2026").is_dir(), reason="../shared/data not present (clone alone)")
@pytest.mark.parametrize("scope", sorted(CH99))
def test_chapter99_excerpts_are_the_published_lines(scope):
    excerpt, start, end = CH99[scope]
    published = (SHARED / "usitc_hts_2026" / "chapter99_2026_rev_6.txt").read_bytes().split(b"\n")
    with gzip.open(TEXTS / f"{excerpt}.txt.gz", "rb") as f:
        assert f.read() == b"\n".join(published[start - 1:end - 1]) + b"\n"


def eo14346_lists():
    text = (TEXTS / "eo14346_2025-09-05.md").read_text(encoding="utf-8")
    annex1 = text[text.index("**ANNEX I**"):]
    added, rest = annex1.split("removing the following provisions", 1)
    removed = rest.split("CLICK HERE", 1)[0]
    return codes_in(added.split("inserting in numerical order", 1)[1]), codes_in(removed)


def test_eo14346_annex2_additions_and_removals():
    added, removed = eo14346_lists()
    # The order prints 39 additions and 8 removals (three of the removals share one table cell).
    assert len(added) == 39 and len(removed) == 8
    assert scope_codes("recip_annex2_add_20250908") == added
    assert scope_codes("recip_annex2_removed_20250908") == removed
    assert not added & removed
    # Removed codes are not in the Annex II lists of any later date (Rev 6 note 2(v)(iii)(a)).
    assert not removed & scope_codes("recip_annex2_rev6")
    assert not removed & scope_codes("recip_annex2_core")


@pytest.mark.skipif(not (SHARED / "whitehouse_actions").is_dir(), reason="../shared/data not present (clone alone)")
def test_eo14346_copy_is_the_published_text():
    name = ("2025-09-05-modifying-the-scope-of-reciprocal-tariffs-and-establishing-procedures-for-"
            "implementing-trade-and-security-agreements.md")
    assert (TEXTS / "eo14346_2025-09-05.md").read_bytes() == (SHARED / "whitehouse_actions" / name).read_bytes()


def test_annex2_removals_and_additions_of_2025_09_08_through_the_engine(engine):
    def quote(hts, day):
        q = engine.quote({"destination": "US", "entry_date": day, "mode": "ocean",
                          "lines": [{"hts": hts, "origin": "VN", "customs_value": "10000.00"}]}, known_at="2025-12-01")
        return {c.heading: c.amount for c in q.lines[0].charges}, {d.heading for d in q.lines[0].declarations}

    # 3907.61.00 (PET resin) was on the original Annex II and removed from 2025-09-08 (EO 14346 Annex I).
    # 2025-06-01: exempt (9903.01.32 declared); MFN 6.5% x 10000 = 650.
    charges, declared = quote("3907.61.00.10", "2025-06-01")
    assert charges == {"3907.61.00": Decimal("650.00")} and "9903.01.32" in declared
    # 2025-09-10: Vietnam's Phase 2 rate 20% (9903.02.69, EO 14326): 20% x 10000 = 2000.
    charges, declared = quote("3907.61.00.10", "2025-09-10")
    assert charges == {"3907.61.00": Decimal("650.00"), "9903.02.69": Decimal("2000.00")}
    assert "9903.01.32" not in declared
    # 2504.10.10 (crystalline flake graphite) was added from 2025-09-08: 20% before (MFN Free), exempt after.
    assert quote("2504.10.10.00", "2025-09-07")[0] == {"9903.02.69": Decimal("2000.00")}
    charges, declared = quote("2504.10.10.00", "2025-09-08")
    assert charges == {} and "9903.01.32" in declared

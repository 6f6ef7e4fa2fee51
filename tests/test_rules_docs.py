"""rules_data/GAPS.md ships with the package: a list of data gaps in the project's voice, nothing else.

Working notes (first person, "ENGINE BUG", "TODO", "did not touch", who should decide what) do not belong in it;
fixed defects are not gaps.
"""
import re

from conftest import ROOT

GAPS = ROOT / "rules_data" / "GAPS.md"

# "I" is a pronoun unless it is a roman numeral of an annex, list, type or table part (Annex I, Annex I-C, Portland I).
ROMAN_BEFORE = {"Annex", "Annexes", "Portland", "List", "Part", "Title", "Schedule", "Phase", "Column", "Category",
                "Type", "Chapter", "The", "**Annex", "**Portland"}
WORKING_NOTES = [
    r"ENGINE BUG", r"\bTODO\b", r"\bFIXME\b", r"\bXXX\b", r"did not touch", r"(?<![.\w])(my|My|me|we|We|our|Our|us:)\b(?!\.)",  # not a row key (us.s301.fl.my.2026...)
    r"\bthe brief\b", r"\bThe brief\b", r"\bhelpers?\b", r"main session", r"this session", r"/work/",
    r"\bfind_string\b", r"should decide", r"Proposal to",
]


def _pronoun_i(text: str) -> list[str]:
    found = []
    for m in re.finditer(r"(\S*)\s+I\b(?!-)", text):
        if m.group(1) not in ROMAN_BEFORE:
            found.append(text[max(0, m.start() - 30):m.end() + 30])
    found += [text[max(0, m.start() - 30):m.end() + 30] for m in re.finditer(r"(?m)^\s*(?:- )?I ", text)]
    return found


def test_gaps_has_no_first_person_or_working_notes():
    text = GAPS.read_text(encoding="utf-8")
    problems = _pronoun_i(text)
    for pattern in WORKING_NOTES:
        problems += [text[max(0, m.start() - 30):m.end() + 30] for m in re.finditer(pattern, text)]
    assert not problems, "working notes in rules_data/GAPS.md:\n" + "\n".join(problems)


def test_the_check_catches_working_notes():
    # The same check on the kind of text it must refuse (so the test above can fail).
    notes = ["- **ENGINE BUG (blocks golden x):** I did not touch engine files.",
             "Annex I is missing; I used the Proc 10908 date.", "we have no older primary text", "TODO: dates",
             "The brief says eligible=ALL."]
    for note in notes:
        hits = _pronoun_i(note) + [m for p in WORKING_NOTES for m in re.findall(p, note)]
        assert hits, note
    assert not _pronoun_i("Annex I-C and Annex I (the list), Portland I cut, the I-B rows")

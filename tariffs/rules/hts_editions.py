"""HTSUS editions through time: one base edition in full, the others as deltas, built on first use.

``us/mfn/editions.csv`` lists every edition with its effective date (in force from then until the
next one), its publication date (``published``: as known before it, the edition is not seen), its
provenance, its file and ``base``: empty for an edition stored in full, otherwise the edition its
delta is taken from (its neighbour on the way to the nearest full edition). A delta file has the
MFN columns plus ``change`` (add / change / remove) and ``columns``: for a changed line, the
columns that changed (only those cells are filled, with their new text). A line's ``edition`` is
the edition in which it took its current form.

Loading reads only the full editions; an edition stored as a delta is built the first time a date
in its period is priced (its chain of deltas applied to a copy of the base) and kept.
"""
from __future__ import annotations

import csv
from collections.abc import Mapping
from pathlib import Path

from tariffs.rules.rows import MfnLine

EDITION_COLUMNS = ["edition", "effective", "published", "source", "legal_basis", "confidence", "file", "base"]
MFN_COLUMNS = ["hts", "digits", "indent", "description", "units", "general", "special", "other",
               "rate_from", "edition", "implied"]
DELTA_COLUMNS = ["change", "columns", *MFN_COLUMNS]
# Columns whose difference makes a line "changed" (the edition column names where a row was read).
_COMPARED = [c for c in MFN_COLUMNS if c != "edition"]


def read_mfn_csv(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def diff_rows(old: dict[str, dict], new: dict[str, dict]) -> list[dict]:
    """Rows added, changed or removed going from ``old`` to ``new`` (both: digits -> row)."""
    out = []
    for code in sorted(set(old) | set(new), key=lambda d: d.ljust(10)):
        if code not in new:
            out.append({"change": "remove", "hts": old[code]["hts"], "digits": code})
        elif code not in old:
            out.append({"change": "add", **{c: str(new[code].get(c, "")) for c in MFN_COLUMNS}})
        else:
            changed = [c for c in _COMPARED if str(old[code].get(c, "")) != str(new[code].get(c, ""))]
            if changed:
                out.append({"change": "change", "columns": ";".join(changed), "hts": new[code]["hts"],
                            "digits": code, "edition": new[code]["edition"],
                            **{c: str(new[code].get(c, "")) for c in changed}})
    return out


def apply_delta(lines: dict, rows: list[dict], make) -> None:
    """Apply a delta's rows to ``lines`` (digits -> line) in place; ``make(row, old)`` builds a line."""
    for row in rows:
        if row["change"] == "remove":
            lines.pop(row["digits"], None)
        elif row["change"] == "add":
            lines[row["digits"]] = make(row, None)
        else:
            lines[row["digits"]] = make(row, lines.get(row["digits"]))


def changed_cells(row: dict) -> dict:
    """The cells a ``change`` row sets (its listed columns, and the line's edition)."""
    return {**{c: row[c] for c in row["columns"].split(";") if c}, "edition": row["edition"]}


def line_from_cells(c) -> MfnLine:
    """An MfnLine from the cells of a full row, in MFN_COLUMNS order."""
    return MfnLine(c[0], c[1], int(c[2] or 0), c[3], tuple(u for u in c[4].split(";") if u), c[5], c[6], c[7], c[8],
                   c[9], c[10] == "1")


_AT = {c: i for i, c in enumerate(MFN_COLUMNS)}


class Lines(Mapping):
    """digits -> MfnLine of one edition. Rows are kept as read (cells in MFN_COLUMNS order) and
    made into lines when looked up; a delta is applied to the cells."""

    def __init__(self, raw: dict):
        self._raw = raw
        self._lines: dict[str, MfnLine] = {}

    def __getitem__(self, code: str) -> MfnLine:
        line = self._lines.get(code)
        if line is None:
            line = self._lines[code] = line_from_cells(self._raw[code])
        return line

    def __contains__(self, code) -> bool:
        return code in self._raw

    def __iter__(self):
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)

    def applied(self, rows: list[dict]) -> "Lines":
        """A new Lines: this edition with a delta's rows applied."""
        raw = dict(self._raw)
        for row in rows:
            code = row["digits"]
            if row["change"] == "remove":
                raw.pop(code, None)
            elif row["change"] == "add" or code not in raw:
                raw[code] = [row[c] for c in MFN_COLUMNS]
            else:
                cells = list(raw[code])
                for column, value in changed_cells(row).items():
                    cells[_AT[column]] = value
                raw[code] = cells
        return Lines(raw)


def read_full(path: Path) -> tuple[Lines, list[str]]:
    """A full edition file: its lines, and the MFN columns it lacks (nothing is read then)."""
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader, [])
        missing = [c for c in MFN_COLUMNS if c not in header]
        if missing:
            return Lines({}), missing
        if header[:len(MFN_COLUMNS)] == MFN_COLUMNS:
            return Lines({cells[1]: cells for cells in reader if cells}), []
        at = [header.index(c) for c in MFN_COLUMNS]
        return Lines({cells[at[1]]: [cells[i] for i in at] for cells in reader if cells}), []


class EditionLines(Mapping):
    """edition id -> {digits: MfnLine}; editions stored as deltas are built on first access."""

    def __init__(self, root: Path, editions: list):
        self._root = root
        self._editions = {e.edition: e for e in editions}
        self._built: dict[str, Lines] = {}

    def set_full(self, name: str, lines: Lines) -> None:
        self._built[name] = lines

    def __getitem__(self, name: str) -> dict:
        if name not in self._built:
            if name not in self._editions:
                raise KeyError(name)
            self._built[name] = self._build(name)
        return self._built[name]

    def _build(self, name: str) -> Lines:
        chain = []
        while name not in self._built:
            edition = self._editions[name]
            chain.append(edition)
            name = edition.base
        lines = self._built[name]
        for edition in reversed(chain):
            lines = lines.applied(read_mfn_csv(self._root / edition.file))
        return lines

    def __iter__(self):
        return iter(self._editions)

    def __len__(self) -> int:
        return len(self._editions)

    def walk(self):
        """(edition id, lines) of every edition, each delta applied once (for checks over all editions;
        the editions built here are not kept)."""
        built = dict(self._built)
        pending = list(self._editions.values())
        while pending:
            left = []
            for edition in pending:
                if edition.edition in built:
                    yield edition.edition, built[edition.edition]
                elif edition.base in built:
                    built[edition.edition] = built[edition.base].applied(read_mfn_csv(self._root / edition.file))
                    yield edition.edition, built[edition.edition]
                else:
                    left.append(edition)
            if len(left) == len(pending):
                raise KeyError(f"editions without a full base: {[e.edition for e in left]}")
            pending = left

    def is_built(self, name: str) -> bool:
        return name in self._built

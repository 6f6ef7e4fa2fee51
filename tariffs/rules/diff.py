"""`tariffs rules diff OLD NEW`: what changed between two rule directories, and which stored entries
and recorded quotes would price differently — the question an auditor asks after every rules update.

Rows are matched within each CSV by their id column (measure_id, fee_id, deadline_id, or the first
column when its values are unique in both versions); otherwise whole rows are compared. A row whose
`retracted_at` was empty and is now set is reported as retracted, not merely changed.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from tariffs.errors import InputError

ID_COLUMNS = ("measure_id", "fee_id", "deadline_id")


@dataclass
class TableDiff:
    path: str
    added: list[dict] = field(default_factory=list)
    removed: list[dict] = field(default_factory=list)
    retracted: list[dict] = field(default_factory=list)
    changed: list[dict] = field(default_factory=list)  # {"key", "columns": {name: [old, new]}}

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.retracted or self.changed)


def resolve_root(text: str) -> Path:
    """A rules_data directory, or "installed" for the rule tables shipped with the package."""
    from tariffs.rules.ruleset import default_rules_path

    if text == "installed":
        return Path(default_rules_path())
    path = Path(text)
    if not (path / "manifest.json").is_file():
        raise InputError("OLD/NEW", f"{text!r} is not a rules directory (no manifest.json)",
                         "a rules_data directory, or 'installed'")
    return path


def _rows(path: Path) -> tuple[list[str], list[dict]]:
    if not path.is_file():
        return [], []
    reader = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8")))
    rows = [{k: (v or "").strip() for k, v in row.items()} for row in reader if any((v or "").strip()
                                                                                  for v in row.values())]
    return list(reader.fieldnames or []), rows


def _key_column(columns_old, columns_new, old, new) -> str | None:
    for name in ID_COLUMNS:
        if name in columns_old and name in columns_new:
            return name
    if columns_old and columns_new and columns_old[0] == columns_new[0]:
        first = columns_old[0]
        if len({r[first] for r in old}) == len(old) and len({r[first] for r in new}) == len(new):
            return first
    return None


def diff_table(rel: str, old_root: Path, new_root: Path) -> TableDiff:
    columns_old, old = _rows(old_root / rel)
    columns_new, new = _rows(new_root / rel)
    out = TableDiff(rel)
    key = _key_column(columns_old, columns_new, old, new)
    if key is None:
        as_tuple = lambda r: tuple(sorted(r.items()))  # noqa: E731
        old_set, new_set = {as_tuple(r) for r in old}, {as_tuple(r) for r in new}
        out.added = [r for r in new if as_tuple(r) not in old_set]
        out.removed = [r for r in old if as_tuple(r) not in new_set]
        return out
    before = {r[key]: r for r in old}
    after = {r[key]: r for r in new}
    for k, row in after.items():
        if k not in before:
            out.added.append(row)
            continue
        prev = before[k]
        columns = {c: [prev.get(c, ""), row.get(c, "")] for c in sorted(set(prev) | set(row))
                   if prev.get(c, "") != row.get(c, "")}
        if not columns:
            continue
        if set(columns) == {"retracted_at"} and not prev.get("retracted_at"):
            out.retracted.append(row)
        else:
            out.changed.append({"key": k, "columns": columns})
    out.removed = [row for k, row in before.items() if k not in after]
    return out


def diff_rules(old_root: Path, new_root: Path) -> list[TableDiff]:
    def tables(root):
        return {p.relative_to(root).as_posix() for p in root.rglob("*.csv") if "notes" not in p.relative_to(root).parts}

    return [d for d in (diff_table(rel, old_root, new_root) for rel in sorted(tables(old_root) | tables(new_root)))
            if not d.empty]


def render_text(diffs: list[TableDiff], impact: dict | None, max_rows: int = 20) -> str:
    lines = []
    if not diffs:
        lines.append("no rows differ")
    for d in diffs:
        lines.append(f"{d.path}: {len(d.added)} added, {len(d.retracted)} retracted, {len(d.changed)} changed, "
                     f"{len(d.removed)} removed")
        for label, rows in (("+", d.added), ("retracted", d.retracted), ("-", d.removed)):
            for row in rows[:max_rows]:
                ident = next((row[c] for c in ID_COLUMNS if c in row), None) or ",".join(list(row.values())[:4])
                lines.append(f"  {label} {ident}")
            if len(rows) > max_rows:
                lines.append(f"  ... {len(rows) - max_rows} more")
        for change in d.changed[:max_rows]:
            cols = "; ".join(f"{c}: {o!r} -> {n!r}" for c, (o, n) in change["columns"].items())
            lines.append(f"  ~ {change['key']}: {cols}"[:400])
        if len(d.changed) > max_rows:
            lines.append(f"  ... {len(d.changed) - max_rows} more changed")
    if impact is not None:
        lines.append(f"stored entries that price differently: {len(impact['entries'])} of {impact['entries_checked']}"
                     + (": " + ", ".join(impact["entries"][:50]) if impact["entries"] else ""))
        lines.append(f"recorded quotes that price differently: {len(impact['quotes'])} of {impact['quotes_checked']}"
                     + (": " + ", ".join(str(i) for i in impact["quotes"][:50]) if impact["quotes"] else ""))
    return "\n".join(lines)

"""Load rules_data/ into a validated, content-hashed RuleSet, with lookup indexes.

Loading fails loudly (RulesError listing every problem) on schema errors: missing
columns, malformed dates or decimals, unknown programs, countries, groups or scopes,
rows without legal basis or source. Cross-row checks (overlaps, scopes matching no HTS
line) are in ``tariffs.rules.check``.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
import re
from collections import defaultdict
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

import pandas as pd
import pycountry

from tariffs.errors import RulesError
from tariffs.hts import canonical_unit, digits
from tariffs.rules.conditions import parse_condition
from tariffs.rules.targets import matches_target
from tariffs.rules.hts_editions import EDITION_COLUMNS, EditionLines, read_full
from dataclasses import dataclass

from tariffs.rules.rows import (
    CONFIDENCE,
    Edition,
    Timed,
    EntryType,
    Fee,
    FtzRule,
    GroupMember,
    Measure,
    MfnLine,
    Program,
    Provenance,
    SpecialProgram,
    StackingRule,
)

PROVENANCE = ["legal_basis", "source", "confidence"]
TIMES = ["valid_from", "valid_to", "recorded_at", "retracted_at"]
MEASURE_COLUMNS = [
    "measure_id", "key", "program", "kind", "heading", "scope", "except_scope", "origins",
    "except_origins", "claim", "except_claims", "condition", "rate", "specific", "unit", "basis", "floor",
    "targets", "valid_from", "valid_to", "loaded_before", "entered_before", "in_transit_heading", "recorded_at",
    "retracted_at", "legal_basis", "source", "confidence", "note",
]
KINDS = ("charge", "exemption", "void")
GROUP_COLUMNS = ["group", "country", *TIMES, *PROVENANCE]
SPECIAL_COLUMNS = ["indicator", "program_name", "eligible", "valid_from", "valid_to", "mpf_exempt",
                   "recorded_at", "retracted_at", *PROVENANCE]
FEE_COLUMNS = ["fee_id", "program", "rate", "minimum", "maximum", "modes", "entry_types", *TIMES, *PROVENANCE]
ENTRY_TYPES = ("formal", "informal", "de_minimis")
FTZ_COLUMNS = ["pattern", "pf_mandatory_from", "pf_admitted_before", "recorded_at", "retracted_at", *PROVENANCE, "note"]
VAT_COLUMNS = ["member_state", "rate", *TIMES, *PROVENANCE]
CBAM_GOODS_COLUMNS = ["cn", "sector", "counts_indirect", "excluded", *TIMES, *PROVENANCE]
CBAM_DEFAULT_COLUMNS = ["cn", "country", "route", "value_2026", "value_2027", "value_2028", "total"]
CBAM_BENCHMARK_COLUMNS = ["cn", "route", "value"]
CBAM_SOURCE_COLUMNS = ["file", *TIMES, *PROVENANCE, "note"]
CBAM_FACTOR_COLUMNS = ["year", "cbam_factor", "cscf", "recorded_at", "retracted_at", *PROVENANCE]
CBAM_EXCLUDED_ORIGIN_COLUMNS = ["country", *TIMES, *PROVENANCE, "note"]
CBAM_DE_MINIMIS_COLUMNS = ["threshold_tonnes", "excluded_cn", *TIMES, *PROVENANCE]
CBAM_PRICE_COLUMNS = ["period_start", "period_end", "price", "published_on", *PROVENANCE]
TW_FTZ_COLUMNS = ["ccc", "metal", "exchange", "approved_from", "approved_to", "recorded_at", "retracted_at",
                  *PROVENANCE]
ENTRY_TYPE_COLUMNS = ["entry_type", "max_value", "origins", "except_origins", *TIMES, *PROVENANCE, "note"]
STACKING_COLUMNS = ["stacking_id", "winner", "loser", "effect", "origins", "declare", "reason", *TIMES, *PROVENANCE]
BASES = re.compile(r"^(value|value_plus_duties|non_content|non_us_content(:0?\.\d+)?|content:(steel|aluminum|copper))$")
# Codes CBP uses that ISO 3166 leaves to users.
EXTRA_COUNTRIES = {"XK"}
_HEADING = re.compile(r"^\d{4}\.\d{2}(\.\d{2}){0,2}$")


def default_rules_path() -> Path:
    """Where the shipped rules live: $TARIFFS_RULES_DATA, the installed package, or the source tree."""
    env = os.environ.get("TARIFFS_RULES_DATA")
    if env:
        return Path(env)
    try:
        from importlib.util import find_spec

        # rules_data ships as the data-only package tariffs.rules_data (a namespace package).
        spec = find_spec("tariffs.rules_data")
        for location in (spec.submodule_search_locations or []) if spec else []:
            if (Path(location) / "manifest.json").is_file():
                return Path(location)
    except ModuleNotFoundError:
        pass
    return Path(__file__).resolve().parents[2] / "rules_data"


def _read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


def canonical_hash(root: Path) -> str:
    """SHA-256 over the canonical content of manifest.json and every CSV (not docs or notes).

    CSVs are canonicalised cell by cell (whitespace trimmed, empty rows dropped, LF line
    ends), JSON by sorted keys, so a re-saved file with CRLF or different quoting hashes the same.
    The HTS tables under us/mfn/ (written by `tariffs rules import-hts`, about ten times the size of
    everything else) are hashed as text with LF line ends: parsing them cell by cell would dominate
    the load time.
    """
    h = hashlib.sha256()
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in (".csv", ".json")
                   and "notes" not in p.relative_to(root).parts)
    for path in files:
        rel = path.relative_to(root).as_posix()
        if rel.startswith("us/mfn/"):
            h.update(rel.encode() + b"\0" + path.read_bytes().replace(b"\r\n", b"\n").strip(b"\n") + b"\0")
            continue
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".json":
            canon = json.dumps(json.loads(text), sort_keys=True, separators=(",", ":"))
        else:
            rows = ("\x1f".join(cell.strip() for cell in row) for row in csv.reader(io.StringIO(text)))
            canon = "\n".join(r for r in rows if r.strip("\x1f"))
        h.update(rel.encode() + b"\0" + canon.encode() + b"\0")
    return h.hexdigest()


class _Problems(list):
    def add(self, where: str, message: str) -> None:
        self.append(f"{where}: {message}")


def _date(value: str, where: str, problems: _Problems, required: bool = True) -> dt.date | None:
    value = (value or "").strip()
    if not value:
        if required:
            problems.add(where, "date is required")
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        problems.add(where, f"{value!r} is not an ISO date YYYY-MM-DD")
        return None


def _decimal(value: str, where: str, problems: _Problems) -> Decimal | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        result = Decimal(value)
    except InvalidOperation:
        problems.add(where, f"{value!r} is not a decimal")
        return None
    if not result.is_finite() or result < 0:
        problems.add(where, f"{value!r} must be a finite non-negative decimal")
        return None
    return result


def _list(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in (value or "").split(";") if part.strip())


def _prov(row, where: str, problems: _Problems) -> Provenance:
    for column in ("legal_basis", "source"):
        if not str(row.get(column, "")).strip():
            problems.add(where, f"{column} is empty: every row must cite its legal basis and a source")
    if str(row.get("source", "")).strip() and not re.match(r"^https?://", str(row.get("source", "")).strip()):
        problems.add(where, f"source {str(row.get('source'))[:60]!r} is not a URL")
    confidence = str(row.get("confidence", "")).strip()
    if confidence not in CONFIDENCE:
        problems.add(where, f"confidence {confidence!r} not one of {', '.join(CONFIDENCE)}")
    return Provenance(str(row.get("legal_basis", "")).strip(), str(row.get("source", "")).strip(), confidence)


def _times(row, where: str, problems: _Problems) -> dict:
    out = {
        "valid_from": _date(row.get("valid_from", ""), f"{where} valid_from", problems) or dt.date.min,
        "valid_to": _date(row.get("valid_to", ""), f"{where} valid_to", problems, required=False),
        "recorded_at": _date(row.get("recorded_at", ""), f"{where} recorded_at", problems) or dt.date.min,
        "retracted_at": _date(row.get("retracted_at", ""), f"{where} retracted_at", problems, required=False),
    }
    if out["valid_to"] and out["valid_to"] <= out["valid_from"]:
        problems.add(where, f"valid_to {out['valid_to']} is not after valid_from {out['valid_from']}")
    if out["retracted_at"] and out["retracted_at"] <= out["recorded_at"]:
        problems.add(where, f"retracted_at {out['retracted_at']} is not after recorded_at {out['recorded_at']}")
    return out


@dataclass(frozen=True)
class TimedProv(Timed):
    prov: Provenance | None = None


def _timed_prov(row, where: str, problems) -> TimedProv:
    return TimedProv(**_times(row, where, problems), prov=_prov(row, where, problems))


def _columns(df: pd.DataFrame, expected: list[str], where: str, problems: _Problems) -> bool:
    missing = [c for c in expected if c not in df.columns]
    if missing:
        problems.add(where, f"missing columns {missing}")
        return False
    return True


@lru_cache(maxsize=512)
def is_country(code: str) -> bool:
    return code in EXTRA_COUNTRIES or (len(code) == 2 and pycountry.countries.get(alpha_2=code) is not None)


class RuleSet:
    """The loaded rule tables of one rules_data/ folder."""

    def __init__(self, root: Path, sha256: str | None = None):
        self.root = Path(root)
        problems = _Problems()
        manifest_path = self.root / "manifest.json"
        if not manifest_path.is_file():
            raise RulesError(f"no manifest.json in {self.root}: not a rules_data folder")
        self.manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        for key in ("version", "knowledge_cutoff", "measure_tables"):
            if key not in self.manifest:
                problems.add("manifest.json", f"missing {key!r}")
        self.version: str = self.manifest.get("version", "")
        if not re.match(r"^\d{4}\.\d{2}\.\d+$", self.version):
            problems.add("manifest.json", f"version {self.version!r} is not YYYY.MM.N")
        self.knowledge_cutoff = _date(self.manifest.get("knowledge_cutoff", ""), "manifest.json knowledge_cutoff",
                                      problems) or dt.date.min
        self.earliest_date = _date(self.manifest.get("earliest_entry_date", "2018-01-01"),
                                   "manifest.json earliest_entry_date", problems) or dt.date.min
        self.sha256 = sha256 or canonical_hash(self.root)
        self.problems = problems
        self._load_groups(problems)
        self._load_programs(problems)
        self._load_scopes(problems)
        self._load_editions(problems)
        self._load_special(problems)
        self._load_measures(problems)
        self._load_fees(problems)
        self._load_entry_types(problems)
        self._load_stacking(problems)
        self._load_ftz_rules(problems)
        self._load_eu(problems)
        self._load_tw(problems)
        if problems:
            raise RulesError(f"{len(problems)} problem(s) in {self.root}", list(problems))

    # -- loading -------------------------------------------------------------------------------
    def _load_groups(self, problems: _Problems) -> None:
        self.groups: dict[str, list[GroupMember]] = defaultdict(list)
        path = self.root / "country_groups.csv"
        df = _read_csv(path)
        if not _columns(df, GROUP_COLUMNS, path.name, problems):
            return
        for i, row in enumerate(df.to_dict("records"), start=2):
            where = f"country_groups.csv:{i}"
            group, country = row["group"].strip(), row["country"].strip()
            if not re.match(r"^[A-Z][A-Z0-9_]+$", group) or is_country(group):
                problems.add(where, f"group {group!r} must be an upper-case name that is not a country code")
            if not is_country(country):
                problems.add(where, f"unknown country code {country!r} (ISO 3166-1 alpha-2)")
            self.groups[group].append(GroupMember(**_times(row, where, problems), group=group, country=country,
                                                  prov=_prov(row, where, problems)))

    def _load_programs(self, problems: _Problems) -> None:
        path = self.root / "us" / "programs.csv"
        df = _read_csv(path)
        self.programs: dict[str, Program] = {}
        if not _columns(df, ["program", "reporting_rank", "description"], "us/programs.csv", problems):
            return
        for row in df.to_dict("records"):
            self.programs[row["program"].strip()] = Program(row["program"].strip(), int(row["reporting_rank"]),
                                                            row["description"])

    def _load_scopes(self, problems: _Problems) -> None:
        self.scopes: dict[str, tuple[str, ...]] = {}
        for path in sorted((self.root / "us" / "scopes").glob("*.csv")):
            df = _read_csv(path)
            where = f"us/scopes/{path.name}"
            if not _columns(df, ["hts"], where, problems):
                continue
            prefixes = []
            for i, value in enumerate(df["hts"], start=2):
                d = digits(value)
                if not re.match(r"^\d{2,10}$", d):
                    problems.add(f"{where}:{i}", f"{value!r} is not an HTS prefix of 2-10 digits")
                    continue
                prefixes.append(d)
            self.scopes[path.stem] = tuple(prefixes)

    def _load_editions(self, problems: _Problems) -> None:
        """Editions in full are read now; editions stored as deltas on first use (hts_editions)."""
        path = self.root / "us" / "mfn" / "editions.csv"
        df = _read_csv(path)
        self.editions: list[Edition] = []
        if not _columns(df, EDITION_COLUMNS, "us/mfn/editions.csv", problems):
            self.mfn = EditionLines(self.root / "us" / "mfn", [])
            return
        for i, row in enumerate(df.to_dict("records"), start=2):
            where = f"us/mfn/editions.csv:{i}"
            _prov(row, where, problems)
            edition = Edition(row["edition"], _date(row["effective"], where, problems) or dt.date.min,
                              _date(row["published"], where, problems) or dt.date.min, row["source"],
                              row["legal_basis"], row["confidence"], row["file"], row["base"].strip())
            if not (self.root / "us" / "mfn" / edition.file).is_file():
                problems.add(f"us/mfn/{edition.file}", "file named in editions.csv does not exist")
            self.editions.append(edition)
        names = {e.edition for e in self.editions}
        for e in self.editions:
            if e.base and e.base not in names:
                problems.add("us/mfn/editions.csv", f"edition {e.edition}: base {e.base!r} is not a listed edition")
        self.editions.sort(key=lambda e: (e.effective, e.published))
        self.mfn = EditionLines(self.root / "us" / "mfn", self.editions)
        for e in self.editions:
            if not e.base:
                self.mfn.set_full(e.edition, self._load_mfn_file(self.root / "us" / "mfn" / e.file, e, problems))
        if not self.editions:
            problems.add("us/mfn/editions.csv", "no HTS edition loaded")
        elif all(e.base for e in self.editions):
            problems.add("us/mfn/editions.csv", "no edition is stored in full (every edition names a base)")

    def _load_mfn_file(self, path: Path, edition: Edition, problems: _Problems):
        where = f"us/mfn/{path.name}"
        if not path.is_file():
            return {}
        lines, missing = read_full(path)
        if missing:
            problems.add(where, f"missing column(s) {missing}")
        bad = [d for d in lines if len(d) not in (8, 10) or not d.isdigit()]
        if bad:
            problems.add(where, f"{len(bad)} rows with a code that is not 8 or 10 digits, e.g. {bad[:3]}")
        return lines

    def _load_special(self, problems: _Problems) -> None:
        path = self.root / "us" / "special_programs.csv"
        df = _read_csv(path)
        self.special_programs: dict[str, list[SpecialProgram]] = defaultdict(list)
        if not _columns(df, SPECIAL_COLUMNS, "us/special_programs.csv", problems):
            return
        for i, row in enumerate(df.to_dict("records"), start=2):
            where = f"us/special_programs.csv:{i}"
            eligible = _list(row["eligible"])
            self._check_countries(eligible, where, problems)
            flag = row["mpf_exempt"].strip().lower()
            if flag not in ("true", "false"):
                problems.add(where, f"mpf_exempt {row['mpf_exempt']!r} must be true or false")
            self.special_programs[row["indicator"].strip()].append(SpecialProgram(
                **_times(row, where, problems), indicator=row["indicator"].strip(),
                program_name=row["program_name"].strip(), eligible=eligible, mpf_exempt=flag == "true",
                prov=_prov(row, where, problems)))

    def _check_countries(self, tokens, where: str, problems: _Problems) -> None:
        for token in tokens:
            if token != "ALL" and token not in self.groups and not is_country(token):
                problems.add(where, f"unknown country or group {token!r}")

    def _scope(self, text: str, where: str, problems: _Problems) -> tuple[str, ...]:
        out: list[str] = []
        for token in _list(text):
            if token == "ALL":
                out.append("ALL")
            elif token.startswith("@"):
                if token[1:] not in self.scopes:
                    problems.add(where, f"unknown scope {token!r} (no us/scopes/{token[1:]}.csv)")
                else:
                    out.extend(self.scopes[token[1:]])
            else:
                d = digits(token)
                if not re.match(r"^\d{2,10}$", d):
                    problems.add(where, f"scope entry {token!r} is not an HTS prefix, @name or ALL")
                else:
                    out.append(d)
        return tuple(out)

    def _load_measures(self, problems: _Problems) -> None:
        self.measures: list[Measure] = []
        for rel in self.manifest.get("measure_tables", []):
            path = self.root / rel
            if not path.is_file():
                problems.add(rel, "measure table named in manifest.json does not exist")
                continue
            df = _read_csv(path)
            if not _columns(df, MEASURE_COLUMNS, rel, problems):
                continue
            for i, row in enumerate(df.to_dict("records"), start=2):
                self.measures.append(self._measure(row, f"{rel}:{i}", rel, problems))
        self.measure_by_id: dict[str, Measure] = {}
        for m in self.measures:
            if m.measure_id in self.measure_by_id:
                problems.add("measures", f"duplicate measure_id {m.measure_id!r}")
            self.measure_by_id[m.measure_id] = m
        self._index_measures()

    def _measure(self, row: dict, where: str, table: str, problems: _Problems) -> Measure:
        program, kind, basis = row["program"].strip(), row["kind"].strip(), row["basis"].strip() or "value"
        if program not in self.programs:
            problems.add(where, f"unknown program {program!r} (see us/programs.csv)")
        if kind not in KINDS:
            problems.add(where, f"kind {kind!r} must be one of {', '.join(KINDS)}")
        if not BASES.match(basis):
            problems.add(where, f"basis {basis!r} must be value, non_content, non_us_content or "
                                "content:steel|aluminum|copper")
        try:
            condition = parse_condition(row["condition"])
        except ValueError as exc:
            problems.add(where, str(exc))
            condition = ()
        for clause in condition:
            if clause.kind == "metal_origin":
                self._check_countries(clause.values, where, problems)
        in_transit_heading = row["in_transit_heading"].strip() or None
        if in_transit_heading and not _HEADING.match(in_transit_heading):
            problems.add(where, f"in_transit_heading {in_transit_heading!r} is not an HTS heading")
        heading = row["heading"].strip()
        if not _HEADING.match(heading) and not (kind == "void" and not heading):
            problems.add(where, f"heading {heading!r} is not an HTS heading like 9903.88.03")
        origins, except_origins = _list(row["origins"]), _list(row["except_origins"])
        if not origins:
            problems.add(where, "origins is empty (use ALL)")
        self._check_countries(origins + except_origins, where, problems)
        unit = row["unit"].strip() or None
        if unit and canonical_unit(unit) is None:
            problems.add(where, f"unknown unit {unit!r}")
        rate, specific, floor = (_decimal(row[c], f"{where} {c}", problems) for c in ("rate", "specific", "floor"))
        if specific is not None and not unit:
            problems.add(where, "specific rate without unit")
        if kind == "charge" and rate is None and specific is None and floor is None:
            problems.add(where, "a charge needs a rate, a specific amount or a floor")
        targets = _list(row["targets"])
        if kind in ("exemption", "void") and not targets:
            problems.add(where, f"a {kind} row needs targets (program:heading-pattern)")
        for target in targets:
            if ":" not in target or target.split(":")[0] not in self.programs:
                problems.add(where, f"target {target!r} must be program:heading-pattern with a known program")
        scope = self._scope(row["scope"], where, problems)
        except_scope = self._scope(row["except_scope"], where, problems)
        if not scope:
            problems.add(where, "scope is empty (use ALL or prefixes)")
        return Measure(
            **_times(row, where, problems),
            measure_id=row["measure_id"].strip(), key=row["key"].strip() or row["measure_id"].strip(),
            program=program, kind=kind, heading=heading, scope=scope,
            except_scope=except_scope, except_set=frozenset(except_scope), scope_text=row["scope"].strip(),
            origins=origins, except_origins=except_origins, claim=row["claim"].strip() or None,
            condition=condition, in_transit_heading=in_transit_heading,
            except_claims=_list(row["except_claims"]), rate=rate, specific=specific,
            unit=canonical_unit(unit) if unit else None, basis=basis, floor=floor, targets=targets,
            loaded_before=_date(row["loaded_before"], f"{where} loaded_before", problems, required=False),
            entered_before=_date(row["entered_before"], f"{where} entered_before", problems, required=False),
            prov=_prov(row, where, problems), note=row.get("note", ""), table=table,
        )

    def _index_measures(self) -> None:
        # Indexed per jurisdiction (the table's folder): a US row never applies to an EU line.
        self.by_prefix: dict[tuple[str, str], list[Measure]] = defaultdict(list)
        self.all_scope: dict[str, list[Measure]] = defaultdict(list)
        for measure in self.measures:
            for prefix in set(measure.scope):
                if prefix == "ALL":
                    self.all_scope[measure.jurisdiction].append(measure)
                else:
                    self.by_prefix[(measure.jurisdiction, prefix)].append(measure)
        self.prefix_lengths = sorted({len(p) for _, p in self.by_prefix})

    def _load_fees(self, problems: _Problems) -> None:
        path = self.root / "us" / "fees.csv"
        df = _read_csv(path)
        self.fees: list[Fee] = []
        if not _columns(df, FEE_COLUMNS, "us/fees.csv", problems):
            return
        for i, row in enumerate(df.to_dict("records"), start=2):
            where = f"us/fees.csv:{i}"
            program = row["program"].strip()
            if program not in ("mpf", "hmf"):
                problems.add(where, f"fee program {program!r} must be mpf or hmf")
            rate = _decimal(row["rate"], f"{where} rate", problems)
            minimum = _decimal(row["minimum"], where, problems)
            maximum = _decimal(row["maximum"], where, problems)
            if rate is None and minimum is None:
                problems.add(where, "a fee needs a rate or a flat amount (minimum = maximum)")
            entry_types = _list(row["entry_types"]) or ("formal",)
            for entry_type in entry_types:
                if entry_type not in ENTRY_TYPES:
                    problems.add(where, f"entry type {entry_type!r} not one of {', '.join(ENTRY_TYPES)}")
            self.fees.append(Fee(**_times(row, where, problems), fee_id=row["fee_id"].strip(), program=program,
                                 rate=rate or Decimal(0), minimum=minimum, maximum=maximum,
                                 modes=_list(row["modes"]) or ("ALL",), entry_types=entry_types,
                                 prov=_prov(row, where, problems)))

    def _load_entry_types(self, problems: _Problems) -> None:
        path = self.root / "us" / "entry_types.csv"
        df = _read_csv(path)
        self.entry_types: list[EntryType] = []
        if not _columns(df, ENTRY_TYPE_COLUMNS, "us/entry_types.csv", problems):
            return
        for i, row in enumerate(df.to_dict("records"), start=2):
            where = f"us/entry_types.csv:{i}"
            kind = row["entry_type"].strip()
            if kind not in ("informal", "de_minimis"):
                problems.add(where, f"entry_type {kind!r} must be informal or de_minimis (formal needs no row)")
            origins, except_origins = _list(row["origins"]) or ("ALL",), _list(row["except_origins"])
            self._check_countries(origins + except_origins, where, problems)
            self.entry_types.append(EntryType(
                **_times(row, where, problems), entry_type=kind,
                max_value=_decimal(row["max_value"], f"{where} max_value", problems) or Decimal(0),
                origins=origins, except_origins=except_origins, note=row["note"],
                prov=_prov(row, where, problems)))

    def _load_stacking(self, problems: _Problems) -> None:
        path = self.root / "us" / "stacking.csv"
        df = _read_csv(path)
        self.stacking: list[StackingRule] = []
        if not _columns(df, STACKING_COLUMNS, "us/stacking.csv", problems):
            return
        for i, row in enumerate(df.to_dict("records"), start=2):
            where = f"us/stacking.csv:{i}"
            for column in ("winner", "loser"):
                for item in _list(row[column]):
                    if item.split(":")[0] not in self.programs or ":" not in item:
                        problems.add(where, f"{column} {item!r} must be program:heading-pattern (;-separated)")
            if row["effect"] not in ("skip", "non_content"):
                problems.add(where, f"effect {row['effect']!r} must be skip or non_content")
            origins = _list(row["origins"]) or ("ALL",)
            self._check_countries(origins, where, problems)
            self.stacking.append(StackingRule(
                **_times(row, where, problems), stacking_id=row["stacking_id"].strip(), winner=row["winner"].strip(),
                loser=row["loser"].strip(), effect=row["effect"].strip(), origins=origins,
                declare=row["declare"].strip() or None, reason=row["reason"].strip(), prov=_prov(row, where, problems)))

    def _optional(self, rel: str, columns: list[str], problems: _Problems) -> list[tuple[str, dict]]:
        """Rows of an optional table (absent file = no rows), each with its location for messages."""
        path = self.root / rel
        if not path.is_file():
            return []
        df = _read_csv(path)
        if not _columns(df, columns, rel, problems):
            return []
        return [(f"{rel}:{i}", row) for i, row in enumerate(df.to_dict("records"), start=2)]

    def _load_ftz_rules(self, problems: _Problems) -> None:
        self.ftz_rules: list[FtzRule] = []
        for where, row in self._optional("us/ftz_rules.csv", FTZ_COLUMNS, problems):
            before = row["pf_admitted_before"].strip() or "locked"
            if before not in ("locked", "applies", "relieved"):
                problems.add(where, f"pf_admitted_before {before!r} must be locked, applies or relieved")
            for item in _list(row["pattern"]):
                if item.split(":")[0] not in self.programs or ":" not in item:
                    problems.add(where, f"pattern {item!r} must be program:heading-glob")
            self.ftz_rules.append(FtzRule(
                valid_from=dt.date.min, valid_to=None,
                recorded_at=_date(row["recorded_at"], f"{where} recorded_at", problems) or dt.date.min,
                retracted_at=_date(row["retracted_at"], f"{where} retracted_at", problems, required=False),
                pattern=row["pattern"].strip(),
                pf_mandatory_from=_date(row["pf_mandatory_from"], f"{where} pf_mandatory_from", problems,
                                        required=False),
                pf_admitted_before=before, note=row["note"], prov=_prov(row, where, problems)))

    def _load_eu(self, problems: _Problems) -> None:
        self.vat: list[tuple[str, Decimal, object]] = []
        for where, row in self._optional("eu/vat.csv", VAT_COLUMNS, problems):
            rate = _decimal(row["rate"], f"{where} rate", problems)
            state = row["member_state"].strip()
            if not is_country(state):
                problems.add(where, f"unknown member state {state!r}")
            self.vat.append((state, rate or Decimal(0), _timed_prov(row, where, problems)))
        self.cbam_goods = []
        for where, row in self._optional("eu/cbam/goods.csv", CBAM_GOODS_COLUMNS, problems):
            cn = digits(row["cn"])
            if not re.match(r"^\d{2,8}$", cn):
                problems.add(where, f"cn {row['cn']!r} is not a CN prefix")
            flags = {}
            for column in ("counts_indirect", "excluded"):
                value = str(row[column]).strip().lower()
                if value not in ("true", "false"):
                    problems.add(where, f"{column} {row[column]!r} must be true or false")
                flags[column] = value == "true"
            self.cbam_goods.append((cn, row["sector"].strip(), flags["counts_indirect"], flags["excluded"],
                                    _timed_prov(row, where, problems)))
        # Default values and benchmarks: one provenance row per file (eu/cbam/sources.csv) shared by its rows.
        sources = {row["file"].strip(): _timed_prov(row, where, problems)
                   for where, row in self._optional("eu/cbam/sources.csv", CBAM_SOURCE_COLUMNS, problems)}
        # The default values (12,532 workbook rows) are read on first use: see cbam_defaults.
        self._cbam_sources = sources
        self._cbam_defaults: list | None = None
        self.cbam_benchmarks = []
        for where, row in self._optional("eu/cbam/benchmarks.csv", CBAM_BENCHMARK_COLUMNS, problems):
            timed = sources.get("benchmarks.csv")
            if timed is None:
                problems.add(where, "no row for benchmarks.csv in eu/cbam/sources.csv")
                break
            value = _decimal(row["value"], f"{where} value", problems)
            self.cbam_benchmarks.append((digits(row["cn"]), row["route"].strip(), value or Decimal(0), timed))
        self.cbam_factors = {}
        for where, row in self._optional("eu/cbam/factors.csv", CBAM_FACTOR_COLUMNS, problems):
            factor = _decimal(row["cbam_factor"], f"{where} cbam_factor", problems)
            cscf = _decimal(row["cscf"], f"{where} cscf", problems)
            timed = _timed_prov({**row, "valid_from": f"{row['year']}-01-01", "valid_to": ""}, where, problems)
            self.cbam_factors.setdefault(int(row["year"]), []).append((factor or Decimal(0), cscf, timed))
        self.cbam_excluded_origins = []
        for where, row in self._optional("eu/cbam/excluded_origins.csv", CBAM_EXCLUDED_ORIGIN_COLUMNS, problems):
            country = row["country"].strip()
            if not is_country(country):
                problems.add(where, f"unknown country {country!r}")
            self.cbam_excluded_origins.append((country, _timed_prov(row, where, problems)))
        self.cbam_de_minimis = []
        for where, row in self._optional("eu/cbam/de_minimis.csv", CBAM_DE_MINIMIS_COLUMNS, problems):
            threshold = _decimal(row["threshold_tonnes"], f"{where} threshold_tonnes", problems)
            excluded = tuple(digits(x) for x in _list(row["excluded_cn"]))
            self.cbam_de_minimis.append((threshold or Decimal(0), excluded, _timed_prov(row, where, problems)))
        self.cbam_prices = []
        for where, row in self._optional("eu/cbam/prices.csv", CBAM_PRICE_COLUMNS, problems):
            price = _decimal(row["price"], f"{where} price", problems)
            start = _date(row["period_start"], f"{where} period_start", problems)
            end = _date(row["period_end"], f"{where} period_end", problems)
            published = _date(row["published_on"], f"{where} published_on", problems)
            self.cbam_prices.append((start, end, price or Decimal(0), published, _prov(row, where, problems)))

    @property
    def cbam_defaults(self) -> list:
        """(cn, country, year, value or None when the workbook gives none, timed provenance, note, route) per
        row and year of eu/cbam/default_values.csv, read on first use (only EU lines with CBAM goods need it)."""
        if self._cbam_defaults is None:
            problems = _Problems()
            rows = self._read_cbam_defaults(problems)
            if problems:
                raise RulesError(f"{len(problems)} problem(s) in {self.root / 'eu/cbam/default_values.csv'}",
                                 list(problems))
            self._cbam_defaults = rows
            self._cbam_default_index: dict[tuple[int, str], list] = {}
            for r in rows:
                self._cbam_default_index.setdefault((r[2], r[1]), []).append(r)
        return self._cbam_defaults

    def cbam_default_rows(self, year: int, country: str) -> list:
        """The default-value rows of one year and country (ISO code or OTHER)."""
        self.cbam_defaults  # noqa: B018 - reads the table on first use
        return self._cbam_default_index.get((year, country), [])

    def _read_cbam_defaults(self, problems: _Problems) -> list:
        rel = "eu/cbam/default_values.csv"
        path = self.root / rel
        out: list = []
        if not path.is_file():
            return out
        timed = self._cbam_sources.get("default_values.csv")
        if timed is None:
            problems.add(rel, "no row for default_values.csv in eu/cbam/sources.csv")
            return out
        with open(path, encoding="utf-8", newline="") as f:
            reader = csv.DictReader(f)
            if reader.fieldnames != CBAM_DEFAULT_COLUMNS:
                problems.add(rel, f"columns {reader.fieldnames} are not {CBAM_DEFAULT_COLUMNS}")
                return out
            countries: dict[str, bool] = {}
            for i, row in enumerate(reader, start=2):
                where = f"{rel}:{i}"
                country = row["country"].strip()
                if country not in countries:
                    countries[country] = country == "OTHER" or is_country(country)
                if not countries[country]:
                    problems.add(where, f"unknown country {country!r} (ISO code or OTHER)")
                cn, route, note = digits(row["cn"]), row["route"].strip(), f"base total {row['total']}"
                for year in (2026, 2027, 2028):
                    text = row[f"value_{year}"].strip()
                    value = _decimal(text, f"{where} value_{year}", problems) if text else None
                    out.append((cn, country, year, value, timed, note, route))
        return out

    def _load_tw(self, problems: _Problems) -> None:
        self.tw_ftz_metals = []
        for where, row in self._optional("tw/ftz_metals.csv", TW_FTZ_COLUMNS, problems):
            timed = _timed_prov({**row, "valid_from": row["approved_from"], "valid_to": row["approved_to"]}, where,
                                problems)
            self.tw_ftz_metals.append((digits(row["ccc"]), row["metal"].strip(), row["exchange"].strip(), timed))

    def ftz_rule_for(self, measure: Measure, known: dt.date) -> FtzRule | None:
        return next((r for r in self.ftz_rules if r.known_at(known) and matches_target(r.pattern, measure)), None)

    # -- queries -------------------------------------------------------------------------------
    def in_group(self, country: str, token: str, day: dt.date, known: dt.date) -> bool:
        """Is ``country`` matched by ``token`` (ALL, a country code or a dated group) on ``day``?"""
        if token == "ALL":
            return True
        if token == country:
            return True
        return any(m.country == country and m.valid_on(day) and m.known_at(known) for m in self.groups.get(token, ()))

    def matches_origin(self, country: str, tokens, day: dt.date, known: dt.date) -> bool:
        return any(self.in_group(country, token, day, known) for token in tokens)

    def candidates(self, hts_digits: str, jurisdiction: str = "us") -> list[Measure]:
        """Measures of a jurisdiction whose scope covers the code (by prefix), plus its ALL-scope measures."""
        seen: dict[str, Measure] = {}
        for n in self.prefix_lengths:
            if n > len(hts_digits):
                break
            for measure in self.by_prefix.get((jurisdiction, hts_digits[:n]), ()):
                seen[measure.measure_id] = measure
        for measure in self.all_scope.get(jurisdiction, ()):
            seen[measure.measure_id] = measure
        return list(seen.values())

    def finer_scopes(self, hts_digits: str, jurisdiction: str = "us") -> list[Measure]:
        """Measures scoped to a longer code under this one (e.g. a 10-digit list entry for an 8-digit input)."""
        return [m for (j, p), ms in self.by_prefix.items()
                if j == jurisdiction and len(p) > len(hts_digits) and p.startswith(hts_digits) for m in ms]

    def covers(self, code: str, jurisdiction: str, program: str) -> bool:
        """Is the code in the scope of some row of ``program`` (the codes a destination can price)?"""
        return any(m.program == program for n in self.prefix_lengths if n <= len(code)
                   for m in self.by_prefix.get((jurisdiction, code[:n]), ()))

    def edition_for(self, day: dt.date, known: dt.date) -> tuple[Edition, bool]:
        """The HTS edition governing ``day`` as known at ``known``; True when we fell back to the earliest."""
        known_editions = [e for e in self.editions if e.published <= known] or self.editions[:1]
        in_force = [e for e in known_editions if e.effective <= day]
        if in_force:
            return in_force[-1], False
        return known_editions[0], True

    def mfn_line(self, edition: Edition, hts_digits: str) -> MfnLine | None:
        return self.mfn[edition.edition].get(hts_digits)

    def all_hts_digits(self) -> set[str]:
        return {d for _, lines in self.mfn.walk() for d in lines}


_CACHE: dict[tuple, RuleSet] = {}


def _fingerprint(root: Path) -> tuple:
    """Cheap change detector for the cache: every file's path, size and mtime."""
    return tuple(sorted((str(p.relative_to(root)), p.stat().st_size, p.stat().st_mtime_ns)
                        for p in root.rglob("*") if p.is_file()))


def load_rules(path: str | os.PathLike | None = None) -> RuleSet:
    """Load the rule tables (cached per folder until a file in it changes)."""
    if path is not None and not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"load_rules(path): expected a folder path (str or os.PathLike) or None, "
                        f"not a {type(path).__name__}")
    root = Path(path) if path else default_rules_path()
    if not (root / "manifest.json").is_file():
        raise RulesError(f"no rules_data at {root} (manifest.json missing)")
    key = (str(root.resolve()), _fingerprint(root))
    if key not in _CACHE:
        _CACHE.clear()
        _CACHE[key] = RuleSet(root)
    return _CACHE[key]

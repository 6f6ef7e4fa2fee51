"""`tariffs rules show`: every measure in force for a product, origin and date, why the
others are not, and the measure's history (all versions of its key)."""
from __future__ import annotations

import datetime as dt

from tariffs.errors import InputError
from tariffs.hts import dotted, normalise_code, prefixes
from tariffs.known_at import parse_known_at
from tariffs.model import check_date
from tariffs.rates import RateParseError, parse_special
from tariffs.rules.hts_carry import matched_prefix, note as carry_note, related
from tariffs.rules.hts_history import not_a_line
from tariffs.rules.ruleset import is_country, load_rules


def _status(m, rules, hts, origin, day, known, claims, carried=()):
    if not m.known_at(known):
        if m.recorded_at > known:
            return False, f"not yet known at {known} (recorded {m.recorded_at})"
        return False, f"retracted on {m.retracted_at}"
    if not m.valid_on(day):
        return False, f"not in force on {day} (valid {m.valid_from} to {m.valid_to or 'open'})"
    if not rules.matches_origin(origin, m.origins, day, known):
        return False, f"origin {origin} not covered ({';'.join(m.origins)})"
    if m.except_origins and rules.matches_origin(origin, m.except_origins, day, known):
        return False, f"origin {origin} exempt ({';'.join(m.except_origins)})"
    if m.except_set and not m.except_set.isdisjoint(prefixes(hts)):
        return False, "product carved out of scope"
    if m.except_set and any(matched_prefix(m.except_set, c.code) for c in carried):
        return False, "product carved out of scope (through the HTS renumbering)"
    if m.claim and m.claim not in claims:
        return False, f"applies only when the line claims {m.claim}"
    hit = [c for c in m.except_claims if c in claims]
    if hit:
        return False, f"set aside by claim {hit[0]}"
    suffix = {"exemption": " (exemption: declare at 0%)", "void": " (void: sets aside " + ";".join(m.targets) + ")"}
    text = "in force" + suffix.get(m.kind, "")
    if m.condition:
        text += "; only when " + " and ".join(c.text for c in m.condition)
    return True, text


def show_measures(hts, origin, day, known_at=None, claims=None, rules_path=None, destination="US") -> dict:
    rules = load_rules(rules_path)
    destination = (destination or "US").upper()
    if destination not in ("US", "EU", "TW"):
        raise InputError("--destination", f"{destination!r} is not allowed", "US, EU, TW")
    jurisdiction = destination.lower()
    code = normalise_code(hts, "--hts", {"US": (8, 10), "EU": (8,), "TW": (8, 10, 11)}[destination])
    origin = (origin or "").upper()
    if not is_country(origin):
        raise InputError("--origin", f"unknown country {origin!r}", "ISO 3166-1 alpha-2 code")
    entry = check_date(day, "--date")  # an ISO date within limits.MIN_DATE..MAX_DATE, as everywhere
    known_dt = parse_known_at(known_at, "--known-at")
    known = known_dt.date()
    claims = [c.upper() for c in claims or []]
    mfn = None
    carried, edition = (), None
    if destination == "US":
        edition, fell_back = rules.edition_for(entry, known)
        line = rules.mfn_line(edition, code)
        if line is None:
            raise InputError("--hts", not_a_line(rules, edition, code, entry),
                             f"an 8-digit subheading or 10-digit statistical line of HTSUS edition {edition.edition}")
        try:
            special = {k: (v if isinstance(v, str) else v.text) for k, v in parse_special(line.special).items()}
        except RateParseError:
            special = {"(unparsed)": line.special}
        mfn = {"edition": edition.edition, "edition_fallback": fell_back, "description": line.description,
               "units": list(line.units), "general": line.general, "special": special, "column2": line.other,
               "rate_from": line.rate_from}
        carried = related(rules, edition, code)
    found = {m.measure_id: m for m in rules.candidates(code, jurisdiction)}
    via, undecided = {}, {}
    for c in carried:  # scopes written in the numbers of another edition (tariffs.rules.hts_carry)
        for m in rules.candidates(c.code, jurisdiction):
            if m.measure_id not in found:
                found[m.measure_id] = m
                via[m.measure_id] = carry_note(rules, matched_prefix(m.scope, c.code), c, code, edition)
                outside = [e.code for e in carried if len(e.code) == 8 and matched_prefix(m.scope, e.code) is None]
                if outside:  # as the engine: a scope naming only some of the related subheadings is not applied
                    undecided[m.measure_id] = f"the scope does not name {', '.join(dotted(o) for o in outside)}"
    measures = []
    for m in sorted(found.values(), key=lambda m: (m.program, m.heading, m.valid_from)):
        applies, reason = _status(m, rules, code, origin, entry, known, claims, carried)
        if m.measure_id in undecided and applies:
            applies, reason = False, (f"{via[m.measure_id]}; {undecided[m.measure_id]}: the number does not decide "
                                      "whether it applies")
        elif m.measure_id in via:
            reason += f"; {via[m.measure_id]}"
        measures.append({"measure_id": m.measure_id, "program": m.program, "heading": m.heading, "kind": m.kind,
                         "rate": str(m.rate) if m.rate is not None else None,
                         "floor": str(m.floor) if m.floor is not None else None, "basis": m.basis,
                         "valid_from": m.valid_from, "valid_to": m.valid_to, "recorded_at": m.recorded_at,
                         "retracted_at": m.retracted_at, "applies": applies, "reason": reason,
                         "legal_basis": m.prov.legal_basis, "source": m.prov.source,
                         "confidence": m.prov.confidence})
    stacking = [{"stacking_id": s.stacking_id, "winner": s.winner, "loser": s.loser, "effect": s.effect,
                 "reason": s.reason, "legal_basis": s.prov.legal_basis}
                for s in rules.stacking if s.valid_on(entry) and s.known_at(known)]
    if destination != "US":
        stacking = []
        if not measures:
            raise InputError("--hts", f"no {destination} data for {dotted(code)} in these rules",
                             f"a code listed in rules_data/{jurisdiction}/")
    claimable = sorted(c for c in {m.claim for m in rules.candidates(code, jurisdiction) if m.claim})
    return {"hts": dotted(code), "origin": origin, "date": entry, "known_at": known_dt, "destination": destination,
            "ruleset": {"version": rules.version, "sha256": rules.sha256}, "mfn": mfn,
            "measures": measures, "stacking_in_force": stacking, "claims_available": claimable}


def render_text(report: dict) -> str:
    mfn = report["mfn"]
    out = [f"{report['destination']} {report['hts']}  origin {report['origin']}  entry {report['date']}  "
           f"known at {report['known_at']}"]
    if mfn:
        out += [f"  {mfn['description']}",
                f"  MFN (HTSUS edition {mfn['edition']}"
                f"{', fallback: entry before edition' if mfn['edition_fallback'] else ''}): general "
                f"{mfn['general'] or '-'}; column 2 {mfn['column2'] or '-'}; units {', '.join(mfn['units']) or '-'}",
                "  special: " + (", ".join(f"{k}={v}" for k, v in mfn["special"].items()) or "-")]
    out.append("")
    for flag in (True, False):
        rows = [m for m in report["measures"] if m["applies"] is flag]
        out.append("In force:" if flag else "Not applying (and why):")
        if not rows:
            out.append("  (none)")
        for m in rows:
            rate = m["rate"] if m["rate"] is not None else (f"floor {m['floor']}" if m["floor"] else "-")
            out.append(f"  {m['program']:<17} {m['heading']:<11} rate {rate:<8} basis {m['basis']:<16} "
                       f"{m['valid_from']}..{m['valid_to'] or 'open'}  [{m['confidence']}] {m['measure_id']}")
            out.append(f"      {m['reason']}; {m['legal_basis']}")
        out.append("")
    if report["claims_available"]:
        out.append("Claims this product can make: " + ", ".join(report["claims_available"]))
    if report["stacking_in_force"]:
        out.append("Stacking rules in force: " + "; ".join(f"{s['winner']} over {s['loser']} ({s['effect']})"
                                                            for s in report["stacking_in_force"]))
    return "\n".join(out)

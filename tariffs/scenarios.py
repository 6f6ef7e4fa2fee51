"""Side-by-side scenarios a trade desk asks for, built only from `Engine.quote`:

- zone_vs_direct: "enter now" vs "admit to a US foreign-trade zone now and withdraw on date D";
- carbon_comparison: an EU line's CBAM cost on default values vs the supplier's actual emissions;
- compare: one shipment re-priced for several origins, entry dates or zone options.
"""
from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal

from tariffs.engine.normalise import parse_shipment
from tariffs.engine.pipeline import Engine
from tariffs.errors import InputError
from tariffs.model import check_date


def _summary(quote) -> dict:
    t = quote.totals
    by_program: dict[str, Decimal] = {}
    for line in quote.lines:
        for c in line.charges:
            by_program[c.program] = by_program.get(c.program, Decimal(0)) + c.amount
    return {"entry_date": quote.entry_date.isoformat(), "duties": t.duties, "fees": t.fees, "carbon": t.carbon,
            "landed_cost": t.landed_cost, "by_program": by_program,
            "entry_charges": {f.program: f.amount for f in quote.entry_charges}, "warnings": quote.warnings}


def zone_vs_direct(shipment, withdraw_on, status: str = "privileged_foreign", known_at=None,
                   engine: Engine | None = None) -> dict:
    """Direct entry on the shipment's entry_date vs admission to a zone that day and withdrawal on ``withdraw_on``.

    HMF on zone goods is paid at admission (19 CFR 146.22(e)), so the zone column adds the HMF of the
    admission to the withdrawal's costs for a like-for-like total.
    """
    engine = engine or Engine()
    base = parse_shipment(shipment).model_dump(mode="json")
    if base["destination"] != "US":
        raise InputError("destination", "the zone-vs-direct comparison is for US foreign-trade zones", "US")
    withdraw_on = check_date(withdraw_on, "withdraw_on")
    admit = dt.date.fromisoformat(base["entry_date"])
    if withdraw_on < admit:
        raise InputError("withdraw_on", f"{withdraw_on} is before the admission {admit}", f"{admit} or later")
    direct = copy.deepcopy(base)
    direct["ftz"] = None
    zone = copy.deepcopy(base)
    zone["entry_date"] = withdraw_on.isoformat()
    zone["ftz"] = {"status": status, "admitted_on": admit.isoformat(), "zone": (base.get("ftz") or {}).get("zone")}
    direct_quote = engine.quote(direct, known_at)
    zone_quote = engine.quote(zone, known_at)
    hmf_at_admission = next((f.amount for f in direct_quote.entry_charges if f.program == "hmf"), Decimal("0.00"))
    left, right = _summary(direct_quote), _summary(zone_quote)
    right["hmf_paid_at_admission"] = hmf_at_admission
    right["landed_cost"] = right["landed_cost"] + hmf_at_admission
    return {"direct": left, "zone": right, "status": status, "admitted_on": admit.isoformat(),
            "withdraw_on": withdraw_on.isoformat(),
            "difference": {k: right[k] - left[k] for k in ("duties", "fees", "landed_cost")},
            "note": "difference = zone minus direct; negative means the zone is cheaper"}


def carbon_comparison(shipment, known_at=None, engine: Engine | None = None) -> list[dict]:
    """For each EU line with actual emissions: CBAM on default values vs actual, side by side."""
    engine = engine or Engine()
    quote = engine.quote(shipment, known_at)
    out = []
    for line in quote.lines:
        if line.green_premium:
            out.append({"line": line.index, "hts": line.hts, "origin": line.origin, **line.green_premium})
    if not out:
        raise InputError("lines[].emissions", "no EU line with actual emissions to compare with the defaults",
                         "an EU CBAM line with emissions {\"source\": \"actual\", \"direct\": ...}")
    return out


def compare(shipment, variants: list[dict], known_at=None, engine: Engine | None = None) -> list[dict]:
    """Re-price the shipment for each variant (keys: origin, entry_date, ftz, member_state ...)."""
    engine = engine or Engine()
    base = parse_shipment(shipment).model_dump(mode="json")
    allowed = 'a list of mappings such as [{"origin": "CN"}, {"entry_date": "2026-01-05"}]'
    if not isinstance(variants, (list, tuple)):
        raise InputError("variants", f"a {type(variants).__name__} is not a list of variants", allowed)
    for i, variant in enumerate(variants):
        if not isinstance(variant, dict):
            raise InputError(f"variants[{i}]", f"a {type(variant).__name__} is not a variant", allowed)
    results = []
    for i, variant in enumerate(variants):
        s = copy.deepcopy(base)
        for key, value in variant.items():
            if key == "origin":
                s["origin"] = value
                for line in s["lines"]:
                    line["origin"] = value
            else:
                s[key] = value
        try:
            results.append({"variant": variant, **_summary(engine.quote(s, known_at))})
        except InputError as exc:
            results.append({"variant": variant, "error": str(exc), "field": exc.field})
    return results


def inverted_tariff(shipment, components: list[dict], admitted_on, known_at=None, engine: Engine | None = None) -> dict:
    """Zone manufacturing: the finished product withdrawn in non-privileged foreign status (rated as the
    finished article at withdrawal, 19 CFR 146.65(a)(2)) vs its foreign components in privileged foreign
    status (rated as components at admission, 146.65(a)(1)).

    ``shipment`` holds the finished line (its entry_date is the withdrawal); ``components`` are lines in the
    contract's shape. Where a measure made privileged foreign status mandatory for goods admitted on or
    after its date (rules_data/us/ftz_rules.csv), the NPF option does not avoid it: the result says so.
    """
    engine = engine or Engine()
    base = parse_shipment(shipment).model_dump(mode="json")
    if base["destination"] != "US":
        raise InputError("destination", "the inverted-tariff comparison is for US foreign-trade zones", "US")
    if not components:
        raise InputError("components", "no component lines", "one or more lines in the contract's shape")
    admitted = check_date(admitted_on, "admitted_on").isoformat()
    finished = copy.deepcopy(base)
    finished["ftz"] = {"status": "non_privileged_foreign", "admitted_on": admitted}
    parts = copy.deepcopy(base)
    parts["lines"] = components
    parts["ftz"] = {"status": "privileged_foreign", "admitted_on": admitted}
    npf = engine.quote(finished, known_at)
    pf = engine.quote(parts, known_at)
    forced = sorted({c.heading for line in npf.lines for c in line.charges
                     if c.calculation and "privileged foreign status was mandatory" in c.calculation})
    cheaper = "finished (NPF)" if npf.totals.duties < pf.totals.duties else (
        "components (PF)" if pf.totals.duties < npf.totals.duties else "equal")
    return {"finished_npf": _summary(npf), "components_pf": _summary(pf), "cheaper": cheaper,
            "saving": abs(npf.totals.duties - pf.totals.duties),
            "mandatory_pf_headings": forced,
            "note": ("measures with mandatory privileged foreign status apply whatever the choice: "
                     + ", ".join(forced)) if forced else "no measure forces privileged foreign status here"}

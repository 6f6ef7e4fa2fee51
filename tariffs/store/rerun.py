"""Re-run a recorded quote under another knowledge date and list what changed, heading by heading."""
from __future__ import annotations

import json
from decimal import Decimal


def rerun(store, quote_id: int, known_at=None, engine=None) -> dict:
    """Re-price a recorded entry as known at ``known_at`` and compare it with the recorded quote."""
    from tariffs.engine.pipeline import Engine

    row = store.get(quote_id)
    engine = engine or Engine()
    fresh = engine.quote(json.loads(row.shipment_json), known_at)
    recorded = json.loads(row.quote_json)

    def per_heading(lines):
        out = {}
        for line in lines:
            for c in line["charges"]:
                key = (line["index"], c["program"], c["heading"])
                out[key] = out.get(key, Decimal(0)) + Decimal(str(c["amount"]))
        return out

    before, after = per_heading(recorded["lines"]), per_heading(fresh.model_dump(mode="json")["lines"])
    changes = [{"line": k[0], "program": k[1], "heading": k[2], "recorded": format(before.get(k, Decimal(0)), "f"),
                "now": format(after.get(k, Decimal(0)), "f"),
                "difference": format(before.get(k, Decimal(0)) - after.get(k, Decimal(0)), "f")}
               for k in sorted(set(before) | set(after)) if before.get(k, Decimal(0)) != after.get(k, Decimal(0))]
    return {"id": row.id, "recorded_known_at": recorded["known_at"], "recorded_ruleset": row.ruleset_sha256,
            "known_at": fresh.known_at.isoformat(), "ruleset": fresh.ruleset.sha256,
            "recorded_duties": recorded["totals"]["duties"], "duties_now": format(fresh.totals.duties, "f"),
            "difference": format(Decimal(recorded["totals"]["duties"]) - fresh.totals.duties, "f"),
            "changes": changes}

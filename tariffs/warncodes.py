"""Short codes for the engine's warnings, for a column a desk can filter on (the full text stays beside it).

Each code is matched against the warning's text by a pattern written from the sentence the engine emits;
a warning no pattern matches gets ``other`` (so a new warning is never dropped, only left uncoded).
"""
from __future__ import annotations

import re

# code, pattern, meaning
WARNING_CODES: list[tuple[str, str, str]] = [
    ("retroactive", r"rules changed after the entry was filed", "the rules changed after filing: see refundable"),
    ("no_as_filed", r"no as-filed comparison", "the entry could not be priced as known when filed"),
    ("after_cutoff", r"after the ruleset's knowledge cutoff", "entry date after the rules' knowledge cutoff"),
    ("secondary_source", r"rests on rows not checked against a primary text", "relies on secondary/unverified rows"),
    ("entry_type_assumed", r"entry_type not given", "entry type chosen from the value (informal/de minimis)"),
    ("fee_estimate", r"is used as an estimate", "MPF/HMF of a year not (yet) in the rules: an estimate"),
    ("content_not_given", r"metal_content\.\w+: not given", "metal content not given: charged on full value"),
    ("metal_origin_assumed", r"of the \w+ not given: assumed not", "metal melt/smelt country not given"),
    ("metal_weight_assumed", r"metal weight share not given", "metal weight share not given"),
    ("hts_10digit", r"give the 10-digit code", "an 8-digit code: a measure may cover some 10-digit lines"),
    ("edition_before", r"before the earliest loaded HTS edition", "entry before the earliest loaded HTS edition"),
    ("claim_refused", r"claim \S+ refused", "a special-program claim was refused"),
    ("claim_multiple", r"more than one special program claimed", "more than one special program claimed"),
    ("mfn_user_rate", r"MFN rate .* supplied by the user", "MFN rate text supplied by the user"),
    ("compound_floor", r"tops up to", "a floor measure computed on the ad valorem part only"),
    ("adcvd_deposit", r"at the cash-deposit rate you supplied", "AD/CVD at the supplied cash-deposit rate"),
    ("quota", r"under a tariff quota", "a tariff quota: exhaustion is an input"),
    ("ftz_pf_lock", r"privileged foreign status applied for", "zone: privileged foreign status rates"),
    ("ftz_pf_forced", r"had to take privileged foreign status", "zone: privileged foreign status forced"),
    ("cbam_price_estimate", r"certificate price for .* is not published", "CBAM price not published: an estimate"),
    ("cbam_ytd_assumed", r"cbam_ytd_tonnes not given", "CBAM: no other imports this year assumed"),
    ("cbam_threshold_crossed", r"takes the year's CBAM tonnage", "CBAM: the year's de minimis threshold crossed"),
    ("cbam_default_emissions", r"no emissions given", "CBAM: default emissions values used"),
]
_COMPILED = [(code, re.compile(pattern)) for code, pattern, _ in WARNING_CODES]


def warning_code(text: str) -> str:
    for code, pattern in _COMPILED:
        if pattern.search(text):
            return code
    return "other"


def warning_codes(texts) -> list[str]:
    """The codes of several warnings, each once, in the order first met."""
    return list(dict.fromkeys(warning_code(t) for t in texts))

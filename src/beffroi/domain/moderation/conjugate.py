"""Conjugated forms of French verbs for the lexicons (regular -er, -ir, -re groups).

Forms are accent-free (the lexicon normalises them anyway). Each form is returned with its mood
so that rules can tell an intention ("je vais te tuer", "tuez-les", "je te tuerai") from a report.
"""

from __future__ import annotations

# mood -> endings, per group
_ER = {
    "inf": ["er"],
    "pres": ["e", "es", "ons", "ent"],
    "imp": ["ez", "ons"],
    "fut": ["erai", "eras", "era", "erons", "erez", "eront", "erais", "erait", "erions", "eriez", "eraient"],
    "past": ["ais", "ait", "ions", "iez", "aient", "a", "erent", "ant"],
    "pp": ["e", "ee", "es", "ees"],
}
_IR = {
    "inf": ["ir"],
    "pres": ["is", "it", "issons", "issent", "isse", "isses"],
    "imp": ["issez", "issons"],
    "fut": ["irai", "iras", "ira", "irons", "irez", "iront", "irais", "irait", "irions", "iriez", "iraient"],
    "past": ["issais", "issait", "issions", "issiez", "issaient", "irent", "issant"],
    "pp": ["i", "ie", "is", "ies"],
}
_RE = {
    "inf": ["re"],
    "pres": ["s", "", "ons", "ent", "e", "es"],
    "imp": ["ez", "ons"],
    "fut": ["rai", "ras", "ra", "rons", "rez", "ront", "rais", "rait", "rions", "riez", "raient"],
    "past": ["ais", "ait", "ions", "iez", "aient", "it", "irent", "ant"],
    "pp": ["u", "ue", "us", "ues"],
}


def conjugate(infinitive: str) -> dict[str, list[str]]:
    """Forms of a regular verb by mood: inf, pres, imp, fut, past, pp."""
    verb = infinitive.strip().lower()
    if verb.endswith("er"):
        stem, table = verb[:-2], _ER
    elif verb.endswith("ir"):
        stem, table = verb[:-2], _IR
    elif verb.endswith("re"):
        stem, table = verb[:-2], _RE
    else:
        return {"inf": [verb]}
    out: dict[str, list[str]] = {}
    for mood, endings in table.items():
        forms = []
        for ending in endings:
            form = stem + ending
            if form and form not in forms:
                forms.append(form)
        out[mood] = forms
    # "-ger" verbs keep the e before a/o ("mangeons"), "-cer" verbs take a cedilla (accent-free: c)
    if verb.endswith("ger"):
        out["past"] = [
            f[: len(stem)] + f[len(stem) :].replace("a", "ea", 1) if f[len(stem) :].startswith("a") else f
            for f in out["past"]
        ]
        out["pres"] = [stem + "eons" if f == stem + "ons" else f for f in out["pres"]]
        out["imp"] = [stem + "eons" if f == stem + "ons" else f for f in out["imp"]]
    return out

"""Plain-language meaning of scores, shared by the results screen and the PDF report.

Scores are 0–100 where higher means more visible in this photo. The words come from desktop.vocabulary; this
module turns a score into the line a person reads.
"""

from __future__ import annotations

from desktop.vocabulary import CONCERNS, SKIN_TYPES, level

CONCERN_NAMES = {c.key: c.name for c in CONCERNS}
MEANINGS = {c.key: c.meaning for c in CONCERNS}
SKIN_TYPE_WORDS = {t.key: t.words for t in SKIN_TYPES}


def meaning(concern: str, score: float | None) -> str:
    """The line under a score bar: 'mild: diffuse redness, for example on cheeks and nose'."""
    if score is None:
        return "not measured in this photo"
    return f"{level(score)}: {MEANINGS.get(concern, '')}"


def describe(concern: str, score: float | None) -> str:
    """'Redness 42/100 — mild: diffuse redness, for example on cheeks and nose.'"""
    name = CONCERN_NAMES.get(concern, concern.replace("_", " ").capitalize())
    if score is None:
        return f"{name}: not measured in this photo."
    return f"{name} {score:.0f}/100 — {level(score)}: {MEANINGS.get(concern, '')}."

"""Plain-language meaning of scores, shared by the results screen and the PDF report.

Scores are 0–100 where higher means more visible in this photo. The words avoid medical terms on purpose:
the app describes appearance and gives cosmetic guidance, it does not diagnose.
"""

from __future__ import annotations

CONCERN_NAMES = {
    "acne": "Breakouts", "redness": "Redness", "dark_spots": "Dark spots", "wrinkles": "Lines & wrinkles",
    "pores": "Visible pores", "oiliness": "Shine", "dark_circles": "Dark circles", "texture": "Texture",
}
MEANINGS = {
    "acne": "raised or red spots such as blemishes and post-blemish marks",
    "redness": "diffuse redness, for example on cheeks and nose",
    "dark_spots": "patches darker than the surrounding skin (sun spots, marks)",
    "wrinkles": "fine lines and deeper creases",
    "pores": "how visible pores are, mostly on nose and cheeks",
    "oiliness": "shine from oil on the skin's surface",
    "dark_circles": "darker skin under the eyes",
    "texture": "unevenness of the skin's surface",
}
LEVELS = ((25.0, "low"), (50.0, "mild"), (75.0, "moderate"), (101.0, "marked"))
SKIN_TYPE_WORDS = {
    "oily": "Oily: shine across the face", "dry": "Dry: little shine, may feel tight",
    "normal": "Normal: balanced", "combination": "Combination: shiny T-zone, drier cheeks",
    "sensitive": "Sensitive",
}


def level(score: float) -> str:
    return next(word for limit, word in LEVELS if score < limit)


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

"""What a view cannot tell, said as such: concerns it cannot measure, and a skin type it cannot see.

A concern that is not measured is `null` in the report and listed with the reason (CONTRACTS.md,
"Additions (2026-12)"), so the app and the recommender treat it as unknown, never as "none".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from desktop.ml.report import CONCERNS

REASONS = {
    "dark_circles": {
        "closeup": "the eyes are not in the photo",
        "patch": "the eye area could not be located in this photo",
        "default": "the skin under the eyes is not visible enough",
    },
    "scale": "the photo shows nothing of known size, so pore, texture and line sizes cannot be measured",
    "default": "not enough clear skin of the kind this concern needs is visible",
}
NEEDS_SCALE = ("pores", "texture", "wrinkles")


def unmeasured(concerns: Mapping[str, float | None], view: str, scaled: bool, landmarks: bool) -> list[dict[str, str]]:
    """One entry per concern the report leaves `null`, with a sentence a person understands."""
    out = []
    for concern in CONCERNS:
        if concerns.get(concern) is not None:
            continue
        if concern == "dark_circles":
            reasons = REASONS["dark_circles"]
            assert isinstance(reasons, dict)
            reason = reasons["closeup"] if view == "closeup" else reasons["default" if landmarks else "patch"]
        elif concern in NEEDS_SCALE and not scaled:
            reason = str(REASONS["scale"])
        else:
            reason = str(REASONS["default"])
        out.append({"concern": concern, "reason": reason})
    return out


def skin_type_entry(probabilities: Mapping[str, float], model: Any | None) -> dict[str, Any]:
    """The report's `skin_type`. Its label comes from the photo only when the estimator behind it has shown,
    on real photos, that it tells the types apart better than chance: a concern model says so with a true
    `skin_type_from_photo` attribute (its own evidence, in its model card). The shine-and-texture estimate of
    the measures has no such evidence, so without it the source is "unknown", the label `null` and the app
    asks the person."""
    if model is not None and getattr(model, "skin_type_from_photo", False) and probabilities:
        return {"label": max(probabilities, key=probabilities.__getitem__), "probabilities": dict(probabilities),
                "source": "photo"}
    return {"label": None, "probabilities": None, "source": "unknown"}

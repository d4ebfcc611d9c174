"""From measures to the contract's concern scores (0–100, higher = more of the concern) and skin type.

Each score is a clamped linear map of one or more measures between a "none" and a "marked" level. The levels
are conventions set by the developers (documented here, tested for direction and monotonicity), not a clinical
calibration: SkinLens gives cosmetic guidance, not a diagnosis.

Fusion seam: `fuse()` combines these measure-based scores with the CNN's scores when a model is present, with
per-concern weights (FUSION_WEIGHTS: the CNN's share). With no model, the measure scores stand alone.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from desktop.ml.report import CONCERNS, SKIN_TYPES

# concern -> [(measure, none_level, marked_level, weight)]
SCORE_MAPS: dict[str, list[tuple[str, float, float, float]]] = {
    "acne": [("red_lesion_count", 0.0, 12.0, 0.7), ("red_lesion_area_fraction", 0.0, 0.02, 0.3)],
    "redness": [("a_star", 9.0, 20.0, 0.6), ("red_blotch_fraction", 0.04, 0.30, 0.4)],
    "dark_spots": [("dark_spot_count", 0.0, 15.0, 0.5), ("dark_spot_area_fraction", 0.0, 0.05, 0.3),
                   ("pigment_unevenness", 1.5, 5.0, 0.2)],
    "wrinkles": [("wrinkle_energy", 1.0, 6.0, 1.0)],
    "pores": [("pore_energy", 0.4, 1.6, 1.0)],
    "oiliness": [("shine_t_zone", 0.0, 0.08, 0.6), ("shine_cheeks", 0.0, 0.06, 0.4)],
    "dark_circles": [("under_eye_delta_l", 2.0, 14.0, 1.0)],
    "texture": [("texture_energy", 1.0, 4.0, 1.0)],
}
FUSION_WEIGHTS: dict[str, float] = dict.fromkeys(CONCERNS, 0.5)


def _ramp(value: float, none: float, marked: float) -> float:
    return min(1.0, max(0.0, (value - none) / (marked - none)))


def concern_scores(measures: Mapping[str, float]) -> dict[str, float | None]:
    """Scores 0–100 from the overall measures; None where a needed measure is missing."""
    scores: dict[str, float | None] = {}
    for concern in CONCERNS:
        parts = SCORE_MAPS[concern]
        if any(name not in measures for name, *_ in parts):
            scores[concern] = None
            continue
        total = sum(w * _ramp(measures[name], lo, hi) for name, lo, hi, w in parts)
        scores[concern] = round(100.0 * total / sum(w for *_, w in parts), 1)
    return scores


def skin_type_probabilities(measures: Mapping[str, float]) -> dict[str, float]:
    """Oily / dry / normal / combination from shine on the T-zone and cheeks and from coarse texture.

    Evidence from one photo is weak (shine also depends on the light and the time since washing), so the
    probabilities are deliberately soft; the questionnaire's answer overrides the label.
    """
    t_zone = measures.get("shine_t_zone", 0.0)
    cheeks = measures.get("shine_cheeks", 0.0)
    texture = measures.get("texture_energy", 2.0)
    logits = {
        "oily": 20.0 * (cheeks - 0.04) + 15.0 * (t_zone - 0.04),
        "combination": 25.0 * (t_zone - 0.04) - 20.0 * (cheeks - 0.02),
        "dry": -25.0 * (t_zone - 0.01) - 25.0 * (cheeks - 0.01) + 0.5 * (texture - 2.5),
        "normal": 0.0,
    }
    peak = max(logits.values())
    exp = {k: math.exp(v - peak) for k, v in logits.items()}
    total = sum(exp.values())
    return {k: round(exp[k] / total, 3) for k in SKIN_TYPES}


def fuse(measure: Mapping[str, float | None], cnn: Mapping[str, float] | None) -> dict[str, float | None]:
    """Combine measure-based and CNN scores per concern (weighted mean where both exist)."""
    if not cnn:
        return dict(measure)
    fused: dict[str, float | None] = {}
    for concern in CONCERNS:
        m, c = measure.get(concern), cnn.get(concern)
        if m is None or c is None:
            fused[concern] = c if m is None else m
        else:
            w = FUSION_WEIGHTS[concern]
            fused[concern] = round((1 - w) * m + w * c, 1)
    return fused

"""From measures to the contract's concern scores (0–100, higher = more of the concern) and skin type.

Each score is a clamped linear map of one or more measures between a "none" and a "marked" level. The levels
are conventions set by the developers (documented here, tested for direction and monotonicity), not a clinical
calibration: SkinLens gives cosmetic guidance, not a diagnosis.

Fusion: `fuse()` combines these measure-based scores with the CNN's scores when a model is present. The CNN's
share per concern comes from the model's own held-out figures (`cnn_weights`): zero for a concern it has not
learned, an equal share with the measures otherwise. Heat maps and skin-type probabilities are mixed the same
way. With no model, the measure scores stand alone.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from desktop.ml.report import CONCERNS, SKIN_TYPES

# concern -> [(measure, none_level, marked_level, weight)]
SCORE_MAPS: dict[str, list[tuple[str, float, float, float]]] = {
    "acne": [("red_lesion_count", 0.0, 12.0, 0.7), ("red_lesion_area_fraction", 0.0, 0.02, 0.3)],
    "redness": [("a_star", 9.0, 20.0, 0.6), ("red_blotch_fraction", 0.04, 0.30, 0.4)],
    "dark_spots": [("dark_spot_count", 0.0, 15.0, 0.5), ("dark_spot_area_fraction", 0.0, 0.05, 0.3),
                   ("pigment_unevenness", 1.5, 5.0, 0.2)],
    "wrinkles": [("wrinkle_energy", 1.0, 6.0, 1.0)],
    "pores": [("pore_energy", 0.4, 1.6, 1.0)],
    "oiliness": [("oily_shine", 0.0, 0.04, 1.0)],  # `specular.py`; marked ≈ 90th percentile of synthetic oily skin
    "dark_circles": [("under_eye_delta_l", 2.0, 14.0, 1.0)],
    "texture": [("texture_energy", 1.0, 4.0, 1.0)],
}
FUSION_WEIGHTS: dict[str, float] = dict.fromkeys(CONCERNS, 0.5)
VALIDATED, ESTIMATE, UNMEASURED = "validated", "estimate", "unmeasured"
CNN_SHARE = 0.5  # a learned concern's CNN share
MIN_SKILL = 0.1  # held-out error at least 10 % below the constant answer's: the concern is learned


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


def cnn_weights(metrics: Mapping[str, Mapping[str, float]] | None) -> dict[str, float]:
    """The CNN's share per concern, from its own held-out figures: an equal say (CNN_SHARE) beside the
    measures for a concern it has learned, none for one where its error is not at least MIN_SKILL below that
    of always answering the median. Without figures, the default FUSION_WEIGHTS.

    The share is not graded by the held-out skill itself: those figures come from synthetic samples, whose
    difficulty says little about how the two sources compare on a real photo, and two estimators of
    unknown relative worth are best given equal weight."""
    if not metrics or "mae" not in metrics or "baseline_mae" not in metrics:
        return dict(FUSION_WEIGHTS)
    weights = {}
    for concern in CONCERNS:
        baseline = float(metrics["baseline_mae"].get(concern, 0.0)) or 1.0
        skill = 1.0 - float(metrics["mae"].get(concern, baseline)) / baseline
        weights[concern] = CNN_SHARE if skill >= MIN_SKILL else 0.0
    return weights


def fuse(measure: Mapping[str, float | None], cnn: Mapping[str, float] | None,
         weights: Mapping[str, float] | None = None) -> dict[str, float | None]:
    """Combine measure-based and CNN scores per concern: (1 − w) × measure + w × CNN, w from `weights`; null
    where the measures are (the view cannot show that concern)."""
    if not cnn:
        return dict(measure)
    weights = weights or FUSION_WEIGHTS
    fused: dict[str, float | None] = {}
    for concern in CONCERNS:
        m, c = measure.get(concern), cnn.get(concern)
        if m is None or c is None:  # a concern the view cannot measure stays unmeasured, whatever the CNN says
            fused[concern] = m
        else:
            w = weights.get(concern, 0.0)
            fused[concern] = round((1 - w) * m + w * c, 1)
    return fused


def fuse_probabilities(measure: Mapping[str, float], cnn: Mapping[str, float]) -> dict[str, float]:
    """Skin type: the mean of the two distributions (each already sums to 1)."""
    if not measure:
        return {k: round(float(v), 3) for k, v in cnn.items()}
    return {k: round((measure.get(k, 0.0) + cnn.get(k, 0.0)) / 2, 3) for k in SKIN_TYPES}


def fuse_maps(measure: Mapping[str, np.ndarray], cnn: Mapping[str, np.ndarray],
              weights: Mapping[str, float] | None = None) -> dict[str, np.ndarray]:
    """Heat maps on the aligned crop: the CNN's (upsampled) and the measures' maps, mixed with the same
    per-concern weights as the scores."""
    weights = weights or FUSION_WEIGHTS
    import cv2

    fused = dict(measure)
    for concern, cnn_map in cnn.items():
        base = measure.get(concern)
        if base is None:
            continue
        up = cv2.resize(cnn_map, (base.shape[1], base.shape[0]), interpolation=cv2.INTER_LINEAR)
        w = weights.get(concern, 0.0)
        fused[concern] = np.clip((1 - w) * base + w * up, 0.0, 1.0).astype(np.float32)
    return fused


def concern_status(concerns: Mapping[str, float | None], real_photos: Mapping[str, Any] | None) -> dict[str, str]:
    """Per concern what its score is worth: "validated" when the analysis it came from has shown skill on
    real photos (the statuses measured with the model, in its file: `training.validation`), "estimate"
    otherwise (the app says "estimate, not validated"), "unmeasured" when the score is null."""
    measured = (real_photos or {}).get("status", {})
    return {c: UNMEASURED if concerns.get(c) is None else VALIDATED if measured.get(c) == VALIDATED else ESTIMATE
            for c in CONCERNS}

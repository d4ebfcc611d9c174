"""Explicit colour calibration from a white or grey card in view (salons and kiosks with fixed light).

The user photographs a plain white or grey card (paper works) under the light they will analyse in. We find
the card as the brightest large, uniform, roughly rectangular area outside the face, and store the gains that
make it neutral. Later analyses under the same light use these gains instead of the automatic estimate.
Uniformity (not colour) finds the card, so a strong colour cast does not hide it.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from desktop.ml.imaging import ImageError
from desktop.ml.whitebalance import CLIPPED, WhiteBalance, normalise_gains, srgb_to_linear

MIN_CARD_FRACTION = 0.01  # of the image area
MAX_LOCAL_STD = 0.03  # relative std of luminance in a 9x9 window, for "uniform"
MIN_FILL = 0.6  # card pixels / their bounding box: a card is a compact shape


@dataclass(frozen=True)
class CalibrationProfile:
    gains: tuple[float, float, float]
    card_box: tuple[int, int, int, int]
    card_linear_luma: float
    created: float

    def white_balance(self) -> WhiteBalance:
        return WhiteBalance(self.gains, "calibration", 1.0)

    def save(self, path: Path) -> None:
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(self), indent=2), encoding="utf-8")
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> CalibrationProfile | None:
        """The saved profile, or None when there is none or it cannot be read."""
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            return cls(gains=tuple(raw["gains"]), card_box=tuple(raw["card_box"]),
                       card_linear_luma=float(raw["card_linear_luma"]), created=float(raw["created"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None


def find_card(rgb: np.ndarray, exclude: np.ndarray | None = None) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """The mask and box of the reference card; raises ImageError("no_reference_card") when none is found."""
    import cv2

    linear = srgb_to_linear(rgb)
    luma = linear @ np.array([0.2126, 0.7152, 0.0722], dtype=np.float32)
    mean = cv2.blur(luma, (9, 9))
    sq = cv2.blur(luma * luma, (9, 9))
    rel_std = np.sqrt(np.maximum(sq - mean * mean, 0)) / np.maximum(mean, 1e-3)
    candidate = (rel_std < MAX_LOCAL_STD) & (luma > 0.08) & (linear.max(axis=2) < CLIPPED)
    if exclude is not None:
        candidate &= ~exclude
    count, labels, stats, _ = cv2.connectedComponentsWithStats(candidate.astype(np.uint8), connectivity=4)
    best, best_score = 0, 0.0
    min_area = MIN_CARD_FRACTION * luma.size
    for label in range(1, count):
        x, y, w, h, area = stats[label]
        if area < min_area or area / float(w * h) < MIN_FILL:
            continue
        score = float(np.mean(luma[labels == label])) * np.sqrt(area)
        if score > best_score:
            best, best_score = label, score
    if best == 0:
        raise ImageError("no_reference_card", "No white or grey card was found. Hold a plain white or grey card "
                                              "(at least 1/10 of the picture's width) next to your face.")
    mask = cv2.erode((labels == best).astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
    x, y, w, h, _ = stats[best]
    return mask, (int(x), int(y), int(w), int(h))


def calibrate(rgb: np.ndarray, exclude: np.ndarray | None = None) -> CalibrationProfile:
    """A calibration profile from a photo with a white or grey card in view."""
    mask, box = find_card(rgb, exclude)
    card = srgb_to_linear(rgb)[mask]
    illuminant = np.median(card, axis=0)
    return CalibrationProfile(gains=normalise_gains(illuminant), card_box=box,
                              card_linear_luma=round(float(illuminant.mean()), 4), created=time.time())

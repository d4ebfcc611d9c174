"""Skin without a face: the mask of a close-up (a cheek, a forehead, a nose filling the frame).

A fixed skin-colour box (e.g. YCrCb Cr 133–173, Cb 77–127, Chai & Ngan 1999) misjudges dark and very light
skin; a mask seeded from the photo's own skin and grown by colour distance adapts to each person
(`../shared/notes/real-photos.md`). So: candidate pixels by a deliberately wide skin locus in CIELAB (hue
angle of skin across the Monk scale, enough chroma to not be grey, not black, not blown out), the seed is the
median colour of those in the middle of the frame, and the mask is every pixel close to the seed in a*b* (lips
are redder, hair and pupils darker, the background far in colour) with L* allowed to vary a lot (shading on a
curved cheek), then cleaned of specks and holes, and only large connected parts are kept (skin seen close
fills the frame; skin-coloured specks of wood or wall around an object do not). Texture is no test: flaking
dry skin is as rough as fur.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# CIELAB hue angle h_ab: the Monk swatches span 49–89°; photographed skin reaches lower (flushed or inflamed
# skin, warm light) and higher (a green or grey camera cast, which white balance corrects only later).
HUE_RANGE = (0.0, 110.0)
CHROMA_RANGE = (2.0, 40.0)  # the Monk swatches' C*ab spans 3.8–27.9; the top leaves room for camera saturation
L_RANGE = (15.0, 97.0)
AB_RADIUS = 11.0  # a*b* distance from the seed still counted as the same skin
L_RADIUS = 35.0
MIN_SKIN_FRACTION = 0.2  # a close-up is skin filling the frame: below a fifth of it there is none to measure
WORK_SIDE = 384


@dataclass(frozen=True)
class SkinPatch:
    mask: np.ndarray  # bool, on the image it was computed from
    fraction: float  # share of the image that is skin
    seed_lab: tuple[float, float, float]

    @property
    def is_skin(self) -> bool:
        return self.fraction >= MIN_SKIN_FRACTION


def _lab(rgb: np.ndarray) -> np.ndarray:
    import cv2

    return np.asarray(cv2.cvtColor(rgb.astype(np.float32) / 255.0, cv2.COLOR_RGB2Lab))


def skin_patch(rgb: np.ndarray, exclude: np.ndarray | None = None) -> SkinPatch:
    """The skin mask of `rgb` (same size), leaving out `exclude` (e.g. the eyes and lips a partial mesh found)."""
    import cv2

    lab = _lab(rgb)
    lightness, a, b = lab[..., 0], lab[..., 1], lab[..., 2]
    hue = np.degrees(np.arctan2(b, a))
    chroma = np.hypot(a, b)
    locus = ((hue >= HUE_RANGE[0]) & (hue <= HUE_RANGE[1]) & (chroma >= CHROMA_RANGE[0]) & (chroma <= CHROMA_RANGE[1])
             & (lightness >= L_RANGE[0]) & (lightness <= L_RANGE[1]))
    if exclude is not None:
        locus &= ~exclude
    if locus.mean() < MIN_SKIN_FRACTION / 2:
        return SkinPatch(np.zeros(locus.shape, bool), 0.0, (0.0, 0.0, 0.0))
    seed = np.median(lab[_central(locus)], axis=0)
    close = (np.hypot(a - seed[1], b - seed[2]) <= AB_RADIUS) & (np.abs(lightness - seed[0]) <= L_RADIUS) & locus
    side = max(3, int(min(rgb.shape[:2]) * 0.01)) | 1
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (side, side))
    mask = cv2.morphologyEx(close.astype(np.uint8), cv2.MORPH_OPEN, kernel)
    mask = _large_parts(cv2.morphologyEx(mask, cv2.MORPH_CLOSE, kernel))
    if exclude is not None:
        mask &= ~exclude
    return SkinPatch(mask, float(mask.mean()), (float(seed[0]), float(seed[1]), float(seed[2])))


def _central(locus: np.ndarray) -> np.ndarray:
    """The candidate pixels of the middle of the frame (half its width and height) when it has enough of
    them: a close-up is aimed at the skin, and a face box is centred on it, while a skin-coloured wall or
    table behind fills the borders."""
    height, width = locus.shape
    middle = np.zeros_like(locus)
    middle[height // 4:height - height // 4, width // 4:width - width // 4] = True
    central = locus & middle
    return central if central.sum() >= 0.1 * middle.sum() else locus


def _large_parts(mask: np.ndarray) -> np.ndarray:
    """The largest connected part and those at least a quarter its size: skin seen close is one or a few
    large areas; skin-coloured specks of wood, walls or fabric around an object are not."""
    import cv2

    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    if count <= 1:
        return np.zeros(mask.shape, bool)
    areas = stats[1:, cv2.CC_STAT_AREA]
    keep = np.flatnonzero(areas >= areas.max() / 4) + 1
    return np.isin(labels, keep)


def working_copy(rgb: np.ndarray, side: int = WORK_SIDE) -> tuple[np.ndarray, float]:
    """`rgb` scaled so its longest side is at most `side` (the mask needs no more detail), and the factor."""
    import cv2

    factor = min(1.0, side / max(rgb.shape[:2]))
    if factor == 1.0:
        return rgb, 1.0
    size = (max(1, round(rgb.shape[1] * factor)), max(1, round(rgb.shape[0] * factor)))
    return np.asarray(cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)), factor

"""Inflamed acne lesions counted on the visible skin, the quantity acne grades are built on.

The Hayashi criterion (Hayashi et al. 2008, J Dermatol 35:255; the grading of ACNE04) counts comedones,
papules and pustules on one half of the face: 0–5 mild, 6–20 moderate, 21–50 severe, over 50 very severe.
What a photo shows best of those are the inflamed ones: small, compact spots redder than the skin right
around them. So the counter looks for blobs in CIELAB a* after subtracting the skin's own local a* level
(a masked Gaussian of `LOCAL_SIGMA_MM`, wider than a papule, narrower than a flushed cheek, so diffuse
redness is not counted), stronger than the skin's own a* variation (at least `NOISE_K` robust standard
deviations and a just-noticeable a* difference, more where the skin's mirror image shows that chance blobs
reach further: `count_lesions`), and of papule-to-pustule size (`MIN_MM`–`MAX_MM` across).
Freckles and moles are darker, not redder, and do not pass; neither do strips along shadows (compactness).

`hayashi_level` turns a count per half face into a 0–4 level that rises linearly inside each Hayashi band
(5, 20, 50 and 100 lesions mark its steps), which the acne score maps to 0–100.
"""

from __future__ import annotations

import numpy as np

LOCAL_SIGMA_MM = 4.0
NOISE_K = 3.0
MIN_CONTRAST = 3.0  # a* units; about the just-noticeable colour difference (CIE ΔE*ab ≈ 2.3)
MIN_MM, MAX_MM = 1.0, 8.0  # blob diameters
DECOYS = 1  # blobs the mirror image may still pass at the threshold used
STEP_K, MAX_K = 0.25, 8.0  # the threshold rises in quarter standard deviations, to at most 8
HAYASHI_STEPS = (0.0, 5.0, 20.0, 50.0, 100.0)


def local_excess(a_star: np.ndarray, skin: np.ndarray, px_per_mm: float) -> np.ndarray:
    """a* above the skin's own local level (float32; 0 outside the skin)."""

    sigma = max(1.0, LOCAL_SIGMA_MM * px_per_mm)
    weights = _smooth(skin.astype(np.float32), sigma)
    level = _smooth(np.where(skin, a_star, 0.0).astype(np.float32), sigma)
    excess = a_star - level / np.maximum(weights, 1e-4)
    return np.where(skin, excess, 0.0).astype(np.float32)


def _smooth(image: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian blur; a wide one on a 2× smaller copy (the local level it estimates is smooth at that scale)."""
    import cv2

    if sigma < 4:
        return np.asarray(cv2.GaussianBlur(image, (0, 0), sigma))
    height, width = image.shape[:2]
    small = cv2.resize(image, (max(1, width // 2), max(1, height // 2)), interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (0, 0), sigma / 2)
    return np.asarray(cv2.resize(small, (width, height), interpolation=cv2.INTER_LINEAR))


def count_lesions(a_star: np.ndarray, skin: np.ndarray, px_per_mm: float) -> tuple[int, float, np.ndarray]:
    """(lesion count, their area as a share of the skin, the local a* excess map) on `skin` pixels.

    The threshold starts at `NOISE_K` robust standard deviations and rises until the skin's mirror image
    (blobs as far *below* its local a* as a lesion is above it, which no lesion makes) passes no more than
    `DECOYS` of the same blob tests: skin texture, hair follicles and JPEG blocks move a* both ways, lesions only
    up, so what the mirror shows is what the count would take for lesions by chance."""
    import cv2

    excess = local_excess(a_star, skin, px_per_mm)
    if skin.sum() < 100:
        return 0, 0.0, excess
    values = excess[skin]
    spread = 1.4826 * float(np.median(np.abs(values - np.median(values))))
    inner = cv2.erode(skin.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    threshold = max(MIN_CONTRAST, NOISE_K * spread)
    while threshold < MAX_K * max(spread, 1.0) and len(_blobs(-excess, inner, threshold, px_per_mm)) > DECOYS:
        threshold += STEP_K * max(spread, 0.5)
    areas = _blobs(excess, inner, threshold, px_per_mm)
    return len(areas), float(areas.sum() / skin.sum()), excess


def _blobs(excess: np.ndarray, inner: np.ndarray, threshold: float, px_per_mm: float) -> np.ndarray:
    """Areas (pixels) of the compact, papule-sized blobs of `excess` above `threshold` inside `inner`."""
    import cv2

    binary = ((excess > threshold) & inner).astype(np.uint8)
    count, _labels, stats, _ = cv2.connectedComponentsWithStats(binary, connectivity=8)
    if count <= 1:
        return np.zeros(0, np.int64)
    stats = stats[1:]
    areas = stats[:, cv2.CC_STAT_AREA]
    width, height = stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]
    fill = areas / np.maximum(width * height, 1)
    elongation = np.maximum(width, height) / np.maximum(np.minimum(width, height), 1)
    disc = np.pi / 4 * px_per_mm ** 2
    kept = (areas >= disc * MIN_MM ** 2) & (areas <= disc * MAX_MM ** 2) & (fill >= 0.35) & (elongation <= 3.0)
    return np.asarray(areas[kept], np.int64)


def hayashi_level(lesions_per_half_face: float) -> float:
    """0–4: 0–1 within "mild" (0–5 lesions), 1–2 "moderate" (to 20), 2–3 "severe" (to 50), 3–4 "very severe"
    (to 100, and 4 beyond)."""
    return float(np.interp(lesions_per_half_face, HAYASHI_STEPS, np.arange(len(HAYASHI_STEPS), dtype=float)))

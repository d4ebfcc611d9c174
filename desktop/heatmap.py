"""Heat maps as people see them: smooth, on the skin only, in one colour scale with a legend.

The analysis keeps one map per concern on the aligned face crop (`desktop.ml.maps.FaceMaps`). Drawn as they
are, they show the shapes the measures were taken in (the region polygons, with hard edges) and the CNN's
response where there is no skin at all (hair, eyes, lips, background). What a person needs to read is "where
on my skin is this, and how much": so each map is smoothed over the skin only (a normalised blur, so no value
leaks in from off the skin), faded in at the skin's edge, and set to exactly zero everywhere else.

The skin is the face oval of the mesh landmarks (the contours of `desktop.ml.landmarks`) minus the eyes, brows
and lips, with hair, deep shadow and off-colour pixels dropped by the same skin-colour test the measures use.

A map's raw values are not on the scale of its score (a texture map can be bright under a low score while a
dark-spot map stays faint under a higher one), so each map gives the *where* (relative to its own strongest
1 % of skin) and the concern's 0–100 score gives the *how much*: a concern's strongest places are drawn at
its score.
Every concern is then drawn in the same colour scale (`colour_scale`), so a colour means the same level on every
map and on the score scale beside it; `legend_rgba` draws that scale. Free of Qt, so the screens and the
printed report draw the same maps.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from desktop.ml.align import CANON_IOD, align
from desktop.ml.landmarks import (
    FACE_OVAL_CONTOUR,
    LEFT_BROW_CONTOUR,
    LEFT_EYE_CONTOUR,
    LIPS_CONTOUR,
    RIGHT_BROW_CONTOUR,
    RIGHT_EYE_CONTOUR,
)
from desktop.ml.maps import FaceMaps
from desktop.ml.measures import crop_lab, refine_skin, region_masks

SMOOTH_SIGMA = CANON_IOD * 0.035  # crop pixels: blemish-sized detail stays, pixel noise goes
FEATHER = CANON_IOD * 0.06  # crop pixels over which a map fades in from the edge of the skin
FEATURE_MARGIN = CANON_IOD * 0.04  # eyes, brows and lips are left out with this much room around them
EDGE_MARGIN = CANON_IOD * 0.03  # the skin's edge is pulled in by this much (hairline, jaw shadow)
PEAK_PERCENTILE = 99.0  # a map's "strongest" level, robust to a few hot pixels
PEAK_FLOOR = 0.05  # a map this flat is noise: it is not stretched up to its score
MIN_SHOWN = 0.04  # map values below this are not drawn: clear skin stays clear
FULL_ALPHA_AT = 0.5  # values from here up are drawn at full strength
MAX_ALPHA = 0.88
# One sequential scale for every concern (ColorBrewer YlOrRd, colour-blind safe, light = little, dark = much).
SCALE_STOPS = ((0.0, (255, 237, 160)), (0.3, (254, 178, 76)), (0.6, (240, 59, 32)), (1.0, (128, 0, 38)))
REGION_WORDS = {"forehead": "on the forehead", "nose": "on the nose", "left_cheek": "on the left cheek",
                "right_cheek": "on the right cheek", "chin": "on the chin", "under_eye_left": "under the left eye",
                "under_eye_right": "under the right eye"}  # the subject's left and right


CONTOURS = {"oval": FACE_OVAL_CONTOUR, "lips": LIPS_CONTOUR, "left_eye": LEFT_EYE_CONTOUR,
            "right_eye": RIGHT_EYE_CONTOUR, "left_brow": LEFT_BROW_CONTOUR, "right_brow": RIGHT_BROW_CONTOUR}
NOT_SKIN = ("left_eye", "right_eye", "left_brow", "right_brow", "lips")


def _blur(image: np.ndarray, sigma: float) -> np.ndarray:
    import cv2

    return np.asarray(cv2.GaussianBlur(image.astype(np.float32), (0, 0), sigma))


def _hull_mask(shape: tuple[int, int], points: np.ndarray) -> np.ndarray:
    import cv2

    mask = np.zeros(shape, np.uint8)
    hull = cv2.convexHull(np.round(points).astype(np.int32))
    cv2.fillConvexPoly(mask, hull, 1)
    return mask.astype(bool)


def _grown(mask: np.ndarray, pixels: float) -> np.ndarray:
    import cv2

    size = max(1, round(pixels)) * 2 + 1
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    return cv2.dilate(mask.astype(np.uint8), kernel).astype(bool)


def _largest_part(mask: np.ndarray) -> np.ndarray:
    """The largest connected piece of `mask`, shrunk a little: strands of hair left on the forehead and the
    pixels right next to the hairline (where texture and dark-spot filters see the hair's edge) go."""
    import cv2

    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=4)
    if count <= 1:
        return mask
    largest = labels == 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    size = round(EDGE_MARGIN) * 2 + 1
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    return np.asarray(cv2.erode(largest.astype(np.uint8), kernel).astype(bool))


def _feathered(mask: np.ndarray) -> np.ndarray:
    """0 at the edge of `mask`, rising smoothly to 1 at `FEATHER` pixels inside (by distance to the edge, so
    the fade is the same beside a small hole such as an eye as beside the jaw)."""
    import cv2

    distance = cv2.distanceTransform(mask.astype(np.uint8), cv2.DIST_L2, 5)
    t = np.clip(distance / FEATHER, 0.0, 1.0)
    return np.asarray(t * t * (3.0 - 2.0 * t), dtype=np.float32)  # smoothstep


def outline_points(landmarks: np.ndarray) -> np.ndarray:
    """The face oval as a closed polygon (k×2, the landmarks' pixels), for outlining the face that was used."""
    import cv2

    oval = landmarks[list(FACE_OVAL_CONTOUR), :2].astype(np.float32)
    return np.asarray(cv2.convexHull(oval).reshape(-1, 2))


@dataclass(frozen=True)
class SkinArea:
    """Where the face's skin is, on the analysis crop: `mask` (bool) and `weight` (0..1, faded at the edge,
    zero off the skin); `regions` are the measures' region masks after the same skin-colour refinement."""

    mask: np.ndarray
    weight: np.ndarray
    regions: dict[str, np.ndarray]


def skin_area(rgb: np.ndarray, landmarks: np.ndarray) -> SkinArea:
    """The skin of the face whose `landmarks` (photo pixels) the analysis used, on the same crop as its maps."""
    aligned = align(rgb, landmarks)
    shape = (aligned.rgb.shape[0], aligned.rgb.shape[1])
    points = aligned.landmarks
    skin = _hull_mask(shape, points[list(CONTOURS["oval"])]) & aligned.valid
    for name in NOT_SKIN:
        skin &= ~_grown(_hull_mask(shape, points[list(CONTOURS[name])]), FEATURE_MARGIN)
    regions = region_masks(aligned)
    masks = {**regions, "_skin": skin}
    refine_skin(crop_lab(aligned.rgb), masks)  # in place: hair, deep shadow, off-colour pixels out
    skin = _largest_part(masks.pop("_skin"))
    return SkinArea(mask=skin, weight=_feathered(skin), regions=masks)


def on_skin(values: np.ndarray, area: SkinArea) -> np.ndarray:
    """A crop map smoothed over the skin only (normalised convolution), faded at its edge, zero elsewhere."""
    skin = area.mask.astype(np.float32)
    smooth = _blur(np.where(area.mask, values, 0.0), SMOOTH_SIGMA) / np.maximum(_blur(skin, SMOOTH_SIGMA), 1e-4)
    return np.asarray(np.clip(smooth, 0.0, 1.0) * area.weight, dtype=np.float32)


def shown_values(values: np.ndarray, area: SkinArea, score: float | None) -> np.ndarray:
    """A crop map as drawn: on the skin only, its strongest places at the concern's score (0..1 = 0..100).
    Without a score (not measured) nothing is drawn."""
    if score is None:
        return np.zeros(values.shape, np.float32)
    skin_values = on_skin(values, area)
    peak = float(np.percentile(skin_values[area.mask], PEAK_PERCENTILE)) if area.mask.any() else 0.0
    relative = np.clip(skin_values / max(peak, PEAK_FLOOR), 0.0, 1.0)
    return np.asarray(relative * (max(0.0, min(100.0, score)) / 100.0), dtype=np.float32)


def crop_layers(maps: FaceMaps, area: SkinArea, scores: Mapping[str, float | None]) -> dict[str, np.ndarray]:
    """Every concern's map as drawn (`shown_values`), on the analysis crop."""
    return {name: shown_values(maps.crop_maps[name], area, scores.get(name)) for name in maps.names}


def on_photo(layers: dict[str, np.ndarray], maps: FaceMaps, scale: float = 1.0) -> dict[str, np.ndarray]:
    """Crop layers warped onto the analysed photo's pixel grid (times `scale`), 0..1 floats."""
    shown = FaceMaps(crop_maps=layers, matrix=maps.matrix, photo_shape=maps.photo_shape)
    return {name: shown.overlay(name, scale) for name in layers}


def where_most(values: np.ndarray, area: SkinArea) -> str | None:
    """Where a crop layer is strongest on average ("on the forehead", "under the left eye"…), None when flat."""
    means = {name: float(values[mask].mean()) for name, mask in area.regions.items() if mask.any()}
    if not means or max(means.values()) < MIN_SHOWN / 4:
        return None
    return REGION_WORDS.get(max(means, key=means.__getitem__))


@functools.cache
def _scale_table() -> np.ndarray:
    """The colour scale as a 256-entry RGBA lookup table (index: value × 255)."""
    v = np.linspace(0.0, 1.0, 256, dtype=np.float32)
    positions = np.array([s[0] for s in SCALE_STOPS], np.float32)
    table = np.empty((256, 4), np.uint8)
    for channel in range(3):
        table[:, channel] = np.round(np.interp(v, positions, [s[1][channel] for s in SCALE_STOPS]))
    strength = np.clip((v - MIN_SHOWN) / (FULL_ALPHA_AT - MIN_SHOWN), 0.0, 1.0) ** 0.6
    table[:, 3] = np.round(255 * MAX_ALPHA * strength * (v >= MIN_SHOWN))
    return table


def colour_scale(values: np.ndarray) -> np.ndarray:
    """0..1 values as RGBA uint8 in the one heat-map scale: transparent below `MIN_SHOWN`, light yellow for
    a little, dark red for much; opacity rises with the value so clear skin stays visible."""
    index = np.round(np.clip(np.asarray(values, np.float32), 0.0, 1.0) * 255).astype(np.uint8)
    return np.asarray(_scale_table()[index])


def legend_rgba(width: int, height: int) -> np.ndarray:
    """The colour scale from "a little" (left) to "much" (right), opaque, for a legend under the photo."""
    ramp = np.linspace(MIN_SHOWN, 1.0, max(2, width), dtype=np.float32)
    rgba = colour_scale(np.tile(ramp, (max(1, height), 1)))
    rgba[..., 3] = 255
    return rgba

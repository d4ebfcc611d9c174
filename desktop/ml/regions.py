"""Skin regions as polygons built from FaceMesh landmarks.

Why geometry on a few anchor points instead of long hand-picked index chains: the anchors (eye corners,
brows, nostril wings, mouth corners, face-oval top and sides, chin; named in `landmarks.py`) are the most
stable points of the mesh, and polygons placed relative to them exclude eyes, brows, lips and nostrils by
construction at any pose. "Right" is the subject's right, which is the left of an unmirrored photo.
"""

from __future__ import annotations

import numpy as np

from desktop.ml.landmarks import (
    BROW_INNER_LEFT,
    BROW_INNER_RIGHT,
    BROW_LEFT,
    BROW_RIGHT,
    CHIN,
    EYE_INNER_LEFT,
    EYE_INNER_RIGHT,
    EYE_LOWER_LEFT,
    EYE_LOWER_RIGHT,
    EYE_OUTER_LEFT,
    EYE_OUTER_RIGHT,
    FACE_EDGE_LEFT,
    FACE_EDGE_RIGHT,
    FOREHEAD_TOP,
    LIP_BOTTOM,
    MOUTH_LEFT,
    MOUTH_RIGHT,
    NOSE_BRIDGE,
    NOSE_TIP,
    NOSTRIL_LEFT,
    NOSTRIL_RIGHT,
    OVAL_TOP_LEFT,
    OVAL_TOP_RIGHT,
)

REGION_NAMES = ("forehead", "nose", "left_cheek", "right_cheek", "chin", "under_eye_left", "under_eye_right")
RegionPolygons = dict[str, np.ndarray]  # region name → k×2 float polygon in image pixels


def _lerp(a: np.ndarray, b: np.ndarray, t: float) -> np.ndarray:
    return a + (b - a) * t


def region_polygons(landmarks: np.ndarray) -> RegionPolygons:
    """Polygons (k×2 float, image pixels) for each skin region of one face."""
    p = landmarks[:, :2].astype(np.float64)
    up = p[FOREHEAD_TOP] - p[CHIN]
    face_height = float(np.linalg.norm(up)) or 1.0
    up /= face_height

    def lift(i: int, amount: float) -> np.ndarray:
        return p[i] + up * amount * face_height

    forehead = np.array([
        lift(BROW_RIGHT, 0.04), lift(BROW_INNER_RIGHT, 0.05), lift(BROW_INNER_LEFT, 0.05), lift(BROW_LEFT, 0.04),
        _lerp(p[OVAL_TOP_LEFT], p[BROW_LEFT], 0.3), _lerp(p[FOREHEAD_TOP], p[NOSE_BRIDGE], 0.2),
        _lerp(p[OVAL_TOP_RIGHT], p[BROW_RIGHT], 0.3),
    ])
    nose = np.array([
        lift(NOSE_BRIDGE, -0.02), _lerp(p[NOSTRIL_LEFT], p[NOSE_TIP], 0.35), lift(NOSE_TIP, 0.02),
        _lerp(p[NOSTRIL_RIGHT], p[NOSE_TIP], 0.35),
    ])
    chin = np.array([
        lift(LIP_BOTTOM, -0.03), _lerp(p[MOUTH_LEFT], p[CHIN], 0.45), lift(CHIN, 0.05),
        _lerp(p[MOUTH_RIGHT], p[CHIN], 0.45),
    ])
    polygons = {"forehead": forehead, "nose": nose, "chin": chin}
    for side, eye_outer, eye_inner, eye_lower, nostril, mouth, edge in (
        ("right", EYE_OUTER_RIGHT, EYE_INNER_RIGHT, EYE_LOWER_RIGHT, NOSTRIL_RIGHT, MOUTH_RIGHT, FACE_EDGE_RIGHT),
        ("left", EYE_OUTER_LEFT, EYE_INNER_LEFT, EYE_LOWER_LEFT, NOSTRIL_LEFT, MOUTH_LEFT, FACE_EDGE_LEFT),
    ):
        eye_width = float(np.linalg.norm(p[eye_outer] - p[eye_inner]))
        below_eye = p[eye_lower] - up * 0.75 * eye_width
        polygons[f"{side}_cheek"] = np.array([
            below_eye - up * 0.1 * eye_width,
            _lerp(p[nostril], p[edge], 0.2),
            _lerp(p[mouth], p[edge], 0.3),
            _lerp(p[edge], p[nostril], 0.2),
            _lerp(p[eye_outer], p[edge], 0.3) - up * 0.4 * eye_width,
        ])
        polygons[f"under_eye_{side}"] = np.array([
            _lerp(p[eye_inner], p[eye_outer], 0.15) - up * 0.35 * eye_width,
            p[eye_lower] - up * 0.3 * eye_width,
            _lerp(p[eye_outer], p[eye_inner], 0.1) - up * 0.3 * eye_width,
            below_eye,
        ])
    return polygons


def polygon_mask(shape: tuple[int, int], polygons: list[np.ndarray]) -> np.ndarray:
    """A boolean mask of the union of polygons on an image of `shape` (height, width)."""
    import cv2

    mask = np.zeros(shape, dtype=np.uint8)
    for poly in polygons:
        cv2.fillPoly(mask, [np.round(poly).astype(np.int32)], 1)
    return mask.astype(bool)


def face_hull(landmarks: np.ndarray, grow: float = 1.15) -> np.ndarray:
    """The face's convex hull grown by `grow` around its centre (hair and ears next to the face fall inside):
    the area colour references such as white balance and calibration must stay out of."""
    import cv2

    points = landmarks[:, :2].astype(np.float32)
    hull = cv2.convexHull(points).reshape(-1, 2)
    centre = points.mean(axis=0)
    return np.asarray(centre + (hull - centre) * grow)


def tone_mask(shape: tuple[int, int], polygons: RegionPolygons) -> np.ndarray:
    """Pixels used for skin tone: both cheeks and the forehead (the usual sites for ITA measurement)."""
    return polygon_mask(shape, [polygons[k] for k in ("forehead", "left_cheek", "right_cheek")])

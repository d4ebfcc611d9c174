"""Side views (three-quarter to profile): the regions the camera sees, and the crop they are measured on.

On a turned face the mesh still places all 478 points, but those of the far side are squeezed behind the
nose and cheek: only the near side is measured. Its regions are the near cheek, temple and jaw, the near
half of the forehead, nose and chin, and the skin under the near eye ("right"/"left" are the subject's
sides, as in `regions.py`).

The crop: eyes cannot set the scale here (their distance shrinks with the cosine of the yaw), but the face's
height (forehead top to chin) does not change when the head turns. `align_upright` scales the face to the
height a frontal face has in the canonical crop (`FACE_HEIGHT_PER_IOD` × `CANON_IOD`), so every filter keeps
its physical scale (about 2 px per mm), turns the face upright and centres the crop on the near cheek.
"""

from __future__ import annotations

import numpy as np

from desktop.ml.align import CANON_IOD, CANON_SIZE, AlignedFace
from desktop.ml.landmarks import (
    BROW_OUTER_LEFT,
    BROW_OUTER_RIGHT,
    CHIN,
    EYE_OUTER_LEFT,
    EYE_OUTER_RIGHT,
    FACE_EDGE_LEFT,
    FACE_EDGE_RIGHT,
    FOREHEAD_TOP,
    JAW_LEFT,
    JAW_RIGHT,
    MOUTH_LEFT,
    MOUTH_RIGHT,
    NOSE_BRIDGE,
    NOSE_TIP,
    TEMPLE_LOWER_LEFT,
    TEMPLE_LOWER_RIGHT,
    TEMPLE_UPPER_LEFT,
    TEMPLE_UPPER_RIGHT,
)
from desktop.ml.regions import RegionPolygons, region_polygons

# Forehead top to chin over the distance between the eye centres of a frontal face: 2.55 and 2.47 on the
# mesh of two public-domain portraits (scikit-image's astronaut, matplotlib's Grace Hopper).
FACE_HEIGHT_PER_IOD = 2.5
SIDE_REGIONS = ("forehead", "nose", "chin", "cheek", "temple", "jaw", "under_eye")


def _lerp(a: np.ndarray, b: np.ndarray, t: float) -> np.ndarray:
    return a + (b - a) * t


def _near_half(polygon: np.ndarray, top: np.ndarray, bottom: np.ndarray, side: str,
               toward: np.ndarray) -> np.ndarray:
    """The part of `polygon` on the near side of the midline `top`–`bottom` (the side `toward` is on)."""
    import cv2

    direction = bottom - top
    normal = np.array([-direction[1], direction[0]])
    if float(np.dot(toward - top, normal)) < 0:
        normal = -normal
    signed = (polygon - top) @ normal
    kept = polygon[signed >= 0]
    if len(kept) < 3:
        return polygon[:0]
    midline = np.array([top + direction * t for t in np.linspace(-0.2, 1.2, 8)])
    points = np.vstack([kept, midline[((midline - top) @ normal) >= -1e-6]])
    hull = cv2.convexHull(points.astype(np.float32)).reshape(-1, 2)
    inside = [cv2.pointPolygonTest(polygon.astype(np.float32), (float(x), float(y)), False) >= 0 for x, y in hull]
    return np.asarray(hull[np.asarray(inside)] if sum(inside) >= 3 else kept, dtype=np.float64)


def side_polygons(landmarks: np.ndarray, side: str) -> RegionPolygons:
    """Polygons (image pixels) of the regions a side view shows, keyed by the names `measures` reads."""
    p = landmarks[:, :2].astype(np.float64)
    front = region_polygons(landmarks)
    right = side == "right"
    eye_outer, brow_outer = (EYE_OUTER_RIGHT, BROW_OUTER_RIGHT) if right else (EYE_OUTER_LEFT, BROW_OUTER_LEFT)
    temple_up, temple_low = ((TEMPLE_UPPER_RIGHT, TEMPLE_LOWER_RIGHT) if right
                             else (TEMPLE_UPPER_LEFT, TEMPLE_LOWER_LEFT))
    mouth, edge, jaw = (MOUTH_RIGHT, FACE_EDGE_RIGHT, JAW_RIGHT) if right else (MOUTH_LEFT, FACE_EDGE_LEFT, JAW_LEFT)
    near = p[edge]
    polygons: RegionPolygons = {
        "forehead": _near_half(front["forehead"], p[FOREHEAD_TOP], p[NOSE_BRIDGE], side, near),
        "nose": _near_half(front["nose"], p[NOSE_BRIDGE], p[NOSE_TIP], side, near),
        "chin": _near_half(front["chin"], p[NOSE_TIP], p[CHIN], side, near),
        f"{side}_cheek": front[f"{side}_cheek"],
        f"under_eye_{side}": front[f"under_eye_{side}"],
        f"temple_{side}": np.array([
            p[brow_outer], _lerp(p[temple_up], p[brow_outer], 0.1), _lerp(p[temple_low], p[eye_outer], 0.1),
            _lerp(p[eye_outer], p[temple_low], 0.35),
        ]),
        f"jaw_{side}": np.array([
            _lerp(p[mouth], p[edge], 0.3), *[_lerp(p[i], p[mouth], 0.1) for i in jaw],
            _lerp(p[mouth], p[CHIN], 0.45),
        ]),
    }
    return polygons


def align_upright(rgb: np.ndarray, landmarks: np.ndarray, side: str) -> AlignedFace:
    """The side view's measuring crop (also what the concern model is given for a side view): CANON_SIZE
    square, face upright (forehead top straight above the chin), face height FACE_HEIGHT_PER_IOD × CANON_IOD
    px as a frontal face has in `align.align`, centred on the near cheek at the nose tip's height. Pixels
    from outside the photo are reflected and marked invalid."""
    import cv2

    p = landmarks[:, :2].astype(np.float64)
    down = p[CHIN] - p[FOREHEAD_TOP]
    height = float(np.linalg.norm(down)) or 1.0
    angle = float(np.degrees(np.arctan2(down[0], down[1])))  # rotation that makes `down` point straight down
    scale = FACE_HEIGHT_PER_IOD * CANON_IOD / height
    edge = FACE_EDGE_RIGHT if side == "right" else FACE_EDGE_LEFT
    centre = _lerp(p[NOSE_TIP], p[edge], 0.45)
    matrix = cv2.getRotationMatrix2D((float(centre[0]), float(centre[1])), -angle, scale)
    matrix[0, 2] += CANON_SIZE / 2 - centre[0]
    matrix[1, 2] += CANON_SIZE * 0.5 - centre[1]
    size = (CANON_SIZE, CANON_SIZE)
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    crop = cv2.warpAffine(rgb, matrix, size, flags=interpolation, borderMode=cv2.BORDER_REFLECT)
    valid = cv2.warpAffine(np.ones(rgb.shape[:2], np.uint8), matrix, size, flags=cv2.INTER_NEAREST,
                           borderValue=0).astype(bool)
    points = landmarks[:, :2] @ matrix[:, :2].T + matrix[:, 2]
    return AlignedFace(rgb=crop, landmarks=points.astype(np.float32), matrix=matrix,
                       iod_photo=height / FACE_HEIGHT_PER_IOD, valid=valid)

"""Per view: the crop the measures (and the concern model) see, its regions, and the photo's skin pixels.

- front: the eye-aligned crop of `align.py` and every region of `regions.py`.
- left / right with landmarks: the upright crop of `sideview.py`, the near side's regions, one face half.
- a side view found only by the profile cascade, and close-ups: a "patch": the skin mask of `skinmask.py`
  inside the face box (or the whole photo), no landmarks. Its scale comes from facial features a partial mesh
  places inside the photo (mouth and eye widths, adult means from anthropometry: Farkas 1994), else it is not
  known, and the concerns whose filters need millimetres (pores, texture, lines) are not scored.

The concern model (CNN) sees exactly `ViewCrop.aligned.rgb`, white-balanced, and only for the views its
checkpoint lists in `views` (a model without that attribute: front only), so a model trained for side views
or close-ups must be trained on the crops these functions make. `front_crop` and `side_crop` give a
`CANON_SIZE` square at about `CANON_PX_PER_MM` (the side crop upright and centred on the near cheek, the far
side and the background left as they are, pixels from beyond the photo reflected and false in
`aligned.valid`); `patch_crop` gives the skin area's box scaled to at most `CANON_SIZE` on its longest side
(not square; at `CANON_PX_PER_MM` when `spec.scaled`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from desktop.ml.align import CANON_SIZE, AlignedFace, align
from desktop.ml.face import Box, FaceFindings
from desktop.ml.landmarks import (
    EYE_INNER_LEFT,
    EYE_INNER_RIGHT,
    EYE_OUTER_LEFT,
    EYE_OUTER_RIGHT,
    MOUTH_LEFT,
    MOUTH_RIGHT,
)
from desktop.ml.measures import CANON_PX_PER_MM, MeasureSpec, front_spec
from desktop.ml.regions import (
    RegionPolygons,
    face_hull,
    face_skin_polygons,
    polygon_mask,
    region_polygons,
)
from desktop.ml.sideview import align_upright, side_polygons
from desktop.ml.skinmask import SkinPatch, skin_patch

FEATURE_MM = ((MOUTH_RIGHT, MOUTH_LEFT, 50.0), (EYE_OUTER_RIGHT, EYE_INNER_RIGHT, 30.0),
              (EYE_INNER_LEFT, EYE_OUTER_LEFT, 30.0))  # mouth width, eye-fissure width (mm)
ASSUMED_FIELD_MM = 80.0  # without a feature: a phone close-up of a cheek spans about this much skin
BOX_GROW = 0.25  # a profile-cascade box is grown by this on each side (it is tight around the features)
SIDE_SKIN = ("forehead", "nose", "chin", "cheek", "temple", "jaw")


@dataclass
class ViewCrop:
    view: str
    aligned: AlignedFace
    spec: MeasureSpec
    tone_mask: np.ndarray  # bool, photo pixels the skin tone is read from
    face_area: np.ndarray  # bool, photo pixels the white balance must not use
    scale: dict[str, Any] = field(default_factory=dict)  # {"px_per_mm": .., "source": "face"|"features"|"none"}
    polygons: RegionPolygons | None = None  # the regions in photo pixels (landmark views)


def front_crop(rgb: np.ndarray, landmarks: np.ndarray) -> ViewCrop:
    aligned = align(rgb, landmarks)
    shape = (rgb.shape[0], rgb.shape[1])
    polygons = region_polygons(landmarks)
    spec = front_spec(aligned)
    spec.lesion_skin = _lesion_skin(aligned, None)
    tone = polygon_mask(shape, [polygons[k] for k in ("forehead", "left_cheek", "right_cheek")])
    return ViewCrop("front", aligned, spec, tone, polygon_mask(shape, [face_hull(landmarks)]),
                    {"px_per_mm": round(CANON_PX_PER_MM, 3), "source": "face"}, polygons)


def side_crop(rgb: np.ndarray, landmarks: np.ndarray, side: str) -> ViewCrop:
    aligned = align_upright(rgb, landmarks, side)
    crop_polygons = side_polygons(aligned.landmarks, side)
    shape = (CANON_SIZE, CANON_SIZE)
    masks = {name: polygon_mask(shape, [poly]) & aligned.valid
             for name, poly in crop_polygons.items() if len(poly) >= 3}
    skin_names = tuple(n for n in masks if n.split("_")[0] in SIDE_SKIN or n.endswith("_cheek"))
    spec = MeasureSpec(masks=masks, skin_names=skin_names, lesion_skin=_lesion_skin(aligned, side),
                       face_halves=1.0, crows_feet=(side,))
    photo_polygons = side_polygons(landmarks, side)
    tone = polygon_mask((rgb.shape[0], rgb.shape[1]), [photo_polygons[k] for k in ("forehead", f"{side}_cheek")
                                                       if len(photo_polygons[k]) >= 3])
    return ViewCrop(side, aligned, spec, tone, polygon_mask((rgb.shape[0], rgb.shape[1]), [face_hull(landmarks)]),
                    {"px_per_mm": round(CANON_PX_PER_MM, 3), "source": "face"}, photo_polygons)


def _lesion_skin(aligned: AlignedFace, side: str | None) -> np.ndarray:
    from desktop.ml.regions import face_skin_mask

    return face_skin_mask((CANON_SIZE, CANON_SIZE), aligned.landmarks, side, grow=2 * CANON_PX_PER_MM) & aligned.valid


def patch_crop(rgb: np.ndarray, view: str, findings: FaceFindings,
               box: Box | None = None) -> tuple[ViewCrop, SkinPatch]:
    """A close-up, or a side view without landmarks (`box`: its face box): the skin mask is the region."""
    import cv2

    height, width = rgb.shape[:2]
    x0, y0, x1, y1 = 0, 0, width, height
    if box is not None:
        x, y, w, h = box
        x0, y0 = max(0, int(x - BOX_GROW * w)), max(0, int(y - BOX_GROW * h))
        x1, y1 = min(width, int(x + w * (1 + BOX_GROW))), min(height, int(y + h * (1 + BOX_GROW)))
    px_per_mm_photo = _feature_scale(findings, (height, width))
    roi = rgb[y0:y1, x0:x1]
    if px_per_mm_photo is not None and px_per_mm_photo > 0:
        factor = min(CANON_PX_PER_MM / px_per_mm_photo, CANON_SIZE / max(roi.shape[:2]))
        scaled = factor >= 0.8 * CANON_PX_PER_MM / px_per_mm_photo  # else too big to measure at the scale
    else:
        factor, scaled = min(1.0, CANON_SIZE / max(roi.shape[:2])), False
    crop = cv2.resize(roi, (max(1, round(roi.shape[1] * factor)), max(1, round(roi.shape[0] * factor))),
                      interpolation=cv2.INTER_AREA if factor < 1 else cv2.INTER_LINEAR)
    exclude = _feature_mask(findings, factor, (x0, y0), crop.shape)
    patch = skin_patch(crop, exclude)
    matrix = np.array([[factor, 0.0, -x0 * factor], [0.0, factor, -y0 * factor]])
    aligned = AlignedFace(rgb=np.ascontiguousarray(crop), landmarks=np.zeros((0, 2), np.float32), matrix=matrix,
                          iod_photo=0.0, valid=np.ones(crop.shape[:2], bool))
    px_per_mm = px_per_mm_photo * factor if px_per_mm_photo else max(crop.shape[:2]) / ASSUMED_FIELD_MM
    spec = MeasureSpec(masks={"patch": patch.mask}, skin_names=("patch",), lesion_skin=None, face_halves=1.0,
                       crows_feet=(), scaled=scaled, px_per_mm=px_per_mm)
    photo_mask = np.zeros((height, width), bool)
    photo_mask[y0:y1, x0:x1] = cv2.resize(patch.mask.astype(np.uint8), (x1 - x0, y1 - y0),
                                          interpolation=cv2.INTER_NEAREST).astype(bool)
    scale = {"px_per_mm": round(px_per_mm_photo, 3), "source": "features"} if px_per_mm_photo else \
        {"px_per_mm": None, "source": "none"}
    return ViewCrop(view, aligned, spec, photo_mask, photo_mask, scale), patch


def _feature_scale(findings: FaceFindings, shape: tuple[int, int]) -> float | None:
    """Pixels per millimetre in the photo from the facial features of a partial mesh that lie inside it."""
    if findings.face is None:
        return None
    points = findings.face.landmarks[:, :2]
    estimates = []
    for a, b, mm in FEATURE_MM:
        pair = points[[a, b]]
        inside = (pair[:, 0] >= 0).all() and (pair[:, 1] >= 0).all() and (pair[:, 0] < shape[1]).all() \
            and (pair[:, 1] < shape[0]).all()
        if inside:
            estimates.append(float(np.linalg.norm(pair[0] - pair[1])) / mm)
    return float(np.median(estimates)) if estimates else None


def _feature_mask(findings: FaceFindings, factor: float, origin: tuple[int, int],
                  shape: tuple[int, ...]) -> np.ndarray | None:
    """Eyes, brows and lips of a partial mesh, on the crop: never skin."""
    if findings.face is None:
        return None
    import cv2

    landmarks = findings.face.landmarks.copy()
    landmarks[:, 0] = (landmarks[:, 0] - origin[0]) * factor
    landmarks[:, 1] = (landmarks[:, 1] - origin[1]) * factor
    _outline, features = face_skin_polygons(landmarks)
    mask = polygon_mask((shape[0], shape[1]), features).astype(np.uint8)
    grow = max(3, int(min(shape[:2]) * 0.02)) | 1
    return np.asarray(cv2.dilate(mask, np.ones((grow, grow), np.uint8)).astype(bool))

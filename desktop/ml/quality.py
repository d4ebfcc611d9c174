"""Capture-quality checks: is this photo good enough to measure skin from?

Each failed check is a stable code (for scripts and tests) and an instruction a person can follow. Cheap on
purpose (grey-level statistics on the face box only), because the live camera view runs it on every frame.
Thresholds are conventions of this app, chosen on the sample photos; each is named here so it can be tuned.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from desktop.ml.face import FaceFindings
from desktop.ml.landmarks import CHIN, EYE_OUTER_LEFT, EYE_OUTER_RIGHT, FACE_EDGE_LEFT, FACE_EDGE_RIGHT, FOREHEAD_TOP
from desktop.ml.regions import RegionPolygons, polygon_mask, region_polygons
from desktop.ml.report import Quality

MIN_FACE_FRACTION = 0.15  # face box width / image's shorter side
MAX_FACE_FRACTION = 0.90
DARK_MEAN = 70.0  # mean luma (0–255) of the face below this is too dark
BRIGHT_MEAN = 215.0
CLIPPED_FRACTION = 0.08  # share of face pixels at 0–5 or 250–255
BLUR_VARIANCE = 40.0  # variance of the Laplacian on the face, scaled to 256 px wide
MAX_YAW = 15.0  # degrees, from the 3-D face normal of the mesh
MAX_PITCH = 20.0
MAX_ROLL = 15.0  # degrees, eye line against the horizontal
PITCH_BIAS = 10.0  # the mesh's normal of a level, frontal face points ~10° down
OFF_CENTRE = 0.30  # face centre's distance from the image centre, as a share of the image size
MIN_SIDE_LIGHT_RATIO = 0.72  # darker cheek / brighter cheek
MIN_VERTICAL_LIGHT_RATIO = 0.6  # chin / forehead (or the reverse): overhead light darkens the chin a little
MAX_OCCLUDED = 0.35  # share of skin-region pixels that are not skin (hair, hands, glasses)


@dataclass(frozen=True)
class Check:
    code: str
    instruction: str


CHECKS = {
    "no_face": Check("no_face", "Look straight at the camera so your face can be found."),
    "multiple_faces": Check("multiple_faces", "Make sure only one face is in the picture."),
    "too_far": Check("too_far", "Move closer to the camera."),
    "too_close": Check("too_close", "Move back a little."),
    "off_centre": Check("off_centre", "Centre your face in the frame."),
    "too_dark": Check("too_dark", "Turn towards the light or add light."),
    "too_bright": Check("too_bright", "Move away from direct light."),
    "clipped": Check("clipped", "Avoid harsh light and deep shadow on your face."),
    "blurry": Check("blurry", "Hold still and check the camera is in focus."),
    "turned_head": Check("turned_head", "Face the camera straight on."),
    "head_tilted": Check("head_tilted", "Hold your head level and look straight ahead."),
    "uneven_light": Check("uneven_light", "Face the light so both sides of your face are lit evenly."),
    "occluded": Check("occluded", "Move hair, hands or glasses away from your face."),
}


def _luma(rgb: np.ndarray) -> np.ndarray:
    return rgb[..., 0] * 0.299 + rgb[..., 1] * 0.587 + rgb[..., 2] * 0.114


def _sharpness(grey: np.ndarray) -> float:
    import cv2

    width = grey.shape[1]
    if width > 256:
        grey = cv2.resize(grey, (256, max(1, round(grey.shape[0] * 256 / width))), interpolation=cv2.INTER_AREA)
    return float(cv2.Laplacian(grey.astype(np.float32), cv2.CV_32F).var())


def head_pose(landmarks: np.ndarray) -> tuple[float, float, float]:
    """(yaw, pitch, roll) in degrees. Yaw and pitch from the normal of the plane spanned by the mesh's 3-D
    face width (cheekbone to cheekbone) and height (forehead top to chin); roll from the line between the
    outer eye corners."""
    across = landmarks[FACE_EDGE_LEFT] - landmarks[FACE_EDGE_RIGHT]
    down = landmarks[CHIN] - landmarks[FOREHEAD_TOP]
    normal = np.cross(across, down)
    normal = normal / (np.linalg.norm(normal) or 1.0)
    yaw = float(np.degrees(np.arctan2(normal[0], normal[2])))
    pitch = float(np.degrees(np.arctan2(-normal[1], normal[2]))) - PITCH_BIAS
    eyes = landmarks[EYE_OUTER_LEFT, :2] - landmarks[EYE_OUTER_RIGHT, :2]
    roll = float(np.degrees(np.arctan2(eyes[1], eyes[0])))
    return yaw, pitch, roll


def lighting_ratios(rgb: np.ndarray, landmarks: np.ndarray, polygons: RegionPolygons) -> tuple[float, float]:
    """(side ratio, top/bottom ratio): darker over brighter median luma of cheek vs cheek, chin vs forehead."""
    x0, y0 = np.floor(landmarks[:, :2].min(axis=0)).astype(int).clip(0)
    x1, y1 = np.ceil(landmarks[:, :2].max(axis=0)).astype(int) + 1
    patch = _luma(rgb[y0:y1, x0:x1].astype(np.float32))
    medians = {}
    for name in ("left_cheek", "right_cheek", "forehead", "chin"):
        mask = polygon_mask((patch.shape[0], patch.shape[1]), [polygons[name] - (x0, y0)])
        medians[name] = float(np.median(patch[mask])) if mask.any() else 0.0

    def ratio(a: float, b: float) -> float:
        return min(a, b) / max(a, b) if max(a, b) > 0 else 1.0

    return ratio(medians["left_cheek"], medians["right_cheek"]), ratio(medians["forehead"], medians["chin"])


def assess(rgb: np.ndarray, findings: FaceFindings, polygons: RegionPolygons | None = None) -> Quality:
    """Run every check; `ok` only when all pass. `polygons`: the face's skin regions in photo pixels, when the
    caller has them already (the analysis uses them for skin tone too); else they are built here."""
    failed: list[str] = []
    measures: dict[str, float] = {"face_count": float(findings.count)}
    if findings.count == 0 or findings.face is None:
        failed.append("no_face")
    if findings.count > 1:
        failed.append("multiple_faces")
    face = findings.face
    if face is not None:
        height, width = rgb.shape[:2]
        x, y, w, h = face.box
        fraction = w / min(width, height)
        centre_offset = float(np.hypot((x + w / 2) / width - 0.5, (y + h / 2) / height - 0.5))
        patch = rgb[y:y + h, x:x + w].astype(np.float32)
        luma = _luma(patch)
        clipped = float(np.mean((luma <= 5) | (luma >= 250)))
        sharpness = _sharpness(luma)
        yaw, pitch, roll = head_pose(face.landmarks)
        side, vertical = lighting_ratios(rgb, face.landmarks,
                                         polygons if polygons is not None else region_polygons(face.landmarks))
        measures.update(face_fraction=round(fraction, 3), mean_luma=round(float(luma.mean()), 1),
                        clipped_fraction=round(clipped, 3), sharpness=round(sharpness, 1),
                        yaw=round(yaw, 1), pitch=round(pitch, 1), roll=round(roll, 1),
                        light_side_ratio=round(side, 3), light_vertical_ratio=round(vertical, 3),
                        centre_offset=round(centre_offset, 3))
        failed += [code for code, bad in (
            ("too_far", fraction < MIN_FACE_FRACTION),
            ("too_close", fraction > MAX_FACE_FRACTION),
            ("off_centre", centre_offset > OFF_CENTRE),
            ("too_dark", luma.mean() < DARK_MEAN),
            ("too_bright", luma.mean() > BRIGHT_MEAN),
            ("clipped", clipped > CLIPPED_FRACTION),
            ("blurry", sharpness < BLUR_VARIANCE),
            ("turned_head", abs(yaw) > MAX_YAW or abs(pitch) > MAX_PITCH),
            ("head_tilted", abs(roll) > MAX_ROLL),
            ("uneven_light", side < MIN_SIDE_LIGHT_RATIO or vertical < MIN_VERTICAL_LIGHT_RATIO),
        ) if bad]
    return Quality(ok=not failed, issues=failed, instructions=[CHECKS[c].instruction for c in failed],
                   measures=measures)


def add_occlusion(quality: Quality, occluded_fraction: float) -> None:
    """Occlusion needs the skin-colour refinement of the full analysis, so it is added afterwards."""
    quality.measures["occluded_fraction"] = round(occluded_fraction, 3)
    if occluded_fraction > MAX_OCCLUDED and "occluded" not in quality.issues:
        quality.issues.append("occluded")
        quality.instructions.append(CHECKS["occluded"].instruction)
        quality.ok = False

"""Capture-quality checks: is this photo good enough to measure skin from?

Each failed check is a stable code (for scripts and tests) and an instruction a person can follow. Cheap on
purpose (grey-level statistics on the face box only), because the live camera view runs it on every frame.
Thresholds are conventions of this app, chosen on the sample photos; each is named here so it can be tuned.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from desktop.ml.face import FaceFindings
from desktop.ml.report import Quality

MIN_FACE_FRACTION = 0.15  # face box width / image's shorter side
MAX_FACE_FRACTION = 0.90
DARK_MEAN = 70.0  # mean luma (0–255) of the face below this is too dark
BRIGHT_MEAN = 215.0
CLIPPED_FRACTION = 0.08  # share of face pixels at 0–5 or 250–255
BLUR_VARIANCE = 40.0  # variance of the Laplacian on the face, scaled to 256 px wide
MAX_YAW = 0.35  # nose offset from the eye midpoint, in inter-ocular distances
OFF_CENTRE = 0.30  # face centre's distance from the image centre, as a share of the image size


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
}


def _luma(rgb: np.ndarray) -> np.ndarray:
    return rgb[..., 0] * 0.299 + rgb[..., 1] * 0.587 + rgb[..., 2] * 0.114


def _sharpness(grey: np.ndarray) -> float:
    import cv2

    width = grey.shape[1]
    if width > 256:
        grey = cv2.resize(grey, (256, max(1, round(grey.shape[0] * 256 / width))), interpolation=cv2.INTER_AREA)
    return float(cv2.Laplacian(grey.astype(np.float32), cv2.CV_32F).var())


def _yaw(landmarks: np.ndarray) -> float:
    """Signed horizontal offset of the nose tip from the eye midpoint, in inter-ocular distances."""
    eye_r, eye_l, nose = landmarks[33, :2], landmarks[263, :2], landmarks[1, :2]
    interocular = float(np.linalg.norm(eye_l - eye_r)) or 1.0
    axis = (eye_l - eye_r) / interocular
    return float(np.dot(nose - (eye_r + eye_l) / 2, axis) / interocular)


def assess(rgb: np.ndarray, findings: FaceFindings) -> Quality:
    """Run every check; `ok` only when all pass."""
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
        yaw = _yaw(face.landmarks)
        measures.update(face_fraction=round(fraction, 3), mean_luma=round(float(luma.mean()), 1),
                        clipped_fraction=round(clipped, 3), sharpness=round(sharpness, 1),
                        yaw=round(yaw, 3), centre_offset=round(centre_offset, 3))
        failed += [code for code, bad in (
            ("too_far", fraction < MIN_FACE_FRACTION),
            ("too_close", fraction > MAX_FACE_FRACTION),
            ("off_centre", centre_offset > OFF_CENTRE),
            ("too_dark", luma.mean() < DARK_MEAN),
            ("too_bright", luma.mean() > BRIGHT_MEAN),
            ("clipped", clipped > CLIPPED_FRACTION),
            ("blurry", sharpness < BLUR_VARIANCE),
            ("turned_head", abs(yaw) > MAX_YAW),
        ) if bad]
    return Quality(ok=not failed, issues=failed, instructions=[CHECKS[c].instruction for c in failed],
                   measures=measures)

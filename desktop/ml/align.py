"""A canonical face crop: eyes level, fixed inter-ocular distance, fixed size.

Why: texture, pore and wrinkle measures are filters with a physical scale. Measuring on a crop where the eyes
are always `CANON_IOD` pixels apart makes them independent of photo size and distance to the camera, and
levelling the eyes makes the orientation of wrinkle filters mean the same on every face. Heat maps are
computed in the crop and warped back onto the photo with the inverse transform.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from desktop.ml.landmarks import EYE_INNER_LEFT, EYE_INNER_RIGHT, EYE_OUTER_LEFT, EYE_OUTER_RIGHT

CANON_SIZE = 384
CANON_IOD = 128.0  # pixels between the eye centres in the crop
EYES_Y = 0.36  # eye line at this fraction of the crop height

RIGHT_EYE_CORNERS = (EYE_OUTER_RIGHT, EYE_INNER_RIGHT)  # subject's right eye (image left)
LEFT_EYE_CORNERS = (EYE_INNER_LEFT, EYE_OUTER_LEFT)


@dataclass(frozen=True)
class AlignedFace:
    rgb: np.ndarray  # CANON_SIZE x CANON_SIZE x 3 uint8
    landmarks: np.ndarray  # (478, 2) in crop pixels
    matrix: np.ndarray  # 2x3 affine: photo → crop
    iod_photo: float  # inter-ocular distance in the photo's pixels (how much real detail the crop has)
    valid: np.ndarray  # bool mask: crop pixels that came from inside the photo


def eye_centres(landmarks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    right = landmarks[list(RIGHT_EYE_CORNERS), :2].mean(axis=0)
    left = landmarks[list(LEFT_EYE_CORNERS), :2].mean(axis=0)
    return right, left


def align(rgb: np.ndarray, landmarks: np.ndarray) -> AlignedFace:
    import cv2

    right, left = eye_centres(landmarks)
    iod = float(np.linalg.norm(left - right)) or 1.0
    angle = np.degrees(np.arctan2(left[1] - right[1], left[0] - right[0]))
    scale = CANON_IOD / iod
    centre = (right + left) / 2
    matrix = cv2.getRotationMatrix2D((float(centre[0]), float(centre[1])), float(angle), scale)
    matrix[0, 2] += CANON_SIZE / 2 - centre[0]
    matrix[1, 2] += CANON_SIZE * EYES_Y - centre[1]
    size = (CANON_SIZE, CANON_SIZE)
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    crop = cv2.warpAffine(rgb, matrix, size, flags=interpolation, borderMode=cv2.BORDER_REFLECT)
    valid = cv2.warpAffine(np.ones(rgb.shape[:2], np.uint8), matrix, size, flags=cv2.INTER_NEAREST,
                           borderValue=0).astype(bool)
    points = landmarks[:, :2] @ matrix[:, :2].T + matrix[:, 2]
    return AlignedFace(rgb=crop, landmarks=points.astype(np.float32), matrix=matrix, iod_photo=iod, valid=valid)

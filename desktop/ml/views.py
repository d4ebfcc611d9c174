"""Which view a photo is: `front`, `left`, `right` (three-quarter to profile) or `closeup` (CONTRACTS.md).

"left"/"right" name the side of the face toward the camera, from the subject's point of view: a subject who
turns to their right shows the camera their left cheek, and their nose points to the image's left.
Yaw comes from the mesh's 3-D face normal (`quality.head_pose`); a face is `front` while the front checks
would pass it (|yaw| ≤ `quality.MAX_YAW`), because that is where both cheeks are seen well enough to compare.
The mesh's yaw reads low past ~45°, but its sign holds, and the sign is all a side view needs. Without
landmarks the profile cascade's side is used, or the detector's key points (nose against the eyes). A photo
is a `closeup` when the face's eyes, nose and mouth on the side toward the camera are not all inside it,
or when a face found without landmarks has a box that reaches two edges of the photo: then there is skin but
not a whole face.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from desktop.ml.face import FaceFindings
from desktop.ml.landmarks import (
    EYE_INNER_LEFT,
    EYE_INNER_RIGHT,
    EYE_OUTER_LEFT,
    EYE_OUTER_RIGHT,
    MOUTH_LEFT,
    MOUTH_RIGHT,
    NOSE_TIP,
)
from desktop.ml.quality import MAX_YAW, head_pose

VIEWS = ("front", "left", "right", "closeup")
SIDES = ("left", "right")
FRAME_MARGIN = 0.02  # a feature this share of the image's size outside the frame still counts as in it


@dataclass(frozen=True)
class ViewDecision:
    view: str  # one of VIEWS
    yaw: float | None  # degrees, + when the subject's left side faces the camera; None without landmarks
    forced: bool = False  # the caller said which view it is (`--view`)


def side_for_yaw(yaw: float) -> str:
    return "left" if yaw > 0 else "right"


def features_in_frame(landmarks: np.ndarray, shape: tuple[int, ...], view: str) -> bool:
    """The eyes, nose tip and mouth corners that this view shows are inside the image."""
    right = (EYE_OUTER_RIGHT, EYE_INNER_RIGHT, MOUTH_RIGHT)
    left = (EYE_OUTER_LEFT, EYE_INNER_LEFT, MOUTH_LEFT)
    needed = (NOSE_TIP, *(right if view == "right" else ()), *(left if view == "left" else ()),
              *((*right, *left) if view == "front" else ()))
    height, width = shape[:2]
    points = landmarks[list(needed), :2]
    margin_x, margin_y = FRAME_MARGIN * width, FRAME_MARGIN * height
    return bool(np.all((points[:, 0] >= -margin_x) & (points[:, 0] <= width + margin_x)
                       & (points[:, 1] >= -margin_y) & (points[:, 1] <= height + margin_y)))


def decide(findings: FaceFindings, shape: tuple[int, ...], forced: str | None = None) -> ViewDecision | None:
    """The view of a photo from what the face search found; None when no face was found and the caller must
    look for skin (a close-up) instead."""
    face = findings.face
    yaw = head_pose(face.landmarks)[0] if face is not None else None
    if forced is not None:
        return ViewDecision(forced, yaw, forced=True)
    if face is not None and yaw is not None:
        view = "front" if abs(yaw) <= MAX_YAW else side_for_yaw(yaw)
        if not features_in_frame(face.landmarks, shape, view):
            return ViewDecision("closeup", yaw)
        return ViewDecision(view, yaw)
    if findings.box is not None and _cut_by_frame(findings.box, shape):
        return ViewDecision("closeup", None)
    if findings.box is not None:  # a face without landmarks: its side from the cascade or the key points
        return ViewDecision(findings.profile_side or "front", None)
    return None


def _cut_by_frame(box: tuple[int, int, int, int], shape: tuple[int, ...]) -> bool:
    """A face box (no landmarks) that reaches two or more edges of the photo: the frame cuts the face, so what
    is seen is skin, not a whole face (a whole head seen from the side leaves room around it)."""
    height, width = shape[:2]
    x, y, w, h = box
    margin_x, margin_y = FRAME_MARGIN * width, FRAME_MARGIN * height
    edges = (x <= margin_x, y <= margin_y, x + w >= width - margin_x, y + h >= height - margin_y)
    return sum(edges) >= 2

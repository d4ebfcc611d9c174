"""Side views for tests, rendered from a frontal photo (no side-view photo with a free licence ships with the
project's dependencies): the face's 3-D mesh (FaceMesh on the photo) is turned about the vertical axis and
each mesh triangle's texture is warped to where the turned triangle lands, far triangles first, hidden ones
culled. What comes out is the face alone on a grey background, turned by `yaw` degrees: positive turns the
subject to their right (their left cheek toward the camera, the nose toward the image's left).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np


@lru_cache(maxsize=1)
def _triangles() -> np.ndarray:
    from mediapipe.python.solutions import face_mesh_connections

    edges = face_mesh_connections.FACEMESH_TESSELATION
    neighbours: dict[int, set[int]] = {}
    for a, b in edges:
        neighbours.setdefault(a, set()).add(b)
        neighbours.setdefault(b, set()).add(a)
    triangles = {tuple(sorted((a, b, c))) for a, b in edges for c in neighbours[a] & neighbours[b]}
    return np.array(sorted(triangles))


def turn_face(rgb: np.ndarray, landmarks: np.ndarray, yaw: float, background: int = 110) -> np.ndarray:
    """`rgb` with its face (FaceMesh `landmarks` of it) turned by `yaw` degrees."""
    import cv2

    points = landmarks[:468].astype(np.float64)
    centre = points.mean(axis=0)
    angle = np.radians(yaw)
    x, z = points[:, 0] - centre[0], points[:, 2] - centre[2]
    turned_x = centre[0] + x * np.cos(angle) + z * np.sin(angle)
    turned_z = -x * np.sin(angle) + z * np.cos(angle)
    out = np.full_like(rgb, background)
    triangles = _triangles()
    for triangle in triangles[np.argsort(-turned_z[triangles].mean(axis=1))]:
        source = points[triangle, :2].astype(np.float32)
        target = np.stack([turned_x[triangle], points[triangle, 1]], axis=1).astype(np.float32)
        if np.sign(np.cross(target[1] - target[0], target[2] - target[0])) != \
                np.sign(np.cross(source[1] - source[0], source[2] - source[0])):
            continue  # facing away from the camera once turned
        x0, y0 = np.maximum(np.floor(target.min(axis=0)).astype(int), 0)
        x1, y1 = np.ceil(target.max(axis=0)).astype(int) + 1
        x1, y1 = min(x1, rgb.shape[1]), min(y1, rgb.shape[0])
        if x1 <= x0 or y1 <= y0:
            continue
        offset = np.array([x0, y0], np.float32)
        matrix = cv2.getAffineTransform(source, (target - offset).astype(np.float32))
        patch = cv2.warpAffine(rgb, matrix, (int(x1 - x0), int(y1 - y0)), flags=cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_REFLECT)
        inside = np.zeros(patch.shape[:2], np.uint8)
        cv2.fillConvexPoly(inside, np.round(target - offset).astype(np.int32), 1)
        region = out[y0:y1, x0:x1]
        region[inside.astype(bool)] = patch[inside.astype(bool)]
    return out


def turned_photo(rgb: np.ndarray, landmarks: np.ndarray, yaw: float, side: int = 420) -> np.ndarray:
    """The turned face framed as people photograph a side view: the head fills the frame (`side` px tall)."""
    import cv2

    turned = turn_face(rgb, landmarks, yaw)
    (x0, y0), (x1, y1) = landmarks[:, :2].min(axis=0), landmarks[:, :2].max(axis=0)
    margin = 0.5 * max(x1 - x0, y1 - y0)
    top, bottom = int(max(0, y0 - margin)), int(min(rgb.shape[0], y1 + margin))
    left, right = int(max(0, x0 - margin)), int(min(rgb.shape[1], x1 + margin))
    crop = turned[top:bottom, left:right]
    factor = side / crop.shape[0]
    return np.ascontiguousarray(cv2.resize(crop, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC))

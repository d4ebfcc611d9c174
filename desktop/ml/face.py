"""Face detection and dense landmarks, offline, from the models bundled in mediapipe 0.10.21.

Two stages, because each is good at one thing: the full-range BlazeFace detector finds every face (small or
far ones too) and so gives the face count; FaceMesh (478 points with iris refinement) then runs on a crop
around the largest face, which keeps landmarks accurate on big photos where the face is a small part.
mediapipe graphs are not thread-safe, so every call holds a lock.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import numpy as np

from desktop.ml.imaging import ImageError

CROP_MARGIN = 0.45  # of the detector box, on each side: FaceMesh wants forehead and chin inside the crop
TILE_BELOW = 800  # images with a longer side than this are also searched tile by tile when nothing is found
MESH_INPUT_SIDE = 512  # crops are scaled to at most this before FaceMesh (it works at 192x192 internally)


@dataclass(frozen=True)
class Face:
    box: tuple[int, int, int, int]  # x, y, w, h in the analysed image's pixels
    score: float
    landmarks: np.ndarray  # (478, 3) float32: x, y in pixels; z in pixels, relative (smaller = nearer)


@dataclass(frozen=True)
class FaceFindings:
    count: int  # faces the detector found
    face: Face | None  # the largest, with landmarks; None when no face was found


class FaceFinder:
    """Wraps mediapipe's legacy `solutions` graphs; they load on first use, so creating a finder costs nothing
    until a photo needs it (the load time: `bench/bench_analyze.py`)."""

    def __init__(self, min_confidence: float = 0.5) -> None:
        self._min_confidence = min_confidence
        self._lock = threading.Lock()
        self._detector: Any = None
        self._mesh: Any = None

    def _ensure_models(self) -> None:
        if self._detector is not None:
            return
        try:
            from mediapipe.python.solutions import face_detection, face_mesh
        except ImportError as exc:  # pragma: no cover - depends on the installation
            raise ImageError("model_missing", f"The face model is not installed ({exc}).") from exc
        self._detector = face_detection.FaceDetection(
            model_selection=1, min_detection_confidence=self._min_confidence)
        self._mesh = face_mesh.FaceMesh(
            static_image_mode=True, max_num_faces=1, refine_landmarks=True,
            min_detection_confidence=self._min_confidence)

    def find(self, rgb: np.ndarray) -> FaceFindings:
        """Find faces in an RGB uint8 image; landmarks for the largest one."""
        with self._lock:
            self._ensure_models()
            boxes = self._detect(rgb)
            if not boxes:
                return FaceFindings(0, None)
            box, score = max(boxes, key=lambda b: b[0][2] * b[0][3])
            landmarks = self._landmarks(rgb, box)
        if landmarks is None:
            return FaceFindings(len(boxes), None)
        return FaceFindings(len(boxes), Face(box=box, score=score, landmarks=landmarks))

    def _detect(self, rgb: np.ndarray) -> list[tuple[tuple[int, int, int, int], float]]:
        """Detect on the whole image; when that finds nothing on a large image, on overlapping tiles too
        (the detector sees a 192 px thumbnail, where a far-away face in a big photo is only a few pixels)."""
        boxes = self._detect_once(rgb)
        height, width = rgb.shape[:2]
        if boxes or max(height, width) < TILE_BELOW:
            return boxes
        tile_h, tile_w = int(height * 0.6), int(width * 0.6)
        for y0 in (0, height - tile_h):
            for x0 in (0, width - tile_w):
                for (x, y, w, h), score in self._detect_once(rgb[y0:y0 + tile_h, x0:x0 + tile_w]):
                    box = (x + x0, y + y0, w, h)
                    if all(_iou(box, other) < 0.3 for other, _ in boxes):
                        boxes.append((box, score))
        return boxes

    def _detect_once(self, rgb: np.ndarray) -> list[tuple[tuple[int, int, int, int], float]]:
        height, width = rgb.shape[:2]
        result = self._detector.process(np.ascontiguousarray(rgb))
        boxes = []
        for det in result.detections or []:
            rel = det.location_data.relative_bounding_box
            x0 = max(0, round(rel.xmin * width))
            y0 = max(0, round(rel.ymin * height))
            x1 = min(width, round((rel.xmin + rel.width) * width))
            y1 = min(height, round((rel.ymin + rel.height) * height))
            if x1 - x0 >= 8 and y1 - y0 >= 8:
                boxes.append(((x0, y0, x1 - x0, y1 - y0), float(det.score[0])))
        return boxes

    def _landmarks(self, rgb: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray | None:
        import cv2

        height, width = rgb.shape[:2]
        x, y, w, h = box
        side = max(w, h) * (1 + 2 * CROP_MARGIN)
        cx, cy = x + w / 2, y + h / 2 - 0.1 * h  # the detector box sits low: shift up to keep the forehead
        x0, y0 = int(max(0, cx - side / 2)), int(max(0, cy - side / 2))
        x1, y1 = int(min(width, cx + side / 2)), int(min(height, cy + side / 2))
        crop = rgb[y0:y1, x0:x1]
        factor = min(1.0, MESH_INPUT_SIDE / max(crop.shape[:2]))
        if factor < 1.0:
            crop = cv2.resize(crop, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
        result = self._mesh.process(np.ascontiguousarray(crop))
        if not result.multi_face_landmarks:
            return None
        ch, cw = crop.shape[:2]
        points = np.array([(p.x, p.y, p.z) for p in result.multi_face_landmarks[0].landmark], dtype=np.float32)
        points[:, 0] = points[:, 0] * cw / factor + x0
        points[:, 1] = points[:, 1] * ch / factor + y0
        points[:, 2] = points[:, 2] * cw / factor
        return points


def _iou(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> float:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    ix = max(0, min(ax + aw, bx + bw) - max(ax, bx))
    iy = max(0, min(ay + ah, by + bh) - max(ay, by))
    inter = ix * iy
    return inter / float(aw * ah + bw * bh - inter) if inter else 0.0

"""Face detection and dense landmarks, offline, from the models bundled in mediapipe 0.10.21 and OpenCV.

Live guidance (`find`) and photos (`find_photo`) search differently, because they see different pictures.
A webcam frame shows a frontal face at arm's length: the full-range BlazeFace detector finds it (small or far
faces too, which gives the face count), and FaceMesh (478 points with iris refinement) runs on a crop around
the largest face, which keeps landmarks accurate on big photos where the face is a small part.
Photos people and dermatologists take show faces turned up to 90° that fill the frame. The full-range model
misses most of those; the short-range model finds them once the image has a grey margin around it (the
detector wants some context around a face), FaceMesh's own detector finds more, and a face in full profile,
past what either holds, is found by OpenCV's profile-face cascade (trained on faces looking to the image's
left; the mirror image finds the other side), which gives a box and the side but no landmarks. Each photo is
searched in that order, cheapest and most accurate first, and the search stops at the first stage that works.
mediapipe graphs are not thread-safe, so every call holds a lock.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from desktop.ml.imaging import ImageError
from desktop.ml.native_log import silenced_native_stderr

CROP_MARGIN = 0.45  # of the detector box, on each side: FaceMesh wants forehead and chin inside the crop
TILE_BELOW = 800  # images with a longer side than this are also searched tile by tile when nothing is found
MESH_INPUT_SIDE = 320  # crops are scaled to at most this before FaceMesh (it works at 192x192 internally)
SEARCH_SIDE = 640  # FaceMesh's own search runs on a copy this big at most (its landmarks keep ~1 mm detail)
DETECT_SIDE = 320  # the short-range detector's search: it sees a 128 px thumbnail anyway
SEARCH_PAD = 0.25  # grey margin around the searched photo, per side, as a share of its longest side
PROFILE_SEARCH_SIDE = 320  # the cascade's search: faces it is for fill a fifth of the photo or more
PROFILE_MIN_FACE = 0.2  # the profile cascade looks for faces at least this share of the shorter side
Box = tuple[int, int, int, int]  # x, y, w, h in the analysed image's pixels


@dataclass(frozen=True)
class Face:
    box: Box
    score: float
    landmarks: np.ndarray  # (478, 3) float32: x, y in pixels; z in pixels, relative (smaller = nearer)


@dataclass(frozen=True)
class FaceFindings:
    count: int  # faces the detector found
    face: Face | None  # the largest, with landmarks; None when no landmarks could be placed
    box: Box | None = None  # the largest face's box, also when only a detector or the profile cascade found it
    profile_side: str | None = None  # "left"/"right" (subject's side toward the camera) from the profile cascade
    method: str = "none"  # which stage found the face: "detector", "mesh" or "profile_cascade"


class FaceFinder:
    """Wraps mediapipe's legacy `solutions` graphs; they load on first use, so creating a finder costs nothing
    until a photo needs it (the load time: `bench/bench_analyze.py`)."""

    def __init__(self, min_confidence: float = 0.5) -> None:
        self._min_confidence = min_confidence
        self._lock = threading.Lock()
        self._detector: Any = None
        self._near_detector: Any = None
        self._mesh: Any = None
        self._profile: Any = None

    def _ensure_models(self) -> None:
        if self._detector is not None:
            return
        try:
            from mediapipe.python.solutions import face_detection, face_mesh
        except ImportError as exc:  # pragma: no cover - depends on the installation
            raise ImageError("model_missing", f"The face model is not installed ({exc}).") from exc
        with silenced_native_stderr():
            detector = face_detection.FaceDetection(model_selection=1, min_detection_confidence=self._min_confidence)
            near = face_detection.FaceDetection(model_selection=0, min_detection_confidence=self._min_confidence)
            mesh = face_mesh.FaceMesh(static_image_mode=True, max_num_faces=1, refine_landmarks=True,
                                      min_detection_confidence=self._min_confidence)
            warm = _warm_up_image()  # the first inference on a face prints the rest of the native log
            for graph in (detector, near, mesh):
                graph.process(warm)
        self._detector, self._near_detector, self._mesh = detector, near, mesh

    def find(self, rgb: np.ndarray) -> FaceFindings:
        """Live frames: faces with the full-range detector; landmarks for the largest one."""
        with self._lock:
            self._ensure_models()
            boxes = self._detect(rgb)
            if not boxes:
                return FaceFindings(0, None)
            box, score = max(boxes, key=lambda b: b[0][2] * b[0][3])
            landmarks = self._landmarks(rgb, box)
        if landmarks is None:
            return FaceFindings(len(boxes), None, box, method="detector")
        return FaceFindings(len(boxes), Face(box=box, score=score, landmarks=landmarks), box, method="detector")

    def find_photo(self, rgb: np.ndarray) -> FaceFindings:
        """Photos: a face at any yaw, near or far (the stages are in the module docstring)."""
        with self._lock:
            self._ensure_models()
            tiny, tiny_factor = _search_copy(rgb, DETECT_SIDE)
            boxes = self._detect_padded(tiny, self._near_detector, tiny_factor, rgb.shape)
            if not boxes:
                boxes = self._detect(rgb)
            landmarks = None
            if boxes:
                box, score = max(boxes, key=lambda b: b[0][2] * b[0][3])
                landmarks = self._landmarks(rgb, box)
            method = "detector"
            if landmarks is None:
                small, factor = _search_copy(rgb)  # only the later stages search this copy
                landmarks = self._mesh_padded(small, factor)
                method = "mesh" if landmarks is not None and not boxes else method
                if landmarks is None:
                    profile = self._profile_search(small, factor, rgb.shape)
                    if not boxes:
                        return profile
                    side = (profile.profile_side or _keypoint_side(self._near_detector, _padded(tiny)[0])
                            or _keypoint_side(self._detector, rgb))
                    return FaceFindings(len(boxes), None, box, profile_side=side, method="detector")
        if not boxes:
            box, score = _landmark_box(landmarks, rgb.shape), 0.5
        return FaceFindings(max(1, len(boxes)), Face(box=box, score=score, landmarks=landmarks), box, method=method)

    def _detect(self, rgb: np.ndarray) -> list[tuple[Box, float]]:
        """Detect on the whole image; when that finds nothing on a large image, on overlapping tiles too
        (the detector sees a 192 px thumbnail, where a far-away face in a big photo is only a few pixels)."""
        boxes = _boxes(self._detector, rgb)
        height, width = rgb.shape[:2]
        if boxes or max(height, width) < TILE_BELOW:
            return boxes
        tile_h, tile_w = int(height * 0.6), int(width * 0.6)
        for y0 in (0, height - tile_h):
            for x0 in (0, width - tile_w):
                for (x, y, w, h), score in _boxes(self._detector, rgb[y0:y0 + tile_h, x0:x0 + tile_w]):
                    box = (x + x0, y + y0, w, h)
                    if all(_iou(box, other) < 0.3 for other, _ in boxes):
                        boxes.append((box, score))
        return boxes

    def _detect_padded(self, small: np.ndarray, detector: Any, factor: float,
                       shape: tuple[int, ...]) -> list[tuple[Box, float]]:
        padded, pad = _padded(small)
        found = []
        for (x, y, w, h), score in _boxes(detector, padded):
            box = _clip_box(((x - pad) / factor, (y - pad) / factor, w / factor, h / factor), shape)
            if box is not None:
                found.append((box, score))
        return found

    def _mesh_padded(self, small: np.ndarray, factor: float) -> np.ndarray | None:
        """FaceMesh with its own detector on the whole (padded) photo: it finds some turned faces the
        detectors miss."""
        padded, pad = _padded(small)
        points = _mesh_points(self._mesh, padded)
        if points is None:
            return None
        points[:, :2] -= pad
        return np.asarray(points / factor, dtype=np.float32)

    def _landmarks(self, rgb: np.ndarray, box: Box) -> np.ndarray | None:
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
        points = _mesh_points(self._mesh, crop)
        if points is None:
            return None
        points /= factor
        points[:, 0] += x0
        points[:, 1] += y0
        return points

    def _profile_search(self, small: np.ndarray, factor: float, shape: tuple[int, ...]) -> FaceFindings:
        """The profile cascade on the photo (faces looking to the image's left: the subject's left side
        toward the camera) and on its mirror image (the right side)."""
        import cv2

        if self._profile is None:
            self._profile = cv2.CascadeClassifier(str(profile_cascade_path()))
        small, extra = _search_copy(small, PROFILE_SEARCH_SIDE)
        factor *= extra
        grey = cv2.equalizeHist(cv2.cvtColor(small, cv2.COLOR_RGB2GRAY))
        smallest = max(24, int(min(grey.shape) * PROFILE_MIN_FACE))
        best: tuple[float, Box, str] | None = None
        for side, image, mirrored in (("left", grey, False), ("right", cv2.flip(grey, 1), True)):
            for x, y, w, h in _cascade(self._profile, image, smallest):
                x = image.shape[1] - x - w if mirrored else x
                box = _clip_box((x / factor, y / factor, w / factor, h / factor), shape)
                if box is not None and (best is None or w * h > best[0]):
                    best = (float(w * h), box, side)
        if best is None:
            return FaceFindings(0, None)
        return FaceFindings(1, None, best[1], profile_side=best[2], method="profile_cascade")


def profile_cascade_path() -> Path:
    """The profile-face cascade that ships inside opencv-python (cv2/data/)."""
    import cv2

    return Path(cv2.__file__).parent / "data" / "haarcascade_profileface.xml"


def _warm_up_image() -> np.ndarray:
    """A non-square photo with a face (the public-domain astronaut), so every calculator of the graphs runs
    once while their log lines are silenced; a grey frame where scikit-image's data is missing."""
    try:
        from skimage import data

        return np.ascontiguousarray(np.asarray(data.astronaut())[0:300, 100:400][:, :260])
    except Exception:  # pragma: no cover - scikit-image's sample data is part of the app's dependencies
        return np.full((96, 72, 3), 128, np.uint8)


def _search_copy(rgb: np.ndarray, side: int = SEARCH_SIDE) -> tuple[np.ndarray, float]:
    import cv2

    factor = min(1.0, side / max(rgb.shape[:2]))
    if factor == 1.0:
        return rgb, 1.0
    size = (max(1, round(rgb.shape[1] * factor)), max(1, round(rgb.shape[0] * factor)))
    return np.asarray(cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)), factor


def _padded(rgb: np.ndarray) -> tuple[np.ndarray, int]:
    import cv2

    pad = int(max(rgb.shape[:2]) * SEARCH_PAD)
    return np.asarray(cv2.copyMakeBorder(rgb, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=(128, 128, 128))), pad


def _boxes(detector: Any, rgb: np.ndarray) -> list[tuple[Box, float]]:
    height, width = rgb.shape[:2]
    result = detector.process(np.ascontiguousarray(rgb))
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


def _keypoint_side(detector: Any, rgb: np.ndarray) -> str | None:
    """The side a face without landmarks turns toward the camera, from the detector's key points: a nose tip
    left of the eyes' midpoint (in the image) points to the subject's right, so their left side shows."""
    detections = detector.process(np.ascontiguousarray(rgb)).detections or []
    if not detections:
        return None
    largest = max(detections, key=lambda d: d.location_data.relative_bounding_box.width)
    points = largest.location_data.relative_keypoints  # right eye, left eye, nose tip, mouth, ears
    if len(points) < 3:
        return None
    eyes_mid = (points[0].x + points[1].x) / 2
    return "left" if points[2].x < eyes_mid else "right"


def _mesh_points(mesh: Any, rgb: np.ndarray) -> np.ndarray | None:
    """FaceMesh on `rgb`: (478, 3) float32 in its pixels, or None."""
    result = mesh.process(np.ascontiguousarray(rgb))
    if not result.multi_face_landmarks:
        return None
    height, width = rgb.shape[:2]
    points = np.array([(p.x, p.y, p.z) for p in result.multi_face_landmarks[0].landmark], dtype=np.float32)
    points[:, 0] *= width
    points[:, 1] *= height
    points[:, 2] *= width
    return points


def _cascade(classifier: Any, grey: np.ndarray, smallest: int) -> list[tuple[int, int, int, int]]:
    found = classifier.detectMultiScale(grey, scaleFactor=1.15, minNeighbors=5, minSize=(smallest, smallest))
    return [tuple(int(v) for v in box) for box in found]  # type: ignore[misc]


def _clip_box(box: tuple[float, float, float, float], shape: tuple[int, ...]) -> Box | None:
    x, y, w, h = box
    x0, y0 = max(0, round(x)), max(0, round(y))
    x1, y1 = min(shape[1], round(x + w)), min(shape[0], round(y + h))
    return (x0, y0, x1 - x0, y1 - y0) if x1 - x0 >= 8 and y1 - y0 >= 8 else None


def _landmark_box(landmarks: np.ndarray, shape: tuple[int, ...]) -> Box:
    x0, y0 = landmarks[:, :2].min(axis=0)
    x1, y1 = landmarks[:, :2].max(axis=0)
    return _clip_box((float(x0), float(y0), float(x1 - x0), float(y1 - y0)), shape) or (0, 0, shape[1], shape[0])


def _iou(a: Box, b: Box) -> float:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    ix = max(0, min(ax + aw, bx + bw) - max(ax, bx))
    iy = max(0, min(ay + ah, by + bh) - max(ay, by))
    inter = ix * iy
    return inter / float(aw * ah + bw * bh - inter) if inter else 0.0



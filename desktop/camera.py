"""Camera sources behind one small interface, free of Qt: real webcams (OpenCV) and image files.

The UI reads frames through `CameraSource.read()` in a worker thread, so a file-backed source drives the very
same code path as a webcam: tests, demos and benchmarks feed photos through it on machines with no camera.
Frames are RGB uint8. Nothing here touches the network.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

log = logging.getLogger(__name__)
MAX_PROBED_CAMERAS = 4  # OpenCV cannot list devices; indexes 0..3 cover built-in plus a few USB cameras


class CameraError(Exception):
    """A camera that cannot be opened or stopped delivering; the message is for people."""


@dataclass(frozen=True)
class CameraInfo:
    index: int
    name: str


class CameraSource(Protocol):
    def read(self) -> np.ndarray | None:
        """The next RGB frame (blocks for at most one frame interval); None when the camera has gone."""

    def close(self) -> None: ...


class CameraProvider(Protocol):
    def available(self) -> list[CameraInfo]: ...

    def open(self, index: int) -> CameraSource: ...


class OpenCVCamera:
    """A webcam through `cv2.VideoCapture`, asked for 640×480 (enough for guidance; captures use it as is)."""

    def __init__(self, index: int, width: int = 1280, height: int = 720) -> None:
        import cv2

        self._capture = cv2.VideoCapture(index)
        if not self._capture.isOpened():
            raise CameraError(f"Camera {index} cannot be opened (is another app using it?).")
        self._capture.set(cv2.CAP_PROP_FRAME_WIDTH, width)
        self._capture.set(cv2.CAP_PROP_FRAME_HEIGHT, height)

    def read(self) -> np.ndarray | None:
        import cv2

        ok, frame = self._capture.read()
        if not ok or frame is None:
            return None
        return np.ascontiguousarray(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))

    def close(self) -> None:
        self._capture.release()


class OpenCVCameras:
    """Lists the webcams OpenCV can open, by probing the first few indexes (quietly: no warnings on stderr)."""

    def available(self) -> list[CameraInfo]:
        import cv2

        os.environ.setdefault("OPENCV_VIDEOIO_PRIORITY_OBSENSOR", "0")
        previous = cv2.getLogLevel() if hasattr(cv2, "getLogLevel") else None
        if previous is not None:
            cv2.setLogLevel(0)
        found = []
        try:
            for index in range(MAX_PROBED_CAMERAS):
                capture = cv2.VideoCapture(index)
                if capture.isOpened():
                    found.append(CameraInfo(index, f"Camera {index + 1}"))
                capture.release()
        finally:
            if previous is not None:
                cv2.setLogLevel(previous)
        return found

    def open(self, index: int) -> CameraSource:
        return OpenCVCamera(index)


class FileCamera:
    """Frames from image files, looped, paced at `fps` (0 = as fast as they can be read)."""

    def __init__(self, frames: Sequence[np.ndarray], fps: float = 30.0) -> None:
        if not frames:
            raise CameraError("The file camera has no frames.")
        self._frames = [np.ascontiguousarray(f) for f in frames]
        self._interval = 1.0 / fps if fps > 0 else 0.0
        self._next = time.perf_counter()
        self._position = 0
        self._closed = False

    def read(self) -> np.ndarray | None:
        if self._closed:
            return None
        if self._interval:
            delay = self._next - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            self._next = max(self._next + self._interval, time.perf_counter())
        frame = self._frames[self._position % len(self._frames)]
        self._position += 1
        return frame

    def close(self) -> None:
        self._closed = True


class FileCameras:
    """A provider with one 'camera' per list of image files: for tests, demos and benchmarks."""

    def __init__(self, paths: Sequence[Path], fps: float = 30.0, size: tuple[int, int] | None = (640, 480)) -> None:
        self._paths = list(paths)
        self._fps = fps
        self._size = size
        self.opened = 0

    def available(self) -> list[CameraInfo]:
        return [CameraInfo(0, "Test camera (image files)")] if self._paths else []

    def open(self, index: int) -> CameraSource:
        from desktop.ml.imaging import load_image

        self.opened += 1
        frames = [_fit(load_image(p).rgb, self._size) for p in self._paths]
        return FileCamera(frames, self._fps)


class NoCameras:
    """A provider for machines without a camera (kiosks configured for photo import only)."""

    def available(self) -> list[CameraInfo]:
        return []

    def open(self, index: int) -> CameraSource:
        raise CameraError("No camera is connected.")


def _fit(rgb: np.ndarray, size: tuple[int, int] | None) -> np.ndarray:
    """Letterbox `rgb` into `size` (w, h) as a webcam would deliver it: same aspect, grey borders."""
    if size is None:
        return rgb
    import cv2

    width, height = size
    scale = min(width / rgb.shape[1], height / rgb.shape[0])
    resized = cv2.resize(rgb, (max(1, round(rgb.shape[1] * scale)), max(1, round(rgb.shape[0] * scale))),
                         interpolation=cv2.INTER_AREA)
    canvas = np.full((height, width, 3), 96, np.uint8)
    top, left = (height - resized.shape[0]) // 2, (width - resized.shape[1]) // 2
    canvas[top:top + resized.shape[0], left:left + resized.shape[1]] = resized
    return canvas


def demo_webcam_frame() -> np.ndarray:
    """scikit-image's public-domain astronaut photo framed as a webcam shows a user (head and shoulders,
    centred): the one stand-in frame for tests, benchmarks and screenshots on machines without a camera."""
    from skimage import data

    return np.ascontiguousarray(np.asarray(data.astronaut())[0:300, 100:400])

"""The live camera pipeline: a reader thread, a guidance thread, and newest-frame-only hand-offs.

The reader pulls frames at the camera's pace and keeps only the newest one. The preview is pulled by the UI
(`take_preview`) once per `preview_ready` signal, so a slow repaint drops frames instead of queueing them; the
guidance thread checks whichever frame is newest when it is free, so frames that arrive during a check are
dropped too. Nothing here blocks the UI thread: stopping only sets a flag.
"""

from __future__ import annotations

import threading
import time

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage

from desktop.camera import CameraError, CameraProvider, CameraSource
from desktop.capture import Guidance, LiveGuide
from desktop.errors import ErrorNotifier
from desktop.ui.tasks import emit_safely
from desktop.ui.widgets import to_qimage

MAX_FPS = 60.0  # no screen shows more; a camera (or file source) that delivers faster is read at this pace


class LivePreview(QObject):
    preview_ready = Signal()  # a new frame waits in take_preview()
    guidance_ready = Signal(object)  # Guidance of a recent frame, with that frame kept in `checked_frame`
    stopped = Signal(str)  # "" when stopped on purpose, else a sentence for people

    def __init__(self, provider: CameraProvider, guide: LiveGuide, notifier: ErrorNotifier) -> None:
        super().__init__()
        self._provider, self._guide, self._notifier = provider, guide, notifier
        self._lock = threading.Condition()
        self._newest: np.ndarray | None = None
        self._newest_id = 0
        self._preview: QImage | None = None
        self._preview_waiting = False
        self._running = False
        self._generation = 0
        self._threads: list[threading.Thread] = []
        self.checked_frame: np.ndarray | None = None
        self.target_view = "front"  # the view the guidance checks frames for (set by the UI; one str: atomic)
        self.frames_read = 0
        self.frames_shown = 0
        self.checks_run = 0

    @property
    def running(self) -> bool:
        return self._running

    def start(self, index: int) -> None:
        """Open camera `index` in the reader thread (opening can take a second on real hardware)."""
        self.stop()
        with self._lock:
            self._running = True
            self._generation += 1
            generation = self._generation
        self._threads += [
            threading.Thread(target=self._read_loop, args=(index, generation), name="camera-reader", daemon=True),
            threading.Thread(target=self._guide_loop, args=(generation,), name="capture-guidance", daemon=True)]
        for thread in self._threads[-2:]:
            thread.start()

    def stop(self, wait: float = 0.0) -> None:
        """Stop reading; with `wait`, also join the threads (on close, so none emits into a deleted object)."""
        with self._lock:
            self._running = False
            self._generation += 1
            self._newest = None
            self._preview = None
            self._lock.notify_all()
        if wait:
            for thread in self._threads:
                thread.join(wait)
        self._threads = [t for t in self._threads if t.is_alive()]

    def newest_frame(self) -> np.ndarray | None:
        with self._lock:
            return self._newest

    def take_preview(self) -> QImage | None:
        with self._lock:
            image, self._preview, self._preview_waiting = self._preview, None, False
        if image is not None:
            self.frames_shown += 1
        return image

    def forget_frames(self) -> None:
        """Drop every frame held in memory (the kiosk wipe)."""
        with self._lock:
            self._newest, self._preview, self.checked_frame = None, None, None

    def _alive(self, generation: int) -> bool:
        return self._running and self._generation == generation

    def _read_loop(self, index: int, generation: int) -> None:
        camera: CameraSource | None = None
        reason = ""
        try:
            camera = self._provider.open(index)
            next_read = time.perf_counter()
            while self._alive(generation):
                delay = next_read - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                next_read = max(next_read + 1.0 / MAX_FPS, time.perf_counter())
                frame = camera.read()
                if frame is None:
                    reason = "The camera stopped sending pictures. Check its cable or pick another camera."
                    break
                with self._lock:
                    convert = not self._preview_waiting  # the UI still has an unpainted frame: skip this one
                image = to_qimage(frame) if convert else None  # converted here, not on the UI thread
                with self._lock:
                    if not self._alive(generation):
                        break
                    self.frames_read += 1
                    self._newest, self._newest_id = frame, self._newest_id + 1
                    notify = image is not None and not self._preview_waiting
                    if image is not None:
                        self._preview = image
                        self._preview_waiting = True
                    self._lock.notify_all()
                if notify:
                    emit_safely(self.preview_ready)
        except CameraError as exc:
            reason = str(exc)
        except Exception as exc:  # a driver error must stop the preview, not the app
            self._notifier.notify_exception(exc, "The camera failed")
            reason = "The camera failed; see the message for details."
        finally:
            if camera is not None:
                camera.close()
        if self._generation == generation:
            with self._lock:
                self._running = False
                self._lock.notify_all()
            emit_safely(self.stopped, reason)

    def _guide_loop(self, generation: int) -> None:
        seen = 0
        while True:
            with self._lock:
                while self._alive(generation) and (self._newest is None or self._newest_id == seen):
                    self._lock.wait(0.5)
                if not self._alive(generation):
                    return
                frame, seen = self._newest, self._newest_id
            assert frame is not None
            try:
                guidance: Guidance = self._guide.check(frame, self.target_view)
            except Exception as exc:
                self._notifier.notify_exception(exc, "The live check failed")
                time.sleep(0.5)
                continue
            with self._lock:
                if not self._alive(generation):
                    return
                self.checked_frame = frame
                self.checks_run += 1
            emit_safely(self.guidance_ready, guidance)


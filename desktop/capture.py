"""Live capture guidance and auto-capture, free of Qt so the rules are testable on their own.

The camera view runs `LiveGuide.check` on the newest frame whenever the previous check has finished (frames
that arrive meanwhile are dropped), and feeds each result to `AutoCapture`, which fires once the photo has been
good for `hold_seconds` without a break, the way commercial analysers take the picture for you.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from desktop.ml.face import FaceFinder
from desktop.ml.quality import CHECKS, assess

HOLD_SECONDS = 1.0
READY_MESSAGE = "Hold still…"


@dataclass(frozen=True)
class Guidance:
    ok: bool
    codes: list[str] = field(default_factory=list)
    instructions: list[str] = field(default_factory=list)
    box: tuple[int, int, int, int] | None = None  # face box in frame pixels
    frame_size: tuple[int, int] = (0, 0)  # (width, height) of the checked frame
    ms: float = 0.0  # how long the check took

    @property
    def message(self) -> str:
        """The one instruction to show now: the first failing check, or 'hold still' when all pass."""
        return self.instructions[0] if self.instructions else READY_MESSAGE


class LiveGuide:
    """Face detection + landmarks + the capture checks of the analysis engine, on one frame."""

    def __init__(self, faces: FaceFinder) -> None:
        self._faces = faces

    def check(self, rgb: np.ndarray) -> Guidance:
        start = time.perf_counter()
        findings = self._faces.find(rgb)
        size = (int(rgb.shape[1]), int(rgb.shape[0]))
        if findings.face is None:
            check = CHECKS["no_face"]
            return Guidance(False, [check.code], [check.instruction], None, size, _ms(start))
        quality = assess(rgb, findings)
        x, y, w, h = findings.face.box
        return Guidance(quality.ok, list(quality.issues), list(quality.instructions),
                        (int(x), int(y), int(w), int(h)), size, _ms(start))


class AutoCapture:
    """Fires once when guidance has been OK continuously for `hold_seconds`; any bad frame restarts the wait."""

    def __init__(self, hold_seconds: float = HOLD_SECONDS) -> None:
        self.hold_seconds = hold_seconds
        self._good_since: float | None = None
        self._fired = False

    def update(self, ok: bool, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        if not ok or self._fired:
            self._good_since = None if not ok else self._good_since
            return False
        if self._good_since is None:
            self._good_since = now
        if now - self._good_since >= self.hold_seconds:
            self._fired = True
            return True
        return False

    def progress(self, now: float | None = None) -> float:
        """0..1: how far through the hold the user is (drawn as a ring around the face guide)."""
        if self._good_since is None:
            return 0.0
        now = time.monotonic() if now is None else now
        return min(1.0, (now - self._good_since) / self.hold_seconds) if self.hold_seconds > 0 else 1.0

    def reset(self) -> None:
        self._good_since = None
        self._fired = False


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000

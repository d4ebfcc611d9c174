"""Live capture guidance and auto-capture, free of Qt so the rules are testable on their own.

The camera view runs `LiveGuide.check` on the newest frame whenever the previous check has finished (frames
that arrive meanwhile are dropped), and feeds each result to `AutoCapture`, which fires once the photo has been
good for `hold_seconds` without a break, the way commercial analysers take the picture for you. A check is
made for a `target` view: "front" judges a frontal face as the analysis does; "left"/"right" want the head
turned so that cheek faces the camera (and skip the checks a profile cannot pass, as the analysis does).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from desktop.ml.face import FaceFinder
from desktop.ml.quality import CHECKS, MAX_YAW, Check, assess, head_pose
from desktop.ml.views import side_for_yaw

HOLD_SECONDS = 1.0
READY_MESSAGE = "Hold still…"
# A live side view must be clearly past the front view's limit (`quality.MAX_YAW`), so a head wavering at the
# limit is not taken for a side view; mesh yaw reads a real 45° turn as about 25-30°.
SIDE_MIN_YAW = MAX_YAW + 5.0
TURN = {  # what to say when the head is not turned far enough toward the target side (subject's point of view)
    "left": Check("turn_to_show_left", "Turn your head to your right, so the camera sees your left cheek."),
    "right": Check("turn_to_show_right", "Turn your head to your left, so the camera sees your right cheek."),
}
TURN_BACK = Check("turn_back", "Turn back a little toward the camera, so your face can still be found.")


@dataclass(frozen=True)
class Guidance:
    ok: bool
    codes: list[str] = field(default_factory=list)
    instructions: list[str] = field(default_factory=list)
    box: tuple[int, int, int, int] | None = None  # face box in frame pixels
    frame_size: tuple[int, int] = (0, 0)  # (width, height) of the checked frame
    ms: float = 0.0  # how long the check took
    target: str = "front"  # the view this frame was checked for
    yaw: float | None = None  # degrees, + when the subject's left cheek faces the camera

    @property
    def message(self) -> str:
        """The one instruction to show now: the first failing check, or 'hold still' when all pass."""
        return self.instructions[0] if self.instructions else READY_MESSAGE


class LiveGuide:
    """Face detection + landmarks + the capture checks of the analysis engine, on one frame."""

    def __init__(self, faces: FaceFinder) -> None:
        self._faces = faces

    def check(self, rgb: np.ndarray, target: str = "front") -> Guidance:
        start = time.perf_counter()
        findings = self._faces.find(rgb)
        size = (int(rgb.shape[1]), int(rgb.shape[0]))
        if findings.face is None:
            check = CHECKS["no_face"] if target == "front" else TURN_BACK
            return Guidance(False, [check.code], [check.instruction], findings.box, size, _ms(start), target)
        yaw = head_pose(findings.face.landmarks)[0]
        quality = assess(rgb, findings, None, target)
        codes, instructions = list(quality.issues), list(quality.instructions)
        if target in TURN and (abs(yaw) < SIDE_MIN_YAW or side_for_yaw(yaw) != target):
            codes.insert(0, TURN[target].code)
            instructions.insert(0, TURN[target].instruction)
        x, y, w, h = findings.face.box
        return Guidance(not codes, codes, instructions, (int(x), int(y), int(w), int(h)), size, _ms(start),
                        target, round(yaw, 1))


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

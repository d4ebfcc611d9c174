"""The guided three-view capture (front, then the left cheek, then the right), free of Qt so its rules are
testable on their own.

A booth photographs every client from the front and from both sides; a single webcam does the same by asking
the person to turn. Each step checks the live frames for its own view (`LiveGuide.check(frame, target)`) and
takes the photo by itself once that view has been good for the hold time, exactly as the one-photo capture
does; guidance checked for an earlier step (still in flight when the step changed) is ignored. The photos are
kept in memory only, in step order, until the analysis takes them.
"""

from __future__ import annotations

import numpy as np

from desktop.capture import HOLD_SECONDS, AutoCapture, Guidance

STEPS = ("front", "left", "right")
PROMPTS = {
    "front": "Look straight at the camera.",
    "left": "Now turn your head to your right, so the camera sees your left cheek.",
    "right": "Now turn your head to your left, so the camera sees your right cheek.",
}
NAMES = {"front": "front", "left": "left cheek", "right": "right cheek"}


class ThreeViewCapture:
    """Steps through `STEPS`; `update` takes the photo of the current step when its view has held steady."""

    def __init__(self, hold_seconds: float = HOLD_SECONDS) -> None:
        self.auto = AutoCapture(hold_seconds)
        self.frames: dict[str, np.ndarray] = {}

    @property
    def target(self) -> str | None:
        """The view being captured now; None once all three are taken."""
        return next((view for view in STEPS if view not in self.frames), None)

    @property
    def done(self) -> bool:
        return self.target is None

    @property
    def step_number(self) -> int:
        """1-based number of the current step (len(STEPS) once done)."""
        return min(len(self.frames) + 1, len(STEPS))

    def prompt(self) -> str:
        target = self.target
        return "All three views are taken." if target is None else PROMPTS[target]

    def update(self, guidance: Guidance, frame: np.ndarray | None, now: float | None = None) -> str | None:
        """Feed one checked frame; returns the view just captured, else None."""
        target = self.target
        if target is None or frame is None or guidance.target != target:
            return None
        if not self.auto.update(guidance.ok, now):
            return None
        return self.take(frame)

    def take(self, frame: np.ndarray) -> str | None:
        """Take `frame` as the current step's photo now (the manual shutter); returns that view."""
        target = self.target
        if target is not None:
            self.frames[target] = frame.copy()
            self.auto.reset()
        return target

    def photos(self) -> list[tuple[str, np.ndarray]]:
        """(view, frame) in step order, for the analysis."""
        return [(view, self.frames[view]) for view in STEPS if view in self.frames]

    def reset(self) -> None:
        self.frames.clear()
        self.auto.reset()

"""The guided three-view scan on the capture screen: a switch, the step being taken, and the hand-off of the
three photos. The rules (which view, when to take it) are `desktop.three_views.ThreeViewCapture`; this panel
shows them and tells the live pipeline which view to check frames for.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QWidget

from desktop.capture import TURN, Guidance
from desktop.three_views import NAMES, STEPS, ThreeViewCapture
from desktop.ui.live import LivePreview

TURN_CODES = {check.code for check in TURN.values()}


class ThreeViewPanel(QWidget):
    view_taken = Signal(str)  # one of STEPS
    finished = Signal(list)  # list[tuple[str, np.ndarray]]: (view, RGB frame) in step order

    def __init__(self, live: LivePreview, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.live = live
        self.session = ThreeViewCapture()
        self.switch = QCheckBox("&Three views: front, left and right (as a skin booth takes them)")
        self.switch.setAccessibleName("Guided three-view scan")
        self.switch.toggled.connect(lambda _on: self.restart())
        self.step = QLabel("")
        self.step.setAccessibleName("Three-view step")
        self.step.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.switch)
        layout.addStretch(1)
        layout.addWidget(self.step)
        self.restart()

    @property
    def active(self) -> bool:
        return self.switch.isChecked()

    def restart(self) -> None:
        """Start again from the front view (switch toggled, camera restarted, a scan finished)."""
        self.session.reset()
        self._show_step()

    def instruction(self, guidance: Guidance) -> str:
        """The line to show under the preview: this step's request, then what else still needs fixing."""
        prompt = self.session.prompt()
        if guidance.target != self.session.target:
            return prompt
        others = [text for code, text in zip(guidance.codes, guidance.instructions, strict=False)
                  if code not in TURN_CODES]
        return f"{prompt} {others[0]}" if others else prompt

    def on_guidance(self, guidance: Guidance, frame: np.ndarray | None) -> None:
        self._taken(self.session.update(guidance, frame))

    def take(self, frame: np.ndarray | None) -> None:
        """The manual shutter during a three-view scan: the current step's photo, good or not."""
        if frame is not None:
            self._taken(self.session.take(frame))

    def _taken(self, taken: str | None) -> None:
        if taken is None:
            return
        self.view_taken.emit(taken)
        if self.session.done:
            photos = self.session.photos()
            self.restart()
            self.finished.emit(photos)
        else:
            self._show_step()

    def progress(self) -> float:
        return self.session.auto.progress()

    def _show_step(self) -> None:
        target = self.session.target
        self.live.target_view = target if self.active and target is not None else "front"
        if not self.active or target is None:
            self.step.setText("")
            return
        taken = ", ".join(NAMES[v] for v in STEPS if v in self.session.frames)
        self.step.setText(f"Step {self.session.step_number} of {len(STEPS)}: {NAMES[target]}"
                          + (f" (taken: {taken})" if taken else ""))

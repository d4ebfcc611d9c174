"""Kiosk support: an idle watch over all input, and the admin PIN prompt that guards exit and settings."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QInputDialog, QLineEdit, QWidget

ACTIVITY = {QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove, QEvent.Type.KeyPress, QEvent.Type.Wheel,
            QEvent.Type.TouchBegin, QEvent.Type.TouchUpdate}


class IdleWatch(QObject):
    """Emits `idle` after `seconds` without any mouse, key or touch input anywhere in the application."""

    idle = Signal()

    def __init__(self, seconds: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.idle)
        self.set_seconds(seconds)
        self._installed = False

    def set_seconds(self, seconds: int) -> None:
        self.timer.setInterval(max(1, seconds) * 1000)

    def start(self) -> None:
        app = QApplication.instance()
        if app is not None and not self._installed:
            app.installEventFilter(self)
            self._installed = True
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()
        app = QApplication.instance()
        if app is not None and self._installed:
            app.removeEventFilter(self)
            self._installed = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in ACTIVITY and self.timer.isActive():
            self.timer.start()
        return False


def ask_pin(parent: QWidget, purpose: str, on_pin: Callable[[str], None]) -> QInputDialog:
    """A non-blocking PIN prompt (open(), not exec()); `on_pin` gets what was typed when it is accepted."""
    dialog = QInputDialog(parent)
    dialog.setWindowTitle("Staff only")
    dialog.setLabelText(f"Admin PIN to {purpose}:")
    dialog.setTextEchoMode(QLineEdit.EchoMode.Password)
    dialog.textValueSelected.connect(on_pin)
    dialog.open()
    return dialog

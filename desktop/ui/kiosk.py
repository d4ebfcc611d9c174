"""Kiosk mode: an idle watch over all input, the admin PIN that guards exit and settings, and the controller
that switches the mode on and off and wipes the session when a shopper walks away."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QInputDialog, QLineEdit, QWidget

from desktop.services import Services
from desktop.session import Session
from desktop.settings import verify_pin
from desktop.ui.shell import Shell

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


class KioskController(QObject):
    """Kiosk mode on the window: fullscreen chrome, the idle wipe, and the staff PIN (the unlock lives in the
    session, so a wipe locks the kiosk again)."""

    wiped = Signal()

    def __init__(self, services: Services, session: Session[Any], shell: Shell, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.services, self.session, self.shell = services, session, shell
        self.idle = IdleWatch(services.settings.kiosk_idle_seconds, self)
        self.idle.idle.connect(self.wipe)
        self.pin_dialog: QInputDialog | None = None

    def apply_mode(self) -> None:
        kiosk = self.services.settings.kiosk_mode
        self.shell.set_kiosk(kiosk)
        self.idle.set_seconds(self.services.settings.kiosk_idle_seconds)
        if kiosk:
            self.session.admin_unlocked = False
            self.idle.start()
        else:
            self.idle.stop()

    def ask_admin(self, purpose: str, then: Callable[[], None]) -> None:
        def check(pin: str) -> None:
            if self.unlock(pin):
                then()
            else:
                self.shell.show_status("Wrong PIN.", 5000)

        self.pin_dialog = ask_pin(self.shell.dialog_parent(), purpose, check)

    def unlock(self, pin: str) -> bool:
        self.session.admin_unlocked = verify_pin(pin, self.services.settings.kiosk_pin_hash)
        return self.session.admin_unlocked

    def wipe(self) -> None:
        """Forget the person who just used the kiosk (the session's one reset), close what they left open, and
        greet the next person with the consent screen."""
        self.session.reset()
        self.shell.close_message_boxes()
        self.shell.show_page("consent")
        self.wiped.emit()

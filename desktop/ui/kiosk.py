"""Kiosk mode: an idle watch over all input, a "Still there?" countdown before the wipe, the admin PIN that
guards exit and settings, and the controller that switches the mode on and off and wipes the session when a
shopper walks away."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QApplication, QFrame, QInputDialog, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from desktop.services import Services
from desktop.session import Session
from desktop.settings import verify_pin
from desktop.ui.shell import Shell

ACTIVITY = {QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove, QEvent.Type.KeyPress, QEvent.Type.Wheel,
            QEvent.Type.TouchBegin, QEvent.Type.TouchUpdate}
WARN_SECONDS = 15  # the "Still there?" countdown before a wipe (at most half the idle time)
CARD_WIDTH = 560


class IdleWatch(QObject):
    """Emits `warning` when `seconds` minus a countdown have passed without any mouse, key or touch input
    anywhere in the application, then `countdown(n)` every second, then `idle` at zero; any input before that
    emits `resumed` and starts the wait again."""

    warning = Signal(int)  # seconds left
    countdown = Signal(int)  # seconds left, every second
    resumed = Signal()
    idle = Signal()

    def __init__(self, seconds: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self._warn)
        self.tick = QTimer(self)
        self.tick.setInterval(1000)
        self.tick.timeout.connect(self._count_down)
        self.left = 0
        self.warn_seconds = WARN_SECONDS
        self.set_seconds(seconds)
        self._installed = False

    def set_seconds(self, seconds: int) -> None:
        seconds = max(2, seconds)
        self.warn_seconds = min(WARN_SECONDS, seconds // 2)
        self.timer.setInterval((seconds - self.warn_seconds) * 1000)

    @property
    def warning_shown(self) -> bool:
        return self.tick.isActive()

    def start(self) -> None:
        app = QApplication.instance()
        if app is not None and not self._installed:
            app.installEventFilter(self)
            self._installed = True
        self.tick.stop()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()
        self.tick.stop()
        app = QApplication.instance()
        if app is not None and self._installed:
            app.removeEventFilter(self)
            self._installed = False

    def _warn(self) -> None:
        self.left = self.warn_seconds
        self.tick.start()
        self.warning.emit(self.left)

    def _count_down(self) -> None:
        self.left -= 1
        if self.left > 0:
            self.countdown.emit(self.left)
            return
        self.tick.stop()
        self.idle.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in ACTIVITY and (self.timer.isActive() or self.tick.isActive()):
            if self.tick.isActive():
                self.tick.stop()
                self.resumed.emit()
            self.timer.start()
        return False


class StillThere(QWidget):
    """The countdown over the whole window (the screen dims behind it): big enough to read from a step away,
    one big button to stay. Any touch anywhere also keeps the session (the idle watch sees it)."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("still_there")
        self.card = QFrame(self)
        self.card.setAutoFillBackground(True)
        self.card.setFrameShape(QFrame.Shape.Box)
        self.title = QLabel("<h1>Still there?</h1>")
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stay_button = QPushButton("I'm still here")
        self.stay_button.setMinimumSize(260, 64)
        self.stay_button.clicked.connect(self.hide)
        layout = QVBoxLayout(self.card)
        layout.setContentsMargins(36, 24, 36, 28)
        layout.setSpacing(16)
        layout.addWidget(self.title, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.message)
        layout.addWidget(self.stay_button, 0, Qt.AlignmentFlag.AlignHCenter)
        parent.installEventFilter(self)
        self.hide()

    def show_seconds(self, seconds: int) -> None:
        self.message.setText(f"<p style='font-size:20px'>For your privacy this screen clears in <b>{seconds} s</b>."
                             "<br>Touch the screen to keep going.</p>")
        self._place()
        self.show()
        self.raise_()

    def _place(self) -> None:
        parent = self.parentWidget()
        if parent is None:
            return
        self.setGeometry(parent.rect())
        width = min(parent.width() - 40, CARD_WIDTH)
        layout = self.card.layout()
        height = layout.heightForWidth(width) if layout is not None and layout.hasHeightForWidth() else 240
        self.card.setGeometry((parent.width() - width) // 2, (parent.height() - height) // 2, width, height)

    def paintEvent(self, event: QPaintEvent) -> None:
        QPainter(self).fillRect(self.rect(), QColor(0, 0, 0, 110))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.parentWidget() and event.type() == QEvent.Type.Resize and self.isVisible():
            self._place()
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
        self.still_there = StillThere(shell.dialog_parent())
        self.idle.warning.connect(self.still_there.show_seconds)
        self.idle.countdown.connect(self.still_there.show_seconds)
        self.idle.resumed.connect(self.still_there.hide)
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
            self.still_there.hide()

    def ask_admin(self, purpose: str, then: Callable[[], object]) -> None:
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
        self.still_there.hide()
        self.session.reset()
        self.shell.close_message_boxes()
        self.shell.show_page("consent")
        self.wiped.emit()

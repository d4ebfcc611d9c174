"""What a controller may ask of the main window, and nothing more.

Controllers (kiosk, history, sync, settings) drive pages through the pages' own methods; the few things that
belong to the window itself (which screen shows, the status line, the kiosk's fullscreen chrome, the worker
pool) they reach through this protocol, so they never import the window module and never touch its widgets.
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtWidgets import QWidget

from desktop.ui.tasks import TaskRunner


class Shell(Protocol):
    @property
    def tasks(self) -> TaskRunner: ...

    def show_page(self, name: str) -> None: ...

    def show_status(self, message: str, msecs: int = 0) -> None: ...

    def set_kiosk(self, kiosk: bool) -> None:
        """Fullscreen or not, and the screens' kiosk look (no history, QR codes, staff-only quit)."""

    def close_message_boxes(self) -> None:
        """Close every open message box (what one person left open must not greet the next)."""

    def dialog_parent(self) -> QWidget:
        """The widget that dialogs opened by controllers belong to."""

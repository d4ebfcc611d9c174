"""The window's size and place between runs, in a file of its own (it is not a preference, and losing it is
not worth an error message), and a first size that fits the screen the window opens on.

A saved geometry from a bigger monitor is not trusted blindly either: a window taller than the screen hides
its own buttons (on a 1366×768 laptop or a 1024×600 kiosk panel), so it is shrunk to fit.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

from PySide6.QtCore import QByteArray, QRect, QSize
from PySide6.QtWidgets import QWidget

PREFERRED = QSize(1280, 800)
FILL = 0.94  # of the screen's free area, at most, for a first window that is not maximised


def fitting_size(available: QSize, preferred: QSize = PREFERRED) -> QSize:
    """The first window size on a screen with `available` free pixels (task bars already left out)."""
    return QSize(min(preferred.width(), int(available.width() * FILL)),
                 min(preferred.height(), int(available.height() * FILL)))


def fit_to_screen(window: QWidget) -> None:
    """Shrink and move `window` so the whole of it (frame included) is on the screen it is on."""
    screen = window.screen()
    if screen is None:
        return
    free: QRect = screen.availableGeometry()
    frame = window.frameGeometry().size() - window.geometry().size()
    width = min(window.width(), free.width() - frame.width())
    height = min(window.height(), free.height() - frame.height())
    if (width, height) != (window.width(), window.height()):
        window.resize(width, height)
    x = min(max(window.x(), free.left()), free.right() - window.frameGeometry().width() + 1)
    y = min(max(window.y(), free.top()), free.bottom() - window.frameGeometry().height() + 1)
    window.move(x, y)


def first_size(window: QWidget) -> None:
    screen = window.screen()
    if screen is not None:
        window.resize(fitting_size(screen.availableGeometry().size()))


def restore_geometry(window: QWidget, path: Path) -> None:
    """The saved size and place, fitted to the screen; a first start or a bad file gets `first_size`."""
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
        if not window.restoreGeometry(QByteArray.fromBase64(state["geometry"].encode())):
            raise ValueError("not a saved geometry")
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        first_size(window)
    fit_to_screen(window)


def save_geometry(window: QWidget, path: Path) -> None:
    geometry = bytes(window.saveGeometry().toBase64().data()).decode()
    with contextlib.suppress(OSError):
        path.write_text(json.dumps({"geometry": geometry}), encoding="utf-8")

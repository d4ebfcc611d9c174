"""The window's size and place between runs, in a file of its own: it is not a preference, and losing it is
not worth an error message."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

from PySide6.QtCore import QByteArray
from PySide6.QtWidgets import QWidget


def restore_geometry(window: QWidget, path: Path) -> None:
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
        window.restoreGeometry(QByteArray.fromBase64(state["geometry"].encode()))
    except (OSError, ValueError, KeyError, TypeError):
        pass  # first start or a bad file: default geometry


def save_geometry(window: QWidget, path: Path) -> None:
    geometry = bytes(window.saveGeometry().toBase64().data()).decode()
    with contextlib.suppress(OSError):
        path.write_text(json.dumps({"geometry": geometry}), encoding="utf-8")

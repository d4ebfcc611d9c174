"""Consent before any scan, on every path: each page request, File → Open and Ctrl+O, drag & drop, the camera,
and a kiosk after its idle wipe. Each test tries the path before consent (nothing is analysed, no camera runs,
the consent screen stays), then after it (the same path works), so a gate that blocked everything would fail
as surely as one that let a path through.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QFileDialog

from desktop.camera import demo_webcam_frame
from desktop.settings import hash_pin

pytestmark = pytest.mark.gui
GUARDED = ("capture", "results", "routine", "history")


class Watch:
    """What the window did: the screens it showed and the analyses it started."""

    def __init__(self, window: Any) -> None:
        self.pages: list[str] = []
        self.analyses: list[object] = []
        window.page_changed.connect(self.pages.append)
        window.analysis_done.connect(self.analyses.append)

    def scanned(self) -> bool:
        return "analysing" in self.pages or bool(self.analyses)


@pytest.fixture
def dialogs(monkeypatch: pytest.MonkeyPatch, photo_dir: Path) -> list[str]:
    """File → Open's dialog, answered with the astronaut photo; the list records each time it opened."""
    opened: list[str] = []

    def choose(*args: object, **kwargs: object) -> tuple[str, str]:
        opened.append("open")
        return str(photo_dir / "astronaut.jpg"), ""

    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(choose))
    return opened


def _open_action(window: Any) -> Any:
    return next(a for a in window.menuBar().actions()[0].menu().actions() if a.text() == "&Open photo…")


def _drop(window: Any, path: Path) -> None:
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(path))])
    window.dropEvent(QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, data, Qt.MouseButton.NoButton,
                                Qt.KeyboardModifier.NoModifier))


def _accept(qtbot, window: Any) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(window.pages["consent"].start_button, Qt.MouseButton.LeftButton)
    assert window.current_page == "capture"


def test_no_page_that_shows_a_person_opens_before_consent(qtbot, make_window) -> None:  # type: ignore[no-untyped-def]
    window = make_window()
    watch = Watch(window)
    for name in GUARDED:  # the toolbar, its shortcuts, and a controller asking the window directly
        window.nav[name].trigger()
        assert window.current_page == "consent", name
        window.show_page(name)
        assert window.current_page == "consent", name
    window.nav["settings"].trigger()  # settings stay open to everyone (a kiosk guards them with its PIN)…
    assert window.current_page == "settings"
    for name in GUARDED:  # …but they are no way round the consent screen
        window.nav["settings"].trigger()
        window.nav[name].trigger()
        assert window.current_page == "consent", name
    qtbot.wait(300)
    assert not window.live.running and window.live.frames_read == 0  # the camera never started
    assert not watch.scanned() and "capture" not in watch.pages
    _accept(qtbot, window)
    qtbot.waitUntil(lambda: window.live.frames_read > 0)
    window.nav["history"].trigger()
    assert window.current_page == "history"


def test_file_open_and_ctrl_o_need_consent(qtbot, make_window, dialogs: list[str]) -> None:  # type: ignore[no-untyped-def]
    window = make_window()
    watch = Watch(window)
    _open_action(window).trigger()
    assert _open_action(window).shortcut().toString() == "Ctrl+O"
    window.choose_photo()  # what the capture screen's Import button and the shortcut call
    qtbot.wait(300)
    assert dialogs == [] and not watch.scanned() and window.current_page == "consent"
    _accept(qtbot, window)
    with qtbot.waitSignal(window.analysis_done, timeout=60_000):
        _open_action(window).trigger()
    assert dialogs == ["open"] and window.current_page == "results"


def test_a_dropped_photo_needs_consent(qtbot, make_window, photo_dir: Path) -> None:  # type: ignore[no-untyped-def]
    window = make_window()
    watch = Watch(window)
    _drop(window, photo_dir / "astronaut.jpg")
    window.nav["settings"].trigger()  # the settings screen accepts drops
    _drop(window, photo_dir / "astronaut.jpg")
    assert window.analyze_file(photo_dir / "astronaut.jpg") is None
    qtbot.wait(300)
    assert not watch.scanned() and window.current_page == "consent"
    _accept(qtbot, window)
    with qtbot.waitSignal(window.analysis_done, timeout=60_000) as done:
        _drop(window, photo_dir / "astronaut.jpg")
    assert getattr(done.args[0], "image", None) == "astronaut.jpg"


def test_a_camera_frame_is_not_analysed_before_consent(qtbot, make_window) -> None:  # type: ignore[no-untyped-def]
    window = make_window()
    watch = Watch(window)
    frame = np.ascontiguousarray(demo_webcam_frame())
    window.capture.frame_captured.emit(frame)  # the shutter or auto-capture, however it fired
    assert window.analyze_frame(frame) is None
    qtbot.wait(300)
    assert not watch.scanned() and window.current_page == "consent"
    _accept(qtbot, window)
    with qtbot.waitSignal(window.analysis_done, timeout=60_000):
        window.capture.frame_captured.emit(frame)


def test_a_kiosk_asks_again_after_its_idle_wipe_on_every_path(qtbot, make_window, dialogs: list[str],  # type: ignore[no-untyped-def]
                                                               photo_dir: Path) -> None:
    window = make_window(kiosk_mode=True, kiosk_pin_hash=hash_pin("2468"), consent_given=True)
    assert window.current_page == "consent"  # consent given before, but a kiosk asks each person
    _accept(qtbot, window)
    idle = window.kiosk_controller.idle
    idle.set_seconds(2)  # a one-second "Still there?" countdown before the wipe
    with qtbot.waitSignal(window.kiosk_controller.wiped, timeout=idle.warn_seconds * 1000 + 5_000):
        idle.timer.setInterval(50)  # the quiet time before the countdown has passed
        idle.timer.start()
    assert window.current_page == "consent" and not window.session.consented
    watch = Watch(window)
    for name in GUARDED:
        window.nav[name].trigger()
        window.show_page(name)
    _open_action(window).trigger()
    _drop(window, photo_dir / "astronaut.jpg")
    window.capture.frame_captured.emit(np.ascontiguousarray(demo_webcam_frame()))
    qtbot.wait(300)
    assert dialogs == [] and not watch.scanned() and window.current_page == "consent"
    assert not window.live.running
    _accept(qtbot, window)  # the next person accepts: scanning works again
    with qtbot.waitSignal(window.analysis_done, timeout=60_000):
        _drop(window, photo_dir / "astronaut.jpg")

"""Kiosk mode: fullscreen, QR codes instead of a browser, nothing kept, a countdown then the idle wipe, staff
PIN, touch-sized controls, QR codes of one size with a caption, camera only unless staff allow import."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QDropEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSlider,
    QAbstractSpinBox,
    QComboBox,
    QFileDialog,
    QLineEdit,
    QWidget,
)

from desktop.settings import hash_pin
from desktop.ui.qr import CAPTION, QR_SIDE
from tests.privacy_checks import files_under

pytestmark = pytest.mark.gui
PIN = "2468"


@pytest.fixture
def kiosk(make_window):  # type: ignore[no-untyped-def]
    # photos "kept" is on, to prove kiosk mode keeps nothing anyway
    return make_window(kiosk_mode=True, kiosk_pin_hash=hash_pin(PIN), kiosk_idle_seconds=20,
                       keep_photos=True, consent_given=True)


def test_kiosk_scan_shows_qr_codes_and_idle_wipe_forgets_everything(qtbot, kiosk, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: opened.append(url) or True))
    window = kiosk
    home = window.services.paths.home
    window.tasks.wait_all(10_000)
    before = files_under(home)  # every file under the home, byte for byte, once the window is up
    assert window.isFullScreen()
    assert window.current_page == "consent"  # consent every session, even if given before
    assert not window.nav["history"].isVisible()
    window.pages["consent"].start_button.click()

    with qtbot.waitSignal(window.routine_ready, timeout=60_000):
        pass  # auto-capture from the fake camera
    window.form.submit_button.click()
    qtbot.waitUntil(lambda: window.current_page == "routine")
    cards = window.routine_page.cards
    assert cards and all(c.buy_button is None and c.qr is not None for c in cards)
    assert not cards[0].qr.pixmap().isNull()
    assert {(c.qr.pixmap().width(), c.qr.pixmap().height()) for c in cards} == {(QR_SIDE, QR_SIDE)}
    assert len({len(c.pick.url) for c in cards}) > 1  # links of different lengths, codes of one size
    assert all(c.qr.caption.text() == CAPTION and c.qr.caption.isVisibleTo(c) for c in cards)
    assert window.buy(cards[0].pick.url) is False and opened == []  # no browser hand-off on a kiosk

    window.tasks.wait_all(10_000)
    session = window.session
    kept = [weakref.ref(o) for o in (session.scan, session.scan.report, session.routine, window.live.checked_frame)
            if o is not None]
    assert len(kept) == 4
    idle = window.kiosk_controller.idle
    with qtbot.waitSignal(window.kiosk_controller.wiped, timeout=idle.warn_seconds * 1000 + 5_000):
        idle.timer.setInterval(50)  # the rest of the idle time has passed
        idle.timer.start()
    assert window.current_page == "consent"
    assert window.session.scan is None and window.session.routine is None
    assert window.results.view.image.isNull() and window.capture.view.image.isNull()
    assert window.live.newest_frame() is None and window.live.checked_frame is None
    assert window.routine_page.cards == [] and window.results.overlay_box.count() == 0
    assert window.form.answers().goals == [] and window.form.answers().budget_max is None
    gc.collect()
    assert [ref() for ref in kept] == [None] * 4  # scan, report, routine and captured frame are gone from memory
    window.tasks.wait_all(10_000)
    after = files_under(home)
    assert sorted(after) == sorted(before)  # no file made or removed: no photo, no history row, no log line...
    assert [name for name in after if after[name] != before[name]] == []  # ...and not one byte changed
    assert window.services.history.analyses() == [] and window.services.history.load_profile() is None


def test_settings_and_exit_need_the_admin_pin(qtbot, kiosk) -> None:  # type: ignore[no-untyped-def]
    window = kiosk
    window.request_page("settings")
    dialog = window.kiosk_controller.pin_dialog
    assert window.current_page == "consent" and dialog.isVisible()
    dialog.setTextValue("0000")
    dialog.accept()
    assert window.current_page == "consent" and not window.session.admin_unlocked
    window.close()
    assert window.isVisible()  # exit is refused without the PIN
    dialog = window.kiosk_controller.pin_dialog
    dialog.setTextValue(PIN)
    dialog.accept()
    assert not window.isVisible()


def test_turning_kiosk_mode_on_requires_a_pin(qtbot, make_window) -> None:  # type: ignore[no-untyped-def]
    window = make_window(consent_given=True)
    window.show_page("settings")
    page = window.settings_page
    page.kiosk.setChecked(True)
    page.save_button.click()
    assert "PIN" in page.message.text() and not window.services.settings.kiosk_mode
    page.pin.setText("1357")
    page.save_button.click()
    assert window.services.settings.kiosk_mode and window.isFullScreen()
    assert window.current_page == "consent"
    assert window.kiosk_controller.unlock("1357") and not window.kiosk_controller.unlock("7531")
    assert "1357" not in window.services.paths.settings_file.read_text()


def test_a_countdown_warns_before_the_wipe_and_a_touch_keeps_the_session(qtbot, kiosk) -> None:  # type: ignore[no-untyped-def]
    window = kiosk
    window.pages["consent"].start_button.click()
    controller, idle = window.kiosk_controller, window.kiosk_controller.idle
    banner = controller.still_there
    idle.set_seconds(6)  # 3 s of quiet, then a 3 s countdown
    assert idle.warn_seconds == 3
    wiped: list[int] = []
    controller.wiped.connect(lambda: wiped.append(1))
    with qtbot.waitSignal(idle.warning, timeout=10_000) as warning:
        idle.start()
    assert warning.args == [3] and banner.isVisible() and "3 s" in banner.message.text()
    with qtbot.waitSignal(idle.countdown, timeout=3_000) as tick:
        pass
    assert tick.args == [2] and "2 s" in banner.message.text() and wiped == []
    qtbot.keyClick(window, Qt.Key.Key_Shift)  # someone is still there
    assert not banner.isVisible() and not idle.warning_shown and idle.timer.isActive()
    assert window.current_page != "consent" and wiped == []

    with qtbot.waitSignal(idle.warning, timeout=10_000):
        pass  # nobody touches anything this time
    with qtbot.waitSignal(controller.wiped, timeout=6_000):
        pass
    assert window.current_page == "consent" and not banner.isVisible() and wiped == [1]


def _small_controls(window) -> list[str]:  # type: ignore[no-untyped-def]
    small = []
    kinds = (QAbstractButton, QComboBox, QLineEdit, QAbstractSpinBox, QAbstractSlider)
    for widget in window.findChildren(QWidget):
        if not (isinstance(widget, kinds) and widget.isVisible() and widget.window() is window):
            continue
        if widget.width() < 44 or widget.height() < 44:
            small.append(f"{type(widget).__name__} {getattr(widget, 'text', lambda: '')()!r} "
                         f"{widget.width()}x{widget.height()}")
    return small


def test_kiosk_controls_are_touch_sized(qtbot, kiosk) -> None:  # type: ignore[no-untyped-def]
    window = kiosk
    assert _small_controls(window) == [], "consent"
    window.pages["consent"].start_button.click()
    qtbot.waitUntil(lambda: window.live.newest_frame() is not None)
    assert _small_controls(window) == [], "capture"
    with qtbot.waitSignal(window.routine_ready, timeout=60_000):
        window.capture.take_photo()
    qtbot.waitUntil(lambda: window.current_page == "results")
    assert _small_controls(window) == [], "results"
    window.form.submit_button.click()
    qtbot.waitUntil(lambda: window.current_page == "routine" and bool(window.routine_page.cards))
    assert _small_controls(window) == [], "routine"


def test_a_kiosk_opens_no_file_dialog_unless_staff_allow_import(qtbot, make_window, photo_dir: Path,  # type: ignore[no-untyped-def]
                                                                monkeypatch) -> None:
    asked: list[object] = []
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: asked.append(a) or ("", "")))
    window = make_window(kiosk_mode=True, kiosk_pin_hash=hash_pin(PIN), consent_given=True)
    window.pages["consent"].start_button.click()
    assert not window.capture.import_button.isVisible() and not window.open_action.isEnabled()
    window.choose_photo()
    window.open_action.trigger()
    assert asked == []
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(photo_dir / "astronaut.jpg"))])
    window.dropEvent(QDropEvent(QPointF(5, 5), Qt.DropAction.CopyAction, data, Qt.MouseButton.NoButton,
                                Qt.KeyboardModifier.NoModifier))
    assert window.current_page == "capture" and window.session.scan is None  # the drop was refused

    allowed = make_window(kiosk_mode=True, kiosk_pin_hash=hash_pin(PIN), consent_given=True, kiosk_allow_import=True)
    allowed.pages["consent"].start_button.click()
    assert allowed.capture.import_button.isVisible() and allowed.open_action.isEnabled()
    allowed.choose_photo()
    assert len(asked) == 1

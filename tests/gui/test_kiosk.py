"""Kiosk mode: fullscreen, QR codes instead of a browser, nothing kept, idle wipe, staff PIN."""

from __future__ import annotations

import gc
import weakref

import pytest
from PySide6.QtGui import QDesktopServices

from desktop.settings import hash_pin
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
    assert window.buy(cards[0].pick.url) is False and opened == []  # no browser hand-off on a kiosk

    window.tasks.wait_all(10_000)
    session = window.session
    kept = [weakref.ref(o) for o in (session.scan, session.scan.report, session.routine, window.live.checked_frame)
            if o is not None]
    assert len(kept) == 4
    with qtbot.waitSignal(window.kiosk_controller.wiped, timeout=5_000):
        window.kiosk_controller.idle.timer.setInterval(50)
        window.kiosk_controller.idle.timer.start()
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

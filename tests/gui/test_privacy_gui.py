"""Privacy in the window: a missing key is said in plain words with a fresh start, a machine without a keyring
is told where the key is, and "Delete all my data" leaves no trace under the home (byte-wise)."""

from __future__ import annotations

from pathlib import Path

import keyring
import pytest
from keyring.backends import fail
from PySide6.QtWidgets import QMessageBox

from desktop.history.keys import KEYRING_SERVICE
from desktop.history.store import HistoryStore
from desktop.settings import AppPaths
from tests.privacy_checks import report_needles, sealed_needles, traces_of

pytestmark = pytest.mark.gui


def _button(box: QMessageBox, text: str):  # type: ignore[no-untyped-def]
    return next(b for b in box.buttons() if b.text() == text)


def test_a_missing_key_is_said_plainly_and_the_app_starts_afresh(qtbot, make_window, photo_dir: Path,  # type: ignore[no-untyped-def]
                                                                 memory_keyring, skinlens_home: Path) -> None:
    skinlens_home.mkdir(parents=True)
    old = HistoryStore(AppPaths(skinlens_home).history_db)
    old.add_analysis({"concerns": {"acne": 12.0}})
    old.close()
    memory_keyring.secrets = {k: v for k, v in memory_keyring.secrets.items() if k[0] != KEYRING_SERVICE}

    window = make_window(consent_given=True)
    box = window.history_controller.confirm_box
    assert box is not None and box.isVisible() and box.windowTitle() == "Your history cannot be read"
    assert "not in this computer's keyring" in box.text() and "start afresh" in box.text()
    with qtbot.waitSignal(window.routine_ready, timeout=60_000):
        window.analyze_file(photo_dir / "astronaut.jpg")  # the app still works; the scan is just not saved
    assert "Not saved" in window.statusBar().currentMessage()

    with qtbot.waitSignal(window.history_controller.data_deleted, timeout=10_000):
        _button(box, "Start afresh").click()
    history = window.services.history
    assert history.locked is None and history.analyses() == []
    with qtbot.waitSignal(window.routine_ready, timeout=60_000):
        window.analyze_file(photo_dir / "astronaut.jpg")
    qtbot.waitUntil(lambda: len(history.analyses()) == 1, timeout=10_000)


def test_without_a_keyring_the_app_says_where_the_key_is(qtbot, make_window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    keyring.set_keyring(fail.Keyring())
    window = make_window(consent_given=True)
    box = window.history_controller.notice_box
    assert box is not None and box.isVisible()
    assert "no system keyring" in box.text() and str(tmp_path / "keys") in box.text() and "weaker" in box.text()
    assert window.services.history.key_info.source == "file"


def test_delete_all_my_data_leaves_no_trace_under_the_home(qtbot, make_window, photo_dir: Path) -> None:  # type: ignore[no-untyped-def]
    window = make_window(consent_given=True, keep_photos=True)
    history, home = window.services.history, window.services.paths.home
    for _ in range(2):
        with qtbot.waitSignal(window.routine_ready, timeout=60_000):
            window.analyze_file(photo_dir / "astronaut.jpg")
    qtbot.waitUntil(lambda: len(history.analyses()) == 2 and history.load_profile() is not None, timeout=10_000)
    scans = history.analyses()
    photo = history.photo(scans[0].id)
    assert photo is not None
    pdf = home / "my report.pdf"  # a report exported into the data folder is SkinLens's to remove
    with qtbot.waitSignal(window.history_controller.pdf_written, timeout=20_000):
        from desktop.ui.history_page import HistoryEntry

        window.history_controller.export_pdf(HistoryEntry(*scans[0]), pdf)
    needles = [*report_needles(scans[0].report), photo[300:364], *sealed_needles(home)]
    assert traces_of(home, needles)  # before: the ciphertext is there to be found

    window.nav["settings"].trigger()
    window.settings_page.delete_all_requested.emit()
    with qtbot.waitSignal(window.history_controller.data_deleted, timeout=10_000):
        window.history_controller.confirm_box.accept()
    window.tasks.wait_all(10_000)
    assert traces_of(home, needles) == []  # not in the history file, its WAL, the photos, the log, anywhere
    assert not pdf.exists() and not (home / "photos").exists() and history.analyses() == []
    assert window.session.scan is None

"""History (kept scans, trend, compare, PDF, delete) and settings (token in keyring, sync status, delete all)."""

from __future__ import annotations

import time
from pathlib import Path

import keyring
import pytest

from desktop.sync.client import KEYRING_SERVICE
from tests.integration.conftest import free_port

pytestmark = pytest.mark.gui


def _scan_twice(qtbot, window, photo: Path) -> None:  # type: ignore[no-untyped-def]
    for _ in range(2):
        with qtbot.waitSignal(window.routine_ready, timeout=60_000):
            window.analyze_file(photo)
    qtbot.waitUntil(lambda: len(window.services.history.analyses()) == 2)


def test_history_trend_compare_pdf_and_delete(qtbot, make_window, photo_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    window = make_window(consent_given=True, keep_photos=True)
    _scan_twice(qtbot, window, photo_dir / "astronaut.jpg")
    history = window.services.history
    assert all(scan.has_photo for scan in history.analyses())
    photos = sorted(window.services.paths.photos_dir.iterdir())
    assert len(photos) == 2 and all(history.photo(s.id) for s in history.analyses())

    with qtbot.waitSignal(window.history_controller.history_loaded, timeout=10_000):
        window.nav["history"].trigger()
    page = window.history
    assert page.table.rowCount() == 2
    assert page.chart.labels and all(len(v) == 2 for v in page.chart.series.values())
    page.concern.setCurrentIndex(page.concern.findData("wrinkles"))
    assert list(page.chart.series) == ["wrinkles"]

    ids = [e.id for e in page.entries]
    page.select_ids(ids)
    assert "change" in page.compare.text() and "+0" in page.compare.text()  # same photo twice: no change
    qtbot.waitUntil(lambda: all(not label.pixmap().isNull() for label in page.photos), timeout=10_000)

    page.select_ids(ids[:1])
    target = tmp_path / "report.pdf"
    with qtbot.waitSignal(window.history_controller.pdf_written, timeout=20_000):
        window.history_controller.export_pdf(page.entries[0], target)
    assert target.read_bytes().startswith(b"%PDF") and target.stat().st_size > 30_000  # the photo is in it
    assert [p for p, _ in history.exported_files()] == [target.resolve()]

    with qtbot.waitSignal(window.history_controller.history_loaded, timeout=10_000):
        page.delete_button.click()
    assert page.table.rowCount() == 1 and sum(p.exists() for p in photos) == 1

    page.delete_all_button.click()
    with qtbot.waitSignal(window.history_controller.data_deleted, timeout=10_000):
        window.history_controller.confirm_box.accept()
    assert window.services.history.analyses() == [] and window.services.history.load_profile() is None
    assert not window.services.paths.photos_dir.exists() and page.table.rowCount() == 0
    assert target.exists()  # a report the user saved elsewhere is theirs: listed, not deleted
    assert window.services.store.count() > 900  # the catalog is not personal data and stays


def test_settings_save_token_in_keyring_and_survive_a_dead_server(qtbot, make_window) -> None:  # type: ignore[no-untyped-def]
    window = make_window(consent_given=True)
    window.nav["settings"].trigger()
    page = window.settings_page
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    page.server_url.setText(url)
    page.token.setText("device-token-123")
    page.save_token_button.click()
    assert keyring.get_password(KEYRING_SERVICE, url) == "device-token-123"
    assert page.token.text() == ""
    history = window.services.history
    history.add_analysis({"concerns": {}}, created_at=time.time() - 91 * 86_400)
    new = history.add_analysis({"concerns": {}})
    page.keep_photos.setChecked(True)
    page.retention.setCurrentIndex(page.retention.findData(90))
    page.save_button.click()
    saved = window.services.paths.settings_file.read_text()
    assert url in saved and "device-token-123" not in saved and '"retention_days": 90' in saved
    qtbot.waitUntil(lambda: [row[0] for row in history.analyses()] == [new])  # retention applies at once

    before = window.services.store.count()
    with qtbot.waitSignal(window.sync_controller.sync_finished, timeout=60_000) as status:
        page.sync_button.click()
        assert not page.sync_button.isEnabled()
    assert status.args[0].startswith("Not synced: The sync server cannot be reached")
    assert page.sync_button.isEnabled() and window.services.store.count() == before
    assert window.services.notifier.last is None  # an offline kiosk is normal, not an error

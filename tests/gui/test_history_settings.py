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
    assert len(page.chart.times) == 2 and all(len(v) == 2 for v in page.chart.series.values())
    page.concern.setCurrentIndex(page.concern.findData("wrinkles"))
    assert list(page.chart.series) == ["wrinkles"]

    ids = [e.id for e in page.entries]
    page.select_ids(ids)
    text = page.compare.text()
    assert "change" in text and text.count(">same<") == 8 and ">-0<" not in text  # same photo twice: no change
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


def test_the_trend_has_a_real_time_axis(qtbot) -> None:  # type: ignore[no-untyped-def]
    from desktop.ui.charts import TrendChart, time_ticks

    chart = TrendChart()
    chart.resize(800, 240)
    start = time.mktime((2026, 11, 2, 9, 0, 0, 0, 0, -1))
    chart.set_series([start, start + 86_400, start + 10 * 86_400], {"acne": [10.0, 20.0, None]})
    xs = chart.x_positions()
    assert (xs[1] - xs[0]) / (xs[2] - xs[1]) == pytest.approx(1 / 9)  # a day, then nine days
    area = chart.plot_area()
    assert xs[0] == pytest.approx(area.left()) and xs[2] == pytest.approx(area.right())
    ticks = time_ticks(start, start + 10 * 86_400)
    assert 2 <= len(ticks) <= 6 and all(start - 1 <= t <= start + 10 * 86_400 + 1 for t, _ in ticks)
    assert all(label[0].isdigit() and label.split()[1] in ("Nov", "Dec") for _, label in ticks)
    assert ticks[1][0] - ticks[0][0] in (86_400 * 2, 86_400 * 2 + 3600, 86_400 * 2 - 3600)  # every 2 days
    chart.set_series([start, start], {"acne": [10.0, 12.0]})
    assert chart.x_positions() == [area.center().x()] * 2  # same moment: one place, not spread out


def test_compare_says_better_or_worse_in_colour_and_words_and_never_minus_zero() -> None:
    from desktop.ui.history_page import HistoryEntry, change_words, comparison_html

    assert change_words(10.2, 9.8) == ("same", 0)  # rounds to the same whole score: never "-0"
    assert change_words(10.4, 10.6) == ("+1 (about the same)", 0)
    assert change_words(30.0, 20.0) == ("▼ 10 better", -1)
    assert change_words(20.0, 31.0) == ("▲ 11 worse", 1)
    assert change_words(None, 4.0) == ("—", 0)
    older = HistoryEntry(1, 1_790_000_000.0, {"concerns": {"acne": 30.0, "redness": 10.0, "pores": 5.2}}, None)
    newer = HistoryEntry(2, 1_790_900_000.0, {"concerns": {"acne": 20.0, "redness": 25.0, "pores": 4.8}}, None)
    text = comparison_html(older, newer, "#176b2c", "#b3261e")
    assert "color:#176b2c'><b>▼ 10 better" in text and "color:#b3261e'><b>▲ 15 worse" in text
    assert ">same<" in text and ">-0<" not in text and "+-" not in text


def test_without_a_keyring_the_typed_token_is_used_and_the_message_is_plain(qtbot, make_window) -> None:  # type: ignore[no-untyped-def]
    from keyring.backends import fail

    keyring.set_keyring(fail.Keyring())  # as on a machine with no keyring daemon (the fixture restores it)
    window = make_window(consent_given=True)
    real, used = window.services.make_sync_client, []
    window.services.make_sync_client = lambda url, token: used.append(token) or real(url, token)
    window.nav["settings"].trigger()
    page = window.settings_page
    url = f"http://127.0.0.1:{free_port()}"  # loopback: plain http allowed; nothing listens there
    page.server_url.setText(url)
    with qtbot.waitSignal(window.sync_controller.sync_finished, timeout=60_000) as first:
        page.sync_button.click()  # no token anywhere yet
    assert "no password store" in first.args[0] and "Enter the token" in first.args[0]
    page.token.setText("typed-123")
    page.save_token_button.click()
    status = page.sync_status.text()
    assert "no password store (keyring)" in status and "until you close SkinLens" in status
    assert not any(raw in status.lower() for raw in ("pip", "keyrings.alt", "pypi", "http", "backend"))
    assert page.token.text() == ""  # kept in memory, not in the field
    with qtbot.waitSignal(window.sync_controller.sync_finished, timeout=60_000) as synced:
        page.sync_button.click()
    assert used == ["typed-123"] and synced.args[0].startswith("Not synced: The sync server cannot be reached")
    page.token.setText("typed-456")  # typed, then straight to Sync now: used, not ignored
    with qtbot.waitSignal(window.sync_controller.sync_finished, timeout=60_000):
        page.sync_button.click()
    assert used[-1] == "typed-456"
    home = window.services.paths.home
    assert not [p for p in home.rglob("*") if p.is_file() and b"typed-" in p.read_bytes()]  # never on disk


@pytest.mark.parametrize(("url", "accepted"), [
    ("https://sync.example.com", True), ("https://sync.example.com:8443/api", True), ("", True),
    ("http://127.0.0.1:8000", True), ("http://localhost:8000", True), ("http://[::1]:9000", True),
    ("sync.example.com", False), ("http://sync.example.com", False), ("http://10.0.0.5:8000", False),
    ("ftp://sync.example.com", False), ("https://", False), ("https://host:notaport", False),
])
def test_server_addresses_need_https_except_on_this_computer(url: str, accepted: bool) -> None:
    from desktop.ui.server_url import server_url_problem

    assert (server_url_problem(url) is None) is accepted


def test_settings_refuse_an_address_that_would_send_the_token_in_clear(qtbot, make_window) -> None:  # type: ignore[no-untyped-def]
    window = make_window(consent_given=True)
    window.nav["settings"].trigger()
    page = window.settings_page
    page.server_url.setText("sync.example.com")
    page.save_button.click()
    assert "https://" in page.message.text() and window.services.settings.sync_server_url == ""
    page.server_url.setText("http://sync.example.com")
    page.token.setText("secret")
    page.save_token_button.click()
    assert "unencrypted" in page.sync_status.text()
    assert keyring.get_password(KEYRING_SERVICE, "http://sync.example.com") is None
    with qtbot.waitSignal(window.sync_controller.sync_finished, timeout=5_000) as refused:
        page.sync_button.click()
    assert "unencrypted" in refused.args[0]
    page.server_url.setText("https://sync.example.com")
    page.save_button.click()
    assert window.services.settings.sync_server_url == "https://sync.example.com"


def test_delete_all_defaults_to_no(qtbot, make_window) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QMessageBox

    window = make_window(consent_given=True)
    history = window.services.history
    history.add_analysis({"concerns": {}})
    window.nav["settings"].trigger()
    window.settings_page.delete_button.click()
    box = window.history_controller.confirm_box
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.No)
    assert box.escapeButton() is box.button(QMessageBox.StandardButton.No)
    qtbot.keyClick(box, Qt.Key.Key_Return)  # Enter answers the default: No
    qtbot.waitUntil(lambda: not box.isVisible())
    window.tasks.wait_all(5_000)
    assert len(history.analyses()) == 1

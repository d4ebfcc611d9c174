"""Drive the real window offscreen: photo → analysis in a worker → results → routine → Buy."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices

from desktop.ml.report import AnalysisFailure, SkinReport
from desktop.ui.main_window import URL_ROLE

pytestmark = pytest.mark.gui


def test_photo_to_routine_to_buy(qtbot, make_window, photo_dir: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: opened.append(url.toString()) or True))
    window = make_window()
    assert window.services.store.count() > 900  # seeded from the bundled demo catalog

    with (qtbot.waitSignal(window.routine_ready, timeout=30_000) as routine_signal,
          qtbot.waitSignal(window.analysis_done, timeout=30_000) as analysis_signal):
        window.analyze_file(photo_dir / "astronaut.jpg")
        assert window.progress.isVisible()  # the UI thread is free while the worker runs
    report = analysis_signal.args[0]
    assert isinstance(report, SkinReport)
    assert "Monk scale" in window.results.text()
    assert not window.progress.isVisible()

    routine = routine_signal.args[0]
    first_pick = routine.steps[0].products[0]
    for row in range(window.products.count()):
        if window.products.item(row).data(URL_ROLE) == first_pick.url:
            window.products.setCurrentRow(row)
            break
    assert window.buy_button.isEnabled()
    qtbot.mouseClick(window.buy_button, Qt.MouseButton.LeftButton)
    assert opened == [QUrl(first_pick.url).toString()]
    assert opened[0].startswith("https://")


def test_unreadable_photo_shows_a_sentence_not_a_crash(qtbot, make_window, photo_dir: Path) -> None:  # type: ignore[no-untyped-def]
    window = make_window()
    with qtbot.waitSignal(window.analysis_done, timeout=30_000) as signal:
        window.analyze_file(photo_dir / "not_an_image.jpg")
    assert isinstance(signal.args[0], AnalysisFailure)
    assert "could not be analysed" in window.results.text()
    assert window.products.count() == 0


def test_worker_errors_reach_the_notifier_and_a_message_box(qtbot, make_window) -> None:  # type: ignore[no-untyped-def]
    window = make_window()

    def broken(state: object) -> None:
        raise RuntimeError("database is locked")

    with qtbot.waitSignal(window.error_raised, timeout=10_000) as signal:
        window.tasks.run(broken, lambda result: None)
    assert signal.args[0] == "database is locked"
    qtbot.waitUntil(lambda: getattr(window, "last_error_box", None) is not None)
    assert window.last_error_box.text() == "database is locked"
    assert window.services.notifier.last[0] == "database is locked"


def test_about_box_shows_the_data_attribution(qtbot, make_window) -> None:  # type: ignore[no-untyped-def]
    window = make_window()
    box = window.show_about()
    assert "Vallydia" in box.detailedText() and "CC-BY-4.0" in box.detailedText()
    assert "never leave" in box.text()
    box.close()

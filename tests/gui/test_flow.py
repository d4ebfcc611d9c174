"""The whole flow through the real window, offscreen, with a fake camera playing image files.

consent → live capture (auto-capture when the guidance holds) → analysis in a worker → results with heat maps
→ questionnaire → routine → Buy (QDesktopServices is patched, so the URL it receives is asserted).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QDropEvent

from desktop.camera import NoCameras
from desktop.explain import level
from desktop.ml.report import AnalysisFailure, SkinReport
from desktop.ui.capture_page import NO_CAMERA
from tests import offline_guard

pytestmark = pytest.mark.gui


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    urls: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: urls.append(url.toString()) or True))
    return urls


@pytest.fixture
def offline() -> Iterator[list[str]]:
    """Every socket blocked (tests/offline_guard.py) from before the window is built until after it closed."""
    with offline_guard.blocked() as attempts:
        yield attempts
        attempts_seen = list(attempts)
    assert attempts_seen == []


def test_capture_to_routine_to_buy(offline: list[str], qtbot, make_window, opened: list[str]) -> None:  # type: ignore[no-untyped-def]
    """The live-capture pipeline with the network blocked: camera thread, guidance, analysis, routine, save."""
    window = make_window()
    assert window.current_page == "consent"
    qtbot.mouseClick(window.pages["consent"].start_button, Qt.MouseButton.LeftButton)
    assert window.current_page == "capture"
    assert window.services.settings.consent_given  # shown once per user

    with (qtbot.waitSignal(window.analysis_done, timeout=60_000) as analysis,
          qtbot.waitSignal(window.routine_ready, timeout=60_000) as routine_signal):
        pass  # the fake camera's frames pass the checks; auto-capture fires after ~1 s of good frames
    assert window.live.frames_shown > 5 and window.live.checks_run > 3
    assert window.capture.last_guidance is not None and window.capture.last_guidance.ok
    report = analysis.args[0]
    assert isinstance(report, SkinReport) and report.image == "camera"

    assert window.current_page == "results"
    results = window.results
    assert not results.view.image.isNull()
    assert results.overlay_box.count() == 1 + len(report.maps.names)  # "None" + one heat map per concern
    results.overlay_box.setCurrentIndex(results.overlay_box.findData("redness"))
    assert not results.view._overlay.isNull()
    results.opacity.setValue(30)
    assert results.view.overlay_opacity == pytest.approx(0.3)
    assert f"Monk {report.tone.monk} of 10" in results.tone_text.text()
    for concern, row in results.scores.items():
        score = report.concerns[concern]
        assert row.scale.value == score and row.value.text() == f"{score:.0f} · {level(score)}"
        assert row.meaning.text().startswith(f"{level(score)}: ")

    routine = routine_signal.args[0]
    assert routine.steps and window.routine_page.cards
    qtbot.waitUntil(lambda: len(window.services.history.analyses()) == 1, timeout=10_000)
    with qtbot.waitSignal(window.routine_ready, timeout=30_000):
        qtbot.mouseClick(window.form.submit_button, Qt.MouseButton.LeftButton)
    assert window.current_page == "routine"
    card = window.routine_page.cards[0]
    assert card.qr is None and card.buy_button is not None
    qtbot.mouseClick(card.buy_button, Qt.MouseButton.LeftButton)
    assert opened == [QUrl(card.pick.url).toString()]
    assert opened[0].startswith("https://")


def test_answers_change_the_routine_and_are_remembered(qtbot, make_window, photo_dir: Path, opened: list[str]) -> None:  # type: ignore[no-untyped-def]
    window = make_window(consent_given=True)
    with qtbot.waitSignal(window.routine_ready, timeout=60_000) as first:
        window.analyze_file(photo_dir / "astronaut.jpg")
    before = {p.product_id for s in first.args[0].steps for p in s.products}
    window.form.vegan.setChecked(True)
    window.form.budget.setValue(12)
    window.form.avoid.setText("Glycerin")
    with qtbot.waitSignal(window.routine_ready, timeout=30_000) as second:
        window.refresh_routine()
    routine = second.args[0]
    picks = [p for s in routine.steps for p in s.products]
    assert picks and all(p.price <= 12 for p in picks)
    assert routine.excluded["not_vegan"] > 0 and routine.excluded["avoided_ingredient"] > 0
    assert {p.product_id for p in picks} != before
    assert window.routine_page.vegan.isChecked()  # the quick filter mirrors the answer
    qtbot.waitUntil(lambda: (window.services.history.load_profile() or {}).get("vegan") is True)


def test_photo_import_by_drag_and_drop(qtbot, make_window, photo_dir: Path) -> None:  # type: ignore[no-untyped-def]
    window = make_window(consent_given=True)
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(photo_dir / "astronaut.jpg"))])
    event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, data, Qt.MouseButton.NoButton,
                       Qt.KeyboardModifier.NoModifier)
    with qtbot.waitSignal(window.analysis_done, timeout=60_000) as signal:
        window.dropEvent(event)
        assert window.current_page == "analysing"
    assert isinstance(signal.args[0], SkinReport) and signal.args[0].image == "astronaut.jpg"
    qtbot.waitUntil(lambda: len(window.services.history.analyses()) == 1)  # history keeps the scores…
    assert window.services.history.analyses()[0].has_photo is False  # …but not the photo (off by default)


def test_unreadable_photo_says_why_and_returns_to_capture(qtbot, make_window, photo_dir: Path) -> None:  # type: ignore[no-untyped-def]
    window = make_window(consent_given=True)
    with qtbot.waitSignal(window.analysis_done, timeout=30_000) as signal:
        window.analyze_file(photo_dir / "not_an_image.jpg")
    assert isinstance(signal.args[0], AnalysisFailure) and signal.args[0].code == "not_an_image"
    assert window.current_page == "capture"
    assert "could not be analysed" in window.capture.instruction.text()
    assert window.services.history.analyses() == []


def test_analysis_can_be_cancelled(qtbot, make_window, photo_dir: Path) -> None:  # type: ignore[no-untyped-def]
    window = make_window(consent_given=True)
    handle = window.analyze_file(photo_dir / "astronaut.jpg")
    with qtbot.waitSignal(handle.signals.cancelled, timeout=30_000):
        qtbot.mouseClick(window.pages["analysing"].cancel_button, Qt.MouseButton.LeftButton)
    assert window.current_page == "capture" and window.session.scan is None
    assert window.services.notifier.last is None  # a cancel is not an error


def test_no_camera_says_so_and_offers_import(qtbot, make_window) -> None:  # type: ignore[no-untyped-def]
    window = make_window(cameras=NoCameras(), consent_given=True)
    qtbot.waitUntil(lambda: window.capture.view.placeholder == NO_CAMERA)
    assert not window.capture.shutter.isEnabled() and window.capture.import_button.isEnabled()
    assert not window.live.running


def test_manual_shutter_and_keyboard_navigation(qtbot, make_window) -> None:  # type: ignore[no-untyped-def]
    window = make_window(consent_given=True)
    window.capture.auto_box.setChecked(False)
    qtbot.waitUntil(lambda: window.live.frames_read > 0)
    with qtbot.waitSignal(window.analysis_done, timeout=60_000):
        qtbot.keyClick(window.capture.shutter, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: window.current_page == "results")
    for name in ("routine", "history", "settings", "results"):
        window.nav[name].trigger()
        assert window.current_page == name
    assert window.nav["history"].shortcut().toString() == "Ctrl+4"


def test_worker_errors_reach_the_notifier_and_a_message_box(qtbot, make_window) -> None:  # type: ignore[no-untyped-def]
    window = make_window(consent_given=True)

    def broken(state: object) -> None:
        raise RuntimeError("database is locked")

    with qtbot.waitSignal(window.error_raised, timeout=10_000) as signal:
        window.tasks.run(broken, lambda result: None)
    assert signal.args[0] == "database is locked"
    qtbot.waitUntil(lambda: getattr(window, "last_error_box", None) is not None)
    assert window.last_error_box.text() == "database is locked"


def test_about_box_shows_the_data_attribution(qtbot, make_window) -> None:  # type: ignore[no-untyped-def]
    window = make_window()
    box = window.show_about()
    assert "Vallydia" in box.detailedText() and "CC-BY-4.0" in box.detailedText()
    assert "never leave" in box.text()
    box.close()


def test_gui_command_opens_the_window_offscreen_and_closes(skinlens_home: Path) -> None:
    import os
    import subprocess
    import sys
    import time

    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    start = time.time()
    out = subprocess.run([sys.executable, "-m", "desktop", "gui", "--quit-after-paint"], env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    painted = float(next(x for x in out.stdout.splitlines() if x.startswith("first paint at")).split()[-1])
    assert start < painted < time.time()

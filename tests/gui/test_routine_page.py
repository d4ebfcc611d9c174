"""The routine screen as a person uses it: nothing before a scan or answers, one pick per step with the
alternatives folded, a swap that the warnings and the cost follow, a link to copy when no browser opens, and
the app's PDF export through the same report as `skinlens report`."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from desktop.recommend.questionnaire import Answers

pytestmark = pytest.mark.gui


def test_no_routine_before_a_scan_or_answers(qtbot, make_window) -> None:  # type: ignore[no-untyped-def]
    window = make_window(consent_given=True)
    window.form.vegan.setChecked(True)  # a preference says nothing about the skin
    qtbot.mouseClick(window.form.submit_button, Qt.MouseButton.LeftButton)
    assert window.current_page == "routine"
    assert window.routine_page.cards == [] and window.session.routine is None
    assert "No routine yet" in window.routine_page.summary.text()
    window.form.set_answers(Answers(skin_type="dry"))
    with qtbot.waitSignal(window.routine_ready, timeout=30_000):
        qtbot.mouseClick(window.form.submit_button, Qt.MouseButton.LeftButton)
    assert window.routine_page.cards


def test_one_pick_per_step_alternatives_folded_and_a_swap(qtbot, make_window, photo_dir: Path) -> None:  # type: ignore[no-untyped-def]
    window = make_window(consent_given=True)
    with qtbot.waitSignal(window.routine_ready, timeout=60_000) as arrived:
        window.analyze_file(photo_dir / "astronaut.jpg")
    routine = arrived.args[0]
    page = window.routine_page
    window.show_page("routine")
    steps = [s for s in routine.steps if s.products]
    visible = [c for c in page.cards if c.isVisibleTo(page)]
    assert [c.pick.product_id for c in visible] == [s.products[0].product_id for s in steps]
    assert all(c.choose_button is None for c in visible)
    text = page.summary.text()
    assert "a month" in text and "banned" not in text and "well-rated" not in text
    assert "Annex II" in page.left_out.text() and "banned" not in page.left_out.text()  # says what it means
    assert page.body_layout.indexOf(page.left_out) > page.body_layout.indexOf(visible[-1])  # after the routine

    step = next(s for s in steps if s.alternatives)
    fold = page.fold_buttons[step.step]
    hidden = [c for c in page.cards if c.pick.product_id == step.alternatives[0].product_id]
    assert hidden and not hidden[0].isVisibleTo(page)
    fold.click()
    assert hidden[0].isVisibleTo(page) and hidden[0].choose_button is not None
    hidden[0].choose_button.click()
    assert page.chosen == {step.step: step.alternatives[0].product_id}
    qtbot.waitUntil(lambda: step.alternatives[0].product_id in [  # new cards show after the event loop runs
        c.pick.product_id for c in page.cards if c.isVisibleTo(page) and c.choose_button is None])
    total, _currency, _unknown = routine.monthly_cost(page.chosen)
    assert f"{total:.2f}" in page.summary.text()
    assert page.warnings() == []  # an alternative is offered only when it does not clash


def test_buy_without_a_browser_offers_the_link_to_copy(qtbot, make_window, photo_dir: Path) -> None:  # type: ignore[no-untyped-def]
    window = make_window(consent_given=True)
    window.services.open_url = lambda url: False  # no browser could be started
    with qtbot.waitSignal(window.routine_ready, timeout=60_000):
        window.analyze_file(photo_dir / "astronaut.jpg")
    window.show_page("routine")
    page = window.routine_page
    card = next(c for c in page.cards if c.buy_button is not None)
    assert not page.link_panel.isVisibleTo(page)
    qtbot.mouseClick(card.buy_button, Qt.MouseButton.LeftButton)
    assert page.link_panel.isVisibleTo(page) and page.link_panel.link.text() == card.pick.url
    qtbot.mouseClick(page.link_panel.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == card.pick.url


def test_the_app_exports_the_same_report_as_the_command(qtbot, make_window, photo_dir: Path,  # type: ignore[no-untyped-def]
                                                        tmp_path: Path) -> None:
    window = make_window(consent_given=True, keep_photos=True)
    for _ in range(2):
        with qtbot.waitSignal(window.routine_ready, timeout=60_000):
            window.analyze_file(photo_dir / "astronaut.jpg")
    qtbot.waitUntil(lambda: len(window.services.history.analyses()) == 2)
    with qtbot.waitSignal(window.history_controller.history_loaded, timeout=10_000):
        window.nav["history"].trigger()
    target = tmp_path / "export.pdf"
    with qtbot.waitSignal(window.history_controller.pdf_written, timeout=60_000):
        window.history_controller.export_pdf(window.history.entries[-1], target)
    reader = PdfReader(target)
    text = " ".join(" ".join(p.extract_text() or "" for p in reader.pages).split())
    assert "SkinLens skin report" in text and "Your routine" in text and "Your history" in text
    assert len(reader.pages[0].images) >= 2  # the kept photo and at least one heat map measured on it again
    assert sum(len(p.images) for p in reader.pages[1:]) >= 4  # a QR code per routine step

"""The one reset: the kiosk's idle wipe and "Delete all my data" forget the same session, on every screen.

The first two tests need no Qt (the session is Qt-free by contract); the others drive the real window.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from desktop.camera import NoCameras
from desktop.recommend.questionnaire import Answers
from desktop.session import Session


class _Report:
    def to_dict(self) -> dict[str, Any]:
        return {"image": "x"}


@dataclass
class _Shown:
    report: Any


def test_reset_forgets_the_person_before_the_screens_hear_of_it() -> None:
    session: Session[_Shown] = Session()
    session.scan = _Shown(report=_Report())
    session.answers = Answers(vegan=True, goals=["hydration"])
    session.admin_unlocked = session.show_routine_next = session.consented = True
    seen: list[tuple[object, ...]] = []
    session.on_reset(lambda: seen.append((session.scan, session.routine, session.answers, session.admin_unlocked,
                                          session.show_routine_next, session.consented)))
    ticket = session.ticket()
    assert session.is_current(ticket) and session.report_dict() == {"image": "x"}
    session.reset()
    assert seen == [(None, None, Answers(), False, False, False)]
    assert not session.is_current(ticket) and session.is_current(session.ticket())
    assert session.report_dict() is None


def test_every_listener_hears_every_reset() -> None:
    session: Session[_Shown] = Session()
    calls: list[str] = []
    session.on_reset(lambda: calls.append("a"))
    session.on_reset(lambda: calls.append("b"))
    session.reset()
    session.reset()
    assert calls == ["a", "b", "a", "b"]


def test_each_wipe_outdates_what_was_started_before_it_not_only_the_first() -> None:
    """A kiosk wipes many times a day: a scan the second person started must not reach the third person."""
    session: Session[_Shown] = Session()
    first = session.ticket()
    session.reset()  # the first person's wipe
    second = session.ticket()  # the second person starts a scan…
    assert session.is_current(second) and not session.is_current(first)
    session.reset()  # …and walks away before it finishes
    assert not session.is_current(second) and not session.is_current(first)
    assert session.is_current(session.ticket())


@pytest.mark.gui
def test_delete_all_forgets_the_session_as_the_kiosk_wipe_does(qtbot, make_window, photo_dir: Path) -> None:  # type: ignore[no-untyped-def]
    window = make_window(consent_given=True)
    qtbot.waitUntil(lambda: window.live.newest_frame() is not None)  # the capture screen saw the camera
    with qtbot.waitSignal(window.routine_ready, timeout=60_000):
        window.analyze_file(photo_dir / "astronaut.jpg")
    window.form.vegan.setChecked(True)
    with qtbot.waitSignal(window.routine_ready, timeout=30_000):
        window.refresh_routine(show=True)
    if window.session.scan.report.skin_type.get("label") is None:  # the photo cannot tell the type (issue 19):
        window.form.set_detected_type("oily")  # as a model whose skin type beat chance on real photos would
    assert window.routine_page.vegan.isChecked() and window.form.skin_type.itemText(0) != "As measured"
    window.session.admin_unlocked = True

    window.nav["settings"].trigger()
    window.settings_page.delete_button.click()
    with qtbot.waitSignal(window.history_controller.data_deleted, timeout=10_000):
        window.history_controller.confirm_box.accept()
    session = window.session
    assert session.scan is None and session.routine is None and session.answers == Answers()
    assert not session.admin_unlocked and not session.show_routine_next
    assert window.current_page == "settings"  # unlike the kiosk wipe, the user stays where they were
    assert window.results.view.image.isNull() and window.results.overlay_box.count() == 0
    assert window.routine_page.cards == [] and window.form.answers().goals == []
    assert not window.form.vegan.isChecked() and not window.routine_page.vegan.isChecked()
    assert window.form.skin_type.itemText(0) == "As measured"  # the forgotten scan's measured type is gone too
    assert window.capture.view.image.isNull() and window.live.newest_frame() is None


@pytest.mark.gui
def test_a_routine_that_arrives_after_a_reset_is_dropped(qtbot, make_window) -> None:  # type: ignore[no-untyped-def]
    window = make_window(cameras=NoCameras(), consent_given=True)  # no auto-capture racing the routine
    window.session.reset()  # an earlier person's wipe: the second one below must still drop the routine
    window.form.set_answers(Answers(skin_type="oily"))  # something about the skin: a routine can be made
    handle = window.refresh_routine(show=True)
    assert handle is not None
    window.session.reset()  # e.g. the kiosk wiped while the recommender was still working
    with qtbot.waitSignal(handle.signals.finished, timeout=30_000):
        pass
    assert window.session.routine is None and window.routine_page.cards == []
    assert window.current_page != "routine"  # the forgotten person's routine does not open (the camera may
    # have auto-captured meanwhile: the index build for the first routine takes a while on a loaded machine)

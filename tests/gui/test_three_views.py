"""The guided three-view scan through the real window, offscreen: a camera that plays image files of a person
who does what the screen asks (front, then the left cheek, then the right), or who does not turn.

The side-view files are renders of the astronaut photo's face turned 50° (tests/turned_faces.py), framed in the
webcam's 640x480 as any file camera frame is.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import Qt

from desktop.camera import CameraInfo, CameraSource, FileCamera, demo_webcam_frame
from desktop.ml.report import SkinReport
from desktop.three_views import PROMPTS
from tests.turned_faces import turned_photo

pytestmark = pytest.mark.gui


@pytest.fixture(scope="module")
def view_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from skimage import data

    from desktop.ml.face import FaceFinder

    rgb = np.asarray(data.astronaut())
    face = FaceFinder().find_photo(rgb).face
    assert face is not None
    left = turned_photo(rgb, face.landmarks, 50)
    folder = tmp_path_factory.mktemp("three_views")
    files = {}
    for view, frame in {"front": demo_webcam_frame(), "left": left, "right": left[:, ::-1]}.items():
        files[view] = folder / f"{view}.png"
        Image.fromarray(np.ascontiguousarray(frame)).save(files[view])
    return files


class _Person(FileCamera):
    """Plays the file of the view `posing()` names, frame after frame."""

    def __init__(self, frames: dict[str, np.ndarray], posing: Callable[[], str]) -> None:
        super().__init__(list(frames.values()))
        self._by_view, self._posing = frames, posing

    def read(self) -> np.ndarray | None:
        return None if super().read() is None else self._by_view[self._posing()]


class PersonCamera:
    """A camera provider in front of a person who turns as asked (`obedient`) or keeps facing the camera."""

    def __init__(self, files: dict[str, Path], obedient: bool = True) -> None:
        self._files, self.obedient = files, obedient
        self.asked: Callable[[], str] = lambda: "front"  # set to the window's live target once it exists

    def available(self) -> list[CameraInfo]:
        return [CameraInfo(0, "Test camera (a person, image files)")]

    def open(self, index: int) -> CameraSource:
        from desktop.camera import _fit
        from desktop.ml.imaging import load_image

        frames = {view: _fit(load_image(path).rgb, (640, 480)) for view, path in self._files.items()}
        return _Person(frames, lambda: self.asked() if self.obedient else "front")


def start_three_views(qtbot, make_window, camera: PersonCamera):  # type: ignore[no-untyped-def]
    window = make_window(cameras=camera, start=True)
    camera.asked = lambda: window.live.target_view
    qtbot.mouseClick(window.pages["consent"].start_button, Qt.MouseButton.LeftButton)
    assert window.current_page == "capture"
    window.capture.three_views.switch.setChecked(True)
    return window


def test_three_views_are_taken_in_turn_and_give_one_combined_report(  # type: ignore[no-untyped-def]
        qtbot, make_window, view_files: dict[str, Path]) -> None:
    camera = PersonCamera(view_files)
    window = start_three_views(qtbot, make_window, camera)
    taken: list[str] = []
    window.capture.three_views.view_taken.connect(taken.append)
    with (qtbot.waitSignal(window.analysis_done, timeout=90_000) as analysis,
          qtbot.waitSignal(window.routine_ready, timeout=90_000)):
        pass  # each view is taken by itself once it has held steady for a second
    assert taken == ["front", "left", "right"]
    report = analysis.args[0]
    assert isinstance(report, SkinReport), report
    assert report.view == "session"
    assert [entry["view"] for entry in report.views] == ["front", "left", "right"]
    assert [entry["image"] for entry in report.views] == ["camera front", "camera left", "camera right"]
    assert report.image == "camera front"  # tone, type and the photo on screen come from the front view
    assert window.current_page == "results" and not window.results.view.image.isNull()
    qtbot.waitUntil(lambda: len(window.services.history.analyses()) == 1, timeout=10_000)
    stored = window.services.history.analyses()[0].report
    assert [entry["view"] for entry in stored["views"]] == ["front", "left", "right"]  # history keeps them all
    assert window.live.target_view == "front"  # the next scan starts from the front again


def test_the_side_steps_wait_until_the_person_turns(  # type: ignore[no-untyped-def]
        qtbot, make_window, view_files: dict[str, Path]) -> None:
    camera = PersonCamera(view_files, obedient=False)
    window = start_three_views(qtbot, make_window, camera)
    panel = window.capture.three_views
    analysed: list[object] = []
    window.analysis_done.connect(analysed.append)
    with qtbot.waitSignal(panel.view_taken, timeout=60_000) as first:
        pass
    assert first.args == ["front"]
    assert window.live.target_view == "left" and panel.step.text().startswith("Step 2 of 3: left cheek")
    checks = window.live.checks_run
    qtbot.waitUntil(lambda: window.live.checks_run >= checks + 5, timeout=30_000)
    assert window.capture.instruction.text() == PROMPTS["left"]  # said once, not twice
    assert window.capture.last_guidance is not None
    assert window.capture.last_guidance.codes[:1] == ["turn_to_show_left"]
    assert analysed == [] and list(panel.session.frames) == ["front"]  # a front view is never taken as a side
    camera.obedient = True
    with qtbot.waitSignal(window.analysis_done, timeout=90_000) as analysis:
        pass
    assert [entry["view"] for entry in analysis.args[0].views] == ["front", "left", "right"]


def test_switching_the_three_views_off_goes_back_to_one_photo(  # type: ignore[no-untyped-def]
        qtbot, make_window, view_files: dict[str, Path]) -> None:
    window = start_three_views(qtbot, make_window, PersonCamera(view_files, obedient=False))
    window.capture.three_views.switch.setChecked(False)
    assert window.live.target_view == "front" and window.capture.three_views.step.text() == ""
    with qtbot.waitSignal(window.analysis_done, timeout=60_000) as analysis:
        pass
    report = analysis.args[0]
    assert isinstance(report, SkinReport) and report.view == "front" and report.views is None


def test_the_shutter_takes_the_current_step_and_the_analysis_names_what_it_got(  # type: ignore[no-untyped-def]
        qtbot, make_window, view_files: dict[str, Path]) -> None:
    window = start_three_views(qtbot, make_window, PersonCamera(view_files, obedient=False))
    window.capture.auto_box.setChecked(False)
    panel = window.capture.three_views
    qtbot.waitUntil(lambda: window.live.newest_frame() is not None, timeout=30_000)
    for number in (1, 2):
        qtbot.mouseClick(window.capture.shutter, Qt.MouseButton.LeftButton)
        assert len(panel.session.frames) == number and window.current_page == "capture"
    with qtbot.waitSignal(window.analysis_done, timeout=90_000) as analysis:
        qtbot.mouseClick(window.capture.shutter, Qt.MouseButton.LeftButton)
    report = analysis.args[0]
    assert [entry["image"] for entry in report.views] == ["camera front", "camera left", "camera right"]
    assert [entry["view"] for entry in report.views] == ["front"] * 3  # the person never turned: said so

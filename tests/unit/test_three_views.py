"""The three-view capture's rules without Qt: the live check for each target view, and the steps' order."""

from __future__ import annotations

import numpy as np
import pytest

from desktop.camera import _fit, demo_webcam_frame
from desktop.capture import Guidance, LiveGuide
from desktop.ml.face import FaceFinder
from desktop.three_views import STEPS, ThreeViewCapture
from tests.turned_faces import turned_photo


@pytest.fixture(scope="module")
def frames(astronaut_rgb: np.ndarray) -> dict[str, np.ndarray]:
    """Webcam-framed (640x480) front, left-cheek and right-cheek views."""
    face = FaceFinder().find_photo(astronaut_rgb).face
    assert face is not None
    left = _fit(turned_photo(astronaut_rgb, face.landmarks, 50), (640, 480))
    return {"front": _fit(demo_webcam_frame(), (640, 480)), "left": left, "right": np.ascontiguousarray(left[:, ::-1])}


def test_each_view_passes_only_its_own_check(frames: dict[str, np.ndarray]) -> None:
    guide = LiveGuide(FaceFinder())
    verdicts = {(shown, target): guide.check(frame, target) for shown, frame in frames.items() for target in STEPS}
    assert {key for key, g in verdicts.items() if g.ok} == {(v, v) for v in STEPS}
    assert verdicts[("left", "front")].codes == ["turned_head"]
    assert verdicts[("front", "left")].codes[0] == "turn_to_show_left"
    assert verdicts[("left", "right")].codes[0] == "turn_to_show_right"
    assert verdicts[("left", "left")].yaw is not None and verdicts[("left", "left")].yaw > 0
    assert verdicts[("right", "right")].yaw is not None and verdicts[("right", "right")].yaw < 0
    assert all(g.target == target for (_, target), g in verdicts.items())


def test_the_steps_take_one_photo_each_in_order_after_the_hold() -> None:
    capture = ThreeViewCapture(hold_seconds=1.0)
    frame = np.zeros((4, 4, 3), np.uint8)
    assert capture.target == "front" and capture.step_number == 1
    assert capture.update(Guidance(True, target="front"), frame, now=0.0) is None
    assert capture.update(Guidance(True, target="left"), frame, now=0.5) is None  # a stale check is ignored
    assert capture.update(Guidance(True, target="front"), frame, now=1.0) == "front"
    assert capture.target == "left" and capture.step_number == 2
    assert capture.update(Guidance(True, target="left"), frame, now=1.1) is None  # the hold starts again
    assert capture.update(Guidance(False, target="left"), frame, now=2.0) is None
    assert capture.update(Guidance(True, target="left"), frame, now=2.1) is None
    assert capture.update(Guidance(True, target="left"), frame + 1, now=3.1) == "left"
    capture.update(Guidance(True, target="right"), frame, now=4.0)
    assert capture.update(Guidance(True, target="right"), frame + 2, now=5.0) == "right"
    assert capture.done and capture.target is None
    assert [(view, int(f[0, 0, 0])) for view, f in capture.photos()] == [("front", 0), ("left", 1), ("right", 2)]
    capture.reset()
    assert capture.target == "front" and capture.photos() == []
    assert capture.take(frame) == "front" and capture.target == "left"  # the manual shutter

"""Qt-free parts of the window: camera sources, live guidance, auto-capture, answers, the user's data on disk."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from desktop.camera import CameraError, FileCamera, FileCameras, NoCameras, demo_webcam_frame
from desktop.capture import AutoCapture, LiveGuide
from desktop.history.store import HistoryStore
from desktop.ml.face import FaceFinder
from desktop.ml.maps import heat_rgba
from desktop.recommend.questionnaire import GOAL_FLOOR, Answers, parse_avoid_list
from desktop.settings import SETTINGS_VERSION, AppPaths, Settings, hash_pin, verify_pin
from desktop.userdata import apply_retention, delete_all_user_data, save_scan


def test_auto_capture_fires_once_after_an_unbroken_hold() -> None:
    auto = AutoCapture(hold_seconds=1.0)
    assert not auto.update(True, now=0.0)
    assert not auto.update(True, now=0.6) and auto.progress(now=0.6) == pytest.approx(0.6)
    assert not auto.update(False, now=0.8)  # a bad frame restarts the wait
    assert not auto.update(True, now=1.0)
    assert not auto.update(True, now=1.9)
    assert auto.update(True, now=2.0)
    assert not auto.update(True, now=3.5)  # once only, until reset
    auto.reset()
    assert auto.progress(now=4.0) == 0.0


def test_live_guide_on_a_face_and_on_no_face() -> None:
    guide = LiveGuide(FaceFinder())
    good = guide.check(demo_webcam_frame())
    assert good.ok and good.box is not None and good.message == "Hold still…"
    empty = guide.check(np.full((480, 640, 3), 128, np.uint8))
    assert not empty.ok and empty.codes == ["no_face"] and "face" in empty.message


def test_file_camera_paces_frames_and_stops_when_closed(astronaut_rgb: np.ndarray) -> None:
    camera = FileCamera([astronaut_rgb], fps=50)
    start = time.perf_counter()
    frames = [camera.read() for _ in range(11)]
    assert time.perf_counter() - start >= 0.19  # 10 intervals of 20 ms
    assert all(f is not None and f.shape == astronaut_rgb.shape for f in frames)
    camera.close()
    assert camera.read() is None
    with pytest.raises(CameraError):
        FileCamera([])


def test_file_cameras_letterbox_to_webcam_size(photo_dir: Path) -> None:
    provider = FileCameras([photo_dir / "astronaut.jpg"], fps=0)
    assert [c.index for c in provider.available()] == [0]
    frame = provider.open(0).read()
    assert frame is not None and frame.shape == (480, 640, 3)
    assert NoCameras().available() == []
    with pytest.raises(CameraError):
        NoCameras().open(0)


def test_answers_override_the_photo_and_goals_raise_concerns() -> None:
    report = {"skin_type": {"label": "oily"}, "concerns": {"acne": 10.0, "wrinkles": 70.0, "redness": None}}
    answers = Answers(skin_type="dry", sensitive=True, goals=["clearer", "anti_ageing"], budget_max=20,
                      currency="GBP", vegan=True, avoid=["Alcohol Denat."])
    profile = answers.to_profile(report)
    assert profile.skin_type == "dry" and profile.sensitive
    assert profile.concerns["acne"] == GOAL_FLOOR and profile.concerns["wrinkles"] == 70.0
    assert profile.concerns["texture"] == GOAL_FLOOR and "redness" not in profile.concerns
    assert profile.preferences.vegan and str(profile.preferences.budget_max) == "20"
    assert profile.preferences.avoid_ingredients == ["alcohol denat."]
    assert Answers().to_profile(report).skin_type == "oily"  # no correction: as measured
    assert Answers.from_dict(answers.to_dict()) == answers


def test_saved_answers_are_read_leniently() -> None:
    odd = {"skin_type": "lizard", "goals": ["clearer", "fly"], "budget_max": "cheap", "avoid": ["", "parfum"]}
    answers = Answers.from_dict(odd)
    assert answers.skin_type is None and answers.goals == ["clearer"] and answers.budget_max is None
    assert answers.avoid == ["parfum"] and Answers.from_dict(None) == Answers()
    assert parse_avoid_list("Alcohol Denat., linalool; parfum ,") == ["Alcohol Denat.", "linalool", "parfum"]


def test_kept_photos_retention_and_delete_everything(tmp_path: Path) -> None:
    paths = AppPaths(tmp_path)
    history = HistoryStore(paths.history_db)
    try:
        old = save_scan(history, {"concerns": {"acne": 1}}, b"\xff\xd8old")
        new = save_scan(history, {"concerns": {"acne": 2}}, None)
        assert history.photo(old) == b"\xff\xd8old" and history.photo(new) is None
        (photo,) = paths.photos_dir.iterdir()
        assert b"old" not in photo.read_bytes()  # sealed on disk
        assert apply_retention(history, 0) == 0  # 0 keeps everything
        assert apply_retention(history, 30, now=time.time() + 31 * 86_400) == 2
        assert history.analyses() == [] and not photo.exists()
        save_scan(history, {"concerns": {}}, b"x")
        history.save_profile({"vegan": True})
        paths.calibration_file.write_text("{}")
        delete_all_user_data(history, paths)
        assert history.analyses() == [] and history.load_profile() is None
        assert not paths.photos_dir.exists() and not paths.calibration_file.exists()
    finally:
        history.close()


def test_settings_v1_files_load_and_bad_values_lose_only_their_key(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text('{"version": 1, "sync_server_url": "https://s", "kiosk_idle_seconds": "soon", "auto_sync": 1}')
    settings = Settings.load(path)
    assert settings.version == SETTINGS_VERSION and settings.sync_server_url == "https://s"
    assert settings.kiosk_idle_seconds == Settings().kiosk_idle_seconds and settings.auto_sync is False


def test_pins_are_hashed_and_checked() -> None:
    stored = hash_pin("2468")
    assert "2468" not in stored and verify_pin("2468", stored)
    assert not verify_pin("2469", stored) and not verify_pin("2468", "") and not verify_pin("2468", "a$b$c$d")


def test_heat_maps_are_transparent_where_nothing_shows() -> None:
    rgba = heat_rgba(np.array([[0.0, 0.5, 1.0]], np.float32))
    assert rgba.shape == (1, 3, 4) and rgba[0, 0, 3] == 0 and rgba[0, 1, 3] < rgba[0, 2, 3]
    assert rgba[0, 2, 1] < rgba[0, 0, 1]  # redder as it rises

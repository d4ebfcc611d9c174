"""`skinlens analyze --json` on each view and on a three-view `--session`, as a user's script runs it (a real
subprocess on photo files; CONTRACTS.md, "Additions (2026-12)")."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from tests.turned_faces import turned_photo
from tests.unit.test_analyze_cli import run_cli
from tests.unit.test_views import cheek_closeup

CONCERNS = {"acne", "redness", "dark_spots", "wrinkles", "pores", "oiliness", "dark_circles", "texture"}


@pytest.fixture(scope="module")
def view_photos(tmp_path_factory: pytest.TempPathFactory, astronaut_rgb: np.ndarray) -> dict[str, Path]:
    """front.jpg, left.jpg (turned 50° to her right), right.jpg (its mirror), closeup.jpg, cup.jpg."""
    from skimage import data

    from desktop.ml.face import FaceFinder

    face = FaceFinder().find_photo(astronaut_rgb).face
    assert face is not None
    left = turned_photo(astronaut_rgb, face.landmarks, 50)
    images = {"front": astronaut_rgb, "left": left, "right": left[:, ::-1], "closeup": cheek_closeup(astronaut_rgb),
              "cup": np.asarray(data.coffee())}
    folder = tmp_path_factory.mktemp("views")
    paths = {}
    for name, rgb in images.items():
        paths[name] = folder / f"{name}.jpg"
        cv2.imwrite(str(paths[name]), cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2BGR))
    return paths


def test_each_view_is_named_and_measured_on_what_it_shows(view_photos: dict[str, Path], skinlens_home: Path) -> None:
    names = ["front", "left", "right", "closeup", "cup"]
    result = run_cli("analyze", "--json", *[str(view_photos[n]) for n in names], home=skinlens_home)
    assert result.returncode == 1  # the cup is refused
    assert "Traceback" not in result.stdout + result.stderr
    lines = {Path(line["image"]).stem: line for line in map(json.loads, result.stdout.strip().splitlines())}
    assert {name: lines[name].get("view") for name in names} == {
        "front": "front", "left": "left", "right": "right", "closeup": "closeup", "cup": None}
    assert lines["cup"]["ok"] is False and lines["cup"]["code"] == "no_skin"
    for name in names[:4]:
        line = lines[name]
        assert line["ok"] is True and set(line["concerns"]) == CONCERNS
        assert line["skin_type"]["source"] in {"photo", "unknown"}
        nulls = {c for c, v in line["concerns"].items() if v is None}
        assert {entry["concern"] for entry in line["unmeasured"]} == nulls, name
        assert all(entry["reason"] for entry in line["unmeasured"])
    assert lines["front"]["unmeasured"] == []
    assert lines["closeup"]["face"]["box"] is None
    assert "dark_circles" in {entry["concern"] for entry in lines["closeup"]["unmeasured"]}
    assert lines["left"]["face"]["yaw"] * lines["right"]["face"]["yaw"] < 0  # turned opposite ways


def test_a_forced_view_is_kept_and_a_forced_face_on_a_cup_is_no_face(
        view_photos: dict[str, Path], skinlens_home: Path) -> None:
    result = run_cli("analyze", "--json", "--view", "closeup", str(view_photos["front"]), home=skinlens_home)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["view"] == "closeup"
    result = run_cli("analyze", "--json", "--view", "front", str(view_photos["cup"]), home=skinlens_home)
    assert result.returncode == 1 and json.loads(result.stdout)["code"] == "no_face"
    bad = run_cli("analyze", "--json", "--view", "top", str(view_photos["front"]), home=skinlens_home)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr  # argparse names the choices


def test_a_session_prints_one_combined_line_with_every_view(
        view_photos: dict[str, Path], skinlens_home: Path) -> None:
    images = [str(view_photos[n]) for n in ("front", "left", "right")]
    result = run_cli("analyze", "--json", "--session", *images, home=skinlens_home)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1
    combined = json.loads(lines[0])
    assert combined["ok"] is True and set(combined["concerns"]) == CONCERNS
    assert set(combined) >= {"image", "quality", "face", "tone", "skin_type", "concerns", "unmeasured", "views"}
    assert [Path(v["image"]).stem for v in combined["views"]] == ["front", "left", "right"]
    assert [v["view"] for v in combined["views"]] == ["front", "left", "right"]
    for entry in combined["views"]:
        assert set(entry) >= {"view", "quality", "concerns"}
    acne = [v["concerns"]["acne"] for v in combined["views"]]
    assert combined["concerns"]["acne"] == pytest.approx(sum(acne) / 3, abs=0.06)  # each view that sees it
    assert Path(combined["image"]).stem == "front"  # tone and type from the front view


def test_a_session_keeps_what_only_some_views_measure(view_photos: dict[str, Path], skinlens_home: Path) -> None:
    images = [str(view_photos[n]) for n in ("closeup", "cup", "left")]
    result = run_cli("analyze", "--json", "--session", *images, home=skinlens_home)
    assert result.returncode == 1  # one photo of the session was refused, the line still combines the others
    combined = json.loads(result.stdout)
    assert combined["ok"] is True
    assert [v.get("view") for v in combined["views"]] == ["closeup", None, "left"]
    assert combined["views"][1]["code"] == "no_skin"
    closeup, left = combined["views"][0]["concerns"], combined["views"][2]["concerns"]
    for concern in CONCERNS:
        seen = [v for v in (closeup[concern], left[concern]) if v is not None]
        expected = sum(seen) / len(seen) if seen else None
        assert combined["concerns"][concern] == (pytest.approx(expected, abs=0.06) if seen else None), concern


def test_a_session_of_refused_photos_is_one_failure_line(view_photos: dict[str, Path], skinlens_home: Path) -> None:
    result = run_cli("analyze", "--json", "--session", str(view_photos["cup"]), str(view_photos["cup"]),
                     home=skinlens_home)
    assert result.returncode == 1
    line = json.loads(result.stdout)
    assert line["ok"] is False and line["code"] == "no_skin" and "Traceback" not in result.stderr


def test_the_face_models_native_log_stays_off_the_terminal(view_photos: dict[str, Path], skinlens_home: Path) -> None:
    """mediapipe's graphs print TF Lite / absl lines to descriptor 2 when they load; a user sees none of them
    (no GLOG_minloglevel here: the default a user's shell has)."""
    import subprocess
    import sys

    env = {"SKINLENS_HOME": str(skinlens_home), "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-m", "desktop", "analyze", "--json", str(view_photos["left"])],
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0 and json.loads(result.stdout)["view"] == "left"
    for noise in ("TensorFlow Lite", "XNNPACK", "absl", "InitializeLog", "W0000", "I0000"):
        assert noise not in result.stderr, result.stderr

"""`skinlens analyze --json` end to end, as a user's script would run it (a real subprocess)."""

import json
import subprocess
import sys
from pathlib import Path


def run_cli(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {"SKINLENS_HOME": str(home), "PATH": "/usr/bin:/bin", "GLOG_minloglevel": "2"}
    return subprocess.run([sys.executable, "-m", "desktop", *args], capture_output=True, text=True,
                          env=env, timeout=120)


def test_astronaut_gives_a_valid_line_with_face_box_and_ita(photo_dir: Path, skinlens_home: Path) -> None:
    result = run_cli("analyze", "--json", str(photo_dir / "astronaut.jpg"), home=skinlens_home)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1
    report = json.loads(lines[0])
    assert report["ok"] is True
    assert set(report) >= {"image", "ok", "quality", "face", "tone", "skin_type", "concerns", "timings_ms", "model"}
    x, y, w, h = report["face"]["box"]
    assert 150 < x < 200 and 40 < y < 100 and 90 < w < 130 and 90 < h < 130  # her face, in the 512x512 photo
    assert 40 < report["tone"]["ita"] < 70
    assert report["tone"]["category"] in {"light", "very light"}
    assert 1 <= report["tone"]["monk"] <= 10
    assert set(report["concerns"]) == {"acne", "redness", "dark_spots", "wrinkles", "pores", "oiliness",
                                       "dark_circles", "texture"}
    assert report["timings_ms"]["total"] > 0


def test_bad_inputs_give_ok_false_lines_exit_1_and_no_traceback(photo_dir: Path, skinlens_home: Path) -> None:
    names = ["not_an_image.jpg", "truncated.jpg", "no_face.png", "astronaut.jpg", "missing.jpg"]
    result = run_cli("analyze", "--json", *[str(photo_dir / n) for n in names], home=skinlens_home)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    lines = [json.loads(line) for line in result.stdout.strip().splitlines()]
    assert [Path(line["image"]).name for line in lines] == names  # input order
    codes = {Path(line["image"]).name: line.get("code") for line in lines}
    assert codes == {"not_an_image.jpg": "not_an_image", "truncated.jpg": "truncated_image",
                     "no_face.png": "no_skin", "astronaut.jpg": None, "missing.jpg": "not_found"}
    for line in lines:
        if not line["ok"]:
            assert set(line) == {"image", "ok", "error", "code"}
            assert line["error"][0].isupper() and line["error"].endswith(".")


def test_calibrate_then_analyze_uses_the_profile(photo_dir: Path, skinlens_home: Path, tmp_path: Path) -> None:
    import numpy as np
    from PIL import Image

    from desktop.ml.whitebalance import simulate_cast

    scene = np.asarray(Image.open(photo_dir / "astronaut.jpg")).copy()
    scene[380:500, 20:160] = 170
    Image.fromarray(simulate_cast(scene, 4500)).save(tmp_path / "card.png")
    result = run_cli("calibrate", str(tmp_path / "card.png"), home=skinlens_home)
    assert result.returncode == 0, result.stderr
    assert (skinlens_home / "calibration.json").exists()
    line = json.loads(run_cli("analyze", "--json", str(tmp_path / "card.png"), home=skinlens_home).stdout)
    assert line["white_balance"]["method"] == "calibration"
    assert run_cli("calibrate", "--clear", home=skinlens_home).returncode == 0
    line = json.loads(run_cli("analyze", "--json", str(tmp_path / "card.png"), home=skinlens_home).stdout)
    assert line["white_balance"]["method"] != "calibration"
    no_card = run_cli("calibrate", str(photo_dir / "no_face.png"), home=skinlens_home)
    assert no_card.returncode == 1 and "no_reference_card" in no_card.stderr


def test_doctor_loads_every_bundled_model_and_data_file(capsys) -> None:  # type: ignore[no-untyped-def]
    from desktop.cli import main

    assert main(["doctor", "--json"]) == 0
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert report["checks"] and all(c["ok"] for c in report["checks"].values()), report
    assert "landmarks" in report["checks"]["face models (mediapipe)"]["detail"]


def test_doctor_names_a_missing_model(capsys, monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from desktop import doctor

    monkeypatch.setattr("desktop.ml.infer.resource", lambda *parts: tmp_path.joinpath(*parts))
    assert doctor.run(as_json=False) == 1
    out = capsys.readouterr().out
    assert "BAD concern CNN: RuntimeError: no concern model could be loaded" in out and "ok  demo catalog" in out


def test_python_dash_m_desktop_cli_is_the_same_command(skinlens_home: Path) -> None:
    """`python -m desktop.cli` did nothing (no __main__ guard) while `python -m desktop` and `skinlens` worked."""
    env = {"SKINLENS_HOME": str(skinlens_home), "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-m", "desktop.cli", "--version"], capture_output=True, text=True,
                            env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("skinlens ")

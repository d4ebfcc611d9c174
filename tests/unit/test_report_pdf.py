"""`skinlens report --pdf` end to end (a real subprocess, the real model and catalog), read back with pypdf and,
for the QR codes, from the page as printed (pdftoppm render, OpenCV's QR decoder)."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from pypdf import PdfReader

from desktop.history.keys import KeyVault
from desktop.history.store import HistoryStore
from desktop.report.content import combine_reports
from desktop.resources import resource
from desktop.vocabulary import CONCERNS

STEP_TITLES = ("Cleanse", "Serum", "Treatment", "Moisturise", "Protect (sunscreen)")


def run_cli(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    # no keyring in the subprocess: the history key is a key file in the test's own folder, outside the home
    env = {"SKINLENS_HOME": str(home), "PATH": "/usr/bin:/bin", "GLOG_minloglevel": "2",
           "SKINLENS_KEY_DIR": str(home.parent / f"{home.name}-keys"),
           "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    return subprocess.run([sys.executable, "-m", "desktop", *args], capture_output=True, text=True,
                          env=env, timeout=300)


@pytest.fixture(scope="module")
def printed(photo_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    import keyring
    from keyring.backends import fail

    home = tmp_path_factory.mktemp("report-home")
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())  # (module fixtures run before the per-test keyring is set up)
    try:  # sealed as the window would seal it where there is no keyring: the CLI must find the same key
        history = HistoryStore(home / "history.sqlite3", vault=KeyVault(home, home.parent / f"{home.name}-keys"))
        for acne in (20.0, 35.0):  # two earlier scans: the report draws a trend
            history.add_analysis({"image": "earlier.jpg", "ok": True, "concerns": {"acne": acne, "dark_spots": 30.0}})
        history.close()
    finally:
        keyring.set_keyring(previous)
    out = home / "report.pdf"
    result = run_cli("report", "--pdf", str(out), str(photo_dir / "astronaut.jpg"), home=home)
    return out, result


def _catalog() -> list[dict[str, str]]:
    with resource("catalog", "demo_catalog.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _text(path: Path) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


def test_the_report_has_scores_tone_type_routine_trend_and_disclaimer(
        printed: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    out, result = printed
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and result.stdout.startswith(f"wrote {out}")
    text = " ".join(_text(out).split())
    assert "SkinLens skin report" in text and "not a medical diagnosis" in text
    for concern in CONCERNS:
        assert concern.name in text
    assert text.count("/ 100") == len(CONCERNS)  # every score printed with its meaning
    # the bundled model's real-photo figures validate acne only: every other score says it is an estimate
    assert text.count("estimate, not validated") == len(CONCERNS) - 1
    table = text[text.index("What it means"):]
    breakouts = table[table.index("Breakouts"):table.index("Redness")]
    assert "estimate" not in breakouts
    assert "Skin tone: Monk" in text and "Skin type:" in text
    assert "Your routine" in text and "a month" in text
    for title in STEP_TITLES:
        assert title in text
    names = {row["name"] for row in _catalog()}
    assert sum(1 for name in names if " ".join(name.split()) in text) >= 5  # the picks, by their catalog names
    assert "Your history" in text and "3 scans" in text


def test_the_report_has_the_photo_heat_maps_and_a_qr_code_per_pick(
        printed: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    import cv2
    from PIL import Image

    out, _result = printed
    reader = PdfReader(out)
    first = [Image.open(io.BytesIO(i.data)).convert("RGB") for i in reader.pages[0].images]
    photo = [i for i in first if i.size == (512, 512)]  # the astronaut, whole
    maps = [i for i in first if i.size != (512, 512) and i.size[1] > 100]  # face crops with a map laid on
    assert photo and len(maps) >= 1
    assert any(np.asarray(m, np.int16)[..., 0].mean() - np.asarray(m, np.int16)[..., 2].mean() > 20 for m in maps)
    urls = set()
    detector = cv2.QRCodeDetector()
    for page in reader.pages[1:]:
        for picture in page.images:
            decoded, _points, _code = detector.detectAndDecode(np.asarray(Image.open(io.BytesIO(picture.data))
                                                                         .convert("RGB")))
            if decoded:
                urls.add(decoded)
    catalog_urls = {row["url"] for row in _catalog()}
    assert len(urls) >= len(STEP_TITLES) and urls <= catalog_urls


def test_the_qr_codes_decode_from_the_printed_page(printed: tuple[Path, subprocess.CompletedProcess[str]],
                                                   tmp_path: Path) -> None:
    import cv2

    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed: bash scripts/dev.sh setup installs it")
    out, _result = printed
    subprocess.run(["pdftoppm", "-png", "-r", "150", str(out), str(tmp_path / "page")], check=True, timeout=120)
    urls: set[str] = set()
    for png in sorted(tmp_path.glob("page-*.png")):
        page = cv2.imread(str(png))
        ok, decoded, _points, _codes = cv2.QRCodeDetectorAruco().detectAndDecodeMulti(page)
        if ok:
            urls.update(d for d in decoded if d)
    catalog_urls = {row["url"] for row in _catalog()}
    assert len(urls) >= len(STEP_TITLES) and urls <= catalog_urls


def test_nothing_analysable_exits_1_with_one_line_and_writes_nothing(photo_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "none.pdf"
    result = run_cli("report", "--pdf", str(out), str(photo_dir / "not_an_image.jpg"), str(photo_dir / "no_face.png"),
                     home=tmp_path / "home")
    assert result.returncode == 1 and not out.exists()
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]  # (not native log lines)
    assert len(errors) == 1 and errors[0].startswith("error: none of the photos could be analysed")


def test_several_views_combine_into_one_report() -> None:
    front = {"image": "f.jpg", "concerns": {"acne": 40.0, "dark_circles": 30.0}, "tone": {"monk": 4},
             "skin_type": {"label": "oily", "probabilities": {"oily": 0.7, "dry": 0.3}}, "quality": {"ok": True}}
    side = {"image": "l.jpg", "concerns": {"acne": 60.0, "dark_circles": None}, "tone": None,
            "skin_type": {"label": "dry", "probabilities": {"oily": 0.4, "dry": 0.6}},
            "quality": {"ok": False, "issues": ["too_dark"], "instructions": ["Find more light."]}}
    combined = combine_reports([front, side])
    assert combined["concerns"]["acne"] == 50.0 and combined["concerns"]["dark_circles"] == 30.0
    assert combined["concerns"]["redness"] is None
    assert combined["tone"] == {"monk": 4} and combined["skin_type"]["label"] == "oily"
    assert combined["quality"] == {"ok": False, "issues": ["too_dark"], "instructions": ["Find more light."]}
    assert [v["image"] for v in combined["views"]] == ["f.jpg", "l.jpg"]
    assert combine_reports([front]) is front


def test_the_printed_heat_maps_are_drawn_on_the_skin_only(astronaut_rgb: np.ndarray) -> None:
    """The report draws its maps as the results screen does (desktop.heatmap): nothing off the face's oval, so
    the hair, the background and the suit print exactly as in the photo."""
    import cv2
    from PIL import Image

    from desktop.ml.analyzer import Analyzer
    from desktop.ml.infer import load_concern_model
    from desktop.ml.landmarks import FACE_OVAL_CONTOUR
    from desktop.report import images
    from desktop.report.compose import analyse_views

    views, failed = analyse_views(Analyzer(model_loader=load_concern_model), [_astronaut_bytes(astronaut_rgb)], ["a"])
    assert failed == [] and views[0].landmarks is not None and views[0].maps is not None
    view = views[0]
    scores = view.report["concerns"]
    concerns = [c for c in view.maps.names if (scores.get(c) or 0.0) >= 10.0]
    assert concerns  # the astronaut scores something
    pngs = images.heat_map_pngs(astronaut_rgb, view.maps, view.landmarks, scores, concerns, None)  # whole photo
    oval = np.zeros(astronaut_rgb.shape[:2], np.uint8)
    cv2.fillConvexPoly(oval, cv2.convexHull(view.landmarks[list(FACE_OVAL_CONTOUR), :2].astype(np.int32)), 1)
    off_face = cv2.dilate(oval, np.ones((7, 7), np.uint8)) == 0
    changed_somewhere = False
    for concern, png in pngs.items():
        drawn = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), np.int16)
        assert drawn.shape == astronaut_rgb.shape
        changed = np.abs(drawn - astronaut_rgb.astype(np.int16)).max(axis=2) > 0
        assert not changed[off_face].any(), f"{concern} printed off the face"
        changed_somewhere |= bool(changed.any())
    assert changed_somewhere


def _astronaut_bytes(rgb: np.ndarray) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format="PNG")  # lossless: the analysed pixels are the fixture's
    return buffer.getvalue()

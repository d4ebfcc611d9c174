"""The results screen on real analyses: heat maps on the skin only, opening on the top concern, zoom, the
before/after divider, the summary in words, "estimate" markers, scroll to top, the face used outlined."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QProgressBar

from desktop.explain import CONCERN_NAMES
from desktop.heatmap import crop_layers, on_photo, skin_area
from desktop.ml.maps import FaceMaps
from desktop.ml.regions import region_polygons
from desktop.ui.summary import ESTIMATE_WORDS, is_validated, stand_out

pytestmark = pytest.mark.gui


def _alpha(image: QImage) -> np.ndarray:
    image = image.convertToFormat(QImage.Format.Format_RGBA8888)
    data = np.frombuffer(image.constBits(), np.uint8, image.sizeInBytes())
    return data.reshape(image.height(), image.bytesPerLine() // 4, 4)[:, :image.width(), 3].copy()


def _hull(shape: tuple[int, int], points: np.ndarray) -> np.ndarray:
    mask = np.zeros(shape, np.uint8)
    cv2.fillConvexPoly(mask, cv2.convexHull(np.round(points[:, :2]).astype(np.int32)), 1)
    return mask.astype(bool)


def _mesh(name: str) -> list[int]:
    from mediapipe.python.solutions import face_mesh_connections as mesh

    return sorted({i for edge in getattr(mesh, name) for i in edge})


@pytest.fixture(scope="module")
def astronaut_face(shared_analyzer, astronaut_rgb: np.ndarray):  # type: ignore[no-untyped-def]
    """The landmarks of the astronaut's face, found here on their own (not by the code under test)."""
    return shared_analyzer.faces.find(astronaut_rgb).face


def test_heat_maps_are_drawn_on_the_skin_only(qtbot, make_window, photo_dir: Path, astronaut_rgb,  # type: ignore[no-untyped-def]
                                              astronaut_face) -> None:
    window = make_window(consent_given=True)
    with qtbot.waitSignal(window.analysis_done, timeout=60_000):
        window.analyze_file(photo_dir / "astronaut.jpg")
    scan = window.session.scan
    shape = (astronaut_rgb.shape[0], astronaut_rgb.shape[1])  # 512 px: shown at full size (scale 1)
    points = astronaut_face.landmarks
    oval = cv2.dilate(_hull(shape, points[_mesh("FACEMESH_FACE_OVAL")]).astype(np.uint8), np.ones((5, 5))) > 0
    features = np.zeros(shape, bool)
    for name in ("FACEMESH_LEFT_EYE", "FACEMESH_RIGHT_EYE", "FACEMESH_LIPS"):
        features |= _hull(shape, points[_mesh(name)])
    drawn = 0
    assert set(scan.overlays) == set(scan.report.maps.names)
    for name, overlay in scan.overlays.items():
        alpha = _alpha(overlay)
        assert alpha.shape == shape
        assert not alpha[~oval].any(), f"{name} drawn off the face"
        assert not alpha[features].any(), f"{name} drawn on the eyes or lips"
        drawn += int((alpha > 0).sum())
    top = max(scan.report.concerns, key=lambda c: scan.report.concerns[c] or 0.0)
    assert int((_alpha(scan.overlays[top]) > 0).sum()) > 200  # the top concern's map is not empty
    assert drawn > 0


def test_a_uniform_map_covers_the_skin_smoothly_not_the_region_polygons(astronaut_rgb, astronaut_face) -> None:  # type: ignore[no-untyped-def]
    from desktop.ml.align import align

    aligned = align(astronaut_rgb, astronaut_face.landmarks)
    maps = FaceMaps(crop_maps={"texture": np.ones((384, 384), np.float32)}, matrix=aligned.matrix,
                    photo_shape=astronaut_rgb.shape[:2])
    area = skin_area(astronaut_rgb, astronaut_face.landmarks)
    crop = crop_layers(maps, area, {"texture": 100.0})
    layer = on_photo(crop, maps)["texture"]
    shape = layer.shape
    cheeks = region_polygons(astronaut_face.landmarks)
    for side in ("left_cheek", "right_cheek"):
        inside = _hull(shape, cheeks[side])
        assert (layer[inside] > 0.5).mean() > 0.9  # the skin is covered…
    between = _hull(shape, astronaut_face.landmarks[_mesh("FACEMESH_FACE_OVAL")])
    regions = np.zeros(shape, bool)
    for polygon in cheeks.values():
        regions |= _hull(shape, polygon)
    assert ((layer > 0.5) & between & ~regions).sum() > 0.5 * regions.sum()  # …not only the region polygons
    steps = max(np.abs(np.diff(crop["texture"], axis=0)).max(), np.abs(np.diff(crop["texture"], axis=1)).max())
    assert steps < 0.3  # faded in at the skin's edge: no hard step from nothing to full


def test_results_open_on_the_top_concern_zoomed_with_legend_and_divider(qtbot, make_window, photo_dir: Path) -> None:  # type: ignore[no-untyped-def]
    window = make_window(consent_given=True)
    with qtbot.waitSignal(window.analysis_done, timeout=60_000) as done:
        window.analyze_file(photo_dir / "astronaut.jpg")
    report, results = done.args[0], window.results
    top = max((c for c in report.maps.names if report.concerns.get(c) is not None),
              key=lambda c: report.concerns[c])
    assert results.overlay_box.currentData() == top and not results.view.overlay.isNull()
    assert results.zoom_button.isChecked() and results.view.zoom is not None
    zoom = results.view.zoom
    assert zoom.width() < results.view.image.width() and zoom.contains(results.face_rect().center())
    results.zoom_button.click()
    assert results.view.zoom is None
    results.split.setValue(40)
    assert results.view.split == pytest.approx(0.4)
    assert results.legend.isVisibleTo(results) and results.legend.high.text() == "marked"
    assert results.findChildren(QProgressBar) == []  # scores are levels on a scale, not progress bars

    chosen = stand_out(report.concerns)
    text = results.summary.text()
    assert chosen and all(CONCERN_NAMES[c] in text for c in chosen) and "What helps" in text
    assert ESTIMATE_WORDS in text  # most scores have no real-photo evidence: estimates
    scored = [c for c in results.scores if report.concerns.get(c) is not None]
    validated = {c for c in scored if is_validated(report, c)}
    assert validated and validated != set(scored)  # the model file says acne was validated on real photos
    for concern in scored:
        assert (ESTIMATE_WORDS in results.scores[concern].meaning.text()) == (concern not in validated), concern


def test_validated_scores_lose_the_estimate_marker(qtbot, make_window, photo_dir: Path) -> None:  # type: ignore[no-untyped-def]
    window = make_window(consent_given=True)
    with qtbot.waitSignal(window.analysis_done, timeout=60_000):
        window.analyze_file(photo_dir / "astronaut.jpg")
    scan = window.session.scan
    scan.report.concern_status = {"dark_spots": "validated", "acne": "estimate"}  # the field issue 19 adds
    window.results.show_scan(scan)
    rows = window.results.scores
    assert ESTIMATE_WORDS not in rows["dark_spots"].meaning.text()
    assert ESTIMATE_WORDS in rows["acne"].meaning.text() and ESTIMATE_WORDS in rows["redness"].meaning.text()


def test_a_new_scan_starts_at_the_top(qtbot, make_window, photo_dir: Path) -> None:  # type: ignore[no-untyped-def]
    window = make_window(consent_given=True)
    window.resize(900, 500)
    with qtbot.waitSignal(window.analysis_done, timeout=60_000):
        window.analyze_file(photo_dir / "astronaut.jpg")
    bar = window.results.scroll_area.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0)
    bar.setValue(bar.maximum())
    with qtbot.waitSignal(window.analysis_done, timeout=60_000):
        window.analyze_file(photo_dir / "astronaut.jpg")
    assert bar.value() == 0


def test_with_two_faces_the_one_analysed_is_outlined(qtbot, make_window, astronaut_rgb, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    canvas = np.full((560, 1000, 3), 200, np.uint8)
    canvas[24:536, 0:512] = astronaut_rgb
    small = cv2.resize(astronaut_rgb, (360, 360), interpolation=cv2.INTER_AREA)
    canvas[100:460, 600:960] = small
    path = tmp_path / "two.png"
    Image.fromarray(canvas).save(path)
    window = make_window(consent_given=True)
    with qtbot.waitSignal(window.analysis_done, timeout=60_000) as done:
        window.analyze_file(path)
    assert done.args[0].face["count"] == 2
    results = window.results
    outline = results.view.outline
    assert outline and "2 faces" in results.faces_note.text() and results.faces_note.isVisibleTo(results)
    xs = [p.x() for p in outline]
    assert max(xs) < 512  # the larger face, on the left, is the one outlined
    with qtbot.waitSignal(window.analysis_done, timeout=60_000):
        window.analyze_file(_one_face(tmp_path, astronaut_rgb))
    assert results.view.outline == [] and not results.faces_note.isVisibleTo(results)


def _one_face(folder: Path, rgb: np.ndarray) -> Path:
    path = folder / "one.png"
    Image.fromarray(rgb).save(path)
    return path

"""Views: front, left, right and close-up photos, each measured on what it shows (issue 18, CONTRACTS.md)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from desktop.ml.analyzer import Analyzer
from desktop.ml.report import AnalysisFailure, SkinReport
from tests.turned_faces import turned_photo


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


@pytest.fixture(scope="module")
def landmarks(analyzer: Analyzer, astronaut_rgb: np.ndarray) -> np.ndarray:
    face = analyzer.faces.find_photo(astronaut_rgb).face
    assert face is not None
    return face.landmarks


def report_of(analyzer: Analyzer, rgb: np.ndarray, view: str | None = None) -> SkinReport:
    result = analyzer.analyze_array(np.ascontiguousarray(rgb), view=view)
    assert isinstance(result, SkinReport), result
    return result


def cheek_closeup(rgb: np.ndarray) -> np.ndarray:
    """Her left cheek (image right of the nose), filling a phone-sized frame: skin, no eyes, no mouth."""
    return np.asarray(cv2.resize(rgb[118:160, 200:232], (400, 520), interpolation=cv2.INTER_CUBIC))


@pytest.mark.parametrize(("yaw", "view"), [(45, "left"), (-45, "right"), (60, "left"), (-60, "right")])
def test_a_turned_face_is_the_side_it_shows_and_its_mirror_the_other(
        analyzer: Analyzer, astronaut_rgb: np.ndarray, landmarks: np.ndarray, yaw: int, view: str) -> None:
    turned = turned_photo(astronaut_rgb, landmarks, yaw)
    report = report_of(analyzer, turned)
    assert report.view == view
    assert report.face["yaw"] is not None and np.sign(report.face["yaw"]) == np.sign(yaw)
    mirrored = report_of(analyzer, turned[:, ::-1])
    assert mirrored.view == {"left": "right", "right": "left"}[view]


def test_a_side_view_measures_the_near_side_and_skips_the_front_only_checks(
        analyzer: Analyzer, astronaut_rgb: np.ndarray, landmarks: np.ndarray) -> None:
    report = report_of(analyzer, turned_photo(astronaut_rgb, landmarks, 50))
    assert report.view == "left"
    assert not {"turned_head", "uneven_light", "off_centre", "head_tilted"} & set(report.quality.issues)
    regions = report.measures["regions"]["a_star"]
    assert "left_cheek" in regions and "right_cheek" not in regions  # the far cheek is not measured
    assert report.measures["overall"]["lesions_per_half_face"] == report.measures["overall"]["red_lesion_count"]
    assert report.concerns["acne"] is not None and report.concerns["redness"] is not None
    assert report.scale["source"] == "face"


def test_the_front_view_counts_lesions_per_half_face(analyzer: Analyzer, astronaut_rgb: np.ndarray) -> None:
    report = report_of(analyzer, astronaut_rgb)
    assert report.view == "front" and report.unmeasured == []
    overall = report.measures["overall"]
    assert overall["lesions_per_half_face"] == pytest.approx(overall["red_lesion_count"] / 2)


def test_a_closeup_is_measured_on_its_skin_and_says_what_it_cannot_score(
        analyzer: Analyzer, astronaut_rgb: np.ndarray) -> None:
    report = report_of(analyzer, cheek_closeup(astronaut_rgb))
    assert report.view == "closeup"
    assert report.face["box"] is None
    for concern in ("acne", "redness", "dark_spots", "oiliness"):
        assert report.concerns[concern] is not None, concern
    reasons = {entry["concern"]: entry["reason"] for entry in report.unmeasured}
    assert set(reasons) == {c for c, v in report.concerns.items() if v is None}
    assert "dark_circles" in reasons and "eyes" in reasons["dark_circles"]
    assert report.scale == {"px_per_mm": None, "source": "none"}
    assert {"pores", "texture", "wrinkles"} <= set(reasons)  # no feature of known size: no millimetres
    assert report.tone is not None and 1 <= report.tone.monk <= 10


def test_a_cup_has_no_skin_and_a_forced_face_view_of_it_no_face(analyzer: Analyzer) -> None:
    from skimage import data

    cup = np.asarray(data.coffee())
    result = analyzer.analyze_array(cup)
    assert isinstance(result, AnalysisFailure) and result.code == "no_skin"
    assert "skin" in result.error
    forced = analyzer.analyze_array(cup, view="front")
    assert isinstance(forced, AnalysisFailure) and forced.code == "no_face"


def test_the_view_can_be_forced(analyzer: Analyzer, astronaut_rgb: np.ndarray, landmarks: np.ndarray) -> None:
    assert report_of(analyzer, astronaut_rgb, view="closeup").view == "closeup"
    assert report_of(analyzer, turned_photo(astronaut_rgb, landmarks, 45), view="front").view == "front"


def test_skin_type_is_unknown_when_the_photo_cannot_tell(analyzer: Analyzer, astronaut_rgb: np.ndarray) -> None:
    report = report_of(analyzer, astronaut_rgb)
    assert report.skin_type == {"label": None, "probabilities": None, "source": "unknown"}
    assert SkinReport.from_dict(report.to_dict()).skin_type["source"] == "unknown"


def test_skin_type_comes_from_the_photo_only_for_an_estimator_with_evidence() -> None:
    from desktop.ml.unmeasured import skin_type_entry

    class Evidenced:
        skin_type_from_photo = True

    probabilities = {"oily": 0.6, "dry": 0.1, "normal": 0.2, "combination": 0.1}
    assert skin_type_entry(probabilities, None)["source"] == "unknown"
    assert skin_type_entry(probabilities, object())["label"] is None
    assert skin_type_entry(probabilities, Evidenced()) == {"label": "oily", "probabilities": probabilities,
                                                           "source": "photo"}


def test_a_face_box_without_landmarks_cut_by_the_frame_is_a_closeup() -> None:
    from desktop.ml.face import FaceFindings
    from desktop.ml.views import decide

    shape = (400, 300, 3)
    cut = decide(FaceFindings(1, None, (0, 150, 260, 250), profile_side="left", method="detector"), shape)
    whole = decide(FaceFindings(1, None, (60, 80, 160, 200), profile_side="left", method="profile_cascade"), shape)
    assert cut is not None and cut.view == "closeup"  # reaches the left and bottom edges: skin, not a face
    assert whole is not None and whole.view == "left"
    one_edge = decide(FaceFindings(1, None, (0, 80, 160, 200), profile_side="right"), shape)
    assert one_edge is not None and one_edge.view == "right"  # a profile may touch one edge

import numpy as np
import pytest

from desktop.ml.analyzer import AnalysisCancelled, Analyzer
from desktop.ml.report import AnalysisFailure, SkinReport


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


def test_report_round_trips_through_json(analyzer: Analyzer, photo_dir) -> None:  # type: ignore[no-untyped-def]
    report = analyzer.analyze(photo_dir / "astronaut.jpg")
    assert isinstance(report, SkinReport)
    again = SkinReport.from_dict(__import__("json").loads(report.to_json()))
    assert again.to_dict() == report.to_dict()


def test_astronaut_passes_quality(analyzer: Analyzer, photo_dir) -> None:  # type: ignore[no-untyped-def]
    report = analyzer.analyze(photo_dir / "astronaut.jpg")
    assert isinstance(report, SkinReport)
    assert report.quality.ok, report.quality.issues


def test_two_faces_are_counted_and_flagged(analyzer: Analyzer, astronaut_rgb: np.ndarray) -> None:
    pair = np.concatenate([astronaut_rgb, astronaut_rgb], axis=1)
    report = analyzer.analyze_array(pair)
    assert isinstance(report, SkinReport)
    assert report.face["count"] == 2
    assert "multiple_faces" in report.quality.issues and not report.quality.ok


def test_dark_photo_is_flagged(analyzer: Analyzer, astronaut_rgb: np.ndarray) -> None:
    dark = (astronaut_rgb.astype(np.float32) * 0.3).astype(np.uint8)
    report = analyzer.analyze_array(dark)
    assert isinstance(report, SkinReport), report
    assert "too_dark" in report.quality.issues


def test_blank_frame_has_no_skin_and_no_face_when_a_face_is_required(analyzer: Analyzer) -> None:
    blank = np.full((480, 640, 3), 128, dtype=np.uint8)
    result = analyzer.analyze_array(blank)
    assert isinstance(result, AnalysisFailure) and result.code == "no_skin"  # CONTRACTS.md, 2026-12
    forced = analyzer.analyze_array(blank, view="front")
    assert isinstance(forced, AnalysisFailure) and forced.code == "no_face"


def test_cancel_stops_the_analysis(analyzer: Analyzer, photo_dir) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(AnalysisCancelled):
        analyzer.analyze(photo_dir / "astronaut.jpg", cancelled=lambda: True)

"""One scan as the screens show it, prepared in the worker that analysed it.

Scaling the photo and warping eight heat maps take tens of milliseconds on a 1080p photo; doing it next to
the analysis keeps the UI thread's work on arrival to a few pointer swaps (the window never freezes).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PySide6.QtGui import QImage

from desktop.ml.analyzer import Analyzer
from desktop.ml.maps import heat_rgba
from desktop.ml.report import AnalysisFailure, SkinReport
from desktop.tasks import TaskState
from desktop.ui.widgets import to_qimage
from desktop.userdata import encode_photo

DISPLAY_SIDE = 1024  # longest side of the photo kept for display; the full image is not kept


@dataclass
class Scan:
    report: SkinReport
    photo: QImage
    overlays: dict[str, QImage] = field(default_factory=dict)
    jpeg: bytes | None = None  # the analysed photo, encoded, only when the user keeps photos with history


def prepare(report: SkinReport | AnalysisFailure, rgb: np.ndarray | None,
            keep_photo: bool = False) -> Scan | AnalysisFailure:
    if isinstance(report, AnalysisFailure):
        return report
    assert rgb is not None  # a report always comes with the image it was measured on
    import cv2

    scale = min(1.0, DISPLAY_SIDE / max(rgb.shape[:2]))
    small = cv2.resize(rgb, (round(rgb.shape[1] * scale), round(rgb.shape[0] * scale)),
                       interpolation=cv2.INTER_AREA) if scale < 1.0 else rgb
    overlays = {}
    if report.maps is not None:
        overlays = {name: to_qimage(heat_rgba(report.maps.overlay(name, scale))) for name in report.maps.names}
    jpeg = encode_photo(small) if keep_photo else None
    return Scan(report=report, photo=to_qimage(small), overlays=overlays, jpeg=jpeg)


def analyse_file_task(analyzer: Analyzer, path: Path, keep_photo: bool) -> Callable[[TaskState], object]:
    def work(state: TaskState) -> Scan | AnalysisFailure:
        report, rgb = analyzer.analyze_source(path, name=path.name, progress=state.progress,
                                              cancelled=lambda: state.cancelled)
        state.check_cancelled()
        return prepare(report, rgb, keep_photo)

    return work


def analyse_frame_task(analyzer: Analyzer, rgb: np.ndarray, keep_photo: bool) -> Callable[[TaskState], object]:
    def work(state: TaskState) -> Scan | AnalysisFailure:
        state.progress(0.05, "loading")
        report = analyzer.analyze_array(rgb, name="camera", progress=state.progress,
                                        cancelled=lambda: state.cancelled)
        state.check_cancelled()
        return prepare(report, rgb, keep_photo)

    return work

"""One scan as the screens show it, prepared in the worker that analysed it.

Scaling the photo, finding its skin and drawing eight heat maps on it take a good part of a second on a slow
machine; doing it next to the analysis keeps the UI thread's work on arrival to a few pointer swaps (the window
never freezes). The skin needs the face's landmarks, which the report does not carry: the face finder runs once
more on the same pixels (it is deterministic, so it finds the face the analysis used).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PySide6.QtGui import QImage

from desktop import heatmap
from desktop.ml.analyzer import Analyzer
from desktop.ml.face import FaceFinder
from desktop.ml.report import AnalysisFailure, SkinReport
from desktop.tasks import TaskState
from desktop.ui.widgets import to_qimage
from desktop.userdata import encode_photo

DISPLAY_SIDE = 1024  # longest side of the photo kept for display; the full image is not kept


@dataclass
class Scan:
    report: SkinReport
    photo: QImage
    overlays: dict[str, QImage] = field(default_factory=dict)  # concern -> heat map on the skin (RGBA)
    jpeg: bytes | None = None  # the analysed photo, encoded, only when the user keeps photos with history
    face_outline: list[tuple[float, float]] = field(default_factory=list)  # the face used, in `photo` pixels
    where: dict[str, str] = field(default_factory=dict)  # concern -> where it shows most ("forehead")

    @property
    def face_count(self) -> int:
        return int(self.report.face.get("count", 1) or 1)


def prepare(report: SkinReport | AnalysisFailure, rgb: np.ndarray | None, faces: FaceFinder,
            keep_photo: bool = False) -> Scan | AnalysisFailure:
    if isinstance(report, AnalysisFailure):
        return report
    assert rgb is not None  # a report always comes with the image it was measured on
    import cv2

    scale = min(1.0, DISPLAY_SIDE / max(rgb.shape[:2]))
    small = cv2.resize(rgb, (round(rgb.shape[1] * scale), round(rgb.shape[0] * scale)),
                       interpolation=cv2.INTER_AREA) if scale < 1.0 else rgb
    overlays: dict[str, QImage] = {}
    outline: list[tuple[float, float]] = []
    where: dict[str, str] = {}
    face = faces.find(rgb).face if report.maps is not None else None
    if face is not None:
        area = heatmap.skin_area(rgb, face.landmarks)
        crop = heatmap.crop_layers(report.maps, area, report.concerns)
        overlays = {name: to_qimage(heatmap.colour_scale(layer))
                    for name, layer in heatmap.on_photo(crop, report.maps, scale).items()}
        where = {name: place for name, layer in crop.items() if (place := heatmap.where_most(layer, area))}
        outline = [(float(x) * scale, float(y) * scale) for x, y in heatmap.outline_points(face.landmarks)]
    jpeg = encode_photo(small) if keep_photo else None
    return Scan(report=report, photo=to_qimage(small), overlays=overlays, jpeg=jpeg, face_outline=outline,
                where=where)


def analyse_file_task(analyzer: Analyzer, path: Path, keep_photo: bool) -> Callable[[TaskState], object]:
    def work(state: TaskState) -> Scan | AnalysisFailure:
        report, rgb = analyzer.analyze_source(path, name=path.name, progress=state.progress,
                                              cancelled=lambda: state.cancelled)
        state.check_cancelled()
        return prepare(report, rgb, analyzer.faces, keep_photo)

    return work


def analyse_frame_task(analyzer: Analyzer, rgb: np.ndarray, keep_photo: bool) -> Callable[[TaskState], object]:
    def work(state: TaskState) -> Scan | AnalysisFailure:
        state.progress(0.05, "loading")
        report = analyzer.analyze_array(rgb, name="camera", progress=state.progress,
                                        cancelled=lambda: state.cancelled)
        state.check_cancelled()
        return prepare(report, rgb, analyzer.faces, keep_photo)

    return work


def analyse_views_task(analyzer: Analyzer, photos: list[tuple[str, np.ndarray]],
                       keep_photo: bool) -> Callable[[TaskState], object]:
    """The guided three-view scan: each photo analysed as the view it shows, then one combined report (the
    same as `analyze --session`); the photo shown and kept is the view the report took its tone from."""
    from desktop.ml.combine import combine

    def work(state: TaskState) -> Scan | AnalysisFailure:
        reports: list[SkinReport | AnalysisFailure] = []
        for number, (view, rgb) in enumerate(photos):
            def progress(share: float, stage: str, number: int = number) -> None:
                state.progress((number + share) / len(photos), stage)

            reports.append(analyzer.analyze_array(rgb, name=f"camera {view}", progress=progress,
                                                  cancelled=lambda: state.cancelled))
            state.check_cancelled()
        combined = combine(reports)
        shown = next((rgb for report, (_, rgb) in zip(reports, photos, strict=True)
                      if isinstance(combined, SkinReport) and report.image == combined.image), None)
        return prepare(combined, shown, analyzer.faces, keep_photo)

    return work

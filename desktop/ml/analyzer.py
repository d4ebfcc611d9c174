"""The analysis service: photo → SkinReport. Used by the CLI and (through a background task) the window.

Pipeline: decode safely → find the face → capture-quality checks → white balance (calibration profile or
automatic estimate) → skin tone → aligned face crop → measures and heat maps → concern scores (measures fused
with the CNN when a model is present) → skin type.
It never raises for a bad photo: every failure becomes an `AnalysisFailure` with a code and a sentence.
No network I/O happens here (enforced by an import-linter contract on `desktop.ml`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from desktop.ml import colour, whitebalance
from desktop.ml.align import align
from desktop.ml.calibration import CalibrationProfile
from desktop.ml.face import FaceFinder, FaceFindings
from desktop.ml.imaging import ImageError, load_image
from desktop.ml.maps import FaceMaps
from desktop.ml.measures import measure_face
from desktop.ml.quality import CHECKS, add_occlusion, assess
from desktop.ml.regions import RegionPolygons, face_hull, polygon_mask, region_polygons, tone_mask
from desktop.ml.report import AnalysisFailure, SkinReport, Tone
from desktop.ml.scoring import (
    cnn_weights,
    concern_scores,
    fuse,
    fuse_maps,
    fuse_probabilities,
    skin_type_probabilities,
)
from desktop.tasks import TaskCancelled

log = logging.getLogger(__name__)
MEASURES_INFO = {"name": "skinlens-measures", "version": "0.2.0"}
MIN_TONE_PIXELS = 50

Progress = Callable[[float, str], None]


class ConcernModel(Protocol):
    """The CNN seam: scores 0–100 per concern (and maps) from the aligned face crop."""

    name: str
    version: str

    def predict(self, face_rgb: np.ndarray) -> Mapping[str, Any]: ...


class AnalysisCancelled(TaskCancelled):
    """The caller's `cancelled()` said stop; task runners treat it as a quiet end, not an error."""


class Analyzer:
    def __init__(self, face_finder: FaceFinder | None = None, calibration: CalibrationProfile | None = None,
                 concern_model: ConcernModel | None = None,
                 model_loader: Callable[[], ConcernModel | None] | None = None) -> None:
        self._faces = face_finder or FaceFinder()
        self.calibration = calibration
        self._model = concern_model
        self._model_loader = model_loader  # called once, on first use (keeps onnxruntime/torch off start-up)
        self._model_lock = threading.Lock()

    @property
    def concern_model(self) -> ConcernModel | None:
        if self._model is None and self._model_loader is not None:
            with self._model_lock:
                if self._model_loader is not None:
                    self._model, self._model_loader = self._model_loader(), None
        return self._model

    @property
    def faces(self) -> FaceFinder:
        return self._faces

    def analyze(self, source: str | Path | bytes, *, name: str | None = None,
                progress: Progress | None = None,
                cancelled: Callable[[], bool] | None = None) -> SkinReport | AnalysisFailure:
        """Analyse one photo (a path or encoded bytes). Never raises except `AnalysisCancelled`."""
        return self.analyze_source(source, name=name, progress=progress, cancelled=cancelled)[0]

    def analyze_source(self, source: str | Path | bytes, *, name: str | None = None,
                       progress: Progress | None = None, cancelled: Callable[[], bool] | None = None,
                       ) -> tuple[SkinReport | AnalysisFailure, np.ndarray | None]:
        """`analyze`, also returning the decoded RGB image the report's maps refer to (for display)."""
        label = name if name is not None else str(source) if not isinstance(source, bytes) else "<bytes>"
        rgb = None
        try:
            timings: dict[str, float] = {}
            start = time.perf_counter()
            (progress or _no_progress)(0.05, "loading")
            loaded = load_image(source)
            rgb = loaded.rgb
            timings["load"] = _ms(start)
            return self._measure(loaded.rgb, loaded.scale, label, timings, progress or _no_progress,
                                 cancelled or _never, start), rgb
        except AnalysisCancelled:
            raise
        except Exception as exc:
            return _failure(label, exc), rgb

    def analyze_array(self, rgb: np.ndarray, name: str = "<frame>", progress: Progress | None = None,
                      cancelled: Callable[[], bool] | None = None) -> SkinReport | AnalysisFailure:
        """Analyse an RGB uint8 frame already in memory (camera capture)."""
        try:
            return self._measure(np.ascontiguousarray(rgb), 1.0, name, {}, progress or _no_progress,
                                 cancelled or _never)
        except AnalysisCancelled:
            raise
        except Exception as exc:
            return _failure(name, exc)

    def white_balance_for(self, rgb: np.ndarray, findings: FaceFindings) -> whitebalance.WhiteBalance:
        """The calibration profile's gains when one is set, else an estimate from the non-face pixels."""
        if self.calibration is not None:
            return self.calibration.white_balance()
        assert findings.face is not None
        hull = face_hull(findings.face.landmarks)
        return whitebalance.estimate(rgb, exclude=polygon_mask((rgb.shape[0], rgb.shape[1]), [hull]))

    def _measure(self, rgb: np.ndarray, scale: float, label: str, timings: dict[str, float],
                 progress: Progress, cancelled: Callable[[], bool], start: float | None = None) -> SkinReport:
        start = start if start is not None else time.perf_counter()
        progress(0.2, "finding the face")
        findings = _timed(timings, "face", lambda: self._faces.find(rgb))
        if findings.face is None:
            raise ImageError("no_face", "No face was found in the photo. " + CHECKS["no_face"].instruction)
        _check(cancelled)
        progress(0.4, "checking the photo")
        polygons = region_polygons(findings.face.landmarks)  # in photo pixels: for the light check and the tone
        quality = _timed(timings, "quality", lambda: assess(rgb, findings, polygons))
        wb = _timed(timings, "white_balance", lambda: self.white_balance_for(rgb, findings))
        corrected = whitebalance.apply(rgb, wb)
        tone = _timed(timings, "tone", lambda: measure_tone(corrected, polygons))
        _check(cancelled)
        progress(0.6, "measuring skin")
        aligned = align(corrected, findings.face.landmarks)
        measures = _timed(timings, "measures", lambda: measure_face(aligned))
        add_occlusion(quality, measures.overall.get("occluded_fraction", 0.0))
        _check(cancelled)
        progress(0.85, "scoring")
        model = self.concern_model
        cnn = _timed(timings, "cnn", lambda: model.predict(aligned.rgb)) if model is not None else None
        weights = cnn_weights(getattr(model, "metrics", None)) if model is not None else None
        concerns = fuse(concern_scores(measures.overall), cnn["concerns"] if cnn else None, weights)
        probabilities = skin_type_probabilities(measures.overall) if measures.overall else {}
        if cnn:
            probabilities = fuse_probabilities(probabilities, cnn["skin_type"])
            measures.maps = fuse_maps(measures.maps, cnn["maps"], weights)
        timings["total"] = _ms(start)
        progress(1.0, "done")
        x, y, w, h = findings.face.box
        report = SkinReport(
            image=label, quality=quality,
            face={"box": [round(v / scale) for v in (x, y, w, h)], "count": findings.count},
            tone=tone,
            skin_type={"label": max(probabilities, key=probabilities.__getitem__) if probabilities else None,
                       "probabilities": probabilities},
            concerns=concerns, timings_ms=timings, model=self._model_info(),
            measures={"overall": _rounded(measures.overall),
                      "regions": {k: _rounded(v) for k, v in measures.regions.items()}},
            white_balance=wb.to_dict(),
        )
        report.maps = FaceMaps(crop_maps=measures.maps, matrix=aligned.matrix, photo_shape=(rgb.shape[0], rgb.shape[1]))
        return report

    def _model_info(self) -> dict[str, str]:
        if self.concern_model is None:
            return dict(MEASURES_INFO)
        return {"name": f"{self.concern_model.name}+{MEASURES_INFO['name']}",
                "version": f"{self.concern_model.version}+{MEASURES_INFO['version']}"}


def _failure(label: str, exc: Exception) -> AnalysisFailure:
    """Every way an analysis can fail, as a stable code and a sentence; bugs are logged in full."""
    if isinstance(exc, ImageError):
        return AnalysisFailure(label, exc.code, exc.message)
    if isinstance(exc, MemoryError):
        return AnalysisFailure(label, "too_large", "Not enough memory to analyse this image.")
    log.exception("analysis of %s failed", label)  # a bug must not take the CLI or the window down
    return AnalysisFailure(label, "internal_error", "The analysis failed unexpectedly; see the log.")


def measure_tone(rgb: np.ndarray, polygons: RegionPolygons) -> Tone | None:
    """ITA°, band, Monk level and undertone from the median CIELAB of cheek and forehead skin (`polygons`:
    the face's regions in the photo's pixels).

    The darkest 10 % (shadow, hair) and brightest 5 % (shine) of the pixels are left out first.
    """
    mask = tone_mask((rgb.shape[0], rgb.shape[1]), polygons)
    pixels = rgb[mask]
    if len(pixels) < MIN_TONE_PIXELS:
        return None
    lab = colour.rgb_to_lab(pixels.reshape(-1, 1, 3)).reshape(-1, 3)
    luma = lab[:, 0]
    keep = (luma > np.percentile(luma, 10)) & (luma < np.percentile(luma, 95))
    median = np.median(lab[keep] if keep.sum() >= MIN_TONE_PIXELS else lab, axis=0)
    ita = colour.ita_degrees(float(median[0]), float(median[2]))
    return Tone(ita=round(ita, 2), category=colour.ita_category(ita), monk=colour.nearest_monk(median),
                lab=[round(float(v), 2) for v in median], undertone=colour.undertone(median))


def _rounded(values: Mapping[str, float]) -> dict[str, float]:
    return {k: round(float(v), 4) for k, v in values.items()}


def _timed(timings: dict[str, float], key: str, fn: Callable[[], Any]) -> Any:
    start = time.perf_counter()
    result = fn()
    timings[key] = _ms(start)
    return result


def _check(cancelled: Callable[[], bool]) -> None:
    if cancelled():
        raise AnalysisCancelled


def _no_progress(_fraction: float, _stage: str) -> None:
    return None


def _never() -> bool:
    return False


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 2)

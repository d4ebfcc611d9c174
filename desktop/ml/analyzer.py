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
from dataclasses import replace
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from desktop.ml import colour, whitebalance
from desktop.ml.calibration import CalibrationProfile
from desktop.ml.face import FaceFinder, FaceFindings
from desktop.ml.imaging import ImageError, load_image
from desktop.ml.maps import FaceMaps
from desktop.ml.measures import measure_face
from desktop.ml.quality import CHECKS, add_occlusion, assess, assess_patch
from desktop.ml.report import AnalysisFailure, Quality, SkinReport, Tone
from desktop.ml.scoring import (
    cnn_weights,
    concern_scores,
    concern_status,
    fuse,
    fuse_maps,
    fuse_probabilities,
    skin_type_probabilities,
)
from desktop.ml.unmeasured import skin_type_entry, unmeasured
from desktop.ml.viewcrop import ViewCrop, front_crop, patch_crop, side_crop
from desktop.ml.views import ViewDecision, decide
from desktop.tasks import TaskCancelled

log = logging.getLogger(__name__)
MEASURES_INFO = {"name": "skinlens-measures", "version": "0.4.0"}
MAX_TONE_PIXELS = 5_000

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
                progress: Progress | None = None, cancelled: Callable[[], bool] | None = None,
                view: str | None = None) -> SkinReport | AnalysisFailure:
        """Analyse one photo (a path or encoded bytes). Never raises except `AnalysisCancelled`. `view`
        forces the view ("front", "left", "right", "closeup") instead of deciding it from the photo."""
        return self.analyze_source(source, name=name, progress=progress, cancelled=cancelled, view=view)[0]

    def analyze_source(self, source: str | Path | bytes, *, name: str | None = None,
                       progress: Progress | None = None, cancelled: Callable[[], bool] | None = None,
                       view: str | None = None) -> tuple[SkinReport | AnalysisFailure, np.ndarray | None]:
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
                                 cancelled or _never, start, view), rgb
        except AnalysisCancelled:
            raise
        except Exception as exc:
            return _failure(label, exc), rgb

    def analyze_array(self, rgb: np.ndarray, name: str = "<frame>", progress: Progress | None = None,
                      cancelled: Callable[[], bool] | None = None,
                      view: str | None = None) -> SkinReport | AnalysisFailure:
        """Analyse an RGB uint8 frame already in memory (camera capture)."""
        try:
            return self._measure(np.ascontiguousarray(rgb), 1.0, name, {}, progress or _no_progress,
                                 cancelled or _never, view=view)
        except AnalysisCancelled:
            raise
        except Exception as exc:
            return _failure(name, exc)

    def white_balance_for(self, rgb: np.ndarray, face_area: np.ndarray) -> whitebalance.WhiteBalance:
        """The calibration profile's gains when one is set, else an estimate from the pixels outside
        `face_area` (the face or the skin of a close-up)."""
        if self.calibration is not None:
            return self.calibration.white_balance()
        return whitebalance.estimate(rgb, exclude=face_area)

    def _measure(self, rgb: np.ndarray, scale: float, label: str, timings: dict[str, float],
                 progress: Progress, cancelled: Callable[[], bool], start: float | None = None,
                 view: str | None = None) -> SkinReport:
        start = start if start is not None else time.perf_counter()
        progress(0.2, "finding the face")
        findings = _timed(timings, "face", lambda: self._faces.find_photo(rgb))
        decision = decide(findings, rgb.shape, view)
        _check(cancelled)
        progress(0.4, "checking the photo")
        crop, quality = _timed(timings, "view", lambda: _view_crop(rgb, findings, decision))
        wb = _timed(timings, "white_balance", lambda: self.white_balance_for(rgb, crop.face_area))
        tone = _timed(timings, "tone", lambda: measure_tone(rgb, crop.tone_mask, wb))
        crop.aligned = replace(crop.aligned, rgb=whitebalance.apply(crop.aligned.rgb, wb))
        _check(cancelled)
        progress(0.6, "measuring skin")
        measures = _timed(timings, "measures", lambda: measure_face(crop.aligned, crop.spec))
        add_occlusion(quality, measures.overall.get("occluded_fraction", 0.0)) if crop.polygons else None
        _check(cancelled)
        progress(0.85, "scoring")
        model = self.concern_model
        model = model if model is not None and crop.view in getattr(model, "views", ("front",)) else None
        cnn = _timed(timings, "cnn", lambda: model.predict(crop.aligned.rgb)) if model is not None else None
        weights = cnn_weights(getattr(model, "metrics", None)) if model is not None else None
        measure_scores, cnn_scores = concern_scores(measures.overall), cnn["concerns"] if cnn else None
        concerns = fuse(measure_scores, cnn_scores, weights)
        probabilities = skin_type_probabilities(measures.overall) if measures.overall else {}
        if cnn:
            probabilities = fuse_probabilities(probabilities, cnn["skin_type"])
            measures.maps = fuse_maps(measures.maps, cnn["maps"], weights)
        timings["total"] = _ms(start)
        progress(1.0, "done")
        box = findings.box if findings.box is not None else (0, 0, rgb.shape[1], rgb.shape[0])
        report = SkinReport(
            image=label, quality=quality,
            face={"box": [round(v / scale) for v in box] if findings.box is not None else None,
                  "count": findings.count, "yaw": _yaw(decision)},
            tone=tone, skin_type=skin_type_entry(probabilities, model),
            concerns=concerns, timings_ms=timings, model=self._model_info(),
            measures={"overall": _rounded(measures.overall),
                      "regions": {k: _rounded(v) for k, v in measures.regions.items()},
                      "scores": {"measures": measure_scores, "cnn": cnn_scores}},
            white_balance=wb.to_dict(), view=crop.view,
            unmeasured=unmeasured(concerns, crop.view, crop.spec.scaled, crop.polygons is not None),
            scale=crop.scale,
            concern_status=concern_status(concerns, getattr(self.concern_model, "real_photos", None)),
        )
        report.maps = FaceMaps(crop_maps=measures.maps, matrix=crop.aligned.matrix,
                               photo_shape=(rgb.shape[0], rgb.shape[1]))
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
    log.exception("an analysis failed unexpectedly")  # a bug must not take the CLI or the window down
    log.debug("the analysis that failed: %s", label)  # photo paths go to the log at debug level only
    return AnalysisFailure(label, "internal_error", "The analysis failed unexpectedly; see the log.")


def measure_tone(rgb: np.ndarray, mask: np.ndarray, wb: whitebalance.WhiteBalance | None = None) -> Tone | None:
    """Skin tone (`colour.skin_tone`, the one path from skin pixels to ITA° and Monk) of the skin pixels in
    `mask` (cheeks and forehead of a face; the skin of a close-up) of the photo `rgb`, white-balanced by `wb`.

    At most `MAX_TONE_PIXELS` evenly spaced pixels are used: a median needs no more, and a close-up has
    millions.
    """
    index = np.flatnonzero(mask)  # the pixels' positions first: only the chosen ones are gathered
    if len(index) > MAX_TONE_PIXELS:
        index = index[::len(index) // MAX_TONE_PIXELS]
    pixels = rgb.reshape(-1, 3)[index]
    if wb is not None and len(pixels):
        pixels = whitebalance.apply(pixels.reshape(1, -1, 3), wb).reshape(-1, 3)
    return colour.skin_tone(pixels)


def _view_crop(rgb: np.ndarray, findings: FaceFindings, decision: ViewDecision | None) -> tuple[ViewCrop, Quality]:
    """The view's crop and its quality checks; the errors a photo without a face or skin ends in."""
    face = findings.face
    if decision is not None and decision.forced and decision.view != "closeup" and findings.box is None:
        raise ImageError("no_face", "No face was found in the photo. " + CHECKS["no_face"].instruction)
    if decision is not None and face is not None and decision.view in ("front", "left", "right"):
        if decision.view == "front":
            crop = front_crop(rgb, face.landmarks)
            return crop, assess(rgb, findings, crop.polygons, "front")
        return side_crop(rgb, face.landmarks, decision.view), assess(rgb, findings, None, decision.view)
    if decision is not None and decision.view != "closeup" and findings.box is not None:
        crop, patch = patch_crop(rgb, decision.view, findings, findings.box)
    else:  # a close-up forced on a photo with a face in it: that face's skin is the patch
        forced_box = findings.box if decision is not None and decision.forced else None
        crop, patch = patch_crop(rgb, "closeup", findings, forced_box)
    if not patch.is_skin:
        raise ImageError("no_skin", "No skin was found in the photo. " + CHECKS["no_skin"].instruction)
    return crop, assess_patch(rgb, crop.tone_mask)


def _yaw(decision: ViewDecision | None) -> float | None:
    return None if decision is None or decision.yaw is None else round(decision.yaw, 1)


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

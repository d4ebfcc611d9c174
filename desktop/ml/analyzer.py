"""The analysis service: photo → SkinReport. Used by the CLI and (through a background task) the window.

It never raises for a bad photo: every failure becomes an `AnalysisFailure` with a code and a sentence.
No network I/O happens here (enforced by an import-linter contract on `desktop.ml`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from desktop.ml import colour
from desktop.ml.face import FaceFinder, FaceFindings
from desktop.ml.imaging import ImageError, load_image
from desktop.ml.quality import CHECKS, assess
from desktop.ml.regions import region_polygons, tone_mask
from desktop.ml.report import CONCERNS, AnalysisFailure, SkinReport, Tone

log = logging.getLogger(__name__)
MODEL_INFO = {"name": "skinlens-measures", "version": "0.1.0"}
MIN_TONE_PIXELS = 50

# A progress callback gets a fraction 0..1 and a short stage name; a cancel check returns True to stop.
Progress = Callable[[float, str], None]


class AnalysisCancelled(Exception):
    pass


class Analyzer:
    def __init__(self, face_finder: FaceFinder | None = None) -> None:
        self._faces = face_finder or FaceFinder()

    def analyze(self, source: str | Path | bytes, *, name: str | None = None,
                progress: Progress | None = None,
                cancelled: Callable[[], bool] | None = None) -> SkinReport | AnalysisFailure:
        """Analyse one photo (a path or encoded bytes). Never raises except `AnalysisCancelled`."""
        label = name if name is not None else str(source) if not isinstance(source, bytes) else "<bytes>"
        try:
            return self._analyze(source, label, progress or (lambda f, s: None), cancelled or (lambda: False))
        except AnalysisCancelled:
            raise
        except ImageError as exc:
            return AnalysisFailure(label, exc.code, exc.message)
        except MemoryError:
            return AnalysisFailure(label, "too_large", "Not enough memory to analyse this image.")
        except Exception:  # a bug must not take the CLI or the window down; it is logged in full
            log.exception("analysis of %s failed", label)
            return AnalysisFailure(label, "internal_error", "The analysis failed unexpectedly; see the log.")

    def analyze_array(self, rgb: np.ndarray, name: str = "<frame>") -> SkinReport | AnalysisFailure:
        """Analyse an RGB uint8 frame already in memory (camera capture)."""
        try:
            return self._measure(rgb, 1.0, name, {}, lambda f, s: None, lambda: False)
        except ImageError as exc:
            return AnalysisFailure(name, exc.code, exc.message)

    def _analyze(self, source: str | Path | bytes, label: str, progress: Progress,
                 cancelled: Callable[[], bool]) -> SkinReport:
        timings: dict[str, float] = {}
        start = time.perf_counter()
        progress(0.05, "loading")
        loaded = load_image(source)
        timings["load"] = _ms(start)
        if cancelled():
            raise AnalysisCancelled
        return self._measure(loaded.rgb, loaded.scale, label, timings, progress, cancelled, start)

    def _measure(self, rgb: np.ndarray, scale: float, label: str, timings: dict[str, float],
                 progress: Progress, cancelled: Callable[[], bool], start: float | None = None) -> SkinReport:
        start = start if start is not None else time.perf_counter()
        progress(0.2, "finding the face")
        t = time.perf_counter()
        findings = self._faces.find(rgb)
        timings["face"] = _ms(t)
        if findings.face is None:
            raise ImageError("no_face", "No face was found in the photo. " + CHECKS["no_face"].instruction)
        if cancelled():
            raise AnalysisCancelled
        progress(0.5, "checking the photo")
        t = time.perf_counter()
        quality = assess(rgb, findings)
        timings["quality"] = _ms(t)
        progress(0.7, "measuring skin tone")
        t = time.perf_counter()
        tone = measure_tone(rgb, findings)
        timings["tone"] = _ms(t)
        timings["total"] = _ms(start)
        progress(1.0, "done")
        x, y, w, h = findings.face.box
        box = [round(v / scale) for v in (x, y, w, h)]
        return SkinReport(
            image=label, quality=quality, face={"box": box, "count": findings.count}, tone=tone,
            skin_type={"label": None, "probabilities": {}},
            concerns=dict.fromkeys(CONCERNS), timings_ms=timings, model=dict(MODEL_INFO),
        )


def measure_tone(rgb: np.ndarray, findings: FaceFindings) -> Tone | None:
    """ITA°, band, Monk level and undertone from the median CIELAB of cheek and forehead skin."""
    assert findings.face is not None
    polygons = region_polygons(findings.face.landmarks)
    mask = tone_mask((rgb.shape[0], rgb.shape[1]), polygons)
    pixels = rgb[mask]
    if len(pixels) < MIN_TONE_PIXELS:
        return None
    lab = colour.rgb_to_lab(pixels.reshape(-1, 1, 3)).reshape(-1, 3)
    luma = lab[:, 0]
    keep = (luma > np.percentile(luma, 10)) & (luma < np.percentile(luma, 95))  # drop shadows and shine
    median = np.median(lab[keep] if keep.sum() >= MIN_TONE_PIXELS else lab, axis=0)
    ita = colour.ita_degrees(float(median[0]), float(median[2]))
    return Tone(ita=round(ita, 2), category=colour.ita_category(ita), monk=colour.nearest_monk(median),
                lab=[round(float(v), 2) for v in median], undertone=colour.undertone(median))


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 2)

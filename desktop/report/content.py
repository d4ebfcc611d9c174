"""What goes into a printed report, gathered without Qt: the analysed views, the combined scores, the routine and
the history trend.

The command line and the app's export both fill a `ReportContent` and hand it to the one PDF writer
(desktop.report.pdf), so the two can never print different things.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from desktop.ml.maps import FaceMaps
from desktop.recommend.routine import Routine
from desktop.vocabulary import CONCERN_KEYS

# the history store's rows (id, time, report, has photo): the trend reads only the time and the report
HistoryRows = Sequence[tuple[int, float, dict[str, Any], object]]


@dataclass
class ReportView:
    """One analysed photo: its pixels (display size), its report and the heat maps measured on it."""

    name: str
    rgb: np.ndarray | None
    report: dict[str, Any]
    maps: FaceMaps | None = None
    face_box: list[float] | None = None  # [x, y, w, h] on `rgb`'s pixel grid
    landmarks: np.ndarray | None = None  # the analysed face's, on `rgb`'s pixel grid: where its skin is


@dataclass
class ReportContent:
    when: str
    views: list[ReportView]
    combined: dict[str, Any]  # the scores, tone and type the report prints (one view: its own report)
    routine: Routine | None = None
    trend: list[tuple[float, dict[str, float | None]]] = field(default_factory=list)  # (unix time, scores)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (image, why) for photos not analysed
    version: str = ""


def combine_reports(reports: list[dict[str, Any]]) -> dict[str, Any]:
    """Several photos of one person at one sitting as one report: each concern the mean of the views that
    measured it (null when none did), the tone of the first view that measured one, the skin type the views'
    probabilities favour, the quality notes of all. One report comes back as it is."""
    if len(reports) == 1:
        return reports[0]
    concerns: dict[str, float | None] = {}
    for key in CONCERN_KEYS:
        values = [float(v) for r in reports if isinstance(v := (r.get("concerns") or {}).get(key), int | float)]
        concerns[key] = round(float(np.mean(values)), 1) if values else None
    combined = dict(reports[0])
    combined["image"] = ", ".join(str(r.get("image", "")) for r in reports)
    combined["concerns"] = concerns
    combined["tone"] = next((r["tone"] for r in reports if r.get("tone")), None)
    combined["skin_type"] = _combined_type(reports)
    issues = list(dict.fromkeys(i for r in reports for i in (r.get("quality") or {}).get("issues", [])))
    instructions = list(dict.fromkeys(i for r in reports for i in (r.get("quality") or {}).get("instructions", [])))
    combined["quality"] = {"ok": not issues, "issues": issues, "instructions": instructions}
    combined["views"] = [{"image": r.get("image"), "view": r.get("view"), "quality": r.get("quality"),
                          "concerns": r.get("concerns")} for r in reports]
    return combined


def _combined_type(reports: list[dict[str, Any]]) -> dict[str, Any]:
    probabilities: dict[str, float] = {}
    for report in reports:
        for label, p in ((report.get("skin_type") or {}).get("probabilities") or {}).items():
            if isinstance(p, int | float):
                probabilities[label] = probabilities.get(label, 0.0) + float(p) / len(reports)
    if probabilities:
        label = max(probabilities, key=lambda k: probabilities[k])
        return {"label": label, "probabilities": dict(probabilities), "source": "photo"}
    labels = [(r.get("skin_type") or {}).get("label") for r in reports]
    known = [label for label in labels if label]
    return {"label": Counter(known).most_common(1)[0][0] if known else None, "probabilities": None,
            "source": "photo" if known else "unknown"}


Scores = dict[str, float | None]


def trend_points(analyses: HistoryRows) -> list[tuple[float, Scores]]:
    """(time, scores) of every stored scan, oldest first, from the history store's rows."""
    points = []
    for _id, created_at, report, _has_photo in analyses:
        concerns = report.get("concerns") or {}
        points.append((float(created_at), {k: float(v) if isinstance(v := concerns.get(k), int | float) else None
                                           for k in CONCERN_KEYS}))
    return points


def main_concerns(combined: dict[str, Any], count: int = 3) -> list[str]:
    """The concerns that stand out most in this scan (highest scores first), for the heat maps."""
    concerns = combined.get("concerns") or {}
    scored = [(float(v), k) for k, v in concerns.items() if isinstance(v, int | float)]
    return [k for _v, k in sorted(scored, reverse=True)[:count]]

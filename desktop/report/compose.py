"""Filling a report: analyse the photos (command line) or take a stored scan (the app), make the routine, add the
history trend. Both paths end in the same `ReportContent` for the one PDF writer."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from desktop import __version__
from desktop.ml.analyzer import Analyzer
from desktop.ml.report import AnalysisFailure
from desktop.recommend.engine import Recommender
from desktop.recommend.profile import Profile
from desktop.recommend.questionnaire import Answers
from desktop.report.content import HistoryRows, ReportContent, ReportView, combine_reports, trend_points


def analyse_views(analyzer: Analyzer, sources: list[str | Path | bytes],
                  names: list[str] | None = None) -> tuple[list[ReportView], list[tuple[str, str]]]:
    """Each photo analysed on this machine: the views that worked, and (name, why) for the ones that did not."""
    views, failed = [], []
    for i, source in enumerate(sources):
        name = names[i] if names else str(source)
        report, rgb = analyzer.analyze_source(source, name=name)
        if isinstance(report, AnalysisFailure):
            failed.append((name, report.error))
        else:
            views.append(ReportView(name=name, rgb=rgb, report=report.to_dict(), maps=report.maps,
                                    face_box=report.face.get("box"), landmarks=_landmarks(analyzer, rgb)))
    return views, failed


def _landmarks(analyzer: Analyzer, rgb: np.ndarray | None) -> np.ndarray | None:
    """The analysed face's landmarks, which the report does not carry: the face finder is deterministic, so
    running it again on the same pixels finds the face the analysis used (as the results screen does)."""
    if rgb is None:
        return None
    face = analyzer.faces.find(rgb).face
    return None if face is None else face.landmarks


def profile_from(combined: dict[str, Any], answers: Profile | None) -> Profile:
    """The measured skin type and scores, with the person's explicit answers on top: a stated skin type wins,
    a stated concern counts at least as much as the photo says, preferences are theirs."""
    measured = Profile.from_report(combined)
    if answers is None:
        return measured
    concerns = dict(measured.concerns)
    for key, value in answers.concerns.items():
        concerns[key] = max(value, concerns.get(key, 0.0))
    return replace(answers, skin_type=answers.skin_type or measured.skin_type, concerns=concerns,
                   sensitive=answers.sensitive or (answers.skin_type or measured.skin_type) == "sensitive")


def content_from_views(views: list[ReportView], failed: list[tuple[str, str]], recommender: Recommender,
                       answers: Profile | None, history: HistoryRows, when: dt.datetime | None = None) -> ReportContent:
    """The report of photos analysed now (`skinlens report`): they are one sitting, so one combined report."""
    combined = combine_reports([v.report for v in views])
    routine = recommender.recommend(profile_from(combined, answers))
    moment = when or dt.datetime.now()
    points = [*trend_points(history), (moment.timestamp(), trend_points([(0, 0.0, combined, None)])[0][1])]
    return ReportContent(when=f"{moment:%d %B %Y, %H:%M}", views=views, combined=combined, routine=routine,
                         trend=sorted(points, key=lambda p: p[0]), failed=failed, version=__version__)


def content_from_scan(report: dict[str, Any], created_at: float, photo: bytes | None, analyzer: Analyzer,
                      recommender: Recommender, answers: Answers, history: HistoryRows) -> ReportContent:
    """The report of a stored scan (the app's export): its own scores; its heat maps measured again on the kept
    photo, since maps are never stored; the routine for the saved answers; the trend up to that scan."""
    views = [ReportView(name=str(report.get("image", "photo")), rgb=None, report=report)]
    if photo:
        again, rgb = analyzer.analyze_source(photo, name=views[0].name)
        views[0].rgb = rgb
        if not isinstance(again, AnalysisFailure):
            views[0].maps, views[0].face_box = again.maps, again.face.get("box")
            views[0].landmarks = _landmarks(analyzer, rgb)
    routine = recommender.recommend(answers.to_profile(report))
    points = [p for p in trend_points(history) if p[0] <= created_at + 1.0]
    moment = dt.datetime.fromtimestamp(created_at)
    return ReportContent(when=f"{moment:%d %B %Y, %H:%M}", views=views, combined=report, routine=routine,
                         trend=points, version=__version__)

"""One person at one sitting, photographed from several sides: one combined report (CONTRACTS.md, `--session`).

Each concern comes from the views that measured it (the mean of their scores; a view that could not see a
concern does not pull it towards 0), tone and skin type from the front view when there is one (it sees both
cheeks and the forehead evenly lit), and every view's own result is kept in `views`. A concern no view
measured stays `null` with the reasons the views gave.
"""

from __future__ import annotations

import statistics
from typing import Any

from desktop.ml.report import CONCERNS, AnalysisFailure, Quality, SkinReport
from desktop.ml.scoring import ESTIMATE, UNMEASURED

SESSION_VIEW = "session"


def view_entry(result: SkinReport | AnalysisFailure) -> dict[str, Any]:
    """What a combined report keeps of one view."""
    if isinstance(result, AnalysisFailure):
        return result.to_dict()
    full = result.to_dict()
    return {key: full[key] for key in ("image", "ok", "view", "quality", "face", "tone", "skin_type", "concerns",
                                       "concern_status", "unmeasured", "scale", "timings_ms")}


def combine(results: list[SkinReport | AnalysisFailure]) -> SkinReport | AnalysisFailure:
    """The session's report, or a failure when none of its photos could be analysed."""
    reports = [r for r in results if isinstance(r, SkinReport)]
    if not reports:
        first = results[0]
        assert isinstance(first, AnalysisFailure)
        return AnalysisFailure(first.image, first.code, "None of the session's photos could be analysed: "
                               + first.error[0].lower() + first.error[1:])
    main = next((r for r in reports if r.view == "front"), reports[0])
    concerns: dict[str, float | None] = {}
    from_views: dict[str, list[str]] = {}
    for concern in CONCERNS:
        seen = [(r.view or "", value) for r in reports if (value := r.concerns.get(concern)) is not None]
        concerns[concern] = round(statistics.fmean(v for _, v in seen), 1) if seen else None
        from_views[concern] = [view for view, _ in seen]
    reasons = {entry["concern"]: entry["reason"] for r in reports for entry in r.unmeasured}
    typed = next((r for r in [main, *reports] if r.skin_type.get("source") == "photo"), main)
    combined = SkinReport(
        image=main.image, quality=_quality(reports), face=main.face,
        tone=main.tone if main.tone is not None else next((r.tone for r in reports if r.tone), None),
        skin_type=typed.skin_type, concerns=concerns,
        timings_ms={"total": round(sum(r.timings_ms.get("total", 0.0) for r in reports), 2)},
        model=main.model, measures={"concern_views": from_views}, white_balance=main.white_balance,
        view=SESSION_VIEW, scale=main.scale,
        unmeasured=[{"concern": c, "reason": reasons.get(c, "no view of the session measured it")}
                    for c in CONCERNS if concerns[c] is None],
        views=[view_entry(r) for r in results],
        concern_status={c: main.concern_status.get(c, ESTIMATE) if concerns[c] is not None else UNMEASURED
                        for c in CONCERNS},
    )
    combined.maps = main.maps
    return combined


def _quality(reports: list[SkinReport]) -> Quality:
    issues: list[str] = []
    instructions: list[str] = []
    for report in reports:
        for code, text in zip(report.quality.issues, report.quality.instructions, strict=False):
            if code not in issues:
                issues.append(code)
                instructions.append(text)
    return Quality(ok=all(r.quality.ok for r in reports), issues=issues, instructions=instructions)

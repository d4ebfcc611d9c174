"""What each output of the analysis has shown on real photos, and therefore how the app presents it.

The figures come from `python ../shared/dev-eval/score.py .venv/bin/skinlens` (a development set of real
photos, for measuring only: nothing is fitted to it). An output is "validated" when its real-photo figure is
clearly above chance, and an "estimate" (shown with "estimate, not validated") otherwise, including every
output that has no real-photo labels at all. The skin type is taken from the photo ("photo") only when its
accuracy beats chance by `TYPE_MARGIN` (issue 19); otherwise it is "unknown" and the questionnaire decides.
The statuses travel in the model file's metadata (`training.export --real-photos`), so the app reads them
with the model they were measured with.
"""

from __future__ import annotations

from typing import Any

from desktop.ml.report import CONCERNS

MIN_SPEARMAN = 0.3  # acne against the dermatologist's grade; over 200 photos, p < 1e-5
MIN_AUC = 0.65  # oiliness, oily against dry photos
TYPE_MARGIN = 0.15  # skin-type accuracy above chance (1 / classes)
MIN_COVERAGE = 0.95  # figures over fewer of the photos say too little about the rest
MIN_SCORED = 40  # photos an output was scored on


def statuses(summary: dict[str, Any]) -> dict[str, Any]:
    """Per output "validated"/"estimate" (skin type: "photo"/"unknown") from a score.py summary, with the
    figures they rest on."""
    covered = (summary.get("coverage") or {}).get("all", 0.0) >= MIN_COVERAGE
    status = dict.fromkeys(CONCERNS, "estimate")
    acne, auc = summary.get("acne_spearman"), summary.get("oily_auc")
    if covered and acne is not None and summary.get("acne_scored", 0) >= MIN_SCORED and acne >= MIN_SPEARMAN:
        status["acne"] = "validated"
    if covered and auc is not None and summary.get("oily_scored", 0) >= MIN_SCORED and auc >= MIN_AUC:
        status["oiliness"] = "validated"
    accuracy, chance = summary.get("type_accuracy"), summary.get("type_chance")
    typed = summary.get("type_from_photo", 0) >= MIN_SCORED
    beats = accuracy is not None and chance is not None and accuracy >= chance + TYPE_MARGIN
    status["skin_type"] = "photo" if covered and typed and beats else "unknown"
    keys = ("photos", "coverage", "acne_scored", "acne_spearman", "oily_scored", "oily_auc", "type_from_photo",
            "type_accuracy", "type_chance")
    return {"status": status, "figures": {k: summary.get(k) for k in keys}}

"""Show only what works: each output's status comes from real-photo figures and reaches the report."""

from __future__ import annotations

from typing import Any

import numpy as np

from desktop.ml.analyzer import Analyzer
from desktop.ml.report import CONCERNS
from desktop.ml.scoring import concern_status, fuse
from training.validation import statuses

SUMMARY: dict[str, Any] = {"photos": 320, "coverage": {"all": 0.988}, "acne_scored": 200, "acne_spearman": 0.372,
                           "oily_scored": 60, "oily_auc": 0.55, "type_from_photo": 120, "type_accuracy": 0.40,
                           "type_chance": 0.333}


def test_an_output_is_validated_only_with_real_photo_skill_at_full_coverage() -> None:
    status = statuses(SUMMARY)["status"]
    assert status["acne"] == "validated" and status["oiliness"] == "estimate"
    assert status["skin_type"] == "unknown"  # 40 % against a chance of 33 %: not 15 points above it
    assert all(status[c] == "estimate" for c in CONCERNS if c not in ("acne", "oiliness"))  # no labels at all
    assert statuses({**SUMMARY, "type_accuracy": 0.49})["status"]["skin_type"] == "photo"
    assert statuses({**SUMMARY, "oily_auc": 0.71})["status"]["oiliness"] == "validated"
    # figures over a fifth of the photos say nothing about the rest
    assert set(statuses({**SUMMARY, "coverage": {"all": 0.2}})["status"].values()) == {"estimate", "unknown"}


def test_concern_status_follows_the_model_file_and_marks_unmeasured() -> None:
    concerns: dict[str, float | None] = {**dict.fromkeys(CONCERNS, 30.0), "dark_circles": None}
    real = statuses(SUMMARY)
    status = concern_status(concerns, real)
    assert status["acne"] == "validated" and status["dark_circles"] == "unmeasured"
    assert status["redness"] == "estimate"
    assert set(concern_status(concerns, None).values()) == {"estimate", "unmeasured"}  # no figures: estimates


def test_the_cnn_never_fills_a_concern_the_view_cannot_measure() -> None:
    measured: dict[str, float | None] = {**dict.fromkeys(CONCERNS, 10.0), "dark_circles": None}
    fused = fuse(measured, dict.fromkeys(CONCERNS, 90.0), dict.fromkeys(CONCERNS, 0.5))
    assert fused["dark_circles"] is None and fused["acne"] == 50.0


def test_report_carries_each_concerns_status_and_both_sources(astronaut_rgb: np.ndarray) -> None:
    line = Analyzer().analyze_array(astronaut_rgb, "astronaut").to_dict()
    assert set(line["concern_status"]) == set(CONCERNS)
    assert all(line["concern_status"][c] == ("unmeasured" if line["concerns"][c] is None else
                                              line["concern_status"][c]) for c in CONCERNS)
    assert set(line["concern_status"].values()) <= {"validated", "estimate", "unmeasured"}
    assert set(line["measures"]["scores"]) == {"measures", "cnn"}
    if line["skin_type"]["source"] == "unknown":
        assert line["skin_type"]["label"] is None


def test_bundled_model_statuses_are_what_its_real_photo_figures_give() -> None:
    from desktop.ml.infer import OnnxConcernModel
    from desktop.resources import resource

    model = OnnxConcernModel(resource("models", "skin_cnn.onnx"))
    real = model.real_photos
    assert real["figures"]["coverage"]["all"] >= 0.95
    assert real["status"] == statuses(real["figures"])["status"]
    assert model.skin_type_from_photo == (real["status"]["skin_type"] == "photo")
    assert set(model.views) == {"front", "left", "right", "closeup"}

"""A concern the photo could not measure (`null` in the report: a side view has no eyes to judge, a close-up no
whole face) is unknown to the recommender, never a score of 0 (CONTRACTS.md, 2026-12; issue 18)."""

from __future__ import annotations

from pathlib import Path

from desktop.catalog.store import CatalogStore
from desktop.recommend.engine import Recommender
from desktop.recommend.profile import Profile
from desktop.recommend.questionnaire import Answers
from desktop.resources import resource

CLOSEUP_REPORT = {"skin_type": {"label": None, "probabilities": None, "source": "unknown"},
                  "concerns": {"acne": 62.0, "redness": 40.0, "dark_spots": 20.0, "oiliness": 55.0,
                               "wrinkles": None, "pores": None, "dark_circles": None, "texture": None}}


def demo_recommender(tmp_path: Path) -> Recommender:
    store = CatalogStore(tmp_path / "catalog.sqlite3")
    store.seed_demo_if_empty(resource("catalog", "demo_catalog.csv"))
    return Recommender.for_store(store)


def test_null_concerns_are_unknown_not_zero() -> None:
    profile = Profile.from_report(CLOSEUP_REPORT)
    assert profile.concerns == {"acne": 62.0, "redness": 40.0, "dark_spots": 20.0, "oiliness": 55.0}
    assert profile.unknown == {"wrinkles", "pores", "dark_circles", "texture"}
    assert profile.skin_type is None  # "unknown" type: the answers decide
    assert Profile.from_dict({"concerns": {"pores": None, "acne": 10}}).unknown == {"pores"}


def test_the_routine_names_what_it_could_not_measure_and_a_goal_makes_it_known(tmp_path: Path) -> None:
    recommender = demo_recommender(tmp_path)
    routine = recommender.recommend(Answers().to_profile(CLOSEUP_REPORT))
    assert routine.unmeasured == ["wrinkles", "pores", "dark_circles", "texture"]  # vocabulary order
    assert routine.to_dict()["unmeasured"] == routine.unmeasured
    reasons = " ".join(r for step in routine.steps for pick in step.products for r in pick.reasons)
    assert "wrinkles" not in reasons and "dark circles" not in reasons  # nothing targets what was not seen
    asked = recommender.recommend(Answers(goals=["brighter_eyes"]).to_profile(CLOSEUP_REPORT))
    assert asked.unmeasured == ["wrinkles", "pores", "texture"]
    measured = recommender.recommend(Answers().to_profile({"concerns": dict.fromkeys(CLOSEUP_REPORT["concerns"], 0)}))
    assert measured.unmeasured == [] and "unmeasured" not in measured.to_dict()

"""One vocabulary for concerns, skin types and goals: every layer reads the same keys and words."""

from __future__ import annotations

import catalog_format
from desktop import vocabulary
from desktop.explain import SKIN_TYPE_WORDS, describe
from desktop.ml import report
from desktop.recommend import profile, questionnaire


def test_the_catalog_and_the_photo_have_their_own_skin_types() -> None:
    assert vocabulary.CATALOG_SKIN_TYPES == catalog_format.SKIN_TYPES  # what a catalog file may declare
    assert vocabulary.PHOTO_SKIN_TYPES == ("oily", "dry", "normal", "combination")  # the model's output order
    assert report.SKIN_TYPES == vocabulary.PHOTO_SKIN_TYPES and profile.SKIN_TYPES == vocabulary.CATALOG_SKIN_TYPES
    assert SKIN_TYPE_WORDS["oily"] == "Oily: shine across the face" and SKIN_TYPE_WORDS["sensitive"] == "Sensitive"


def test_concerns_goals_and_needs_use_the_same_keys() -> None:
    assert report.CONCERNS == vocabulary.CONCERN_KEYS
    assert len(set(vocabulary.CONCERN_KEYS)) == len(vocabulary.CONCERNS) == 8
    assert all(set(goal.concerns) <= set(vocabulary.CONCERN_KEYS) for goal in vocabulary.GOALS)
    assert set(vocabulary.GOAL_WORDS) == set(vocabulary.NEEDS) and vocabulary.HYDRATION not in vocabulary.CONCERN_KEYS
    assert questionnaire.GOALS["anti_ageing"] == ("Fewer lines and wrinkles", ("wrinkles", "texture"))
    assert describe("dark_spots", 42) == ("Dark spots 42/100 — mild: patches darker than the surrounding skin "
                                          "(sun spots, marks).")

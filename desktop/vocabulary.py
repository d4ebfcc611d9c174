"""The words for what SkinLens scores and what a routine targets: concerns, skin types and goals, in one place.

Keys are stable identifiers: the JSON of CONTRACTS.md, saved reports, the model's labels and the catalog's
declared skin types all use them. Names and meanings are what people read on the results screen, in the PDF, in
the questionnaire and in a routine's reasons. The words avoid medical terms on purpose: the app describes
appearance and gives cosmetic guidance, it does not diagnose. No imports from the app, so every layer (the
analysis included) can use it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Concern:
    """Something a photo is scored on (0–100, higher: more visible) and a routine can target."""

    key: str
    name: str  # what the screens call it
    meaning: str  # what its score measures, in plain words
    goal_words: str  # how a routine's reason names it as a product's target: "niacinamide targets dark spots"


CONCERNS = (  # in the report's order
    Concern("acne", "Breakouts", "raised or red spots such as blemishes and post-blemish marks", "acne"),
    Concern("redness", "Redness", "diffuse redness, for example on cheeks and nose", "redness"),
    Concern("dark_spots", "Dark spots", "patches darker than the surrounding skin (sun spots, marks)", "dark spots"),
    Concern("wrinkles", "Lines & wrinkles", "fine lines and deeper creases", "wrinkles"),
    Concern("pores", "Visible pores", "how visible pores are, mostly on nose and cheeks", "pores"),
    Concern("oiliness", "Shine", "shine from oil on the skin's surface", "oiliness"),
    Concern("dark_circles", "Dark circles", "darker skin under the eyes", "dark circles"),
    Concern("texture", "Texture", "unevenness of the skin's surface", "texture"),
)
CONCERN_KEYS = tuple(c.key for c in CONCERNS)

HYDRATION = "hydration"  # what dry skin needs: a routine targets it, a photo does not score it
NEEDS = (*CONCERN_KEYS, HYDRATION)  # everything a product's actives can be ranked for
GOAL_WORDS = {c.key: c.goal_words for c in CONCERNS} | {HYDRATION: "dryness"}


@dataclass(frozen=True)
class SkinType:
    key: str
    name: str
    meaning: str  # empty when the name says it all
    seen_in_photo: bool  # sensitivity is felt, not seen: a photo can show only the others

    @property
    def words(self) -> str:
        """'Oily: shine across the face' (the name alone when there is no meaning)."""
        return f"{self.name}: {self.meaning}" if self.meaning else self.name


SKIN_TYPES = (
    SkinType("oily", "Oily", "shine across the face", seen_in_photo=True),
    SkinType("dry", "Dry", "little shine, may feel tight", seen_in_photo=True),
    SkinType("normal", "Normal", "balanced", seen_in_photo=True),
    SkinType("combination", "Combination", "shiny T-zone, drier cheeks", seen_in_photo=True),
    SkinType("sensitive", "Sensitive", "", seen_in_photo=False),
)
CATALOG_SKIN_TYPES = tuple(t.key for t in SKIN_TYPES)  # what a product may declare and a profile may ask for
PHOTO_SKIN_TYPES = tuple(t.key for t in SKIN_TYPES if t.seen_in_photo)  # what the analysis labels, model order


@dataclass(frozen=True)
class Goal:
    """What a person can ask the routine for in the questionnaire, and the concerns it raises."""

    key: str
    label: str
    concerns: tuple[str, ...]


GOALS = (
    Goal("clearer", "Fewer breakouts", ("acne",)),
    Goal("even_tone", "More even tone, fewer dark spots", ("dark_spots",)),
    Goal("calmer", "Less redness", ("redness",)),
    Goal("anti_ageing", "Fewer lines and wrinkles", ("wrinkles", "texture")),
    Goal("less_shine", "Less shine, smaller-looking pores", ("oiliness", "pores")),
    Goal("smoother", "Smoother texture", ("texture",)),
    Goal("brighter_eyes", "Brighter under-eyes", ("dark_circles",)),
)


# (upper limit, word): a score below the limit gets the word
LEVELS = ((25.0, "low"), (50.0, "mild"), (75.0, "moderate"), (101.0, "marked"))
# what a score without real-photo evidence of skill is called wherever it is shown (the report's
# "concern_status" says which are "validated")
ESTIMATE_WORDS = "estimate, not validated"


def level(score: float) -> str:
    """The word for a 0–100 score, as the results screen, the routine's reasons and the report all say it."""
    return next(word for limit, word in LEVELS if score < limit)

"""The short questionnaire after a scan, and how its answers become the recommender's `Profile`.

The photo measures the skin; the person knows what the photo cannot see (sensitivity, pregnancy, goals, what
they avoid, their budget). Answers win over measurements where both speak: a corrected skin type replaces the
detected one, and a goal raises its concerns to at least `GOAL_FLOOR` so the routine targets it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from desktop import vocabulary
from desktop.catalog.inci import normalise_inci
from desktop.recommend.profile import Preferences, Profile

GOAL_FLOOR = 50.0
# goal key: (label people read, concerns it targets)
GOALS: dict[str, tuple[str, tuple[str, ...]]] = {g.key: (g.label, g.concerns) for g in vocabulary.GOALS}


@dataclass
class Answers:
    skin_type: str | None = None  # None: as detected from the photo
    sensitive: bool = False
    pregnant: bool = False
    goals: list[str] = field(default_factory=list)
    budget_max: float | None = None  # per product, in `currency`
    currency: str | None = None
    fragrance_free: bool = False
    vegan: bool = False
    avoid: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> Answers:
        """Lenient: a saved profile from an older version (or a hand-edited one) never stops the app."""
        if not isinstance(d, dict):
            return cls()
        skin_type = d.get("skin_type")
        budget = d.get("budget_max")
        return cls(
            skin_type=skin_type if skin_type in vocabulary.CATALOG_SKIN_TYPES else None,
            sensitive=bool(d.get("sensitive", False)), pregnant=bool(d.get("pregnant", False)),
            goals=[g for g in d.get("goals") or [] if g in GOALS],
            budget_max=float(budget) if isinstance(budget, int | float) and budget > 0 else None,
            currency=d.get("currency") if isinstance(d.get("currency"), str) else None,
            fragrance_free=bool(d.get("fragrance_free", False)), vegan=bool(d.get("vegan", False)),
            avoid=[str(a) for a in d.get("avoid") or [] if str(a).strip()],
        )

    def to_profile(self, report: dict[str, Any] | None) -> Profile:
        """The recommender's profile: measured skin type and concerns, then the answers on top."""
        profile = Profile.from_report(report or {})
        if self.skin_type:
            profile.skin_type = self.skin_type
        profile.sensitive = self.sensitive or profile.skin_type == "sensitive"
        profile.pregnant = self.pregnant
        for goal in self.goals:
            for concern in GOALS[goal][1]:
                profile.concerns[concern] = max(profile.concerns.get(concern, 0.0), GOAL_FLOOR)
                profile.unknown.discard(concern)
        profile.preferences = Preferences(
            budget_max=Decimal(str(self.budget_max)) if self.budget_max else None,
            currency=self.currency if self.budget_max else None,
            fragrance_free=self.fragrance_free, vegan=self.vegan,
            avoid_ingredients=[normalise_inci(a) for a in self.avoid],
        )
        return profile


def missing_basis(answers: Answers, report: dict[str, Any] | None) -> str | None:
    """Why no routine can be made yet, or None: a routine needs a scan or something the person said about
    their skin (a type, a goal, sensitivity or pregnancy). Preferences alone (vegan, a budget) describe products,
    not skin: a routine from them would be the catalog's cheapest wipes."""
    if report is not None:
        return None
    if answers.skin_type or answers.goals or answers.sensitive or answers.pregnant:
        return None
    return ("No routine yet: take or import a photo, or tell us about your skin (its type or what you want to "
            "improve), and the routine follows.")


def parse_avoid_list(text: str) -> list[str]:
    """'Alcohol Denat., linalool; parfum' → ['Alcohol Denat.', 'linalool', 'parfum'] (commas or semicolons)."""
    return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]

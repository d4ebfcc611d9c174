"""The user's profile as the recommender sees it (the `--profile` JSON of CONTRACTS.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from desktop.catalog.inci import normalise_inci
from desktop.vocabulary import CATALOG_SKIN_TYPES, CONCERN_KEYS

SKIN_TYPES = CATALOG_SKIN_TYPES  # a profile may ask for any skin type a product can declare (the UI imports this)


class ProfileError(ValueError):
    """A profile or report file that cannot be used; the message says which field and why."""


@dataclass
class Preferences:
    budget_max: Decimal | None = None
    currency: str | None = None
    fragrance_free: bool = False
    vegan: bool = False
    avoid_ingredients: list[str] = field(default_factory=list)  # normalised INCI names


@dataclass
class Profile:
    skin_type: str | None = None
    concerns: dict[str, float] = field(default_factory=dict)  # 0–100 each
    # Concerns the photo could not measure (`null` in the report): unknown, so they are neither targeted nor
    # counted as clear skin; the routine names them, and a goal in the answers makes them known.
    unknown: set[str] = field(default_factory=set)
    sensitive: bool = False
    pregnant: bool = False
    preferences: Preferences = field(default_factory=Preferences)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Profile:
        if not isinstance(d, dict):
            raise ProfileError("a profile must be a JSON object")
        skin_type = d.get("skin_type")
        if skin_type is not None and skin_type not in CATALOG_SKIN_TYPES:
            raise ProfileError(f"skin_type {skin_type!r} is not one of {', '.join(CATALOG_SKIN_TYPES)}")
        concerns: dict[str, float] = {}
        unknown: set[str] = set()
        for key, value in (d.get("concerns") or {}).items():
            if key not in CONCERN_KEYS:
                raise ProfileError(f"unknown concern {key!r}; known: {', '.join(CONCERN_KEYS)}")
            if value is None:
                unknown.add(key)
                continue
            if not isinstance(value, int | float) or not 0 <= value <= 100:
                raise ProfileError(f"concern {key} must be a number from 0 to 100")
            concerns[key] = float(value)
        prefs = d.get("preferences") or {}
        budget = prefs.get("budget_max")
        try:
            budget_value = Decimal(str(budget)) if budget is not None else None
        except InvalidOperation:
            raise ProfileError(f"budget_max {budget!r} is not a number") from None
        avoid = prefs.get("avoid_ingredients") or []
        if not isinstance(avoid, list):
            raise ProfileError("avoid_ingredients must be a list of ingredient names")
        return cls(
            skin_type=skin_type, concerns=concerns, unknown=unknown,
            sensitive=bool(d.get("sensitive", skin_type == "sensitive")),
            pregnant=bool(d.get("pregnant", False)),
            preferences=Preferences(
                budget_max=budget_value, currency=(prefs.get("currency") or None),
                fragrance_free=bool(prefs.get("fragrance_free", False)), vegan=bool(prefs.get("vegan", False)),
                avoid_ingredients=[normalise_inci(str(a)) for a in avoid],
            ),
        )

    @classmethod
    def from_report(cls, report: dict[str, Any], base: Profile | None = None) -> Profile:
        """Take skin type and concern scores from a SkinReport dict; answers and preferences from `base`."""
        profile = base or cls()
        label = (report.get("skin_type") or {}).get("label")
        if label in CATALOG_SKIN_TYPES:
            profile.skin_type = label
        for key, value in (report.get("concerns") or {}).items():
            if key in CONCERN_KEYS and isinstance(value, int | float):
                profile.concerns[key] = float(value)
                profile.unknown.discard(key)
            elif key in CONCERN_KEYS and value is None and key not in profile.concerns:
                profile.unknown.add(key)
        return profile

"""The recommender: profile + catalog → a routine of ranked products, each with the reasons why.

Hard filters first (budget, currency, fragrance-free, vegan, avoid list, pregnancy), then a score in 0..1:
concern match (severity × evidence grade × the active's place on the label), skin-type fit and price.
Reasons name only ingredients the product really contains.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from desktop.catalog.store import ProductRecord
from desktop.recommend.knowledge import (
    CONCERN_ACTIVES,
    EXFOLIANT_ACIDS,
    FRAGRANCE,
    GRADE_WEIGHT,
    NON_VEGAN,
    RETINOIDS,
)
from desktop.recommend.profile import Profile

CONCERN_WORDS = {"dark_spots": "dark spots", "dark_circles": "dark circles"}


@dataclass(frozen=True)
class StepSpec:
    step: str
    when: tuple[str, ...]
    accepts: Callable[[ProductRecord], bool]


def _is_sunscreen(p: ProductRecord) -> bool:
    return p.category == "sunscreen" or "spf" in p.tags


STEPS = (
    StepSpec("cleanser", ("am", "pm"), lambda p: p.category == "cleanser"),
    StepSpec("treatment", ("am", "pm"), lambda p: p.category in {"serum", "treatment"}),
    StepSpec("moisturizer", ("am", "pm"), lambda p: p.category == "moisturizer" and not _is_sunscreen(p)),
    StepSpec("sunscreen", ("am",), _is_sunscreen),
    StepSpec("eye", ("am", "pm"), lambda p: p.category == "eye"),
)
EYE_STEP_THRESHOLD = 40.0


@dataclass
class Pick:
    product_id: str
    brand: str
    name: str
    score: float
    price: float
    currency: str
    reasons: list[str]
    url: str


@dataclass
class RoutineStep:
    step: str
    when: list[str]
    products: list[Pick]


@dataclass
class Routine:
    steps: list[RoutineStep]
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"steps": [asdict(s) for s in self.steps], "warnings": list(self.warnings)}


def excluded_by(product: ProductRecord, profile: Profile) -> str | None:
    """Why a product is filtered out for this profile, or None when it may be recommended."""
    prefs = profile.preferences
    ingredients = set(product.ingredients)
    if prefs.currency and product.currency != prefs.currency:
        return f"priced in {product.currency}"
    if prefs.budget_max is not None and product.price > prefs.budget_max:
        return "over budget"
    if prefs.fragrance_free and ingredients & FRAGRANCE:
        return "contains fragrance"
    if prefs.vegan and ingredients & NON_VEGAN:
        return "not vegan"
    avoided = [a for a in prefs.avoid_ingredients if a in ingredients]
    if avoided:
        return f"contains {avoided[0]}"
    if profile.pregnant and ingredients & RETINOIDS:
        return "retinoid (not during pregnancy)"
    return None


def _position_weight(position: int, length: int) -> float:
    """Earlier on the label means more of it: 1.0 in the first fifth, falling to 0.4 at the end."""
    if length <= 1:
        return 1.0
    return 1.0 - 0.6 * min(1.0, max(0.0, (position / (length - 1) - 0.2) / 0.8))


def _concern_match(product: ProductRecord, profile: Profile) -> tuple[float, list[str]]:
    positions = {name: i for i, name in reversed(list(enumerate(product.ingredients)))}
    total_severity = sum(profile.concerns.values()) or 1.0
    score, reasons = 0.0, []
    for concern, severity in sorted(profile.concerns.items(), key=lambda kv: -kv[1]):
        best, best_active = 0.0, None
        for active in CONCERN_ACTIVES.get(concern, ()):
            if active.ingredient in positions:
                weight = GRADE_WEIGHT[active.grade] * _position_weight(positions[active.ingredient],
                                                                        len(product.ingredients))
                if weight > best:
                    best, best_active = weight, active
        if best_active is not None and severity > 0:
            score += severity / total_severity * best
            reasons.append(f"{best_active.display} targets {CONCERN_WORDS.get(concern, concern)} "
                           f"(evidence {best_active.grade})")
    return score, reasons


def _type_fit(product: ProductRecord, profile: Profile) -> tuple[float, list[str]]:
    if not profile.skin_type:
        return 0.5, []
    if profile.skin_type in product.skin_types:
        return 1.0, [f"made for {profile.skin_type} skin"]
    if profile.sensitive and not set(product.ingredients) & FRAGRANCE:
        return 0.8, ["fragrance-free, kinder to sensitive skin"]
    return 0.5, []


def score_product(product: ProductRecord, profile: Profile, price_ceiling: float) -> tuple[float, list[str]]:
    concern, concern_reasons = _concern_match(product, profile)
    fit, fit_reasons = _type_fit(product, profile)
    price_score = 1.0 - min(1.0, float(product.price) / price_ceiling) if price_ceiling > 0 else 0.5
    weight_concern = 0.65 if profile.concerns else 0.0
    total = weight_concern * concern + (0.95 - weight_concern) * fit + 0.05 * price_score
    return round(min(1.0, total), 4), concern_reasons + fit_reasons


class Recommender:
    def __init__(self, products: Callable[[], Sequence[ProductRecord]]) -> None:
        self._products = products

    def recommend(self, profile: Profile, limit: int = 3) -> Routine:
        candidates = [p for p in self._products() if excluded_by(p, profile) is None]
        prices = sorted(float(p.price) for p in candidates)
        ceiling = prices[int(len(prices) * 0.9)] if prices else 0.0
        steps = []
        for spec in STEPS:
            if spec.step == "eye" and profile.concerns.get("dark_circles", 0) < EYE_STEP_THRESHOLD:
                continue
            ranked = sorted(
                ((score_product(p, profile, ceiling), p) for p in candidates if spec.accepts(p)),
                key=lambda item: (-item[0][0], item[1].price, item[1].id),
            )
            picks, brands = [], set()
            for (score, reasons), product in ranked:
                if product.brand in brands:  # brand diversity within a step
                    continue
                brands.add(product.brand)
                picks.append(Pick(product.id, product.brand, product.name, score, float(product.price),
                                  product.currency, reasons, product.buy_url))
                if len(picks) >= limit:
                    break
            steps.append(RoutineStep(spec.step, list(spec.when), picks))
        return Routine(steps, routine_warnings(steps, candidates))


def routine_warnings(steps: list[RoutineStep], products: Sequence[ProductRecord]) -> list[str]:
    """Warnings for clashing actives among the top pick of each step."""
    by_id = {p.id: p for p in products}
    top = [by_id[s.products[0].product_id] for s in steps if s.products]
    used = set().union(*(set(p.ingredients) for p in top)) if top else set()
    warnings = []
    if used & RETINOIDS and used & EXFOLIANT_ACIDS:
        warnings.append("Retinoid and exfoliating acids in one routine: use them on different evenings.")
    if used & (RETINOIDS | EXFOLIANT_ACIDS):
        warnings.append("Retinoids and acids make skin more sensitive to the sun: use sunscreen every day.")
    return warnings

"""The recommender: profile + catalog → a routine of ranked products, each with the reasons why.

1. Hard filters (never relaxed): currency, budget, fragrance-free (declared fragrance or any EU labelled
   allergen), vegan (unambiguous animal-derived ingredients), the avoid list (INCI names or free-from families
   such as "parabens"), pregnancy (no retinoids, no leave-on salicylic acid: labels do not state the dose),
   EU Annex II prohibited substances.
2. Score in 0..1 = 0.6 × concern match + 0.35 × skin-type fit + 0.05 × price, where concern match is the
   severity-weighted mean over concerns of the best active's evidence weight (A 1.0 … D 0.25) times its
   label-position weight, and skin-type fit looks at comedogenic load (oily/acne), humectants and occlusives
   (dry), irritants and fragrance (sensitive), and the catalog's declared skin types.
3. Per step, the best products with at most one per brand; reasons name only ingredients present.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from desktop.catalog.knowledge import KnowledgeBase, default_knowledge
from desktop.catalog.store import CatalogStore
from desktop.recommend.index import CatalogIndex, IndexCache
from desktop.recommend.profile import Profile
from desktop.recommend.routine import Pick, Routine, RoutineStep
from desktop.recommend.warnings import routine_warnings
from desktop.vocabulary import CONCERN_KEYS, GOAL_WORDS, HYDRATION

EYE_STEP_THRESHOLD = 40.0
MIN_SEVERITY_FOR_REASON = 15.0


@dataclass(frozen=True)
class StepSpec:
    step: str
    when: tuple[str, ...]
    categories: frozenset[str]
    sunscreen: bool | None = None  # True: SPF required; False: SPF products left to the sunscreen step
    daytime: bool = False  # leaves out retinoids and exfoliating acids (photosensitising, for the evening)


STEPS = (
    StepSpec("cleanser", ("am", "pm"), frozenset({"cleanser"})),
    StepSpec("serum", ("am",), frozenset({"serum", "treatment"}), sunscreen=False, daytime=True),
    StepSpec("treatment", ("pm",), frozenset({"serum", "treatment", "exfoliant"}), sunscreen=False),
    StepSpec("moisturizer", ("am", "pm"), frozenset({"moisturizer", "oil"}), sunscreen=False),
    StepSpec("sunscreen", ("am",), frozenset({"sunscreen", "moisturizer", "serum", "oil", "other"}), sunscreen=True),
    StepSpec("eye", ("am", "pm"), frozenset({"eye"})),
)


class Recommender:
    """Ranks products for a profile. `index` is called per request and returns the current CatalogIndex."""

    def __init__(self, index: Callable[[], CatalogIndex], kb: KnowledgeBase) -> None:
        self._index = index
        self.kb = kb

    @classmethod
    def for_store(cls, store: CatalogStore, kb: KnowledgeBase | None = None) -> Recommender:
        kb = kb or default_knowledge()
        return cls(IndexCache(store, kb), kb)

    def warm_up(self) -> None:
        """Build the catalog index now (in a worker) rather than on the first recommendation."""
        self._index()

    def recommend(self, profile: Profile, limit: int = 3) -> Routine:
        index = self._index()
        allowed, excluded = hard_filter(index, profile, self.kb)
        score = total_score(index, profile)
        steps = []
        unused = allowed.copy()  # a product fills one step only (serum and treatment share categories)
        for spec in STEPS:
            if spec.step == "eye" and profile.concerns.get("dark_circles", 0.0) < EYE_STEP_THRESHOLD:
                continue
            rows = _pick_rows(index, unused & _step_mask(index, spec), score, limit)
            unused[rows] = False
            steps.append(RoutineStep(spec.step, list(spec.when),
                                     [_pick(index, row, score[row], profile) for row in rows]))
        unmeasured = [c for c in CONCERN_KEYS if c in profile.unknown and c not in profile.concerns]
        return Routine(steps, routine_warnings(index, steps, profile, self.kb), excluded, unmeasured)


def _step_mask(index: CatalogIndex, spec: StepSpec) -> np.ndarray:
    mask = np.isin(index.category, list(spec.categories))
    if spec.sunscreen is True:
        mask &= index.spf
    elif spec.sunscreen is False:
        mask &= ~index.spf
    if spec.daytime:
        mask &= ~index.retinoid & ~index.exfoliant
    return np.asarray(mask)


def hard_filter(index: CatalogIndex, profile: Profile, kb: KnowledgeBase) -> tuple[np.ndarray, dict[str, int]]:
    """The rows that pass every hard filter, and how many each filter removed."""
    prefs = profile.preferences
    rules: list[tuple[str, np.ndarray]] = [("prohibited_in_eu", index.prohibited)]
    if prefs.currency:
        rules.append(("other_currency", index.currency != prefs.currency))
    if prefs.budget_max is not None:
        rules.append(("over_budget", index.price > float(prefs.budget_max)))
    if prefs.fragrance_free:
        rules.append(("fragrance", index.fragrance))
    if prefs.vegan:
        rules.append(("not_vegan", index.not_vegan))
    if profile.pregnant:
        rules.append(("not_in_pregnancy", index.retinoid | index.leave_on_bha))
    if prefs.avoid_ingredients:
        rules.append(("avoided_ingredient", avoid_mask(index, prefs.avoid_ingredients, kb)))
    allowed = np.ones(len(index), bool)
    excluded = {}
    for name, bad in rules:
        excluded[name] = int((allowed & bad).sum())
        allowed &= ~bad
    return allowed, excluded


def avoid_mask(index: CatalogIndex, avoid: list[str], kb: KnowledgeBase) -> np.ndarray:
    """Rows containing an avoided ingredient; a family name ("parabens", "silicone") avoids the whole family."""
    mask = np.zeros(len(index), bool)
    families = {key for key, family in kb.families.items()
                for term in avoid if term in (key, f"{key}s", family.noun)}
    for term in avoid:
        mask[index.rows_with(term)] = True
    if families:
        for name, rows in index.inverted.items():
            if any(kb.family_hits(f, name) for f in families):
                mask[rows] = True
    return mask


def type_fit(index: CatalogIndex, profile: Profile) -> np.ndarray:
    """0..1: how well each product suits the skin type and sensitivity."""
    parts = []
    skin_type = profile.skin_type
    if skin_type in ("oily", "combination") or profile.concerns.get("acne", 0) >= 40:
        parts.append(1.0 - np.clip(index.comedogenic_load / 3.0, 0, 1))
    if skin_type == "dry" or profile.concerns.get("texture", 0) >= 60:
        parts.append(np.asarray(index.hydration, np.float64))
    if profile.sensitive or skin_type == "sensitive":
        parts.append((1.0 - np.clip(index.irritant_load / 2.0, 0, 1)) * np.where(index.fragrance, 0.4, 1.0))
    fit = np.mean(parts, axis=0) if parts else np.full(len(index), 0.5)
    if skin_type in index.declared:
        fit = np.where(index.declared[skin_type], np.minimum(1.0, fit + 0.3), fit)
    return np.asarray(fit)


def concern_match(index: CatalogIndex, profile: Profile) -> np.ndarray:
    needs = dict(profile.concerns)
    if profile.skin_type == "dry":
        needs[HYDRATION] = max(needs.get(HYDRATION, 0.0), 50.0)
    total = sum(needs.values())
    if total <= 0:
        return np.zeros(len(index))
    match = np.zeros(len(index))
    for need, severity in needs.items():
        if need in index.strength and severity > 0:
            match += severity / total * index.strength[need]
    return match


def total_score(index: CatalogIndex, profile: Profile) -> np.ndarray:
    prices = index.price
    ceiling = float(np.percentile(prices, 90)) if len(prices) else 1.0
    price_score = 1.0 - np.clip(prices / max(ceiling, 1e-6), 0, 1)
    concern_weight = 0.6 if any(v > 0 for v in profile.concerns.values()) or profile.skin_type == "dry" else 0.0
    score = concern_weight * concern_match(index, profile) + (0.95 - concern_weight) * type_fit(index, profile)
    return np.asarray(np.round(score + 0.05 * price_score, 4))


def _pick_rows(index: CatalogIndex, mask: np.ndarray, score: np.ndarray, limit: int) -> list[int]:
    """Top rows by score (ties: cheaper, then id), at most one per brand."""
    candidates = np.flatnonzero(mask)
    if candidates.size == 0:
        return []
    take = min(candidates.size, limit * 20)
    top = candidates[np.argpartition(-score[candidates], take - 1)[:take]]
    order = sorted(top, key=lambda r: (-score[r], index.price[r], index.products[r].id))
    rows, brands = [], set()
    for row in order:
        if index.brand[row] in brands:
            continue
        brands.add(index.brand[row])
        rows.append(int(row))
        if len(rows) == limit:
            break
    return rows


def _pick(index: CatalogIndex, row: int, score: float, profile: Profile) -> Pick:
    product = index.products[row]
    return Pick(product.id, product.brand, product.name, float(score), float(product.price), product.currency,
                reasons_for(index, row, profile), product.buy_url)


def reasons_for(index: CatalogIndex, row: int, profile: Profile) -> list[str]:
    """Plain-language reasons, each naming an ingredient this product contains."""
    reasons: list[str] = []
    needs = dict(profile.concerns)
    if profile.skin_type == "dry":
        needs.setdefault(HYDRATION, 50.0)
    for need, severity in sorted(needs.items(), key=lambda kv: -kv[1]):
        best = int(index.best_active[need][row]) if need in index.best_active else -1
        if best >= 0 and severity >= MIN_SEVERITY_FOR_REASON:
            active = index.actives[best]
            name = active.ingredient
            if active.display != active.ingredient:
                name += f" ({active.display})"
            reasons.append(f"{name} targets {GOAL_WORDS.get(need, need)} (evidence {active.grade})")
    if profile.skin_type in ("oily", "combination") and index.comedogenic_load[row] < 0.5:
        reasons.append(f"low in pore-clogging ingredients, suits {profile.skin_type} skin")
    if (profile.sensitive or profile.skin_type == "sensitive") and not index.fragrance[row]:
        reasons.append("no fragrance or labelled fragrance allergens, kinder to sensitive skin")
    if profile.skin_type in index.declared and index.declared[profile.skin_type][row]:
        reasons.append(f"made for {profile.skin_type} skin")
    if index.spf[row]:
        reasons.append("daily sun protection (SPF)")
    return reasons

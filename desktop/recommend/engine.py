"""The recommender: profile + catalog → a routine, one product per step with folded alternatives, each with why.

1. Hard filters (never relaxed): currency, budget, fragrance-free (declared fragrance or any EU labelled
   allergen), vegan (unambiguous animal-derived ingredients), the avoid list (INCI names or free-from families
   such as "parabens"), pregnancy (no retinoids, no leave-on salicylic acid: labels do not state the dose),
   EU Annex II prohibited substances.
2. Score in 0..1 = 0.6 × concern match + 0.3 × skin-type fit + 0.1 × cost, where concern match is the
   severity-weighted mean over concerns of the best active's evidence weight (A 1.0 … D 0.25) times its
   label-position weight, and skin-type fit looks at comedogenic load (oily/acne), humectants and occlusives
   (dry), irritants and fragrance (sensitive), and the catalog's declared skin types; cost is the price at
   first and, for each step's candidates, what a month of that step costs where the pack size is known (a
   14-pad pack used nightly is dear however cheap the box looks).
3. Steps take products by what they are, read from name and INCI (desktop.recommend.steps, .forms).
4. The picks are chosen together so the routine breaks none of its own clash rules (desktop.recommend.select);
   reasons name what in each product fits the person (desktop.recommend.reasons); each pick's monthly cost is
   estimated from its size (desktop.recommend.cost).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np

from desktop.catalog.knowledge import EXFOLIANTS, RETINOIDS, KnowledgeBase, default_knowledge
from desktop.catalog.store import CatalogStore
from desktop.recommend.cost import COST_NOTE, monthly_costs, per_use_ml, price_score
from desktop.recommend.index import CatalogIndex, IndexCache, vegan_disputed
from desktop.recommend.profile import Profile
from desktop.recommend.reasons import Context, needs_of, reasons_for
from desktop.recommend.routine import Pick, Routine, RoutineStep
from desktop.recommend.select import alternatives, choose_picks, ranked
from desktop.recommend.steps import STEPS, StepSpec, step_mask
from desktop.recommend.warnings import chosen_rows, routine_notes, routine_warnings
from desktop.vocabulary import CONCERN_KEYS, HYDRATION

__all__ = ["STEPS", "Pick", "Recommender", "Routine", "RoutineStep", "StepSpec", "hard_filter", "step_mask"]

EYE_STEP_THRESHOLD = 40.0
CANDIDATES_PER_STEP = 60
COST_WEIGHT = 0.1
VEGAN_DISPUTED_PENALTY = 0.3  # asked for vegan: a product whose source is disputed only when nothing else fits


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
        specs = [s for s in STEPS if s.step != "eye"
                 or profile.concerns.get("dark_circles", 0.0) >= EYE_STEP_THRESHOLD]
        by_needs: dict[tuple[tuple[str, float], ...], np.ndarray] = {}
        score = {}
        for s in specs:  # the eye step has its own needs; the face steps share theirs
            seen = _for_step(profile, s.step)
            key = tuple(sorted(seen.concerns.items()))
            score[s.step] = by_needs[key] if key in by_needs else by_needs.setdefault(key, total_score(index, seen))
        disputed = vegan_disputed(index, self.kb) if profile.preferences.vegan else None
        rank_score = {step: values if disputed is None else values - VEGAN_DISPUTED_PENALTY * disputed
                      for step, values in score.items()}
        count = max(CANDIDATES_PER_STEP, limit * 20)
        candidates, monthly = {}, {}
        for s in specs:
            rows = ranked(index, allowed & step_mask(index, s), rank_score[s.step], count,
                          brands=2 * limit)  # (slack: some brands may be used elsewhere or clash)
            delta, month = cost_delta(index, s, rows)
            monthly[s.step] = dict(zip(rows, month.tolist(), strict=True))
            for table in (score, rank_score):
                table[s.step] = table[s.step].copy()  # the arrays may be shared between steps
                table[s.step][rows] = np.round(np.clip(table[s.step][rows] + delta, 0.0, 1.0), 4)
            order = rank_score[s.step]
            candidates[s.step] = sorted(rows, key=lambda r: (-order[r], index.price[r], index.products[r].id))
        picks = choose_picks(index, candidates, rank_score)
        lists = alternatives(index, candidates, picks, limit)
        context = Context(evening_sensitisers=_evening_sensitisers(index, picks))
        steps = [RoutineStep(s.step, list(s.when), [
            _pick(index, row, float(score[s.step][row]), monthly[s.step][row], s, profile, context)
            for row in lists.get(s.step, [])]) for s in specs]
        unmeasured = [c for c in CONCERN_KEYS if c in profile.unknown and c not in profile.concerns]
        return Routine(steps, routine_warnings(index, chosen_rows(index, steps), profile, self.kb), excluded,
                       routine_notes(profile), COST_NOTE, profile, unmeasured)

    def review(self, routine: Routine, profile: Profile | None, chosen: dict[str, str]) -> list[str]:
        """The warnings for the products a person chose (step -> product id; the pick where they chose none);
        `profile` None: the one the routine was made for."""
        index = self._index()
        profile = profile or routine.profile or Profile()
        return routine_warnings(index, chosen_rows(index, routine.steps, chosen), profile, self.kb)


def _for_step(profile: Profile, step: str) -> Profile:
    """The profile as one step sees it: an eye product is ranked for the eye area's needs, a face product for
    the rest (caffeine for dark circles does nothing in a face cream)."""
    return replace(profile, concerns={k: v for k, v in needs_of(profile, step).items() if k in profile.concerns})


def _evening_sensitisers(index: CatalogIndex, picks: dict[str, int]) -> tuple[str, ...]:
    found: list[str] = []
    for step, row in picks.items():
        if step in ("treatment", "moisturizer", "eye"):  # a cleanser's acid is rinsed off
            found += [n for n in index.products[row].inci if n in RETINOIDS or n in EXFOLIANTS]
    return tuple(dict.fromkeys(found))


def _monthly(index: CatalogIndex, spec: StepSpec, rows: np.ndarray) -> np.ndarray:
    """A month of this step for each of `rows` (NaN where the size is unknown)."""
    per_use = np.array([per_use_ml(spec.step, str(index.form[r]), bool(index.watery[r])) for r in rows])
    return monthly_costs(index.price[rows], index.size_amount[rows], index.size_counted[rows], per_use,
                         len(spec.when))


def _pick(index: CatalogIndex, row: int, score: float, month: float, spec: StepSpec, profile: Profile,
          context: Context) -> Pick:
    product = index.products[row]
    cost = None if np.isnan(month) else month
    return Pick(product.id, product.brand, product.name, score, float(product.price), product.currency,
                reasons_for(index, row, spec.step, profile, context), product.buy_url, product.size,
                None if cost is None else round(cost, 2))


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
    concern_weight = 0.6 if any(v > 0 for v in profile.concerns.values()) or profile.skin_type == "dry" else 0.0
    fit = concern_weight * concern_match(index, profile) + (0.9 - concern_weight) * type_fit(index, profile)
    return np.asarray(np.round(fit + COST_WEIGHT * index.price_score, 4))


def cost_delta(index: CatalogIndex, spec: StepSpec, rows: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """(score change, monthly cost) for `rows`: their cost part judged again on what a month of this step
    costs, relative to these rows (the price where the pack size is unknown, monthly cost NaN)."""
    if not rows:
        return np.zeros(0), np.zeros(0)
    monthly = _monthly(index, spec, np.asarray(rows))
    known = ~np.isnan(monthly)
    by_price = index.price_score[rows]
    cost = by_price.copy()
    if known.any():
        cost[known] = price_score(monthly[known], dear=3.0)
    return COST_WEIGHT * (cost - by_price), monthly

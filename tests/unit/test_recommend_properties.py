"""The routine's invariants over generated catalogs and profiles (hypothesis).

Whatever the catalog and the person: no product in two steps, one product per brand per step, no leave-on
retinoid or exfoliating acid in a step used in the morning, nothing over budget or in another currency,
nothing with a fragrance or a labelled allergen for a fragrance-free profile, nothing animal-derived for a vegan
one, nothing avoided, nothing banned in the EU, nothing pregnancy-unsafe; a product only in a step its form fits
(steps.step_mask), sun protection only in the sunscreen step. And the routine is not empty for nothing: a step
is empty only when every product that fits it is used elsewhere or clashes with the other steps' picks, and it
shows as many other brands as could replace its pick without such a clash, best first.

The expectations are computed here from the knowledge base and the labels, not from the recommender's index,
so a mistake in the index's flags is caught too.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.catalog.inci import normalise_inci
from desktop.catalog.knowledge import BHAS, EXFOLIANTS, RETINOIDS, default_knowledge
from desktop.catalog.store import ProductRecord
from desktop.recommend.engine import EYE_STEP_THRESHOLD, STEPS, StepSpec, step_mask
from desktop.recommend.index import build_index
from desktop.recommend.routine import Routine
from desktop.recommend.steps import STEP_BY_NAME
from desktop.vocabulary import CATALOG_SKIN_TYPES, CONCERN_KEYS
from tests.unit.catalogs import product, recommend

INGREDIENTS = [
    "Aqua", "Glycerin", "Niacinamide", "Zinc PCA", "Squalane", "Dimethicone", "Tocopherol", "Caffeine",
    "Azelaic Acid", "Tranexamic Acid", "Citric Acid", "Homosalate", "Panthenol", "Ceramide NP",
    "Isopropyl Myristate", "Methylparaben",
    "Parfum", "Limonene", "Linalool", "Benzyl Alcohol", "Citral",  # fragrance and labelled allergens
    "Retinol", "Retinal", "Adapalene",  # retinoids
    "Glycolic Acid", "Lactic Acid", "Mandelic Acid", "Salicylic Acid", "Betaine Salicylate",  # exfoliating acids
    "Hydroquinone", "Butylphenyl Methylpropional",  # EU Annex II
    "Cera Alba", "Lanolin", "Carmine",  # animal-derived
]
CATEGORIES = ["cleanser", "serum", "treatment", "exfoliant", "moisturizer", "oil", "sunscreen", "eye", "mask",
              "other"]
BRANDS = ["Acme", "ACME", "Bloom", "Cove", "Dew", "Elm", "Fig"]
RINSE_OFF = {"cleanser", "mask"}


def _product(i: int, fields: tuple[int, int, int, list[int], int, int, int]) -> ProductRecord:
    brand, category, price, ingredients, currency, skin_types, spf = fields
    return product(f"p{i}", BRANDS[brand], CATEGORIES[category],
                   ", ".join(dict.fromkeys(INGREDIENTS[k] for k in ingredients)),
                   price=price / 2, currency="EUR" if currency == 2 else "GBP",
                   skin_types=tuple(t for bit, t in enumerate(CATALOG_SKIN_TYPES) if skin_types >> bit & 1),
                   tags=("spf",) if spf == 2 else ())


# One tuple of small integers per product: few draws per example (generation dominates the run time), and
# hypothesis still shrinks a failure towards short labels, the first brands and categories and low prices.
catalogs = st.lists(st.tuples(st.integers(0, len(BRANDS) - 1), st.integers(0, len(CATEGORIES) - 1),
                              st.integers(2, 120), st.lists(st.integers(0, len(INGREDIENTS) - 1), min_size=1,
                                                            max_size=8),
                              st.integers(0, 2), st.integers(0, 2 ** len(CATALOG_SKIN_TYPES) - 1),
                              st.integers(0, 2)),
                    min_size=1, max_size=40).map(lambda rows: [_product(i, r) for i, r in enumerate(rows)])


profiles = st.fixed_dictionaries({
    "skin_type": st.sampled_from([None, *CATALOG_SKIN_TYPES]),
    "concerns": st.dictionaries(st.sampled_from(CONCERN_KEYS), st.integers(0, 100)),
    "sensitive": st.booleans(),
    "pregnant": st.booleans(),
    "preferences": st.fixed_dictionaries({
        "budget_max": st.one_of(st.none(), st.integers(2, 60)),
        "currency": st.sampled_from([None, "GBP", "EUR"]),
        "fragrance_free": st.booleans(),
        "vegan": st.booleans(),
        "avoid_ingredients": st.lists(st.sampled_from(["Glycerin", "Dimethicone", "Niacinamide", "Squalane"]),
                                      max_size=2),
    }),
})


def allowed(p: ProductRecord, profile: dict[str, Any]) -> bool:
    """Whether the profile's hard filters let `p` through, from its label and the knowledge base."""
    kb, prefs, names = default_knowledge(), profile["preferences"], set(p.inci)
    if names & kb.annex_ii:
        return False
    if prefs["currency"] and p.currency != prefs["currency"]:
        return False
    if prefs["budget_max"] is not None and p.price > Decimal(prefs["budget_max"]):
        return False
    if prefs["fragrance_free"] and any(kb.is_fragrance(n) for n in names):
        return False
    if prefs["vegan"] and any(kb.not_vegan(n) for n in names):
        return False
    if names & {normalise_inci(a) for a in prefs["avoid_ingredients"]}:
        return False
    leave_on = p.category not in RINSE_OFF
    return not (profile["pregnant"] and (names & RETINOIDS or (leave_on and names & BHAS)))


def exfoliating_acid(p: ProductRecord) -> bool:
    """An exfoliating acid at an exfoliating level: in the first five or the first 40 % of the label (labels list
    by falling amount; further down it adjusts the pH)."""
    acids = [i for i, name in enumerate(p.inci) if name in EXFOLIANTS]
    return bool(acids) and acids[0] < max(5, round(0.4 * len(p.inci)))


def photosensitising(p: ProductRecord) -> bool:
    """A retinoid anywhere on the label, an exfoliating acid or a peel: what a morning step must not hold."""
    return bool(set(p.inci) & RETINOIDS) or exfoliating_acid(p) or p.category == "exfoliant"


def fits(p: ProductRecord, spec: StepSpec, mask: np.ndarray, row: int) -> bool:
    """Whether `p` may fill the step: the step's own mask (what the product is), and, read here from the label,
    sun protection only in the sunscreen step and nothing photosensitising left on by day."""
    if not mask[row]:
        return False
    spf = p.category == "sunscreen" or "spf" in p.tags
    if spec.step != "cleanser" and spf != spec.sunscreen:
        return False
    return not (spec.morning and spec.step != "cleanser" and photosensitising(p))


def _traits(step: str, p: ProductRecord) -> tuple[bool, bool]:
    """(retinoid, exfoliating acid left on the skin): what the clash rules look at (a cleanser is rinsed off)."""
    return bool(set(p.inci) & RETINOIDS), exfoliating_acid(p) and step != "cleanser"


def clashing(step: str, p: ProductRecord, others: dict[str, ProductRecord]) -> bool:
    """Whether `p` in `step`, with the other steps' picks, makes a routine that breaks a clash rule: a retinoid
    and an acid from two products in the evening, or two leave-on exfoliants."""
    traits = {s: _traits(s, q) for s, q in {**others, step: p}.items()}
    evening = [t for s, t in traits.items() if STEP_BY_NAME[s].evening]
    pairs = [(a, b) for i, a in enumerate(traits.values()) for j, b in enumerate(traits.values()) if i != j]
    retinoid_acid = any(a[0] and b[1] for i, a in enumerate(evening) for j, b in enumerate(evening) if i != j)
    return retinoid_acid or any(a[1] and b[1] for a, b in pairs)


def same_product(p: ProductRecord) -> tuple[str, ...]:
    """Same brand and same label: the same product, whatever the size (the generated names say nothing)."""
    return (p.brand.casefold(), *p.inci)


def check_routine(catalog: list[ProductRecord], profile: dict[str, Any], limit: int, routine: Routine) -> None:
    by_id = {p.id: p for p in catalog}
    row_of = {p.id: row for row, p in enumerate(catalog)}
    index = build_index(catalog, default_knowledge())
    steps = {s.step: s for s in routine.steps}
    eye = profile["concerns"].get("dark_circles", 0) >= EYE_STEP_THRESHOLD
    assert list(steps) == [spec.step for spec in STEPS if spec.step != "eye" or eye]
    in_step = {step: [pick.product_id for pick in s.products] for step, s in steps.items()}
    for spec in STEPS:
        if spec.step not in steps:
            continue
        step = steps[spec.step]
        assert step.when == list(spec.when)
        ids = in_step[spec.step]
        picks = [by_id[i] for i in ids]
        elsewhere = {i for other, others in in_step.items() if other != spec.step for i in others}
        assert len(ids) <= limit and len(set(ids)) == len(ids)
        assert not elsewhere & set(ids), ("a product in two steps", spec.step, elsewhere & set(ids))
        brands = [p.brand.casefold() for p in picks]
        assert len(brands) == len(set(brands)), ("two products of one brand", spec.step, brands)
        mask = step_mask(index, spec)
        for p in picks:
            assert allowed(p, profile), ("a filtered product", spec.step, p)
            assert fits(p, spec, mask, row_of[p.id]), ("a product that does not belong in this step", spec.step, p)
        scores = [pick.score for pick in step.products[1:]]
        if not profile["preferences"]["vegan"]:  # vegan: a disputed source ranks lower than its score says
            assert scores == sorted(scores, reverse=True), ("alternatives not best first", spec.step)
        taken = {same_product(by_id[i]) for i in elsewhere}  # one product sold in several sizes is one
        free = [p for p in catalog if same_product(p) not in taken and allowed(p, profile)
                and fits(p, spec, mask, row_of[p.id])]
        others = {other: by_id[i[0]] for other, i in in_step.items() if other != spec.step and i}
        fitting = {p.brand.casefold() for p in free if not clashing(spec.step, p, others)}
        if not ids:  # empty only when nothing that fits is left, or all of it clashes with the other picks
            assert not fitting, ("a step left empty", spec.step)
        else:  # alternatives: every other brand that fits and could replace the pick without a clash
            assert len(ids) == min(limit, len(fitting | {brands[0]})), ("a step left short", spec.step)


@settings(max_examples=3 * settings.default.max_examples, deadline=None)  # 300; fewer in the mutation profile
@given(catalogs, profiles, st.integers(1, 5))
def test_every_routine_keeps_every_rule(catalog: list[ProductRecord], profile: dict[str, Any], limit: int) -> None:
    check_routine(catalog, profile, limit, recommend(catalog, limit=limit, **profile))


@settings(deadline=None)
@given(catalogs, profiles)
def test_excluded_counts_add_up_to_the_products_the_filters_removed(catalog: list[ProductRecord],
                                                                     profile: dict[str, Any]) -> None:
    excluded = recommend(catalog, **profile).excluded
    assert sum(excluded.values()) == sum(not allowed(p, profile) for p in catalog)

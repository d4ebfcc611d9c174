"""How the recommender puts a routine together, beyond the hard filters: how many products a step shows, what
each step is ranked by, how a vegan request ranks the products whose source is unknown, what the routine
carries for the screens, and what the free-from rules report about an ingredient."""

from __future__ import annotations

import pytest

from desktop.catalog.knowledge import FamilyHit, default_knowledge
from desktop.recommend.cost import COST_NOTE
from desktop.recommend.engine import Recommender
from desktop.recommend.index import build_index
from desktop.recommend.profile import Profile
from desktop.vocabulary import CONCERN_KEYS
from tests.unit.catalogs import picked, product, recommend, step_ids

MOISTURIZER = product("moist", "Balm", "moisturizer", "Aqua, Glycerin, Dimethicone", price=9)


def test_a_step_shows_its_pick_and_two_alternatives_unless_asked_for_more() -> None:
    serums = [product(f"s{i}", f"Brand{i}", "serum", "Aqua, Niacinamide, Glycerin", price=10 + i)
              for i in range(6)]
    kb = default_knowledge()
    index = build_index(serums, kb)
    as_the_screens_ask = Recommender(lambda: index, kb).recommend(Profile.from_dict({"concerns": {"oiliness": 70}}))
    assert len(step_ids(as_the_screens_ask)["serum"]) == 3
    assert len(step_ids(recommend(serums, limit=5, concerns={"oiliness": 70}))["serum"]) == 5


def test_the_eye_step_is_ranked_for_the_eyes_needs_and_the_face_steps_for_the_face() -> None:
    """Caffeine does something for dark circles, niacinamide for oily skin: each step's pick follows its own
    needs even when the other step's need is the larger one."""
    catalog = [product("caffeine-eye", "Wake", "moisturizer", "Aqua, Caffeine, Glycerin", price=20,
                       name="Caffeine Eye Cream"),
               product("niacin-eye", "Matte", "moisturizer", "Aqua, Niacinamide, Zinc PCA, Glycerin", price=12,
                       name="Mattifying Eye Cream"),
               product("niacin-serum", "Dot", "serum", "Aqua, Niacinamide, Zinc PCA", price=12),
               product("caffeine-serum", "Cup", "serum", "Aqua, Caffeine, Glycerin", price=9), MOISTURIZER]
    routine = recommend(catalog, limit=1, concerns={"oiliness": 90, "dark_circles": 60})
    ids = step_ids(routine)
    assert ids["eye"] == ["caffeine-eye"] and ids["serum"] == ["niacin-serum"]
    assert "eye" not in step_ids(recommend(catalog, limit=1, concerns={"oiliness": 90, "dark_circles": 39}))
    assert "eye" not in step_ids(recommend(catalog, limit=1, concerns={"oiliness": 90}))


def test_asked_for_vegan_a_product_of_unknown_source_comes_after_one_that_is_surely_vegan() -> None:
    squalane = product("squalane", "Olive", "moisturizer", "Aqua, Squalane, Glycerin", price=5)
    plain = product("plain", "Plain", "moisturizer", "Aqua, Glycerin, Dimethicone", price=9)
    assert step_ids(recommend([squalane, plain], limit=1))["moisturizer"] == ["squalane"]  # the cheaper
    vegan = recommend([squalane, plain], limit=2, preferences={"vegan": True})
    assert step_ids(vegan)["moisturizer"] == ["plain", "squalane"]  # kept, but only after the sure one
    alone = recommend([squalane], limit=1, preferences={"vegan": True})
    assert step_ids(alone)["moisturizer"] == ["squalane"]  # a warning, not an exclusion
    scores = {p.product_id: p.score for s in vegan.steps for p in s.products}
    plain_scores = {p.product_id: p.score for s in recommend([squalane, plain], limit=2).steps for p in s.products}
    assert scores == plain_scores  # the penalty orders the list; the score shown is the product's own


def test_every_shown_score_is_between_0_and_1_after_the_cost_adjustment() -> None:
    """A pricey product loses a little score and a cheap one gains a little, never past either end."""
    catalog = [product("dear", "Lux", "serum", "Aqua, Niacinamide, Zinc PCA, Azelaic Acid", price=400),
               product("cheap", "Low", "serum", "Aqua, Niacinamide, Zinc PCA, Azelaic Acid", price=1),
               product("none", "Nil", "serum", "Aqua, Glycerin", price=900), MOISTURIZER]
    routine = recommend(catalog, limit=3, concerns={"acne": 100, "oiliness": 100})
    scores = {p.product_id: p.score for s in routine.steps for p in s.products}
    assert all(0.0 <= v <= 1.0 for v in scores.values()), scores
    assert scores["cheap"] > scores["dear"]
    assert scores["none"] >= 0.0


def test_the_sunscreen_says_why_it_matters_after_an_evening_retinoid() -> None:
    catalog = [product("retinol", "Night", "treatment", "Aqua, Retinol, Squalane", price=15),
               product("spf", "Sun", "sunscreen", "Aqua, Zinc Oxide, Glycerin", price=12, name="Sun Fluid SPF 50"),
               MOISTURIZER]
    routine = recommend(catalog, limit=1, concerns={"wrinkles": 80})
    assert "retinol" in picked(routine) and "spf" in picked(routine)
    sun = next(p for s in routine.steps for p in s.products if p.product_id == "spf")
    assert any(r.startswith("your evening retinol makes skin more sensitive") for r in sun.reasons), sun.reasons
    without = recommend([p for p in catalog if p.id != "retinol"], limit=1, concerns={"wrinkles": 80})
    sun = next(p for s in without.steps for p in s.products if p.product_id == "spf")
    assert not any("your evening" in r for r in sun.reasons), sun.reasons


def test_the_routine_carries_its_profile_cost_note_and_what_it_could_not_measure() -> None:
    profile = {"concerns": {"acne": 50, "oiliness": None, "redness": None}}
    routine = recommend([MOISTURIZER], **profile)
    assert routine.cost_note == COST_NOTE and routine.cost_note
    assert routine.profile == Profile.from_dict(profile)
    assert routine.unmeasured == [c for c in CONCERN_KEYS if c in ("oiliness", "redness")]
    assert recommend([MOISTURIZER], concerns={"acne": 50}).unmeasured == []


@pytest.mark.parametrize(("family", "ingredient", "label", "disputed"), [
    ("paraben", "Methylparaben", "a paraben", False),
    ("vegan", "Squalane", "squalane", True),
    ("dye", "FD&C Red 40", "a certified colour", False),  # two rules match: one hit
    ("fragrance", "Linalool", "a declarable fragrance allergen", True),
])
def test_a_free_from_rule_names_the_family_the_ingredient_and_the_first_rule_it_breaks(
        family: str, ingredient: str, label: str, disputed: bool) -> None:
    kb = default_knowledge()
    spec = next(m for m in kb.families[family].members + kb.families[family].disputed if m[1] == label)
    assert kb.family_hits(family, ingredient) == (FamilyHit(family, ingredient, label, disputed, spec[2]),)


def test_an_excluded_look_alike_is_no_hit() -> None:
    kb = default_knowledge()
    assert kb.family_hits("alcohol", "Cetearyl Alcohol") == ()
    assert kb.family_hits("alcohol", "Alcohol Denat.") != ()
    assert kb.family_hits("silicone", "Hydrated Silica") == ()


def test_a_product_the_catalog_declares_for_the_person_s_skin_type_comes_first_and_says_so() -> None:
    declared = product("for-oily", "Mat", "moisturizer", "Aqua, Glycerin, Dimethicone", price=14,
                       skin_types=("oily",))
    other = product("for-dry", "Rich", "moisturizer", "Aqua, Glycerin, Dimethicone", price=9, skin_types=("dry",))
    oily = recommend([declared, other], limit=2, skin_type="oily")
    assert step_ids(oily)["moisturizer"] == ["for-oily", "for-dry"]
    reasons = {p.product_id: p.reasons for s in oily.steps for p in s.products}
    assert "made for oily skin" in reasons["for-oily"] and not any("made for" in r for r in reasons["for-dry"])
    assert step_ids(recommend([declared, other], limit=2, skin_type="dry"))["moisturizer"] == ["for-dry", "for-oily"]


def test_a_bigger_pack_that_costs_less_a_month_ranks_above_a_smaller_one_with_a_lower_price() -> None:
    big = product("big", "Lux", "serum", "Aqua, Niacinamide, Zinc PCA", price=20, name="Niacinamide Serum 100ml")
    small = product("small", "Low", "serum", "Aqua, Niacinamide, Zinc PCA", price=15, name="Niacinamide Serum 10ml")
    routine = recommend([big, small, MOISTURIZER], limit=3, concerns={"oiliness": 80})
    picks = {p.product_id: p for s in routine.steps for p in s.products}
    assert step_ids(routine)["serum"][0] == "big"
    assert picks["big"].score > picks["small"].score
    assert picks["big"].monthly_cost is not None and picks["small"].monthly_cost is not None
    assert picks["big"].monthly_cost < picks["small"].monthly_cost


def test_the_routine_takes_the_best_clash_free_combination_not_the_first_one_found() -> None:
    """Benzoyl peroxide and a retinoid clash. The best cleanser alone has benzoyl peroxide, the best treatment a
    retinoid; giving up the cleanser's lead costs less than giving up the treatment's, so the routine keeps the
    retinoid and takes the salicylic wash."""
    catalog = [product("bpo", "Spot", "cleanser", "Aqua, Benzoyl Peroxide, Glycerin", price=8, name="BPO Wash"),
               product("bha", "Clear", "cleanser", "Aqua, Sodium Laureth Sulfate, Salicylic Acid", price=8,
                       name="Clear Wash"),
               product("retinol", "Night", "serum", "Aqua, Retinol, Squalane", price=9),
               product("plain", "Plain", "serum", "Aqua, Glycerin", price=9),
               product("plain-too", "Simple", "serum", "Aqua, Glycerin, Panthenol", price=9), MOISTURIZER]
    alone = step_ids(recommend([p for p in catalog if p.id != "retinol"], limit=2,
                               concerns={"acne": 80, "wrinkles": 80}))
    assert alone["cleanser"] == ["bpo", "bha"]  # on its own the benzoyl peroxide wash leads
    ids = step_ids(recommend(catalog, limit=1, concerns={"acne": 80, "wrinkles": 80}))
    assert ids["cleanser"] == ["bha"] and ids["treatment"] == ["retinol"]


def test_the_sunscreen_step_takes_spf_30_or_more_or_a_sunscreen_whose_number_is_not_given() -> None:
    catalog = [MOISTURIZER,
               product("low", "Sun", "sunscreen", "Aqua, Zinc Oxide, Glycerin", price=12, name="Sun Fluid SPF 15"),
               product("high", "Sol", "sunscreen", "Aqua, Zinc Oxide, Glycerin", price=12, name="Sun Fluid SPF 50")]
    assert step_ids(recommend(catalog, limit=3))["sunscreen"] == ["high"]  # SPF 15 is too low for every day
    unstated = product("unstated", "Shade", "sunscreen", "Aqua, Zinc Oxide, Glycerin", price=12,
                       name="Mineral Sunscreen")
    assert step_ids(recommend([MOISTURIZER, unstated], limit=3))["sunscreen"] == ["unstated"]


def test_the_alternatives_are_each_of_another_brand() -> None:
    serums = [product("a", "Alpha", "serum", "Niacinamide, Zinc PCA, Aqua", price=8),
              product("b1", "Beta", "serum", "Aqua, Niacinamide, Zinc PCA, Panthenol", price=9, name="Pore Serum"),
              product("b2", "Beta", "serum", "Aqua, Niacinamide, Zinc PCA, Allantoin", price=10,
                      name="Clarifying Drops"),  # other products, not other sizes: only the brand rule stops them
              product("b3", "Beta", "serum", "Aqua, Niacinamide, Zinc PCA, Bisabolol", price=11, name="Calm Serum"),
              product("c", "Gamma", "serum", "Aqua, Niacinamide, Glycerin", price=30), MOISTURIZER]
    ids = step_ids(recommend(serums, limit=3, concerns={"oiliness": 70}))["serum"]
    assert ids[0] == "a" and ids[2] == "c" and ids[1] in ("b1", "b2", "b3")  # one Beta only, then Gamma


def test_a_brand_that_outranks_all_others_many_times_over_still_leaves_alternatives_of_other_brands() -> None:
    """Alternatives are one per brand: a brand with more products than the step keeps as candidates, all better
    than any other brand's, must not leave the pick without alternatives."""
    strong = [product(f"big{i}", "Bigbrand", "serum", "Aqua, Niacinamide, Zinc PCA, Glycerin", price=10 + i % 7,
                      name=f"Serum {i}") for i in range(130)]
    weak = [product(f"small{i}", f"Small{i}", "serum", "Aqua, Glycerin", price=30) for i in range(3)]
    ids = step_ids(recommend(strong + weak, limit=3, concerns={"oiliness": 80}))["serum"]
    assert ids[0].startswith("big") and len(ids) == 3
    assert all(i.startswith("small") for i in ids[1:])

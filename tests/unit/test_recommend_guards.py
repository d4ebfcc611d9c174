"""Each hard filter and routine rule of the recommender, pinned on its own.

Every fixture isolates one guard: the product it must keep out is one the routine would otherwise pick (each
test shows that too, with the guard's preference off or the offending ingredient removed), so a broken guard
shows up as that product in the routine. The properties over generated catalogs are in
test_recommend_properties.py.
"""

from __future__ import annotations

import pytest

from desktop.catalog.store import ProductRecord
from tests.unit.catalogs import picked, product, recommend, step_ids

CLEAN_SERUM = product("clean", "Plain", "serum", "Aqua, Glycerin, Zinc PCA", price=11)
MOISTURIZER = product("moist", "Balm", "moisturizer", "Aqua, Glycerin, Squalane", price=9)


@pytest.mark.parametrize("word", ["Parfum", "Limonene", "Linalool", "Benzyl Alcohol"])
@pytest.mark.parametrize("position", ["first", "middle", "last"])
def test_fragrance_free_leaves_out_fragrance_or_one_allergen_anywhere_on_the_label(word: str, position: str) -> None:
    names = ["Aqua", "Niacinamide", "Glycerin", "Tocopherol"]
    names.insert({"first": 0, "middle": 2, "last": len(names)}[position], word)
    scented = product("scented", "Scent", "serum", ", ".join(names), price=8)
    catalog = [scented, CLEAN_SERUM, MOISTURIZER]
    assert "scented" in picked(recommend(catalog, limit=5, concerns={"dark_spots": 60}))
    routine = recommend(catalog, limit=5, concerns={"dark_spots": 60}, preferences={"fragrance_free": True})
    assert "scented" not in picked(routine) and "clean" in picked(routine)
    assert routine.excluded["fragrance"] == 1


@pytest.mark.parametrize("animal", ["Cera Alba", "Lanolin", "Carmine", "Mel"])
def test_vegan_leaves_out_an_animal_ingredient_in_the_middle_of_the_label(animal: str) -> None:
    balm = product("balm", "Hive", "moisturizer", f"Aqua, Glycerin, {animal}, Tocopherol, Squalane", price=5)
    disputed = product("squalane", "Olive", "moisturizer", "Aqua, Squalane, Glycerin", price=6)
    catalog = [balm, disputed, CLEAN_SERUM]
    assert "balm" in picked(recommend(catalog, limit=5))
    routine = recommend(catalog, limit=5, preferences={"vegan": True})
    assert "balm" not in picked(routine)
    assert "squalane" in picked(routine)  # sourcing unknown: a warning, not an exclusion
    assert routine.excluded["not_vegan"] == 1


def test_an_eu_banned_substance_anywhere_on_the_label_is_never_recommended() -> None:
    banned = product("banned", "Bright", "serum", "Aqua, Hydroquinone, Niacinamide, Glycerin", price=7)
    same_without = product("legal", "Bright", "serum", "Aqua, Niacinamide, Glycerin", price=7)
    routine = recommend([banned, MOISTURIZER], limit=5, concerns={"dark_spots": 90})
    assert "banned" not in picked(routine) and routine.excluded["prohibited_in_eu"] == 1
    assert "legal" in picked(recommend([same_without, MOISTURIZER], limit=5, concerns={"dark_spots": 90}))


def test_pregnancy_leaves_out_retinoids_and_every_leave_on_salicylate() -> None:
    catalog = [
        product("bha-serum", "Clear", "serum", "Aqua, Salicylic Acid, Niacinamide", price=9),
        product("bha-treat", "Spot", "treatment", "Aqua, Glycerin, Betaine Salicylate", price=9),
        product("bha-pads", "Pads", "exfoliant", "Aqua, Capryloyl Salicylic Acid", price=9,
                name="BHA Peel Pads"),  # leave-on pads: an evening treatment
        product("retinol", "Night", "treatment", "Aqua, Retinol, Squalane", price=9),
        product("bha-wash", "Wash", "cleanser", "Aqua, Sodium Laureth Sulfate, Salicylic Acid", price=6),
        CLEAN_SERUM, MOISTURIZER,
    ]
    unsafe = {"bha-serum", "bha-treat", "bha-pads", "retinol"}
    assert unsafe <= set(picked(recommend(catalog, limit=5, concerns={"acne": 70, "wrinkles": 70})))
    routine = recommend(catalog, limit=5, pregnant=True, concerns={"acne": 70, "wrinkles": 70})
    assert not unsafe & set(picked(routine))
    assert "bha-wash" in step_ids(routine)["cleanser"]  # rinsed off: stays
    assert routine.excluded["not_in_pregnancy"] == len(unsafe)
    assert any("pregnancy" in n for n in routine.notes)  # no product choice causes it: a note, not a warning
    assert not any("pregnancy" in n for n in recommend(catalog, limit=5).notes)


@pytest.mark.parametrize("active", ["Glycolic Acid", "Lactic Acid", "Mandelic Acid", "Salicylic Acid", "Retinol",
                                    "Adapalene"])
def test_the_morning_serum_has_no_retinoid_and_no_exfoliating_acid(active: str) -> None:
    """An acid-only or retinoid-only serum: it belongs to the evening treatment, never to the morning."""
    serum = product("night", "Night", "serum", f"Aqua, {active}, Glycerin", price=8)
    steps = step_ids(recommend([serum, CLEAN_SERUM, MOISTURIZER], limit=5,
                               concerns={"texture": 90, "wrinkles": 90, "acne": 60}))
    assert "night" not in steps["serum"] and "clean" in steps["serum"]
    assert "night" in steps["treatment"]


def test_no_morning_step_has_a_leave_on_retinoid_or_acid_but_a_rinse_off_cleanser_may() -> None:
    catalog = [
        product("aha-cream", "Glow", "moisturizer", "Aqua, Glycerin, Lactic Acid", price=8),
        product("retinol-eye", "Eyes", "eye", "Aqua, Caffeine, Retinol", price=8),
        product("aha-spf", "Sunny", "sunscreen", "Aqua, Homosalate, Glycolic Acid", price=8),
        product("plain-eye", "Calm", "eye", "Aqua, Caffeine, Glycerin", price=8),
        product("plain-spf", "Shade", "sunscreen", "Aqua, Homosalate, Glycerin", price=8),
        product("aha-wash", "Rinse", "cleanser", "Aqua, Glycolic Acid, Coco-Glucoside", price=6),
        MOISTURIZER,
    ]
    routine = recommend(catalog, limit=5, concerns={"texture": 90, "dark_circles": 80})
    morning = {p.product_id for s in routine.steps if "am" in s.when for p in s.products}
    assert not morning & {"aha-cream", "retinol-eye", "aha-spf"}
    assert {"plain-eye", "plain-spf", "moist", "aha-wash"} <= morning


def test_a_product_fills_one_step_only() -> None:
    """Serum and evening treatment share their categories: the one serum goes to the first of them."""
    steps = step_ids(recommend([CLEAN_SERUM, MOISTURIZER], limit=5, concerns={"oiliness": 60}))
    assert steps["serum"] == ["clean"] and steps["treatment"] == []


def test_a_step_shows_one_product_per_brand_however_the_brand_is_written() -> None:
    """Three different Acme day serums (different labels, so not one product in three sizes; by day, so the evening
    treatment cannot take one): the step shows the best of them and then another brand."""
    fillers = ["Glycerin", "Panthenol", "Allantoin"]
    catalog = [product(f"acme-{i}", brand, "serum", f"Aqua, Niacinamide, Tranexamic Acid, {fillers[i]}",
                       price=10 + i, name=f"{brand} Day Serum {i}")
               for i, brand in enumerate(["Acme", "ACME", "acme"])]
    catalog += [product("other", "Other", "serum", "Aqua, Glycerin", price=30, name="Other Day Serum"), MOISTURIZER]
    serum = step_ids(recommend(catalog, limit=3, concerns={"dark_spots": 80}))["serum"]
    assert serum == ["acme-0", "other"]  # the best (cheapest) Acme, then the next brand


def test_a_step_has_the_best_products_up_to_the_limit_best_first() -> None:
    """Day serums: only the morning serum step takes them, so no other step's pick leaves a gap in the list."""
    fillers = ["Glycerin", "Butylene Glycol", "Propanediol", "Pentylene Glycol"]
    catalog = [product(f"s{i}", f"Brand{i}", "serum", ", ".join(["Aqua", *fillers[:i], "Niacinamide", "Tocopherol",
                                                                 "Allantoin", "Xanthan Gum", "Citric Acid"]),
                       price=10, name=f"Brand{i} Day Serum") for i in range(5)]  # niacinamide later: weaker
    routine = recommend([*catalog, MOISTURIZER], limit=3, concerns={"dark_spots": 80})
    serum = next(s for s in routine.steps if s.step == "serum")
    assert [p.product_id for p in serum.products] == ["s0", "s1", "s2"]
    assert serum.products[0].score > serum.products[1].score > serum.products[2].score


def test_ties_go_to_the_cheaper_product_then_the_id() -> None:
    """Day serums, so the evening treatment step cannot take one of them as its own pick."""
    catalog = [product(pid, pid.upper(), "serum", "Aqua, Niacinamide", price=price, name=f"{pid.upper()} Day Serum")
               for pid, price in (("b", 10), ("a", 10), ("c", 9))]
    catalog.append(product("z", "Zed", "serum", "Aqua, Niacinamide", price=10, name="Zed Day Serum"))
    serum = step_ids(recommend(catalog, limit=4, concerns={"dark_spots": 80}))["serum"]
    assert serum == ["c", "a", "b", "z"]


def test_the_budget_keeps_a_product_at_the_limit_and_leaves_out_one_a_penny_over() -> None:
    catalog = [product("at", "At", "serum", "Aqua, Niacinamide", price="12.50"),
               product("over", "Over", "serum", "Aqua, Niacinamide", price="12.51"), MOISTURIZER]
    routine = recommend(catalog, limit=5, preferences={"budget_max": "12.50"})
    assert "at" in picked(routine) and "over" not in picked(routine)
    assert routine.excluded["over_budget"] == 1
    assert {"at", "over"} <= set(picked(recommend(catalog, limit=5)))


def test_a_currency_preference_leaves_out_other_currencies() -> None:
    catalog = [product("eur", "Euro", "serum", "Aqua, Niacinamide", currency="EUR"), CLEAN_SERUM, MOISTURIZER]
    routine = recommend(catalog, limit=5, preferences={"currency": "GBP"})
    assert "eur" not in picked(routine) and "clean" in picked(routine)
    assert routine.excluded["other_currency"] == 1
    assert "eur" in picked(recommend(catalog, limit=5))


@pytest.mark.parametrize("avoid", [["Methylparaben"], ["parabens"], ["paraben"], ["METHYLPARABEN "]])
def test_the_avoid_list_matches_names_and_families(avoid: list[str]) -> None:
    catalog = [product("paraben", "Pres", "serum", "Aqua, Niacinamide, Methylparaben, Glycerin"), CLEAN_SERUM,
               product("silicone", "Slip", "moisturizer", "Aqua, Dimethicone, Glycerin"), MOISTURIZER]
    routine = recommend(catalog, limit=5, preferences={"avoid_ingredients": avoid})
    assert "paraben" not in picked(routine) and {"clean", "silicone", "moist"} <= set(picked(routine))
    assert routine.excluded["avoided_ingredient"] == 1
    silicone_free = recommend(catalog, limit=5, preferences={"avoid_ingredients": ["silicones"]})
    assert "silicone" not in picked(silicone_free) and "paraben" in picked(silicone_free)


def test_each_filter_counts_only_the_products_it_removed_itself() -> None:
    """A banned, scented product is counted once, by the first filter that removes it."""
    catalog = [product("both", "Bad", "serum", "Aqua, Hydroquinone, Parfum"),
               product("scent", "Nice", "serum", "Aqua, Parfum"), CLEAN_SERUM]
    excluded = recommend(catalog, preferences={"fragrance_free": True}).excluded
    assert excluded == {"prohibited_in_eu": 1, "fragrance": 1}


def test_the_eye_step_appears_from_moderate_dark_circles() -> None:
    catalog = [product("eye", "Eyes", "eye", "Aqua, Caffeine"), CLEAN_SERUM]
    assert "eye" in step_ids(recommend(catalog, concerns={"dark_circles": 40}))
    assert "eye" not in step_ids(recommend(catalog, concerns={"dark_circles": 39.9}))
    assert list(step_ids(recommend(catalog))) == ["cleanser", "serum", "treatment", "moisturizer", "sunscreen"]


def test_spf_products_go_to_the_sunscreen_step_and_only_they_do() -> None:
    """A sunscreen is a face product stating SPF 30 or more (or sold as a sunscreen); an SPF 15 cream protects
    too little for the sunscreen step and, having an SPF, is kept out of the others too."""
    catalog = [product("spf-cream", "Day", "moisturizer", "Aqua, Homosalate, Glycerin", tags=("spf",),
                       name="Day Cream SPF 30"),
               product("spf-fluid", "Sun", "sunscreen", "Aqua, Homosalate"),
               product("spf-serum", "Veil", "serum", "Aqua, Homosalate, Niacinamide", name="Veil Serum SPF 50"),
               product("spf-low", "Tint", "moisturizer", "Aqua, Homosalate, Glycerin", name="Tint Cream SPF 15"),
               MOISTURIZER, CLEAN_SERUM]
    steps = step_ids(recommend(catalog, limit=5, concerns={"dark_spots": 50}))
    assert set(steps["sunscreen"]) == {"spf-cream", "spf-fluid", "spf-serum"}
    assert steps["moisturizer"] == ["moist"] and steps["serum"] == ["clean"]
    assert "spf-low" not in picked(recommend(catalog, limit=5, concerns={"dark_spots": 50}))
    sunscreen = next(s for s in recommend(catalog, limit=5).steps if s.step == "sunscreen")
    reasons = {p.product_id: p.reasons for p in sunscreen.products}
    assert "SPF 30, the last step every morning" in reasons["spf-cream"]
    assert "sun protection (SPF)" in reasons["spf-fluid"]  # sold as a sunscreen, no number stated


def test_no_pick_or_alternative_clashes_with_the_other_picks() -> None:
    """A retinoid in the evening cleanser: the glycolic night serum, the best treatment with a plain cleanser,
    would put a retinoid and an acid in one evening, so it is neither the treatment nor one of its alternatives."""
    def catalog(wash: str) -> list[ProductRecord]:
        return [product("wash", "Renew", "cleanser", wash, name="Renew Gel Cleanser"),
                product("plain", "Calm", "serum", "Aqua, Niacinamide, Glycerin", name="Calm Night Serum"),
                product("acid", "Glow", "serum", "Aqua, Glycolic Acid, Glycerin", name="Glow Night Serum")]
    plain = step_ids(recommend(catalog("Aqua, Coco-Glucoside, Glycerin"), limit=3, concerns={"texture": 90}))
    assert plain["treatment"] == ["acid", "plain"]
    routine = recommend(catalog("Aqua, Coco-Glucoside, Retinol"), limit=3, concerns={"texture": 90})
    assert step_ids(routine)["treatment"] == ["plain"] and step_ids(routine)["cleanser"] == ["wash"]
    assert not any("alternate evenings" in w for w in routine.warnings)


def test_pregnancy_reads_leave_on_from_what_a_product_is_not_only_its_shop_category() -> None:
    """A salicylic serum filed under cleansers stays on the skin: pregnancy leaves it out; a real wash stays."""
    catalog = [product("serum", "Clear", "cleanser", "Aqua, Salicylic Acid, Niacinamide", price=9,
                       name="Clear BHA Night Serum"),
               product("wash", "Wash", "cleanser", "Aqua, Sodium Laureth Sulfate, Salicylic Acid", price=6,
                       name="Wash Foaming Cleanser"), MOISTURIZER]
    assert {"serum", "wash"} <= set(picked(recommend(catalog, limit=5, concerns={"acne": 70})))
    routine = recommend(catalog, limit=5, pregnant=True, concerns={"acne": 70})
    assert "serum" not in picked(routine) and "wash" in picked(routine)

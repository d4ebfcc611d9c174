import json
from decimal import Decimal
from pathlib import Path

import pytest

from catalog_format import CatalogRow, catalog_digest, parse_catalog_text
from desktop.catalog.inci import normalise_inci, parse_ingredients
from desktop.catalog.knowledge import default_knowledge
from desktop.catalog.store import CatalogStore, DigestMismatch
from desktop.recommend.engine import Recommender
from desktop.recommend.profile import Profile, ProfileError
from desktop.resources import resource

HEADER = "id,brand,name,category,price,currency,ingredients,url,skin_types,tags\n"
ROWS = [
    'c1,Acme,Gentle Gel,cleanser,8,GBP,"Aqua, Glycerin, Salicylic Acid",https://s.example/c1,oily,\n',
    'c2,Bloom,Scented Wash,cleanser,6,GBP,"Aqua, Glycerin, Parfum",https://s.example/c2,,\n',
    'c3,Cove,Citrus Wash,cleanser,5,GBP,"Aqua, Limonene, Glycerin",https://s.example/c3,,\n',
    's1,Acme,Niacinamide Serum,serum,12,GBP,"Aqua, Niacinamide, Zinc PCA",https://s.example/s1,,\n',
    's2,Cera,Retinol Night,serum,30,GBP,"Aqua, Retinol, Glycolic Acid",https://s.example/s2,,\n',
    's3,Dew,Luxe Serum,serum,90,GBP,"Aqua, Niacinamide",https://s.example/s3,,\n',
    's4,Elm,Paraben Serum,serum,9,GBP,"Aqua, Azelaic Acid, Methylparaben",https://s.example/s4,,\n',
    's5,Fig,Vitamin C,serum,14,GBP,"Aqua, Ascorbic Acid, Tocopherol",https://s.example/s5,,\n',
    's6,Pure,BHA Serum,serum,13,GBP,"Aqua, Salicylic Acid, Niacinamide",https://s.example/s6,,\n',
    's7,Glo,Lactic Serum,serum,12,GBP,"Aqua, Lactic Acid, Glycerin",https://s.example/s7,,\n',
    'b1,Gem,Acne Gel,treatment,11,GBP,"Aqua, Benzoyl Peroxide",https://s.example/b1,,\n',
    'x1,Hex,Banned Cream,moisturizer,4,GBP,"Aqua, Glycerin, Butylphenyl Methylpropional",https://s.example/x1,,\n',
    'm1,Acme,Light Lotion,moisturizer,10,GBP,"Aqua, Glycerin, Squalane",https://s.example/m1,,\n',
    'm2,Bee,Honey Balm,moisturizer,9,GBP,"Cera Alba, Mel, Glycerin",https://s.example/m2,,\n',
    'm3,Ivy,Barrier Cream,moisturizer,16,GBP,"Aqua, Glycerin, Urea, Ceramide NP, Petrolatum",https://s.example/m3,dry,\n',
    'm4,Jet,Rich Cream,moisturizer,7,GBP,"Aqua, Isopropyl Myristate, Coconut Oil",https://s.example/m4,,\n',
    'u1,Sun,Daily SPF 50,moisturizer,15,GBP,"Aqua, Homosalate",https://s.example/u1,,spf\n',
    'e1,Kit,Eye Gel,eye,13,GBP,"Aqua, Caffeine",https://s.example/e1,,\n',
    'p1,Lux,Euro Serum,serum,10,EUR,"Aqua, Niacinamide",https://s.example/p1,,\n',
]


@pytest.fixture
def store(tmp_path: Path) -> CatalogStore:
    s = CatalogStore(tmp_path / "c.sqlite3")
    s.import_rows(parse_catalog_text(HEADER + "".join(ROWS), jsonl=False).rows)
    return s


def picked(routine) -> list[str]:  # type: ignore[no-untyped-def]
    return [p.product_id for s in routine.steps for p in s.products]


@pytest.mark.parametrize(("label", "normalised"), [
    ("AQUA/WATER", "water"), ("Aqua (Water)", "water"), (" Parfum (Fragrance) ", "fragrance"),
    ("Niacinamide.", "niacinamide"), ("Crème*", "creme"), ("Alcohol Denat", "alcohol denat."),
    ("CI 77891", "ci 77891"), ("Vitamin E", "tocopherol"), ("Dimethicon", "dimethicone"),
])
def test_inci_normalisation(label: str, normalised: str) -> None:
    assert normalise_inci(label) == normalised


def test_label_order_is_kept() -> None:
    assert parse_ingredients("Aqua, Glycerin, Alcohol Denat") == ["water", "glycerin", "alcohol denat."]


def test_knowledge_base_answers_from_the_real_data() -> None:
    kb = default_knowledge()
    assert kb.is_fragrance("fragrance") and kb.is_fragrance("limonene") and kb.is_fragrance("benzyl alcohol")
    assert not kb.is_fragrance("glycerin")
    assert kb.not_vegan("cera alba") and kb.not_vegan("lanolin") and kb.not_vegan("carmine")
    assert kb.not_vegan("squalane") is None  # disputed: sourcing unknown, not excluded
    assert kb.not_vegan("cetearyl alcohol") is None
    assert kb.comedogenic_rating("isopropyl myristate") >= 3
    assert kb.prohibited(["water", "butylphenyl methylpropional", "hydroquinone"]) == [
        "butylphenyl methylpropional", "hydroquinone"]  # Lilial: banned in the EU since 2022
    grades = {(a.concern, a.ingredient): a.grade for a in kb.actives}
    assert grades[("dark_spots", "niacinamide")] == "A"
    assert grades[("acne", "azelaic acid")] == "B" and grades[("acne", "salicylic acid")] == "B"


def test_store_is_seeded_from_the_demo_catalog_once(tmp_path: Path) -> None:
    store = CatalogStore(tmp_path / "d.sqlite3")
    added = store.seed_demo_if_empty(resource("catalog", "demo_catalog.csv"))
    assert added == store.count() > 900
    assert store.seed_demo_if_empty(resource("catalog", "demo_catalog.csv")) == 0


def test_import_reports_bad_rows_and_keeps_good_ones(tmp_path: Path, store: CatalogStore) -> None:
    before = store.generation()
    f = tmp_path / "cat.csv"
    f.write_text(HEADER + ROWS[0].replace("Gentle Gel", "Gentle Gel v2") + "x,y,z,bad,1,GBP,a,https://a.b/c,,\n")
    report = store.import_file(f)
    assert (report.added, report.updated, len(report.errors)) == (0, 1, 1)
    assert report.errors[0].line == 3
    names = {p.id: p.name for p in store.products()}
    assert names["c1"] == "Gentle Gel v2" and "x" not in names
    assert store.generation() > before


def test_a_sync_applies_whole_and_verified_or_not_at_all(store: CatalogStore) -> None:
    wire = [dict(p.to_wire(), affiliate_url=f"{p.url}?affil=x") for p in store.products()[:3]]
    changes = [{"id": p["id"], "deleted": False, "product": p} for p in wire]
    changes.append({"id": "x1", "deleted": True, "product": None})
    signed = catalog_digest((p["id"], CatalogRow.from_wire(p).content_hash()) for p in wire)
    before, generation = store.products(), store.generation()
    store.stage_sync_page(changes, '{"page": 1}')
    with pytest.raises(DigestMismatch):
        store.apply_sync("0" * 64, replace_all=True, state={"cursor": "7"})
    assert store.products() == before and store.generation() == generation and store.get_state("cursor") == ""
    assert store.apply_sync(signed, replace_all=False, state={"cursor": "7"}) == (3, 1)
    assert store.synced_digest() == signed and store.get_state("digest") == signed
    assert store.get_state("cursor") == "7" and store.get_state("staging") == ""
    assert store.stats()["by_source"] == {"import": len(ROWS) - 4, "sync": 3}
    assert {p.id: p.buy_url for p in store.products()}[wire[0]["id"]].endswith("?affil=x")
    store.stage_sync_page(changes[:1], "")
    assert store.apply_sync(catalog_digest([(wire[0]["id"], CatalogRow.from_wire(wire[0]).content_hash())]),
                            replace_all=True, state={}) == (1, 2)  # the other synced products go, imports stay
    assert store.count() == len(ROWS) - 3


def _recommend(store: CatalogStore, limit: int = 3, **profile: object) -> object:
    return Recommender.for_store(store).recommend(Profile.from_dict(profile), limit=limit)


def test_routine_steps_and_reasons_cite_ingredients_present(store: CatalogStore) -> None:
    routine = _recommend(store, skin_type="oily", concerns={"acne": 70, "dark_spots": 40, "dark_circles": 60})
    steps = {s.step: s for s in routine.steps}  # type: ignore[attr-defined]
    assert list(steps) == ["cleanser", "serum", "treatment", "moisturizer", "sunscreen", "eye"]
    assert steps["cleanser"].when == ["am", "pm"] and steps["treatment"].when == ["pm"]
    assert steps["cleanser"].products[0].product_id == "c1"  # salicylic acid for acne, made for oily skin
    assert steps["sunscreen"].products[0].product_id == "u1"
    assert steps["eye"].products[0].product_id == "e1"
    products = {p.id: p for p in store.products()}
    cited = 0
    for step in routine.steps:  # type: ignore[attr-defined]
        for pick in step.products:
            assert 0 <= pick.score <= 1
            for reason in pick.reasons:
                if " targets " in reason:
                    ingredient = reason.split(" targets ")[0].split(" (")[0].lower()
                    assert ingredient in products[pick.product_id].inci, (pick.product_id, reason)
                    cited += 1
    assert cited >= 4


def test_serum_in_the_morning_has_no_retinoid_or_acids(store: CatalogStore) -> None:
    routine = _recommend(store, skin_type="normal", concerns={"wrinkles": 90, "texture": 70})
    steps = {s.step: s for s in routine.steps}  # type: ignore[attr-defined]
    morning = [p.product_id for p in steps["serum"].products]
    assert "s2" not in morning and "s7" not in morning and "s6" not in morning  # retinoid, AHA, BHA
    evening = [p.product_id for p in steps["treatment"].products]
    assert evening[0] == "s2" and "s7" in evening  # the evening takes them


def test_fragrance_free_never_returns_parfum_or_an_allergen(store: CatalogStore) -> None:
    kb = default_knowledge()
    routine = _recommend(store, limit=10, skin_type="normal", preferences={"fragrance_free": True})
    ids = picked(routine)
    assert "c2" not in ids and "c3" not in ids
    products = {p.id: p for p in store.products()}
    assert not any(kb.is_fragrance(i) for pid in ids for i in products[pid].inci)
    assert routine.excluded["fragrance"] == 2  # type: ignore[attr-defined]


def test_budget_currency_vegan_avoid_and_annex_ii(store: CatalogStore) -> None:
    routine = _recommend(store, limit=10, skin_type="normal", concerns={"dark_spots": 50},
                         preferences={"budget_max": 12, "currency": "GBP", "vegan": True,
                                      "avoid_ingredients": ["parabens", "Zinc PCA"]})
    ids = picked(routine)
    products = {p.id: p for p in store.products()}
    assert ids and all(products[i].price <= Decimal(12) and products[i].currency == "GBP" for i in ids)
    assert "m2" not in ids  # beeswax and honey
    assert "s4" not in ids and "s1" not in ids  # a paraben (by family) and zinc pca (by name)
    assert "x1" not in _all_ids(store)  # Annex II substance: never recommended
    assert "p1" not in ids  # priced in EUR


def _all_ids(store: CatalogStore) -> list[str]:
    return picked(_recommend(store, limit=50, skin_type="normal"))


def test_pregnancy_excludes_retinoids_and_leave_on_salicylic(store: CatalogStore) -> None:
    routine = _recommend(store, limit=10, skin_type="oily", pregnant=True, concerns={"wrinkles": 80, "acne": 50})
    ids = picked(routine)
    assert "s2" not in ids and "s6" not in ids  # a retinoid; leave-on salicylic acid
    assert "s6" in picked(_recommend(store, limit=10, skin_type="oily", concerns={"wrinkles": 80, "acne": 50}))
    assert "c1" in ids  # a rinse-off salicylic cleanser stays
    assert any("pregnancy" in n for n in routine.notes)  # type: ignore[attr-defined]


def test_the_routine_avoids_its_own_clashes_and_warns_about_a_clashing_choice(tmp_path: Path) -> None:
    store = CatalogStore(tmp_path / "w.sqlite3")
    rows = [ROWS[0], ROWS[4], ROWS[8], ROWS[10], ROWS[14], ROWS[16],  # u1 a sunscreen (the actives need one)
            'm9,Zed,AHA Night Cream,moisturizer,9,GBP,"Aqua, Lactic Acid, Glycerin",https://s.example/m9,,\n',
            't9,Yew,Lactic Acid 10% Solution,serum,7,GBP,"Aqua, Lactic Acid, Glycerin",https://s.example/t9,,\n']
    store.import_rows(parse_catalog_text(HEADER + "".join(rows), jsonl=False).rows)
    recommender = Recommender.for_store(store)
    profile = Profile.from_dict({"skin_type": "oily", "concerns": {"acne": 80, "wrinkles": 80, "texture": 80}})
    routine = recommender.recommend(profile, limit=3)
    assert routine.warnings == []
    steps = {s.step: s for s in routine.steps}
    assert steps["sunscreen"].products[0].product_id == "u1"
    evening = {steps["treatment"].products[0].product_id}
    assert evening in ({"s2"}, {"s6"}, {"b1"}, {"t9"})  # one active treatment, nothing in the evening clashing
    text = " ".join(recommender.review(routine, profile, {"treatment": "s2", "moisturizer": "m9"}))
    assert "alternate evenings" in text or "Several exfoliating products" in text
    normal = Profile.from_dict({"skin_type": "normal", "concerns": {"acne": 100, "wrinkles": 100}})
    bpo = recommender.recommend(normal)
    assert bpo.warnings == []
    serum = next(s for s in bpo.steps if s.step == "serum")
    assert "b1" in [p.product_id for p in serum.products] or "b1" in picked(bpo)
    assert any("Benzoyl peroxide" in w for w in recommender.review(bpo, normal, {"serum": "b1", "treatment": "s2"}))


def test_ranking_follows_the_catalog_after_an_import(store: CatalogStore) -> None:
    recommender = Recommender.for_store(store)
    assert "s9" not in picked(recommender.recommend(Profile.from_dict({"concerns": {"dark_spots": 90}})))
    store.import_rows(parse_catalog_text(
        HEADER + 's9,New,Spot Serum,serum,9,GBP,"Niacinamide, Tranexamic Acid",https://s.example/s9,,\n',
        jsonl=False).rows)
    routine = recommender.recommend(Profile.from_dict({"concerns": {"dark_spots": 90}}))
    assert routine.steps[1].step == "serum" and routine.steps[1].products[0].product_id == "s9"


def test_profile_errors_are_sentences() -> None:
    with pytest.raises(ProfileError, match="skin_type"):
        Profile.from_dict({"skin_type": "greasy"})
    with pytest.raises(ProfileError, match="0 to 100"):
        Profile.from_dict({"concerns": {"acne": 300}})
    with pytest.raises(ProfileError, match="unknown concern"):
        Profile.from_dict({"concerns": {"freckles": 3}})


def test_recommend_cli_json_shape(tmp_path: Path, skinlens_home: Path) -> None:
    from tests.unit.test_analyze_cli import run_cli

    profile = tmp_path / "p.json"
    profile.write_text(json.dumps({"skin_type": "dry", "concerns": {"redness": 60}, "preferences":
                                   {"budget_max": 25, "currency": "GBP", "fragrance_free": True}}))
    result = run_cli("recommend", "--profile", str(profile), "--json", "--limit", "2", home=skinlens_home)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert [s["step"] for s in out["steps"]][:4] == ["cleanser", "serum", "treatment", "moisturizer"]
    for step in out["steps"]:
        assert len(step["products"]) <= 2
        for pick in step["products"]:
            assert pick["price"] <= 25 and pick["url"].startswith("https://")
            assert set(pick) >= {"product_id", "score", "price", "reasons", "url"}
    bad = tmp_path / "bad.json"
    bad.write_text("{nope")
    result = run_cli("recommend", "--profile", str(bad), home=skinlens_home)
    assert result.returncode == 1 and "not valid JSON" in result.stderr and "Traceback" not in result.stderr

import json
from decimal import Decimal
from pathlib import Path

import pytest

from catalog_format import parse_catalog_text
from desktop.catalog.inci import normalise_inci, parse_ingredients
from desktop.catalog.store import CatalogStore
from desktop.recommend.engine import Recommender
from desktop.recommend.knowledge import FRAGRANCE, NON_VEGAN
from desktop.recommend.profile import Profile, ProfileError
from desktop.resources import resource

HEADER = "id,brand,name,category,price,currency,ingredients,url,skin_types,tags\n"
ROWS = [
    'c1,Acme,Gentle Gel,cleanser,8,GBP,"Aqua, Glycerin, Salicylic Acid",https://s.example/c1,oily,\n',
    'c2,Bloom,Scented Wash,cleanser,6,GBP,"Aqua, Parfum, Limonene",https://s.example/c2,,\n',
    's1,Acme,Niacinamide Serum,serum,12,GBP,"Aqua, Niacinamide, Zinc PCA",https://s.example/s1,,\n',
    's2,Cera,Retinol Night,serum,30,GBP,"Aqua, Retinol, Glycolic Acid",https://s.example/s2,,\n',
    's3,Dew,Luxe Serum,serum,90,GBP,"Aqua, Niacinamide",https://s.example/s3,,\n',
    'm1,Acme,Light Lotion,moisturizer,10,GBP,"Aqua, Glycerin, Squalane",https://s.example/m1,,\n',
    'm2,Bee,Honey Balm,moisturizer,9,GBP,"Cera Alba, Mel, Glycerin",https://s.example/m2,,vegan\n',
    'u1,Sun,Daily SPF 50,moisturizer,15,GBP,"Aqua, Homosalate",https://s.example/u1,,spf\n',
]


@pytest.fixture
def store(tmp_path: Path) -> CatalogStore:
    s = CatalogStore(tmp_path / "c.sqlite3")
    s.import_rows(parse_catalog_text(HEADER + "".join(ROWS), jsonl=False).rows)
    return s


def test_inci_normalisation() -> None:
    assert normalise_inci("AQUA/WATER") == "water"
    assert normalise_inci(" Parfum (Fragrance) ") == "fragrance"
    assert normalise_inci("Niacinamide.") == "niacinamide"
    assert normalise_inci("Crème*") == "creme"
    assert parse_ingredients("Aqua, Glycerin, Alcohol Denat") == ["water", "glycerin", "alcohol denat."]


def test_store_is_seeded_from_the_demo_catalog_once(tmp_path: Path) -> None:
    store = CatalogStore(tmp_path / "d.sqlite3")
    added = store.seed_demo_if_empty(resource("catalog", "demo_catalog.csv"))
    assert added == store.count() > 900
    assert store.seed_demo_if_empty(resource("catalog", "demo_catalog.csv")) == 0


def test_import_reports_bad_rows_and_keeps_good_ones(tmp_path: Path, store: CatalogStore) -> None:
    f = tmp_path / "cat.csv"
    f.write_text(HEADER + ROWS[0].replace("Gentle Gel", "Gentle Gel v2") + "x,y,z,bad,1,GBP,a,https://a.b/c,,\n")
    report = store.import_file(f)
    assert (report.added, report.updated, len(report.errors)) == (0, 1, 1)
    assert report.errors[0].line == 3
    names = {p.id: p.name for p in store.products()}
    assert names["c1"] == "Gentle Gel v2" and "x" not in names


def test_ingredients_are_kept_in_label_order(store: CatalogStore) -> None:
    product = next(p for p in store.products() if p.id == "s2")
    assert product.ingredients == ("water", "retinol", "glycolic acid")


def _profile(**prefs: object) -> Profile:
    return Profile.from_dict({"skin_type": "oily", "concerns": {"acne": 70, "redness": 20},
                              "preferences": prefs})


def test_routine_has_steps_reasons_and_real_ingredients(store: CatalogStore) -> None:
    routine = Recommender(store.products).recommend(_profile())
    steps = {s.step: s for s in routine.steps}
    assert list(steps) == ["cleanser", "treatment", "moisturizer", "sunscreen"]
    assert steps["cleanser"].products[0].product_id == "c1"  # salicylic acid for acne, made for oily skin
    assert steps["sunscreen"].products[0].product_id == "u1"
    by_id = {p.id: p for p in store.products()}
    for step in routine.steps:
        for pick in step.products:
            assert 0 <= pick.score <= 1
            for reason in pick.reasons:
                if "targets" in reason:
                    active = reason.split(" targets ")[0]
                    named = {"zinc PCA": "zinc pca"}.get(active, active)
                    assert named in by_id[pick.product_id].ingredients


def test_hard_filters(store: CatalogStore) -> None:
    products = {p.id: p for p in store.products()}
    routine = Recommender(store.products).recommend(_profile(fragrance_free=True, vegan=True, budget_max=20,
                                                             avoid_ingredients=["Zinc PCA"]))
    picked = [p.product_id for s in routine.steps for p in s.products]
    assert picked
    for pid in picked:
        ingredients = set(products[pid].ingredients)
        assert not ingredients & FRAGRANCE and not ingredients & NON_VEGAN
        assert products[pid].price <= Decimal(20) and "zinc pca" not in ingredients
    assert "c2" not in picked and "m2" not in picked and "s3" not in picked and "s1" not in picked


def test_pregnancy_excludes_retinoids_and_warnings_fire(store: CatalogStore) -> None:
    wrinkles = {"skin_type": "normal", "concerns": {"wrinkles": 90, "texture": 60}}
    routine = Recommender(store.products).recommend(Profile.from_dict(wrinkles))
    assert routine.steps[1].products[0].product_id == "s2"
    assert any("different evenings" in w for w in routine.warnings)
    assert any("sunscreen" in w for w in routine.warnings)
    pregnant = Recommender(store.products).recommend(Profile.from_dict({**wrinkles, "pregnant": True}))
    assert "s2" not in [p.product_id for s in pregnant.steps for p in s.products]


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
    assert [s["step"] for s in out["steps"]][:3] == ["cleanser", "treatment", "moisturizer"]
    for step in out["steps"]:
        assert len(step["products"]) <= 2
        for pick in step["products"]:
            assert pick["price"] <= 25 and pick["url"].startswith("https://")
            assert set(pick) >= {"product_id", "score", "price", "reasons", "url"}
    bad = tmp_path / "bad.json"
    bad.write_text("{nope")
    result = run_cli("recommend", "--profile", str(bad), home=skinlens_home)
    assert result.returncode == 1 and "not valid JSON" in result.stderr and "Traceback" not in result.stderr

"""What the recommender's index says about each product, which every ranking then reads: how comedogenic,
irritating and hydrating a label is (each ingredient by its place on the label), and which active serves a need.

The rule is the spec here: an ingredient's rating counts by its position weight (1.0 in the first fifth of the
label, down to 0.4 at its end), irritancy on the comedogenic table's 0-3 scale is divided by 3, and each
humectant or occlusive adds a quarter of its weight to hydration, capped at 1.
"""

from __future__ import annotations

import pytest

from desktop.catalog.knowledge import default_knowledge
from desktop.recommend.index import HUMECTANTS, OCCLUSIVES, build_index, position_weight
from tests.unit.catalogs import product

LABELS = {
    "heavy": "Isopropyl Myristate, Aqua, Glycerin, Cocos Nucifera Oil, Menthol",
    "late": "Aqua, Glycerin, Butylene Glycol, Dimethicone, Isopropyl Myristate",
    "plain": "Aqua, Xanthan Gum",
    "humid": "Glycerin, Butylene Glycol, Propanediol, Sodium Hyaluronate, Panthenol, Urea, Petrolatum",
}


@pytest.fixture  # per test: mutmut links a function to the tests that call it, not to a shared fixture
def index():  # type: ignore[no-untyped-def]
    return build_index([product(pid, "B", "moisturizer", label) for pid, label in LABELS.items()],
                       default_knowledge())


def _expected(names: tuple[str, ...]) -> tuple[float, float, float]:
    kb = default_knowledge()
    weights = [position_weight(i, len(names)) for i in range(len(names))]
    comedogenic = sum(kb.comedogenic_rating(n) * w for n, w in zip(names, weights, strict=True))
    irritant = sum(kb.irritancy(n) * w / 3.0 for n, w in zip(names, weights, strict=True))
    hydration = sum(0.25 * w for n, w in zip(names, weights, strict=True) if n in HUMECTANTS or n in OCCLUSIVES)
    return comedogenic, irritant, min(hydration, 1.0)


@pytest.mark.parametrize("pid", list(LABELS))
def test_each_label_s_loads_follow_the_rule(index, pid: str) -> None:  # type: ignore[no-untyped-def]
    row = index.row_of[pid]
    got = (index.comedogenic_load[row], index.irritant_load[row], index.hydration[row])
    assert got == pytest.approx(_expected(index.products[row].inci), abs=1e-5)


def test_a_comedogenic_ingredient_counts_more_the_earlier_it_is_listed(index) -> None:  # type: ignore[no-untyped-def]
    load = {pid: float(index.comedogenic_load[index.row_of[pid]]) for pid in LABELS}
    assert load["heavy"] > load["late"] > load["plain"] == 0.0
    assert load["heavy"] == pytest.approx(5 * 1.0 + 3 * position_weight(3, 5), abs=1e-5)  # myristate, coconut
    irritant = {pid: float(index.irritant_load[index.row_of[pid]]) for pid in LABELS}
    assert irritant["heavy"] > irritant["late"] > 0.0 == irritant["plain"]
    assert irritant["heavy"] == pytest.approx((3 * 1.0 + 3 * 0.4) / 3.0, abs=1e-5)  # myristate, menthol
    assert index.hydration[index.row_of["humid"]] == 1.0  # seven humectants and an occlusive: capped
    assert 0.0 < index.hydration[index.row_of["late"]] < index.hydration[index.row_of["humid"]]
    assert index.hydration[index.row_of["plain"]] == 0.0


def test_a_need_is_served_by_its_strongest_active_on_the_label() -> None:
    kb = default_knowledge()
    labels = {"zinc-first": "Zinc PCA, Aqua, Glycerin, Dimethicone, Niacinamide",
              "niacin-first": "Niacinamide, Aqua, Glycerin, Dimethicone, Zinc PCA",
              "zinc-then-niacin": "Zinc PCA, Niacinamide, Aqua, Glycerin, Dimethicone"}  # the later is stronger
    index = build_index([product(pid, "B", "serum", label) for pid, label in labels.items()], kb)
    for pid in labels:
        row = index.row_of[pid]
        names = index.products[row].inci
        candidates = [(a.weight * position_weight(names.index(a.ingredient), len(names)), i)
                      for i, a in enumerate(index.actives) if a.concern == "acne" and a.ingredient in names]
        value, best = max(candidates)
        assert index.strength["acne"][row] == pytest.approx(value, abs=1e-6)
        assert index.best_active["acne"][row] == best, (pid, index.actives[best])
    best_of = {pid: index.actives[index.best_active["acne"][index.row_of[pid]]].ingredient for pid in labels}
    assert best_of == {"zinc-first": "zinc pca", "niacin-first": "niacinamide", "zinc-then-niacin": "niacinamide"}
    assert index.best_active["dark_circles"][index.row_of["zinc-first"]] == -1  # no active for it: none

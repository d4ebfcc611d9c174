"""The routine on the bundled demo catalog: right products in the right steps, no self-made clashes, reasons
that name what fits, alternatives that keep the routine's rules, and a monthly cost."""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from desktop.catalog.knowledge import default_knowledge
from desktop.catalog.store import CatalogStore
from desktop.recommend.engine import STEPS, Recommender, step_mask
from desktop.recommend.index import CatalogIndex, IndexCache
from desktop.recommend.profile import Profile
from desktop.recommend.routine import Routine
from desktop.recommend.warnings import clashes, traits_of
from desktop.resources import resource

REPO = Path(__file__).resolve().parents[2]
LABELS = REPO / "tests" / "fixtures" / "labelled_steps.csv"


def _eval_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("eval_recommend", REPO / "bench" / "eval_recommend.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


EVAL = _eval_module()
PROFILES = [{"skin_type": t, "concerns": dict.fromkeys(c, 70)} for t in EVAL.SKIN_TYPES for c in EVAL.CONCERN_SETS]
PROFILES += [{"skin_type": p["skin_type"], "concerns": p["concerns"] | {"dark_circles": 60}} for p in PROFILES[::5]]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Recommender, CatalogIndex]:
    store = CatalogStore(tmp_path_factory.mktemp("demo") / "demo.sqlite3")
    store.seed_demo_if_empty(resource("catalog", "demo_catalog.csv"))
    kb = default_knowledge()
    cache = IndexCache(store, kb)
    return Recommender(cache, kb), cache()


@pytest.fixture(scope="module")
def routines(demo: tuple[Recommender, CatalogIndex]) -> list[tuple[Profile, Routine]]:
    recommender, _index = demo
    out = []
    for raw in PROFILES:
        profile = Profile.from_dict(raw)
        out.append((profile, recommender.recommend(profile, limit=10)))
    return out


def _labels() -> dict[str, set[str]]:
    with LABELS.open(encoding="utf-8") as fh:
        return {row["id"]: {s for s in row["steps"].split(";") if s} for row in csv.DictReader(fh)}


def test_the_labelled_list_is_forty_demo_products_with_known_steps(demo: tuple[Recommender, CatalogIndex]) -> None:
    labels = _labels()
    _recommender, index = demo
    assert len(labels) == 40
    assert set(labels) <= set(index.row_of)
    assert set().union(*labels.values()) <= {s.step for s in STEPS}


def test_no_step_admits_a_labelled_product_it_should_not(demo: tuple[Recommender, CatalogIndex]) -> None:
    _recommender, index = demo
    wrong = {}
    for product_id, allowed in _labels().items():
        row = index.row_of[product_id]
        admitted = {spec.step for spec in STEPS if step_mask(index, spec)[row]}
        if admitted - allowed:
            wrong[index.products[row].name] = sorted(admitted - allowed)
    assert wrong == {}


def test_no_routine_shows_a_labelled_product_in_a_wrong_step(routines: list[tuple[Profile, Routine]]) -> None:
    labels = _labels()
    wrong = {(pick.name, step.step) for _p, routine in routines for step in routine.steps
             for pick in step.products if pick.product_id in labels and step.step not in labels[pick.product_id]}
    assert wrong == set()
    shown = {pick.product_id for _p, r in routines for s in r.steps for pick in s.products} & set(labels)
    assert len(shown) >= 10  # the check above saw a good part of the list


def test_the_routines_trigger_none_of_their_own_warnings(demo: tuple[Recommender, CatalogIndex],
                                                          routines: list[tuple[Profile, Routine]]) -> None:
    recommender, index = demo
    for profile, routine in routines:
        assert routine.warnings == [], (profile, routine.warnings)
        assert recommender.review(routine, profile, {}) == []
        picks = {s.step: index.row_of[s.products[0].product_id] for s in routine.steps if s.products}
        assert clashes({step: traits_of(index, row) for step, row in picks.items()}) == []


def test_every_alternative_keeps_the_routine_clash_free(demo: tuple[Recommender, CatalogIndex],
                                                        routines: list[tuple[Profile, Routine]]) -> None:
    recommender, _index = demo
    for profile, routine in routines[::4]:
        for step in routine.steps:
            for alternative in step.alternatives:
                assert recommender.review(routine, profile, {step.step: alternative.product_id}) == []


def test_a_routine_lists_each_product_once_and_one_brand_per_step(routines: list[tuple[Profile, Routine]]) -> None:
    for _profile, routine in routines:
        ids = [p.product_id for s in routine.steps for p in s.products]
        assert len(ids) == len(set(ids))
        for step in routine.steps:
            brands = [p.brand.casefold() for p in step.products]
            assert len(brands) == len(set(brands))


def test_morning_steps_hold_no_retinoid_and_no_exfoliating_acid(demo: tuple[Recommender, CatalogIndex],
                                                                routines: list[tuple[Profile, Routine]]) -> None:
    _recommender, index = demo
    for _profile, routine in routines:
        for step in routine.steps:
            if "am" in step.when and step.step != "cleanser":  # a cleanser's acid is rinsed off
                rows = [index.row_of[p.product_id] for p in step.products]
                assert not np.any(index.retinoid[rows] | index.exfoliant[rows]), step.step


def test_reasons_differ_between_picks_and_never_fall_back(routines: list[tuple[Profile, Routine]]) -> None:
    for _profile, routine in routines:
        reasons = [tuple(s.products[0].reasons) for s in routine.steps if s.products]
        assert all(reasons) and len(set(reasons)) == len(reasons)
        for step in routine.steps:
            for pick in step.products:
                assert not any("well-rated" in r for r in pick.reasons)


def test_the_monthly_cost_covers_the_picks_with_a_size(routines: list[tuple[Profile, Routine]]) -> None:
    for _profile, routine in routines:
        total, currency, unknown = routine.monthly_cost()
        known = [s.products[0].monthly_cost for s in routine.steps if s.products and s.step not in unknown]
        assert currency == "GBP" and total == pytest.approx(sum(c for c in known if c is not None))
        assert len(known) >= 3 and total > 0
        assert "per use" in routine.cost_note

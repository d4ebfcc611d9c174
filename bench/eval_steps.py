"""How many of the hand-labelled products can land in a wrong routine step?

python bench/eval_steps.py
tests/fixtures/labelled_steps.csv lists 40 demo-catalog products with the steps they may fill (read by hand from
name and INCI; empty: none). Two counts of products in a step their label does not allow:
- eligible: some step's filter admits the product (whatever the profile);
- in routines: the product is shown in a wrong step (pick or alternative, 10 per step) for any profile of
  bench/eval_recommend.py (5 skin types × 9 concern sets, plus dark circles so the eye step is there).
"""

from __future__ import annotations

import csv
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from eval_recommend import CONCERN_SETS, SKIN_TYPES

from desktop.catalog.knowledge import default_knowledge
from desktop.catalog.store import CatalogStore
from desktop.recommend import engine
from desktop.recommend.index import IndexCache
from desktop.recommend.profile import Profile
from desktop.resources import resource

LABELS = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "labelled_steps.csv"


def labels() -> dict[str, set[str]]:
    with LABELS.open(encoding="utf-8") as fh:
        return {row["id"]: {s for s in row["steps"].split(";") if s} for row in csv.DictReader(fh)}


def main() -> None:
    store = CatalogStore(Path(tempfile.mkdtemp()) / "steps.sqlite3")
    store.seed_demo_if_empty(resource("catalog", "demo_catalog.csv"))
    kb = default_knowledge()
    cache = IndexCache(store, kb)
    index = cache()
    mask_of = getattr(engine, "step_mask", None) or engine._step_mask  # older versions: _step_mask
    labelled = labels()
    eligible_wrong: dict[str, set[str]] = {}
    for spec in engine.STEPS:
        rows = np.flatnonzero(mask_of(index, spec))
        for row in rows:
            product_id = index.products[row].id
            if product_id in labelled and spec.step not in labelled[product_id]:
                eligible_wrong.setdefault(product_id, set()).add(spec.step)
    recommender = engine.Recommender(cache, kb)
    shown_wrong: dict[str, set[str]] = {}
    for skin_type in SKIN_TYPES:
        for concerns in CONCERN_SETS:
            wanted = dict.fromkeys(concerns, 70) | {"dark_circles": 60}
            routine = recommender.recommend(Profile.from_dict({"skin_type": skin_type, "concerns": wanted}), limit=10)
            for step in routine.steps:
                for pick in step.products:
                    if pick.product_id in labelled and step.step not in labelled[pick.product_id]:
                        shown_wrong.setdefault(pick.product_id, set()).add(step.step)
    print(f"labelled products: {len(labelled)}")
    print(f"eligible for a wrong step: {len(eligible_wrong)}")
    for product_id, steps in sorted(eligible_wrong.items()):
        print(f"  {product_id} {index.products[index.row_of[product_id]].name[:60]}: {', '.join(sorted(steps))}")
    print(f"shown in a wrong step in the eval routines: {len(shown_wrong)}")
    for product_id, steps in sorted(shown_wrong.items()):
        print(f"  {product_id} {index.products[index.row_of[product_id]].name[:60]}: {', '.join(sorted(steps))}")


if __name__ == "__main__":
    main()

"""How often do the top products contain well-evidenced actives for what the user asked for?

python bench/eval_recommend.py
On the bundled demo catalog, for every skin type × requested concern, the top 5 products of each
product step are checked: a hit is a product containing an active graded A or B for one of the requested
concerns (from the shipped knowledge base). precision@5 = hits / products shown. As a baseline the same is
computed for the 5 cheapest eligible products of the step (what a price-sorted shop page shows).
Steps where the catalog has fewer than 5 eligible products with such an active cap what any ranking can do;
"ceiling" reports that cap.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

from desktop.catalog.knowledge import default_knowledge
from desktop.catalog.store import CatalogStore
from desktop.recommend.engine import STEPS, Recommender, hard_filter, step_mask
from desktop.recommend.index import IndexCache
from desktop.recommend.profile import Profile
from desktop.resources import resource
from desktop.vocabulary import CATALOG_SKIN_TYPES

SKIN_TYPES = CATALOG_SKIN_TYPES
CONCERN_SETS = (("acne",), ("redness",), ("dark_spots",), ("wrinkles",), ("pores",), ("oiliness",),
                ("texture",), ("acne", "dark_spots"), ("wrinkles", "dark_spots"))
EVALUATED_STEPS = ("cleanser", "serum", "treatment", "moisturizer")


def main() -> None:
    store = CatalogStore(Path(tempfile.mkdtemp()) / "eval.sqlite3")
    store.seed_demo_if_empty(resource("catalog", "demo_catalog.csv"))
    kb = default_knowledge()
    cache = IndexCache(store, kb)
    recommender = Recommender(cache, kb)
    index = cache()
    good = {c: {a.ingredient for a in kb.by_concern.get(c, []) if a.grade in "AB"} for c in
            {c for s in CONCERN_SETS for c in s}}
    totals = {step: [0, 0, 0, 0] for step in EVALUATED_STEPS}  # hits, shown, baseline hits, ceiling hits
    for skin_type in SKIN_TYPES:
        for concerns in CONCERN_SETS:
            profile = Profile.from_dict({"skin_type": skin_type, "concerns": dict.fromkeys(concerns, 70)})
            wanted = set().union(*(good[c] for c in concerns))
            routine = recommender.recommend(profile, limit=5)
            allowed, _ = hard_filter(index, profile, kb)
            for step in routine.steps:
                if step.step not in totals:
                    continue
                spec = next(s for s in STEPS if s.step == step.step)
                eligible = np.flatnonzero(allowed & step_mask(index, spec))
                has = [bool(set(index.products[r].inci) & wanted) for r in eligible]
                cheapest = eligible[np.argsort(index.price[eligible], kind="stable")[:5]]
                t = totals[step.step]
                t[0] += sum(bool(set(index.products[index.row_of[p.product_id]].inci) & wanted)
                            for p in step.products)
                t[1] += len(step.products)
                t[2] += sum(bool(set(index.products[r].inci) & wanted) for r in cheapest)
                t[3] += min(5, sum(has))
    print(f"{'step':<12} {'precision@5':>12} {'cheapest-5':>11} {'ceiling':>8}   ({len(SKIN_TYPES)} skin types × "
          f"{len(CONCERN_SETS)} concern sets)")
    all_hits = all_shown = all_base = all_ceiling = 0
    for step, (hits, shown, base, ceiling) in totals.items():
        print(f"{step:<12} {hits / shown:>12.2f} {base / shown:>11.2f} {ceiling / shown:>8.2f}")
        all_hits, all_shown, all_base, all_ceiling = (all_hits + hits, all_shown + shown, all_base + base,
                                                      all_ceiling + ceiling)
    print(f"{'all steps':<12} {all_hits / all_shown:>12.2f} {all_base / all_shown:>11.2f} "
          f"{all_ceiling / all_shown:>8.2f}")


if __name__ == "__main__":
    main()

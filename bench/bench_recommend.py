"""Ranking time for 1k, 10k and 50k products (the demo catalog scaled up with new ids and jittered prices).

python bench/bench_recommend.py [--runs 30]
Prints the one-off index build time (paid once per catalog change) and p50/p95 of a full routine ranking.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from dataclasses import replace
from decimal import Decimal

from desktop.catalog.knowledge import default_knowledge
from desktop.catalog.store import CatalogStore
from desktop.recommend.engine import Recommender
from desktop.recommend.index import build_index
from desktop.recommend.profile import Profile
from desktop.resources import resource

PROFILES = [
    {"skin_type": "oily", "concerns": {"acne": 70, "pores": 50}, "preferences": {"fragrance_free": True}},
    {"skin_type": "dry", "concerns": {"wrinkles": 60, "dark_spots": 40}, "preferences": {"budget_max": 30}},
    {"skin_type": "sensitive", "concerns": {"redness": 80}, "preferences": {"vegan": True,
                                                                           "avoid_ingredients": ["parabens"]}},
    {"skin_type": "combination", "concerns": {"dark_circles": 60, "texture": 50}, "pregnant": True},
]


def scaled(products: list, size: int) -> list:  # type: ignore[type-arg]
    rng = random.Random(7)
    out = []
    for i in range(size):
        base = products[i % len(products)]
        price = (base.price * Decimal(str(round(rng.uniform(0.7, 1.3), 2)))).quantize(Decimal("0.01"))
        out.append(replace(base, id=f"{base.id}-{i}", brand=f"{base.brand} {i % 400}", price=price))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    import tempfile
    from pathlib import Path

    store = CatalogStore(Path(tempfile.mkdtemp()) / "bench.sqlite3")
    store.seed_demo_if_empty(resource("catalog", "demo_catalog.csv"))
    demo = store.products()
    kb = default_knowledge()
    profiles = [Profile.from_dict(p) for p in PROFILES]
    print(f"{'products':>9} {'index build':>12} {'rank p50':>9} {'rank p95':>9}")
    for size in (1_000, 10_000, 50_000):
        products = scaled(demo, size)
        start = time.perf_counter()
        index = build_index(products, kb)
        build_ms = (time.perf_counter() - start) * 1000
        recommender = Recommender(lambda index=index: index, kb)
        times = []
        for run in range(args.runs):
            start = time.perf_counter()
            recommender.recommend(profiles[run % len(profiles)], limit=5)
            times.append((time.perf_counter() - start) * 1000)
        times.sort()
        print(f"{size:>9} {build_ms:>10.0f}ms {statistics.median(times):>7.1f}ms "
              f"{times[int(0.95 * (len(times) - 1))]:>7.1f}ms")


if __name__ == "__main__":
    main()

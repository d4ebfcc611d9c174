"""Small in-memory catalogs for the recommender's tests: products built as the store hands them out.

The recommender only reads `ProductRecord`s through its index, so these tests skip SQLite and stay fast enough
to run for every mutant of the mutation run (scripts/mutation.sh).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from desktop.catalog.inci import parse_ingredients
from desktop.catalog.knowledge import default_knowledge
from desktop.catalog.store import ProductRecord
from desktop.recommend.engine import Recommender
from desktop.recommend.index import build_index
from desktop.recommend.profile import Profile
from desktop.recommend.routine import Routine


def product(pid: str, brand: str, category: str, ingredients: str, price: float | str = 10,
            currency: str = "GBP", skin_types: tuple[str, ...] = (), tags: tuple[str, ...] = (),
            name: str | None = None) -> ProductRecord:
    """`name`: what the label calls the product (the routine reads its form from it); "<brand> <pid>", which
    says nothing, leaves the form to the category."""
    return ProductRecord(id=pid, brand=brand, name=name or f"{brand} {pid}", category=category,
                         price=Decimal(str(price)), currency=currency, ingredients=ingredients,
                         url=f"https://shop.example/{pid}", skin_types=skin_types, tags=tags,
                         inci=tuple(parse_ingredients(ingredients)))


def recommend(products: Iterable[ProductRecord], limit: int = 3, **profile: Any) -> Routine:
    """The routine the real recommender makes for `profile` (a `--profile` JSON dict) from `products`."""
    kb = default_knowledge()
    index = build_index(list(products), kb)
    return Recommender(lambda: index, kb).recommend(Profile.from_dict(profile), limit=limit)


def step_ids(routine: Routine) -> dict[str, list[str]]:
    return {s.step: [p.product_id for p in s.products] for s in routine.steps}


def picked(routine: Routine) -> list[str]:
    return [p.product_id for s in routine.steps for p in s.products]

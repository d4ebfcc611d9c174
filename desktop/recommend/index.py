"""A column-oriented index of the catalog for ranking: every product's features computed once.

Why: ranking a large catalog per request in a Python loop is too slow for a click; with the features as NumPy columns
(concern strength per concern, filter flags, skin-type fit inputs) a ranking is a handful of vector operations.
The index is rebuilt only when the catalog changes (the store's generation number).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from desktop.catalog.knowledge import (
    BHAS,
    EXFOLIANTS,
    HUMECTANTS,
    OCCLUSIVES,
    RETINOIDS,
    Active,
    KnowledgeBase,
)
from desktop.catalog.store import CatalogStore, ProductRecord
from desktop.recommend.cost import Size, parse_size, price_score, watery_cleanser
from desktop.recommend.forms import ProductForm, classify, exfoliating_dose
from desktop.vocabulary import CATALOG_SKIN_TYPES, NEEDS

RINSE_OFF = frozenset({"cleanser", "mask"})


def position_weight(position: int, length: int) -> float:
    """Earlier on the label means more of it: 1.0 in the first fifth of the list, falling to 0.4 at its end."""
    if length <= 1:
        return 1.0
    return 1.0 - 0.6 * min(1.0, max(0.0, (position / (length - 1) - 0.2) / 0.8))


@dataclass
class CatalogIndex:
    products: list[ProductRecord]
    actives: list[Active]
    price: np.ndarray
    currency: np.ndarray  # str
    category: np.ndarray  # str
    brand: np.ndarray  # str
    spf: np.ndarray  # bool: claims sun protection
    spf_value: np.ndarray  # float: the stated SPF, NaN when claimed without a number, 0 when none
    form: np.ndarray  # str: what the product is (desktop.recommend.forms), not the shop's category
    area: np.ndarray  # str: face, eye, lip, body, hair, tan
    time: np.ndarray  # str: any, day, night
    leave_on_exfoliant: np.ndarray  # bool: a leave-on peel or acid solution (an evening treatment)
    fragrance: np.ndarray
    not_vegan: np.ndarray
    prohibited: np.ndarray
    retinoid: np.ndarray
    exfoliant: np.ndarray
    benzoyl_peroxide: np.ndarray
    leave_on_bha: np.ndarray
    comedogenic_load: np.ndarray  # position-weighted sum of comedogenic ratings
    irritant_load: np.ndarray
    hydration: np.ndarray  # 0..1 humectants + occlusives
    declared: dict[str, np.ndarray]  # skin type -> declared in the catalog
    strength: dict[str, np.ndarray]  # need -> best grade × position weight, 0..1
    best_active: dict[str, np.ndarray]  # need -> index into `actives`, -1 when none
    sizes: list[Size | None] = field(default_factory=list)  # pack sizes, for the monthly cost
    size_amount: np.ndarray = field(default_factory=lambda: np.empty(0))  # ml, g or a count; NaN unknown
    size_counted: np.ndarray = field(default_factory=lambda: np.empty(0, bool))  # capsules, pads, wipes
    watery: np.ndarray = field(default_factory=lambda: np.empty(0, bool))  # micellar and cleansing waters
    price_score: np.ndarray = field(default_factory=lambda: np.empty(0))  # 0..1, cheaper is higher
    derived: dict[str, np.ndarray] = field(default_factory=dict)  # per-index caches (step masks)
    family: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))  # same product in another size
    inverted: dict[str, np.ndarray] = field(default_factory=dict)  # ingredient -> product rows
    row_of: dict[str, int] = field(default_factory=dict)  # product id -> row

    def __len__(self) -> int:
        return len(self.products)

    def rows_with(self, ingredient: str) -> np.ndarray:
        return self.inverted.get(ingredient, np.empty(0, dtype=np.int64))


@dataclass(frozen=True)
class _Facts:
    """What the knowledge base says about one ingredient name (looked up once per distinct name)."""

    comedogenic: int
    irritancy: int
    hydrating: bool
    fragrance: bool
    not_vegan: bool
    prohibited: bool


def _facts(name: str, kb: KnowledgeBase) -> _Facts:
    return _Facts(kb.comedogenic_rating(name), kb.irritancy(name), name in HUMECTANTS or name in OCCLUSIVES,
                  kb.is_fragrance(name), kb.not_vegan(name) is not None, name in kb.annex_ii)


def build_index(products: Sequence[ProductRecord], kb: KnowledgeBase) -> CatalogIndex:
    """Compute every product's features once, so a ranking is vector operations only."""
    n = len(products)
    actives = [a for a in kb.actives if a.weight > 0]
    by_ingredient: dict[str, list[tuple[int, Active]]] = {}
    for i, active in enumerate(actives):
        by_ingredient.setdefault(active.ingredient, []).append((i, active))
    strength = {need: np.zeros(n, np.float32) for need in NEEDS}
    best = {need: np.full(n, -1, np.int32) for need in NEEDS}
    flags: dict[str, Any] = {k: np.zeros(n, bool) for k in (
        "fragrance", "not_vegan", "prohibited", "retinoid", "exfoliant", "benzoyl_peroxide", "leave_on_bha")}
    comedogenic, irritant, hydration = np.zeros(n, np.float32), np.zeros(n, np.float32), np.zeros(n, np.float32)
    inverted: dict[str, list[int]] = {}
    facts: dict[str, _Facts] = {}
    for row, product in enumerate(products):
        names = product.inci
        length = len(names)
        found: dict[str, tuple[float, int]] = {}  # need -> (strength, active index)
        load = [0.0, 0.0, 0.0]  # comedogenic, irritant, hydration
        fragrance = not_vegan = prohibited = False
        for position, name in enumerate(names):
            inverted.setdefault(name, []).append(row)
            fact = facts.get(name)
            if fact is None:
                fact = facts[name] = _facts(name, kb)
            weight = position_weight(position, length)
            for active_index, active in by_ingredient.get(name, ()):
                value = active.weight * weight
                if value > found.get(active.concern, (0.0, -1))[0]:
                    found[active.concern] = (value, active_index)
            load[0] += fact.comedogenic * weight
            load[1] += fact.irritancy * weight / 3.0
            load[2] += fact.hydrating * 0.25 * weight
            fragrance |= fact.fragrance
            not_vegan |= fact.not_vegan
            prohibited |= fact.prohibited
        for need, (value, active_index) in found.items():
            strength[need][row], best[need][row] = value, active_index
        comedogenic[row], irritant[row], hydration[row] = load
        flags["fragrance"][row], flags["not_vegan"][row], flags["prohibited"][row] = fragrance, not_vegan, prohibited
        present = set(names)
        flags["retinoid"][row] = bool(present & RETINOIDS)
        flags["exfoliant"][row] = exfoliating_dose(names, product.name, EXFOLIANTS)
        flags["benzoyl_peroxide"][row] = "benzoyl peroxide" in present
        flags["leave_on_bha"][row] = bool(present & BHAS)  # narrowed to leave-on products below
    declared = {t: np.array([t in p.skin_types for p in products], bool)
                for t in CATALOG_SKIN_TYPES}
    columns = _form_columns_and_flags(products, flags)
    return CatalogIndex(
        products=list(products), actives=actives,
        currency=np.array([p.currency for p in products], dtype=object),
        category=np.array([p.category for p in products], dtype=object),
        brand=np.array([p.brand.casefold() for p in products], dtype=object),
        comedogenic_load=comedogenic, irritant_load=irritant, hydration=np.minimum(hydration, 1.0),
        declared=declared, strength=strength, best_active=best,
        inverted={k: np.array(v, np.int64) for k, v in inverted.items()},
        row_of={p.id: row for row, p in enumerate(products)},
        **flags, **columns,
    )


def _form_columns_and_flags(products: Sequence[ProductRecord], flags: dict[str, Any]) -> dict[str, Any]:
    """The form and pack columns, and the flags that also depend on what a product is (updated in place)."""
    columns = _form_and_pack_columns(products)
    flags["exfoliant"] |= columns["leave_on_exfoliant"]
    flags["leave_on_bha"] &= ~_rinsed_off(products, columns["form"])
    return columns


def _rinsed_off(products: Sequence[ProductRecord], form: np.ndarray) -> np.ndarray:
    """Rinsed off only when both the shop's category and what the product is say so: a salicylic serum filed
    under cleansers stays on the skin (pregnancy leaves out every leave-on salicylate)."""
    category = np.array([p.category for p in products], dtype=object)
    return np.asarray(np.isin(category, list(RINSE_OFF)) & np.isin(form, list(RINSE_OFF)))


def _form_and_pack_columns(products: Sequence[ProductRecord]) -> dict[str, Any]:
    """The columns that come from what each product is (its form, from name and INCI) and how it is sold (pack
    size, price): what the steps, the monthly cost and the price preference read."""
    sizes = [parse_size(p.size, p.name) for p in products]
    forms = [_form(p, size) for p, size in zip(products, sizes, strict=True)]
    price = np.array([float(p.price) for p in products], np.float64)
    return {
        "price": price, "price_score": price_score(price),
        "spf": np.array([f.has_spf for f in forms], bool),
        "spf_value": np.array([np.nan if f.spf is None else f.spf for f in forms], np.float64),
        "form": np.array([f.form for f in forms], dtype=object),
        "area": np.array([f.area for f in forms], dtype=object),
        "time": np.array([f.time for f in forms], dtype=object),
        "leave_on_exfoliant": np.array([f.exfoliating_treatment for f in forms], bool),
        "sizes": sizes, "family": _families(products),
        "size_amount": np.array([s.amount if s else np.nan for s in sizes], np.float64),
        "size_counted": np.array([bool(s and s.unit == "count") for s in sizes], bool),
        "watery": np.array([watery_cleanser(p.name) for p in products], bool),
    }


def _families(products: Sequence[ProductRecord]) -> np.ndarray:
    """Each row's first row of the same product: same brand and the same INCI list, or the same name once the
    pack size is taken out ("Serum 30ml", "Serum 60ml", "Supersize Serum" with the same formula)."""
    first: dict[tuple[str, ...], int] = {}
    family = np.arange(len(products), dtype=np.int64)
    for row, product in enumerate(products):
        brand = product.brand.casefold()
        keys = [(brand, "inci", *product.inci)] if product.inci else []
        unsized = re.sub(r"\d+(?:[.,]\d+)? ?(?:ml|g|oz)\b|\(.*?\)", "", product.name.casefold()).strip()
        keys.append((brand, "name", unsized))
        known = next((first[k] for k in keys if k in first), row)
        family[row] = known
        for key in keys:
            first.setdefault(key, known)
    return family


def _form(product: ProductRecord, size: Size | None) -> ProductForm:
    return classify(product.name, product.category, product.inci, product.tags,
                    size.amount if size is not None and size.unit == "ml" else None)


def vegan_disputed(index: CatalogIndex, kb: KnowledgeBase) -> np.ndarray:
    """Rows with an ingredient that may or may not be animal-derived (and none that surely is), worked out on
    the first vegan request: the family rules are slow regexes, and most people never ask."""
    if "vegan_disputed" not in index.derived:
        mask = np.zeros(len(index), bool)
        for name, rows in index.inverted.items():
            if any(hit.disputed for hit in kb.family_hits("vegan", name)):
                mask[rows] = True
        index.derived["vegan_disputed"] = mask & ~index.not_vegan
    return index.derived["vegan_disputed"]


class IndexCache:
    """The current CatalogIndex of a store, rebuilt when the store's generation changes."""

    def __init__(self, store: CatalogStore, kb: KnowledgeBase) -> None:
        self._store = store
        self._kb = kb
        self._generation = -1
        self._index: CatalogIndex | None = None

    def __call__(self) -> CatalogIndex:
        generation = self._store.generation()
        if self._index is None or generation != self._generation:
            self._index = build_index(self._store.products(), self._kb)
            self._generation = generation
        return self._index

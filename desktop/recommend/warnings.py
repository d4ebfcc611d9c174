"""Routine-level warnings: clashing actives, sun sensitivity, sourcing caveats, pregnancy.

They look at the top pick of every step, i.e. the routine a person would actually follow.
"""

from __future__ import annotations

from desktop.catalog.knowledge import EXFOLIANTS, RETINOIDS, KnowledgeBase
from desktop.recommend.index import CatalogIndex
from desktop.recommend.profile import Profile
from desktop.recommend.routine import RoutineStep


def routine_warnings(index: CatalogIndex, steps: list[RoutineStep], profile: Profile,
                     kb: KnowledgeBase) -> list[str]:
    chosen = {s.step: index.products[index.row_of[s.products[0].product_id]] for s in steps if s.products}
    evening = [p for step, p in chosen.items() if step in ("cleanser", "treatment", "moisturizer", "eye")]
    evening_ingredients = set().union(*(set(p.inci) for p in evening)) if evening else set()
    everything = set().union(*(set(p.inci) for p in chosen.values())) if chosen else set()
    warnings = []
    if evening_ingredients & RETINOIDS and evening_ingredients & EXFOLIANTS:
        warnings.append("A retinoid and an exfoliating acid are in the same evening routine: use them on "
                        "alternate evenings to avoid irritation.")
    if "benzoyl peroxide" in everything and everything & RETINOIDS:
        warnings.append("Benzoyl peroxide can inactivate retinoids: apply them at different times of day.")
    exfoliating = [p for p in chosen.values() if set(p.inci) & EXFOLIANTS or p.category == "exfoliant"]
    if len(exfoliating) >= 2:
        names = ", ".join(f"{p.brand} {p.name}" for p in exfoliating)
        warnings.append(f"Several exfoliating products ({names}): start with one and add the next slowly.")
    if everything & (RETINOIDS | EXFOLIANTS):
        warnings.append("Retinoids and acids make skin more sensitive to the sun: use sunscreen every morning.")
    if profile.preferences.vegan:
        for product in chosen.values():
            for name in product.inci:
                for hit in kb.family_hits("vegan", name):
                    if hit.disputed:
                        warnings.append(f"{product.brand} {product.name} contains {name}: {hit.caveat}")
    if profile.pregnant:
        warnings.append("For pregnancy we left out retinoids and leave-on salicylic acid; please check any new "
                        "product with your doctor or midwife.")
    return list(dict.fromkeys(warnings))

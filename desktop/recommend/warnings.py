"""What a routine warns about, and the clash rules the picking avoids.

The clash rules are one definition used twice: the engine chooses the products of a routine so that none of
them applies (a routine must not warn about a combination it made itself), and the warnings report the ones
that do apply to the products a person actually chose (an alternative they swapped in). Everything else a
person should know (sun sensitivity covered by the routine's own sunscreen, pregnancy) is a note, not a warning.
"""

from __future__ import annotations

from dataclasses import dataclass

from desktop.catalog.knowledge import KnowledgeBase
from desktop.recommend.index import CatalogIndex
from desktop.recommend.profile import Profile
from desktop.recommend.routine import RoutineStep
from desktop.recommend.steps import STEP_BY_NAME

RETINOID_ACID = "retinoid_acid_evening"
BENZOYL_RETINOID = "benzoyl_peroxide_retinoid"
SEVERAL_EXFOLIANTS = "several_exfoliants"


@dataclass(frozen=True)
class Traits:
    """What a product brings to the clash rules. An acid in a wash-off cleanser does not count as exfoliating:
    it is rinsed away within a minute, and the rules are about acids left on the skin."""

    retinoid: bool
    exfoliant: bool
    benzoyl_peroxide: bool


def traits_of(index: CatalogIndex, row: int) -> Traits:
    leave_on = index.form[row] != "cleanser"
    return Traits(bool(index.retinoid[row]), bool(index.exfoliant[row]) and leave_on,
                  bool(index.benzoyl_peroxide[row]))


def clashes(traits: dict[str, Traits]) -> list[str]:
    """The clash rules that the products of these steps (step -> traits) break, as codes. A rule is about two
    products: one product made with a retinoid and an acid was formulated to hold both."""
    evening = [t for step, t in traits.items() if step not in STEP_BY_NAME or STEP_BY_NAME[step].evening]
    every = list(traits.values())
    found = []
    if _apart(evening, "retinoid", "exfoliant"):
        found.append(RETINOID_ACID)
    if _apart(every, "benzoyl_peroxide", "retinoid"):
        found.append(BENZOYL_RETINOID)
    if sum(t.exfoliant for t in every) >= 2:
        found.append(SEVERAL_EXFOLIANTS)
    return found


def _apart(traits: list[Traits], first: str, second: str) -> bool:
    """Whether one product has `first` and another product `second`."""
    return any(getattr(a, first) and getattr(b, second) for i, a in enumerate(traits)
               for j, b in enumerate(traits) if i != j)


def chosen_rows(index: CatalogIndex, steps: list[RoutineStep],
                chosen: dict[str, str] | None = None) -> dict[str, int]:
    """step -> the row a person follows: their choice where they made one, else the step's pick."""
    chosen = chosen or {}
    rows = {}
    for step in steps:
        product_id = chosen.get(step.step) or (step.products[0].product_id if step.products else None)
        if product_id is not None and product_id in index.row_of:
            rows[step.step] = index.row_of[product_id]
    return rows


def routine_warnings(index: CatalogIndex, rows: dict[str, int], profile: Profile, kb: KnowledgeBase) -> list[str]:
    """Warnings about the chosen products (step -> row): clashes, no sunscreen for sun-sensitising actives,
    vegan caveats."""
    products = {step: index.products[row] for step, row in rows.items()}
    names = {step: f"{p.brand} {p.name}" for step, p in products.items()}
    traits = {step: traits_of(index, row) for step, row in rows.items()}
    warnings = []
    for code in clashes(traits):
        if code == RETINOID_ACID:
            pair = [names[s] for s, t in traits.items() if t.retinoid or t.exfoliant]
            warnings.append(f"{' and '.join(pair)} put a retinoid and an exfoliating acid in the same evening: "
                            "use them on alternate evenings to avoid irritation.")
        elif code == BENZOYL_RETINOID:
            pair = [names[s] for s, t in traits.items() if t.retinoid or t.benzoyl_peroxide]
            warnings.append(f"Benzoyl peroxide can inactivate retinoids ({' and '.join(pair)}): apply them at "
                            "different times of day.")
        elif code == SEVERAL_EXFOLIANTS:
            pair = [names[s] for s, t in traits.items() if t.exfoliant]
            warnings.append(f"Several exfoliating products ({', '.join(pair)}): start with one and add the next "
                            "slowly.")
    if any(t.retinoid or t.exfoliant for t in traits.values()) and "sunscreen" not in rows:
        warnings.append("Retinoids and acids make skin more sensitive to the sun, and this routine has no "
                        "sunscreen: use one every morning.")
    if profile.preferences.vegan:
        for step, product in products.items():
            for name in product.inci:
                for hit in kb.family_hits("vegan", name):
                    if hit.disputed:
                        warnings.append(f"{names[step]} contains {name}: {hit.caveat}")
    return list(dict.fromkeys(warnings))


def routine_notes(profile: Profile) -> list[str]:
    """What the person should know that no product choice caused."""
    notes = []
    if profile.pregnant:
        notes.append("For pregnancy we left out retinoids and leave-on salicylic acid; please check any new "
                     "product with your doctor or midwife.")
    return notes

"""Why this product, for this person, in this step: reasons that name what is in the product.

Every reason points at something on the product's own label (an active and how high it is listed, the
hydrating ingredients it has, what it leaves out) and at something about the person (a concern and how strong
it is, the skin type, an answer they gave), so two products never read alike unless their labels do. There is
no generic fallback: when nothing specific fits, the reason says what the product is and what it is built on.
"""

from __future__ import annotations

from dataclasses import dataclass

from desktop.catalog.knowledge import BHAS, EXFOLIANTS, HUMECTANTS, OCCLUSIVES, RETINOIDS
from desktop.recommend.index import CatalogIndex
from desktop.recommend.profile import Profile
from desktop.recommend.routine import money
from desktop.vocabulary import GOAL_WORDS, HYDRATION, level

MIN_SEVERITY_FOR_REASON = 25.0  # "mild" and above: a low score is nothing to target
MAX_ACTIVE_REASONS = 2
FORM_WORDS = {"cleanser": "cleanser", "serum": "serum", "moisturizer": "moisturiser", "face_oil": "face oil"}


@dataclass(frozen=True)
class Context:
    """What the rest of the routine means for one product's reasons."""

    evening_sensitisers: tuple[str, ...] = ()  # retinoids / acids the evening steps bring, by name


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


EYE_NEEDS = frozenset({"dark_circles", "wrinkles", HYDRATION})  # what an eye product can do something about


def needs_of(profile: Profile, step: str | None = None) -> dict[str, float]:
    """Concern -> severity for a step: the eye step serves the eye area's needs, the face steps the others."""
    needs = dict(profile.concerns)
    if profile.skin_type == "dry":
        needs.setdefault(HYDRATION, 50.0)
    if step == "eye":
        return {k: v for k, v in needs.items() if k in EYE_NEEDS}
    return {k: v for k, v in needs.items() if k != "dark_circles"} if step else needs


def active_reasons(index: CatalogIndex, row: int, profile: Profile, step: str | None = None) -> list[str]:
    """'Niacinamide (3rd ingredient) targets acne, moderate for you, and dark spots, mild (evidence B, A)':
    one line per active, its needs strongest first."""
    inci = index.products[row].inci
    targets: dict[int, list[tuple[str, float, str]]] = {}  # active index -> (need, severity, grade)
    for need, severity in sorted(needs_of(profile, step).items(), key=lambda kv: -kv[1]):
        best = int(index.best_active[need][row]) if need in index.best_active else -1
        if best >= 0 and severity >= MIN_SEVERITY_FOR_REASON:
            by_name = next((k for k in targets if index.actives[k].ingredient == index.actives[best].ingredient),
                           best)
            targets.setdefault(by_name, []).append((need, severity, index.actives[best].grade))
    reasons = []
    for active_index, needs in list(targets.items())[:MAX_ACTIVE_REASONS]:
        active = index.actives[active_index]
        position = inci.index(active.ingredient) + 1 if active.ingredient in inci else 0
        notes = [active.display] if active.display != active.ingredient else []
        notes += [f"{ordinal(position)} ingredient"] if position else []
        where = f" ({', '.join(notes)})" if notes else ""
        what = [f"{GOAL_WORDS.get(n, n)}, {'a need you named' if n == HYDRATION else level(v) + ' for you'}"
                for n, v, _g in needs]
        grades = ", ".join(dict.fromkeys(g for _n, _v, g in needs))
        name = active.ingredient
        reasons.append(f"{name[:1].upper()}{name[1:]}{where} targets {'; and '.join(what)} (evidence {grades})")
    return reasons


def skin_reasons(index: CatalogIndex, row: int, profile: Profile) -> list[str]:
    product = index.products[row]
    reasons = []
    skin_type = profile.skin_type
    if skin_type in ("oily", "combination") and index.comedogenic_load[row] < 0.5:
        reasons.append(f"nothing on its label is known to clog pores, which suits {skin_type} skin")
    if skin_type == "dry" or profile.concerns.get("texture", 0.0) >= 60:
        hydrating = list(dict.fromkeys(n for n in product.inci if n in HUMECTANTS or n in OCCLUSIVES))[:3]
        if hydrating:
            reasons.append(f"{_join(hydrating)} hold water in {'dry' if skin_type == 'dry' else 'rough'} skin")
    if (profile.sensitive or skin_type == "sensitive") and not index.fragrance[row]:
        gentle = " and no drying alcohol" if index.irritant_load[row] == 0 else ""
        reasons.append(f"no fragrance or labelled fragrance allergens{gentle}, kinder to sensitive skin")
    if skin_type in index.declared and index.declared[skin_type][row]:
        reasons.append(f"made for {skin_type} skin")
    return reasons


def step_reasons(index: CatalogIndex, row: int, step: str, context: Context) -> list[str]:
    product = index.products[row]
    present = set(product.inci)
    reasons = []
    if step == "sunscreen":
        spf = index.spf_value[row]
        reasons.append(f"SPF {spf:.0f}, the last step every morning" if spf == spf else "sun protection (SPF)")
        if context.evening_sensitisers:
            names = list(context.evening_sensitisers)
            reasons.append(f"your evening {_join(names)} make{'s' if len(names) == 1 else ''} skin more sensitive "
                           "to the sun; this protects it the next day")
    elif step == "cleanser" and present & BHAS:
        reasons.append(f"{_join(sorted(present & BHAS))} in a wash-off cleanser clears pores without staying on "
                       "the skin")
    elif step == "treatment" and present & RETINOIDS:
        reasons.append(f"{_join(sorted(present & RETINOIDS))} works overnight: start on two or three evenings a "
                       "week")
    elif step == "treatment" and present & EXFOLIANTS:
        reasons.append(f"{_join(sorted(present & EXFOLIANTS))} exfoliates overnight, away from the sun")
    return reasons


def preference_reasons(index: CatalogIndex, row: int, profile: Profile) -> list[str]:
    prefs = profile.preferences
    reasons = []
    if prefs.fragrance_free and not (profile.sensitive or profile.skin_type == "sensitive"):
        reasons.append("fragrance-free, as you asked")
    if prefs.vegan:
        reasons.append("no animal-derived ingredients, as you asked")
    if prefs.budget_max is not None:
        reasons.append(f"within your budget of {money(float(prefs.budget_max), index.products[row].currency)}")
    return reasons


def describe(index: CatalogIndex, row: int) -> str:
    """What the product is, when nothing about the person singles it out: its form and what it is built on."""
    product = index.products[row]
    first = list(dict.fromkeys(product.inci))[:2]
    base = _join(first) if first else "an ingredient list the catalog does not give"
    return f"a {FORM_WORDS.get(str(index.form[row]), 'product')} built on {base}"


def reasons_for(index: CatalogIndex, row: int, step: str, profile: Profile, context: Context) -> list[str]:
    reasons = (active_reasons(index, row, profile, step) + skin_reasons(index, row, profile)
               + step_reasons(index, row, step, context))
    if len(reasons) < 2:  # one line about an active says little about the product itself
        reasons.append(describe(index, row))
    return reasons + preference_reasons(index, row, profile)


def _join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]

"""A recommended routine: its steps, the product picked for each and its folded alternatives, why, what it
costs a month, and the routine's warnings and notes.

Plain data, apart from the engine that builds it, so the warnings (which read a routine) and the screens and the
printed report (which show one) need not import the ranking. In every step `products[0]` is the pick and the
rest are alternatives, each of which could replace the pick without clashing with the other steps' picks.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from desktop.recommend.profile import Profile

# why products were left out: "Not considered (214 products): …"
EXCLUDED_WORDS = {
    "prohibited_in_eu": "the ingredient list names a substance on the EU list of what cosmetics may not contain "
                        "(Annex II). Some are matches on a name only (a substance allowed in a purified grade, a "
                        "citrus extract listed for its furocoumarins); they are left out to be safe, and nothing "
                        "shown to you is affected",
    "fragrance": "fragrance or a labelled fragrance allergen (you asked for fragrance-free)",
    "not_vegan": "an animal-derived ingredient (you asked for vegan)",
    "over_budget": "over your budget",
    "other_currency": "priced in another currency",
    "avoided_ingredient": "an ingredient you avoid",
    "not_in_pregnancy": "a retinoid or leave-on salicylic acid, not advised in pregnancy",
}


CURRENCY_SIGNS = {"GBP": "£", "EUR": "€", "USD": "$"}


def money(amount: float, currency: str) -> str:
    """'£12.50', or '12.50 CHF' for a currency without a sign here."""
    sign = CURRENCY_SIGNS.get(currency)
    return f"{sign}{amount:.2f}" if sign else f"{amount:.2f} {currency}".strip()


@dataclass
class Pick:
    product_id: str
    brand: str
    name: str
    score: float
    price: float
    currency: str
    reasons: list[str]
    url: str
    size: str = ""  # as the catalog states it
    monthly_cost: float | None = None  # in `currency`, for this step's use; None when the size is unknown


@dataclass
class RoutineStep:
    step: str
    when: list[str]
    products: list[Pick]

    @property
    def pick(self) -> Pick | None:
        return self.products[0] if self.products else None

    @property
    def alternatives(self) -> list[Pick]:
        return self.products[1:]


@dataclass
class Routine:
    steps: list[RoutineStep]
    warnings: list[str] = field(default_factory=list)  # about the picks: what a person should change or watch
    excluded: dict[str, int] = field(default_factory=dict)  # filter -> products it removed
    notes: list[str] = field(default_factory=list)  # what to know that no product choice caused
    cost_note: str = ""  # how the monthly cost is estimated
    profile: Profile | None = field(default=None, repr=False, compare=False)  # what it was made for (not saved)
    unmeasured: list[str] = field(default_factory=list)  # concerns unknown from the photo, so not targeted

    def monthly_cost(self, chosen: dict[str, str] | None = None) -> tuple[float, str, list[str]]:
        """(total a month, currency, steps whose cost is unknown) for the picks, or a person's choices."""
        total, currency, unknown = 0.0, "", []
        for step in self.steps:
            pick = self.chosen_pick(step, chosen)
            if pick is None:
                continue
            currency = currency or pick.currency
            if pick.monthly_cost is None:
                unknown.append(step.step)
            else:
                total += pick.monthly_cost
        return total, currency, unknown

    def left_out(self) -> list[str]:
        """Plain sentences on what the filters removed: 'Not considered (214 products): the ingredient list …'."""
        return [f"Not considered ({count} product{'s' if count != 1 else ''}): "
                f"{EXCLUDED_WORDS.get(key, key.replace('_', ' '))}."
                for key, count in self.excluded.items() if count]

    def chosen_pick(self, step: RoutineStep, chosen: dict[str, str] | None = None) -> Pick | None:
        wanted = (chosen or {}).get(step.step)
        return next((p for p in step.products if p.product_id == wanted), step.pick)

    def to_dict(self) -> dict[str, Any]:
        total, currency, unknown = self.monthly_cost()
        out = {"steps": [asdict(s) for s in self.steps], "warnings": list(self.warnings),
               "notes": list(self.notes), "excluded": dict(self.excluded),
               "monthly_cost": {"total": round(total, 2), "currency": currency, "unknown_steps": unknown,
                                "how": self.cost_note}}
        return out | ({"unmeasured": list(self.unmeasured)} if self.unmeasured else {})

"""The steps of a daily routine and which products may fill each one.

A step takes products by what they are (desktop.recommend.forms), never by the shop's category alone: a cleanser
step takes face cleansers, not wipes or eye make-up removers; the serum and treatment steps take leave-on
serums and treatments (a leave-on peel or acid solution only in the evening); the moisturiser step creams,
lotions, gels, balms and face oils without SPF; the sunscreen step face products with a stated SPF of at least
30; the eye step eye creams, gels and serums. Body, lip, hand, tanning and hair products, masks, scrubs, rinse-off
peels, toners and mists fill no step.

A step used in the morning takes no retinoid and no exfoliating acid (both make skin more sensitive to the
sun), and a day or night product only goes to a step of its own half of the day.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from desktop.recommend.forms import DAY, NIGHT
from desktop.recommend.index import CatalogIndex

MIN_SPF = 30.0  # what dermatologists' associations ask of a daily face sunscreen


@dataclass(frozen=True)
class StepSpec:
    step: str
    when: tuple[str, ...]
    forms: frozenset[str]
    area: str = "face"
    sunscreen: bool = False  # True: SPF ≥ MIN_SPF required; False: SPF products are left to the sunscreen step

    @property
    def morning(self) -> bool:
        return "am" in self.when

    @property
    def evening(self) -> bool:
        return "pm" in self.when


STEPS = (
    StepSpec("cleanser", ("am", "pm"), frozenset({"cleanser"})),
    StepSpec("serum", ("am",), frozenset({"serum"})),
    StepSpec("treatment", ("pm",), frozenset({"serum"})),
    StepSpec("moisturizer", ("am", "pm"), frozenset({"moisturizer", "face_oil"})),
    StepSpec("sunscreen", ("am",), frozenset({"moisturizer", "serum"}), sunscreen=True),
    StepSpec("eye", ("am", "pm"), frozenset({"moisturizer", "serum", "face_oil"}), area="eye"),
)
STEP_BY_NAME = {spec.step: spec for spec in STEPS}
STEP_TITLES = {"cleanser": "Cleanse", "serum": "Serum", "treatment": "Treatment", "moisturizer": "Moisturise",
               "sunscreen": "Protect (sunscreen)", "eye": "Eye care"}  # what the screens and the report print
WHEN_WORDS = {"am": "Morning", "pm": "Evening"}


def step_mask(index: CatalogIndex, spec: StepSpec) -> np.ndarray:
    """The rows whose form, area, time of day and sun protection fit the step (worked out once per index)."""
    key = f"step:{spec.step}"
    if key not in index.derived:
        index.derived[key] = _step_mask(index, spec)
    return index.derived[key]


def _step_mask(index: CatalogIndex, spec: StepSpec) -> np.ndarray:
    mask = np.isin(index.form, list(spec.forms)) & (index.area == spec.area)
    if spec.sunscreen:
        stated = index.spf_value >= MIN_SPF
        mask &= stated | (np.isnan(index.spf_value) & (index.category == "sunscreen"))
    elif spec.step != "cleanser":
        mask &= ~index.spf
    if spec.step != "cleanser":
        if spec.morning:
            mask &= (index.time != NIGHT) & ~index.retinoid & ~index.exfoliant
        if spec.evening:
            mask &= index.time != DAY
    return np.asarray(mask)

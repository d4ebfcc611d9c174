"""What a routine costs a month: pack sizes read from the catalog, and how much of each step one use takes.

Why an estimate at all: a £6 serum that lasts four months is cheaper than a £4 cleanser that lasts three weeks,
and a shop page shows neither. The amounts per use are the usual guidance for a face (a pea of moisturiser,
three or four drops of serum, a quarter teaspoon of sunscreen: 2 mg/cm² over about 600 cm² of face), used on
the days and times the step says; a product whose size is not stated or not a volume, a weight or a count gets
no estimate rather than a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from desktop.recommend.forms import name_words

DAYS_PER_MONTH = 30.4
ML_PER_FL_OZ = 29.57
G_PER_OZ = 28.35
# millilitres (or grams: creams are close to water's density) per application
PER_USE_ML = {"cleanser": 2.0, "serum": 0.3, "treatment": 0.3, "moisturizer": 0.5, "sunscreen": 1.2, "eye": 0.08}
FACE_OIL_PER_USE_ML = 0.15  # three drops
MICELLAR_PER_USE_ML = 4.0  # soaked into a cotton pad
COUNT_WORDS = r"capsules?|pads?|wipes?|pieces?|applications?|sachets?|ampoules?|pack"
_WATERY = re.compile(r"\bmicellar\b|\bwater\b|\bh2o\b")


@dataclass(frozen=True)
class Size:
    amount: float
    unit: str  # "ml" (grams count as ml) or "count" (capsules, pads, wipes: one per use)


def parse_size(size: str, name: str = "") -> Size | None:
    """'30ml', '1.7 fl oz', '56.7g', '2 x 150ml', '118ml/4oz', '(90 Capsules)', 'x 25 Pads'; the size column
    first, then the name. None when neither states a size."""
    for text in (size, name):
        words = " ".join(re.sub(r"[^a-z0-9.,]+", " ", text.casefold()).split())
        found = _volume(words) or _count(words)
        if found is not None:
            return found
    return None


def _volume(words: str) -> Size | None:
    match = re.search(r"(?:\b(\d+) ?x ?)?(\d+(?:[.,]\d+)?) ?(ml|g|fl\.? ?oz|oz)\b", words)
    if match is None:
        return None
    packs = int(match.group(1) or 1)
    amount = float(match.group(2).replace(",", "."))
    unit = match.group(3)
    if unit.startswith("fl"):
        amount *= ML_PER_FL_OZ
    elif unit == "oz":
        amount *= G_PER_OZ
    return Size(packs * amount, "ml") if amount > 0 else None


def _count(words: str) -> Size | None:
    match = re.search(rf"(?:x ?)?(\d+) ({COUNT_WORDS})\b", words) or re.search(rf"\b({COUNT_WORDS}) (?:x |of )?(\d+)\b",
                                                                               words)
    if match is None:
        return None
    number = match.group(1) if match.group(1).isdigit() else match.group(2)
    return Size(float(number), "count") if int(number) > 0 else None


def watery_cleanser(name: str) -> bool:
    """A micellar water or cleansing water: poured onto a pad, so a use takes more of it."""
    return bool(_WATERY.search(name_words(name)))


def per_use_ml(step: str, form: str, watery: bool) -> float:
    if step == "cleanser" and watery:
        return MICELLAR_PER_USE_ML
    if form == "face_oil" and step in ("moisturizer", "treatment", "serum"):
        return FACE_OIL_PER_USE_ML
    return PER_USE_ML.get(step, 0.5)


def monthly_costs(price: np.ndarray, amount: np.ndarray, counted: np.ndarray, per_use: np.ndarray,
                  uses_per_day: int) -> np.ndarray:
    """Price × the share of the pack a month of use takes (one capsule, pad or wipe per use when `counted`);
    NaN where the size is unknown (`amount` NaN)."""
    used = np.where(counted, 1.0, per_use) * uses_per_day * DAYS_PER_MONTH
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(np.where(amount > 0, price * used / amount, np.nan))


def monthly_cost(price: float, size: Size | None, step: str, form: str, name: str, uses_per_day: int) -> float | None:
    """One product's monthly cost for a step; None when the size is unknown."""
    if size is None or uses_per_day <= 0:
        return None
    per_use = per_use_ml(step, form, watery_cleanser(name))
    value = monthly_costs(np.array([price]), np.array([size.amount]), np.array([size.unit == "count"]),
                          np.array([per_use]), uses_per_day)[0]
    return None if np.isnan(value) else float(value)


def price_score(prices: np.ndarray, dear: float = 1.0) -> np.ndarray:
    """1 for free, 0 at the 90th percentile of `prices`; with `dear` > 1 it goes on falling, to 1 - dear at
    `dear` times that percentile, so a month of a step costing several times its rivals' weighs against it."""
    if not len(prices):
        return np.zeros(0)
    ordered = np.sort(prices)  # the 90th percentile, linearly interpolated (np.percentile's default), quickly
    position = 0.9 * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    ceiling = float(ordered[low] + (ordered[high] - ordered[low]) * (position - low))
    return np.asarray(1.0 - np.clip(prices / max(ceiling, 1e-6), 0, dear))


COST_NOTE = ("Estimated from each pack's size and the usual amount per use on the face (cleanser 2 ml, serum or "
             "treatment 0.3 ml, moisturiser 0.5 ml, face oil 3 drops, sunscreen 1.2 ml, eye cream 0.08 ml; "
             "one capsule, pad or wipe), as often as the step says.")

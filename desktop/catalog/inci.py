"""INCI name normalisation: one spelling per ingredient, so matching and filters do not depend on the label.

Labels write the same ingredient many ways ("Aqua/Water", "PARFUM (FRAGRANCE)", "Niacinamide."). The knowledge
base and the recommender compare normalised names only.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from catalog_format import split_inci

SYNONYMS = {
    "aqua": "water", "eau": "water", "aqua/water": "water", "water/aqua": "water", "aqua (water)": "water",
    "water (aqua)": "water", "aqua/water/eau": "water",
    "parfum": "fragrance", "perfume": "fragrance", "parfum (fragrance)": "fragrance",
    "fragrance (parfum)": "fragrance", "parfum/fragrance": "fragrance", "aroma": "fragrance",
    "alcohol denat": "alcohol denat.", "denatured alcohol": "alcohol denat.", "sd alcohol": "alcohol denat.",
    "vitamin e": "tocopherol", "vitamin c": "ascorbic acid", "vitamin b3": "niacinamide",
    "nicotinamide": "niacinamide", "hyaluronic acid": "hyaluronic acid", "dimethicon": "dimethicone",
}
_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=1 << 16)  # labels share most names (water, glycerin…): a first sync normalises each once
def normalise_inci(name: str) -> str:
    """Lower-case, accents folded, spaces collapsed, trailing dots and asterisks gone, synonyms merged."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    text = _SPACES.sub(" ", text.lower().replace("*", "").strip().strip(".").strip())
    text = text.replace(" / ", "/")
    return SYNONYMS.get(text, text)


def parse_ingredients(label: str) -> list[str]:
    """The normalised ingredient names of a label, in label order."""
    return [name for name in map(normalise_inci, split_inci(label)) if name]

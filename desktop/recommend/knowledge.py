"""Ingredient knowledge the recommender uses: which actives target which concern, and how well-evidenced.

This is the first, small table; the full knowledge base (Vallydia register, EU allergens, comedogenic ratings,
free-from families, Annex II) replaces it under issue 5. Grades follow the Vallydia register's A–F scale where
it has the pair (niacinamide, azelaic acid, retinol, ...); the few others carry the source in `CITED`.
"""

from __future__ import annotations

from dataclasses import dataclass

GRADE_WEIGHT = {"A": 1.0, "B": 0.8, "C": 0.55, "D": 0.3, "E": 0.15, "F": 0.0}


@dataclass(frozen=True)
class Active:
    ingredient: str  # normalised INCI name
    grade: str
    display: str


CONCERN_ACTIVES: dict[str, tuple[Active, ...]] = {
    "acne": (Active("salicylic acid", "B", "salicylic acid"), Active("niacinamide", "B", "niacinamide"),
             Active("azelaic acid", "B", "azelaic acid"), Active("benzoyl peroxide", "A", "benzoyl peroxide"),
             Active("zinc pca", "C", "zinc PCA"), Active("retinol", "C", "retinol")),
    "redness": (Active("azelaic acid", "B", "azelaic acid"), Active("niacinamide", "B", "niacinamide"),
                Active("allantoin", "C", "allantoin"), Active("panthenol", "C", "panthenol"),
                Active("centella asiatica extract", "C", "centella")),
    "dark_spots": (Active("niacinamide", "A", "niacinamide"), Active("azelaic acid", "B", "azelaic acid"),
                   Active("ascorbic acid", "B", "vitamin C"), Active("tranexamic acid", "B", "tranexamic acid"),
                   Active("alpha-arbutin", "C", "alpha-arbutin")),
    "wrinkles": (Active("retinol", "A", "retinol"), Active("retinal", "B", "retinal"),
                 Active("ascorbic acid", "B", "vitamin C"), Active("palmitoyl pentapeptide-4", "C", "peptides")),
    "pores": (Active("niacinamide", "B", "niacinamide"), Active("salicylic acid", "B", "salicylic acid"),
              Active("retinol", "C", "retinol")),
    "oiliness": (Active("niacinamide", "B", "niacinamide"), Active("zinc pca", "C", "zinc PCA"),
                 Active("salicylic acid", "C", "salicylic acid")),
    "dark_circles": (Active("caffeine", "C", "caffeine"), Active("retinol", "C", "retinol"),
                     Active("ascorbic acid", "C", "vitamin C")),
    "texture": (Active("glycolic acid", "B", "glycolic acid"), Active("lactic acid", "B", "lactic acid"),
                Active("retinol", "B", "retinol"), Active("salicylic acid", "C", "salicylic acid")),
}
CITED = {
    "salicylic acid": "Arif 2015, Clin Cosmet Investig Dermatol 8:455 (review of salicylic acid in acne)",
    "benzoyl peroxide": "Zaenglein et al. 2016, J Am Acad Dermatol 74:945 (AAD acne guideline)",
    "glycolic acid": "Tang & Yang 2018, Molecules 23:863 (AHA review)",
    "caffeine": "Herman & Herman 2013, Skin Pharmacol Physiol 26:8 (caffeine in cosmetics)",
}

FRAGRANCE = frozenset({
    "fragrance", "limonene", "linalool", "citronellol", "geraniol", "citral", "eugenol", "coumarin",
    "hexyl cinnamal", "benzyl salicylate", "benzyl benzoate", "cinnamal", "farnesol", "isoeugenol",
    "alpha-isomethyl ionone", "benzyl cinnamate", "amyl cinnamal", "anise alcohol", "evernia prunastri extract",
})
NON_VEGAN = frozenset({
    "beeswax", "cera alba", "lanolin", "carmine", "ci 75470", "honey", "mel", "propolis", "royal jelly",
    "snail secretion filtrate", "collagen", "hydrolyzed collagen", "keratin", "milk", "lac", "shellac",
    "squalene", "guanine", "tallow", "elastin", "silk", "sericin", "lanolin alcohol",
})
RETINOIDS = frozenset({"retinol", "retinal", "retinyl palmitate", "hydroxypinacolone retinoate", "tretinoin"})
EXFOLIANT_ACIDS = frozenset({"glycolic acid", "lactic acid", "mandelic acid", "salicylic acid"})

"""The ingredient knowledge base the recommender and the UI use, loaded from resources/knowledge/.

Built by scripts/build_knowledge.py from real third-party data (EU CosIng annexes, the EU fragrance-allergen
list, comedogenic ratings, free-from families, the Vallydia evidence register; see resources/ATTRIBUTION.md).
Every lookup takes normalised INCI names (desktop.catalog.inci.normalise_inci).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from desktop.resources import resource

GRADE_WEIGHT = {"A": 1.0, "B": 0.8, "C": 0.55, "D": 0.25, "E": 0.1, "F": 0.0}
RETINOIDS = frozenset({"retinol", "retinal", "retinaldehyde", "retinyl palmitate", "retinyl acetate",
                       "retinyl retinoate", "hydroxypinacolone retinoate", "tretinoin", "adapalene"})
AHAS = frozenset({"glycolic acid", "lactic acid", "mandelic acid", "citric acid", "malic acid", "tartaric acid"})
BHAS = frozenset({"salicylic acid", "betaine salicylate", "capryloyl salicylic acid"})
EXFOLIANTS = AHAS - {"citric acid"} | BHAS  # citric acid is mostly a pH adjuster at label-end positions
HUMECTANTS = frozenset({"glycerin", "sodium hyaluronate", "hyaluronic acid", "urea", "panthenol", "sodium pca",
                        "propanediol", "betaine", "sorbitol", "trehalose", "allantoin", "butylene glycol"})
OCCLUSIVES = frozenset({"petrolatum", "dimethicone", "butyrospermum parkii butter", "shea butter", "squalane",
                        "cholesterol", "ceramide np", "ceramide ap", "ceramide eop", "lanolin", "cera alba",
                        "paraffinum liquidum", "mineral oil", "caprylic/capric triglyceride", "cetearyl alcohol"})
IRRITANTS = frozenset({"alcohol denat.", "alcohol", "menthol", "sodium lauryl sulfate", "camphor", "eucalyptol",
                       "methylisothiazolinone", "methylchloroisothiazolinone"})


@dataclass(frozen=True)
class Active:
    concern: str
    ingredient: str
    grade: str
    display: str
    source: str

    @property
    def weight(self) -> float:
        return GRADE_WEIGHT[self.grade]


@dataclass(frozen=True)
class FamilyHit:
    family: str
    ingredient: str
    label: str
    disputed: bool
    caveat: str


class _Family:
    def __init__(self, key: str, spec: dict[str, Any]) -> None:
        self.key = key
        self.noun = str(spec.get("noun", key))
        self.members = [(re.compile(m["pattern"]), m["label"], m.get("caveat", ""))
                        for m in spec.get("members", [])]
        self.disputed = [(re.compile(m["pattern"]), m["label"], m.get("caveat", ""))
                         for m in spec.get("disputed", [])]
        self.excluded = [re.compile(e["pattern"]) for e in spec.get("excluded", [])]

    def hits(self, ingredient: str) -> list[FamilyHit]:
        text = ingredient.casefold()
        if any(p.search(text) for p in self.excluded):
            return []
        found = [FamilyHit(self.key, ingredient, label, False, caveat)
                 for p, label, caveat in self.members if p.search(text)]
        if not found:
            found = [FamilyHit(self.key, ingredient, label, True, caveat)
                     for p, label, caveat in self.disputed if p.search(text)]
        return found[:1]


class KnowledgeBase:
    def __init__(self, data: dict[str, Any]) -> None:
        self.version = data.get("version", 0)
        self.actives = [Active(**a) for a in data["actives"]]
        self.by_concern: dict[str, list[Active]] = {}
        for active in self.actives:
            self.by_concern.setdefault(active.concern, []).append(active)
        self.fragrance_allergens = frozenset(data["fragrance_allergens"])
        self.annex_ii = frozenset(data["annex_ii"])
        self.comedogenic: dict[str, tuple[int, int]] = {
            k: (int(v[0]), int(v[1])) for k, v in data["comedogenic"].items()}
        self.families = {k: _Family(k, v) for k, v in data["free_from"].items()}

    @classmethod
    def load(cls, path: Path | None = None) -> KnowledgeBase:
        return cls(json.loads((path or resource("knowledge", "knowledge.json")).read_text(encoding="utf-8")))

    @lru_cache(maxsize=200_000)  # noqa: B019 - the KB lives for the whole process; names repeat across products
    def family_hits(self, family: str, ingredient: str) -> tuple[FamilyHit, ...]:
        return tuple(self.families[family].hits(ingredient))

    def is_fragrance(self, ingredient: str) -> bool:
        """Declared fragrance (parfum, aroma, ...) or an EU labelled fragrance allergen."""
        return ingredient in self.fragrance_allergens or bool(self.family_hits("fragrance", ingredient))

    def not_vegan(self, ingredient: str) -> FamilyHit | None:
        """An unambiguous animal-derived ingredient (disputed ones like squalane are not counted)."""
        hits = [h for h in self.family_hits("vegan", ingredient) if not h.disputed]
        return hits[0] if hits else None

    def comedogenic_rating(self, ingredient: str) -> int:
        return self.comedogenic.get(ingredient, (0, 0))[0]

    def irritancy(self, ingredient: str) -> int:
        rating = self.comedogenic.get(ingredient, (0, 0))[1]
        return max(rating, 3 if ingredient in IRRITANTS else 0)

    def prohibited(self, ingredients: Iterable[str]) -> list[str]:
        return [i for i in ingredients if i in self.annex_ii]


@cache
def default_knowledge() -> KnowledgeBase:
    return KnowledgeBase.load()

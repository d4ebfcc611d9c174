"""A recommended routine: its steps, the products picked for each and why, and the routine's warnings.

Plain data, apart from the engine that builds it, so the warnings (which read a routine) and the screens (which
show one) need not import the ranking.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


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


@dataclass
class RoutineStep:
    step: str
    when: list[str]
    products: list[Pick]


@dataclass
class Routine:
    steps: list[RoutineStep]
    warnings: list[str] = field(default_factory=list)
    excluded: dict[str, int] = field(default_factory=dict)  # filter -> products it removed
    unmeasured: list[str] = field(default_factory=list)  # concerns unknown from the photo, not targeted

    def to_dict(self) -> dict[str, Any]:
        out = {"steps": [asdict(s) for s in self.steps], "warnings": list(self.warnings),
               "excluded": dict(self.excluded)}
        return out | ({"unmeasured": list(self.unmeasured)} if self.unmeasured else {})

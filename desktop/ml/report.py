"""`SkinReport`: the result of one analysis, the shape behind `skinlens analyze --json` (CONTRACTS.md).

Versioned and JSON round-trippable, so reports can be saved to history, passed to `skinlens recommend --report`
and read back by later versions. Missing measures are `None` (JSON null) with the key present, never invented.
"""

from __future__ import annotations

import copy
import json
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from desktop.vocabulary import CONCERN_KEYS, PHOTO_SKIN_TYPES

REPORT_VERSION = 1
CONCERNS = CONCERN_KEYS
SKIN_TYPES = PHOTO_SKIN_TYPES  # the types a photo can show (the catalog's add "sensitive": CATALOG_SKIN_TYPES)
DISCLAIMER = "Cosmetic guidance from a photo, not a medical diagnosis."


@dataclass
class Quality:
    ok: bool
    issues: list[str] = field(default_factory=list)
    instructions: list[str] = field(default_factory=list)
    measures: dict[str, float] = field(default_factory=dict)


@dataclass
class Tone:
    ita: float
    category: str
    monk: int
    lab: list[float]
    undertone: str


@dataclass
class SkinReport:
    image: str
    quality: Quality
    face: dict[str, Any]  # {"box": [x, y, w, h], "count": n}
    tone: Tone | None
    skin_type: dict[str, Any]  # {"label": str | None, "probabilities": {type: p} | None, "source": "photo"|"unknown"}
    concerns: dict[str, float | None]
    timings_ms: dict[str, float]
    model: dict[str, str]
    ok: bool = True
    version: int = REPORT_VERSION
    disclaimer: str = DISCLAIMER
    measures: dict[str, Any] = field(default_factory=dict)  # {"overall": {...}, "regions": {...}}
    white_balance: dict[str, Any] = field(default_factory=dict)
    view: str | None = None  # "front", "left", "right", "closeup"; "session" for a combined report
    unmeasured: list[dict[str, str]] = field(default_factory=list)  # [{"concern": .., "reason": ..}]
    scale: dict[str, Any] = field(default_factory=dict)  # {"px_per_mm": .. | None, "source": ..}
    views: list[dict[str, Any]] | None = None  # a session's per-view entries (None for a single photo)
    # per concern "validated" (real-photo evidence of skill, MODEL_CARD.md), "estimate" or "unmeasured"
    concern_status: dict[str, str] = field(default_factory=dict)
    maps: Any = field(default=None, repr=False, compare=False)  # FaceMaps; never serialised

    def to_dict(self) -> dict[str, Any]:
        """The CONTRACTS.md JSON object (plus extra keys, which the contract allows); maps are left out."""
        d = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "maps"}
        d["quality"] = asdict(self.quality)
        d["tone"] = asdict(self.tone) if self.tone else None
        if d["views"] is None:
            del d["views"]
        ordered = {"image": d.pop("image"), "ok": d.pop("ok"), "view": d.pop("view")}
        ordered.update(copy.deepcopy(d))
        return ordered

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SkinReport:
        tone = d.get("tone")
        return cls(
            image=d["image"],
            quality=Quality(**d["quality"]),
            face=d.get("face", {}),
            tone=Tone(**tone) if tone else None,
            skin_type=d.get("skin_type", {"label": None, "probabilities": None, "source": "unknown"}),
            concerns={k: d.get("concerns", {}).get(k) for k in CONCERNS},
            timings_ms=d.get("timings_ms", {}),
            model=d.get("model", {}),
            ok=d.get("ok", True),
            version=d.get("version", REPORT_VERSION),
            disclaimer=d.get("disclaimer", DISCLAIMER),
            measures=d.get("measures", {}),
            white_balance=d.get("white_balance", {}),
            view=d.get("view"),
            unmeasured=list(d.get("unmeasured") or []),
            scale=d.get("scale") or {},
            views=d.get("views"),
            concern_status=dict(d.get("concern_status") or {}),
        )


@dataclass(frozen=True)
class AnalysisFailure:
    """An image that could not be analysed: a stable `code` and a sentence for people."""

    image: str
    code: str
    error: str
    ok: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"image": self.image, "ok": False, "error": self.error, "code": self.code}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":"))

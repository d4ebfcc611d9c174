"""The results in words: the two or three things that stand out in this photo, where, and what to do about them.

Eight numbers do not tell a person what matters; this picks the concerns scored "mild" or more (highest first),
says where on the face each shows most (from its heat map) and gives one line of cosmetic advice. A score whose
real-photo skill has not been shown is called an estimate wherever it appears. Free of Qt (text only), so the
printed report can say the same.
"""

from __future__ import annotations

import html
from typing import Any

from desktop.explain import CONCERN_NAMES, level
from desktop.ml.scoring import VALIDATED
from desktop.vocabulary import CONCERN_KEYS, ESTIMATE_WORDS

STANDS_OUT_FROM = 25.0  # "mild" and up (desktop.vocabulary.LEVELS)
MOST_SHOWN = 3
# The report's per-concern status (issue 19): {"acne": "validated" | "estimate", ...}. A report without it
# comes from a model whose real-photo figures are not known, so every score is an estimate.
STATUS_FIELD = "concern_status"
ADVICE = {
    "acne": "a gentle cleanser and a product with salicylic acid or benzoyl peroxide; see a dermatologist if "
            "spots are painful, deep or leave marks",
    "redness": "fragrance-free, soothing products (niacinamide, azelaic acid) and daily sunscreen; see a "
               "dermatologist if it burns, stings or does not settle",
    "dark_spots": "broad-spectrum sunscreen (SPF 30 or more) every day; vitamin C, niacinamide or azelaic acid "
                  "even the tone over weeks",
    "wrinkles": "daily sunscreen and a moisturiser; a retinoid in the evening helps over months (not in "
                "pregnancy)",
    "pores": "salicylic acid (BHA) and niacinamide, with a non-comedogenic moisturiser",
    "oiliness": "a light gel moisturiser and niacinamide; blotting papers during the day",
    "dark_circles": "sleep and sun protection; an eye product with caffeine or vitamin C helps a little",
    "texture": "gentle exfoliation (lactic acid or PHA) once or twice a week, and a moisturiser",
}


def concern_status(report: Any) -> dict[str, str]:
    status = getattr(report, STATUS_FIELD, None)
    return dict(status) if isinstance(status, dict) else {}


def is_validated(report: Any, concern: str) -> bool:
    return concern_status(report).get(concern) == VALIDATED


def stand_out(concerns: dict[str, float | None], most: int = MOST_SHOWN) -> list[str]:
    """Concerns scored mild or more, highest first, at most `most`."""
    scored = [(score, key) for key in CONCERN_KEYS if (score := concerns.get(key)) is not None]
    return [key for score, key in sorted(scored, reverse=True) if score >= STANDS_OUT_FROM][:most]


def summary_html(report: Any, where: dict[str, str]) -> str:
    """The summary as rich text for a label (no colours of its own: it takes the palette's)."""
    chosen = stand_out(report.concerns)
    if not chosen:
        return ("<p><b>Nothing stands out:</b> every score is low in this photo. A gentle cleanser, a "
                "moisturiser and daily sunscreen keep it that way.</p>")
    items = []
    for key in chosen:
        score = float(report.concerns[key])
        place = f", mostly {html.escape(where[key])}" if key in where else ""
        estimate = "" if is_validated(report, key) else f" <i>({ESTIMATE_WORDS})</i>"
        items.append(f"<li><b>{html.escape(CONCERN_NAMES[key])}</b>: {level(score)} ({score:.0f}/100){place}"
                     f"{estimate}.<br>What helps: {html.escape(ADVICE[key])}.</li>")
    return f"<p><b>What stands out in this photo</b></p><ul>{''.join(items)}</ul>"

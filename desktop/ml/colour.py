"""Colour science for skin tone: sRGB → CIELAB, ITA°, the Del Bino/Chardon bands, and the Monk scale.

Sources:
- CIELAB from sRGB (IEC 61966-2-1 transfer curve, D65 white): skimage.color.rgb2lab.
- ITA° = arctan((L* − 50) / b*) · 180/π (Chardon, Cretois & Bourliaux 1991, Int J Cosmet Sci 13:191–208);
  computed with atan2 so b* ≤ 0 stays defined. Bands: Del Bino et al. as shipped in
  resources/skin_tone/ita_thresholds.csv (very light > 55 ≥ light > 41 ≥ intermediate > 28 ≥ tan > 10 ≥
  brown > −30 ≥ dark).
- Monk Skin Tone scale (Monk 2019, skintone.google, CC BY 4.0): the swatch whose own ITA° is nearest to the
  skin's ITA° (`monk_from_ita`).

One path from skin pixels to both numbers (`skin_tone`): the median CIELAB of the skin gives ITA°, and ITA°
gives the Monk level, so the two cannot contradict each other (a lighter ITA° never gets a darker Monk level).
Why not the nearest swatch in full CIELAB (CIEDE2000): the swatches are display colours, far paler and less
saturated at the light end than any photographed skin (MST-1–3 have L* 92–94, b* 5–14), so the nearest one
in colour is decided by chroma and the light half of the scale is never reached; photographed faces of very
different lightness then share one level. The swatches' ITA° fall monotonically from MST-1 to MST-10, so
ordering by ITA° keeps the scale's order, and a flat patch of a swatch's own colour still returns that swatch.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from skimage import color

from desktop.ml.report import Tone
from desktop.resources import resource

MIN_TONE_PIXELS = 50


def rgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """sRGB uint8 (..., 3) → CIELAB float64 (..., 3), D65."""
    return np.asarray(color.rgb2lab(np.asarray(rgb, dtype=np.float64) / 255.0))


def ita_degrees(lightness: float, b_star: float) -> float:
    """Individual Typology Angle in degrees (Chardon et al. 1991)."""
    return math.degrees(math.atan2(lightness - 50.0, b_star))


@dataclass(frozen=True)
class ItaBand:
    category: str
    lower_exclusive: float  # -inf for the darkest band
    upper_inclusive: float  # +inf for the lightest band


@lru_cache(maxsize=4)
def ita_bands(scheme: str = "del_bino", path: Path | None = None) -> tuple[ItaBand, ...]:
    """The ITA° bands of one scheme from the shipped thresholds CSV."""
    source = path or resource("skin_tone", "ita_thresholds.csv")
    bands = []
    with source.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["scheme"] != scheme:
                continue
            lower = float(row["ita_lower_exclusive"]) if row["ita_lower_exclusive"] else -math.inf
            upper = float(row["ita_upper_inclusive"]) if row["ita_upper_inclusive"] else math.inf
            bands.append(ItaBand(row["category"], lower, upper))
    if not bands:
        raise ValueError(f"no ITA bands for scheme {scheme!r} in {source}")
    return tuple(bands)


def ita_category(ita: float, scheme: str = "del_bino") -> str:
    for band in ita_bands(scheme):
        if band.lower_exclusive < ita <= band.upper_inclusive:
            return band.category
    raise ValueError(f"ITA {ita} is outside every band of {scheme}")  # pragma: no cover - bands cover ℝ


@lru_cache(maxsize=2)
def monk_palette_rgb(path: Path | None = None) -> np.ndarray:
    """The 10 Monk swatches as sRGB uint8, row i = MST-(i+1) (also the UI's tone swatch)."""
    source = path or resource("skin_tone", "monk_skin_tone_scale.csv")
    with source.open(encoding="utf-8") as fh:
        rows = sorted(csv.DictReader(fh), key=lambda r: int(r["mst_level"]))
    return np.array([[int(r["r"]), int(r["g"]), int(r["b"])] for r in rows], dtype=np.uint8)


@lru_cache(maxsize=2)
def monk_palette_lab(path: Path | None = None) -> np.ndarray:
    """The 10 Monk swatches as CIELAB, row i = MST-(i+1)."""
    return rgb_to_lab(monk_palette_rgb(path))


@lru_cache(maxsize=2)
def monk_swatch_ita(path: Path | None = None) -> np.ndarray:
    """ITA° of each Monk swatch's own colour, row i = MST-(i+1); falls from about 83° to about −84°."""
    lab = monk_palette_lab(path)
    return np.array([ita_degrees(float(L), float(b)) for L, _a, b in lab])


def monk_from_ita(ita: float) -> int:
    """Monk level 1–10: the swatch whose ITA° is nearest (so the level boundaries lie halfway between
    neighbouring swatches' ITA°)."""
    return int(np.argmin(np.abs(monk_swatch_ita() - ita))) + 1


def nearest_monk(lab: np.ndarray) -> int:
    """Monk level 1–10 of a CIELAB colour, through its ITA° (`monk_from_ita`)."""
    return monk_from_ita(ita_degrees(float(lab[0]), float(lab[2])))


def skin_tone(pixels: np.ndarray, min_pixels: int = MIN_TONE_PIXELS) -> Tone | None:
    """ITA°, band, Monk level and undertone of skin pixels (sRGB uint8, any shape ending in 3; already
    white-balanced), or None when there are fewer than `min_pixels`.

    The median CIELAB of the pixels, leaving out the darkest 10 % (shadow, hair) and brightest 5 % (shine)
    first. Every view and every crop (front, side, close-up) goes through this one function.
    """
    flat = np.asarray(pixels, dtype=np.uint8).reshape(-1, 3)
    if len(flat) < min_pixels:
        return None
    lab = rgb_to_lab(flat.reshape(-1, 1, 3)).reshape(-1, 3)
    lightness = lab[:, 0]
    keep = (lightness > np.percentile(lightness, 10)) & (lightness < np.percentile(lightness, 95))
    median = np.median(lab[keep] if keep.sum() >= min_pixels else lab, axis=0)
    ita = ita_degrees(float(median[0]), float(median[2]))
    return Tone(ita=round(ita, 2), category=ita_category(ita), monk=monk_from_ita(ita),
                lab=[round(float(v), 2) for v in median], undertone=undertone(median))


def undertone(lab: np.ndarray) -> str:
    """Warm / neutral / cool from the CIELAB hue angle h_ab = atan2(b*, a*) of the skin.

    Skin hue angles mostly fall between ~40° and ~70°; a hue nearer yellow (higher) reads as warm, nearer red
    (lower) as cool. The cut points (55° and 62°) are a convention of this app, not a published standard.
    """
    hue = math.degrees(math.atan2(float(lab[2]), float(lab[1])))
    if hue >= 62:
        return "warm"
    if hue <= 55:
        return "cool"
    return "neutral"

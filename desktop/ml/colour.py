"""Colour science for skin tone: sRGB → CIELAB, ITA°, the Del Bino/Chardon bands, and the Monk scale.

Sources:
- CIELAB from sRGB (IEC 61966-2-1 transfer curve, D65 white): skimage.color.rgb2lab.
- ITA° = arctan((L* − 50) / b*) · 180/π (Chardon, Cretois & Bourliaux 1991, Int J Cosmet Sci 13:191–208);
  computed with atan2 so b* ≤ 0 stays defined. Bands: Del Bino et al. as shipped in
  resources/skin_tone/ita_thresholds.csv (very light > 55 ≥ light > 41 ≥ intermediate > 28 ≥ tan > 10 ≥
  brown > −30 ≥ dark).
- Monk Skin Tone scale (Monk 2019, skintone.google, CC BY 4.0): nearest of the 10 swatches by CIEDE2000
  (Sharma, Wu & Dalal 2005), skimage.color.deltaE_ciede2000.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from skimage import color

from desktop.resources import resource


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


def nearest_monk(lab: np.ndarray) -> int:
    """Monk level 1–10 whose swatch is nearest to `lab` by CIEDE2000."""
    palette = monk_palette_lab()
    distances = color.deltaE_ciede2000(np.broadcast_to(lab, palette.shape), palette)
    return int(np.argmin(distances)) + 1


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

"""Specular shine and dry flaking on skin, measured relative to the skin's own colour and brightness.

Why a separate decomposition: the first shine measure (`measures.measure_shine`'s `shine_fraction`) counts
pixels brighter and greyer than the skin's median by fixed L* margins, so it follows exposure, and on a
close-up (skin filling the frame) a watermark, a pale flake or a lit convexity counts like an oily glint.

Dichromatic reflection (Shafer 1985, Color Res Appl 10:210): light from skin is a diffuse (body) part with the
skin's chromaticity plus a specular (interface) part with the light's chromaticity, which after white balance
is grey. So, in linear RGB, each pixel's chromaticity lies on the segment from the skin's diffuse chromaticity
(its median: most skin is not mirroring the light) to grey, and where on that segment gives the specular share
of the pixel's light. Divided by the skin's median brightness it is exposure-free: the mirrored light as a
share of what the skin diffuses (`specular_ratio`).

Oily skin is a smoother surface (a sebum film): a narrower specular lobe, so its highlights are bright, small
and sharp, standing above their immediate surround on convexities (nose, forehead, cheekbones); a broad grey
cast over a whole patch (a white-balance error) is not shine (`highlight_energy`: the specular share above its
surround within a few millimetres). Dry skin scatters diffusely: matte, a low specular peak, and scale (pale
flakes a fraction of a millimetre across) that adds fine bright texture without a highlight's peak
(`flake_energy`, measured outside the highlights; scaling is the visible sign of xerosis in clinical scores,
Serup 1995, Skin Res Technol 1:109).
"""

from __future__ import annotations

import numpy as np

GREY = np.full(3, 1.0 / 3.0)
MIN_SEGMENT = 0.05  # chromaticity distance skin → grey below which very pale skin would amplify noise
HIGHLIGHT_SHARE = 0.15  # specular light ≥ this share of the skin's median brightness: above JPEG chroma noise
SURROUND_MM = 3.0  # a highlight is measured against the skin within about this radius (a pore-to-glint scale)
FLAKE_BAND_MM = (0.25, 1.0)  # scale: flakes of about 0.2–1 mm (the fine band of a difference of Gaussians)
PEAK_PERCENTILE = 99.0  # the specular peak: the brightest percent of the skin, not one hot pixel
# flaking discounts shine by up to FLAKE_DISCOUNT between these flake energies (L* units; set on the synthetic
# samples of `bench/oiliness_synthetic.py`: the median of skin drawn without flakes, and the 90th percentile of
# skin drawn dry); flakes are secondary evidence, so they can halve a shine reading, not cancel it
FLAKE_NONE, FLAKE_MARKED, FLAKE_DISCOUNT = 0.45, 0.95, 0.5


def linear_rgb(lab: np.ndarray) -> np.ndarray:
    """Linear sRGB of a CIELAB crop (the measures work in CIELAB; the reflection model needs linear light)."""
    import cv2

    return np.asarray(np.clip(cv2.cvtColor(lab.astype(np.float32), cv2.COLOR_Lab2LRGB), 0.0, None))


def specular_ratio(linear: np.ndarray, skin: np.ndarray) -> np.ndarray:
    """Per pixel, the specular (grey) light as a share of the skin's median brightness (0 where none).

    The pixel's chromaticity is projected on the segment from the skin's median chromaticity to grey; the
    position there is the specular fraction of the pixel's light (dichromatic model, grey illuminant)."""
    pixels = linear[skin]  # only the skin is read: the rest stays 0
    total = pixels.sum(axis=-1)
    chroma = pixels / np.maximum(total, 1e-6)[:, None]
    diffuse = np.median(chroma, axis=0) if len(chroma) else GREY
    diffuse = diffuse / max(float(diffuse.sum()), 1e-6)
    segment = GREY - diffuse
    length2 = max(float(segment @ segment), MIN_SEGMENT**2)
    fraction = np.clip(((chroma - diffuse) @ segment) / length2, 0.0, 1.0)
    brightness = max(float(np.median(total)) if len(total) else 0.0, 1e-6)
    ratio = np.zeros(skin.shape, np.float32)
    ratio[skin] = fraction * total / brightness
    return ratio


def highlight_excess(ratio: np.ndarray, skin: np.ndarray, px_per_mm: float) -> np.ndarray:
    """The specular share above its surround (a masked Gaussian mean over `SURROUND_MM`): sharp highlights
    keep most of it, a uniform grey cast none."""
    from desktop.ml.measures import _masked_blur

    surround = _masked_blur(ratio, skin, max(1.0, SURROUND_MM * px_per_mm))
    return np.asarray(np.where(skin, ratio - surround, 0.0), dtype=np.float32)


def flake_energy(lightness: np.ndarray, skin: np.ndarray, highlights: np.ndarray, px_per_mm: float) -> float:
    """RMS of the bright side of the fine band of L* (flakes are paler than the skin around them) on the skin
    outside highlights, in L* units."""
    from desktop.ml.measures import _blur

    fine_sigma, coarse_sigma = (max(0.5, mm * px_per_mm) for mm in FLAKE_BAND_MM)
    band = _blur(lightness, fine_sigma) - _blur(lightness, coarse_sigma)
    where = skin & ~highlights
    if not where.any():
        return 0.0
    return float(np.sqrt(np.mean(np.maximum(band[where], 0.0) ** 2)))


def specular_measures(lab: np.ndarray, skin: np.ndarray, px_per_mm: float) -> tuple[dict[str, float], np.ndarray]:
    """`specular_energy` (mean specular share above the noise level), `specular_peak` (its upper tail),
    `highlight_energy` (the mean of the share above its surround, above the noise level), `flake_energy`,
    `oily_shine` (highlights discounted by flaking), and the map of highlight excess (0..1 floats)."""
    ratio = specular_ratio(linear_rgb(lab), skin)
    excess = highlight_excess(ratio, skin, px_per_mm)
    highlights = skin & (excess > HIGHLIGHT_SHARE)
    flakes = flake_energy(lab[..., 0], skin, highlights, px_per_mm)
    highlight = float(np.mean(np.maximum(excess[skin] - HIGHLIGHT_SHARE, 0.0)))
    discount = FLAKE_DISCOUNT * min(1.0, max(0.0, (flakes - FLAKE_NONE) / (FLAKE_MARKED - FLAKE_NONE)))
    values = {
        "specular_energy": float(np.mean(np.maximum(ratio[skin] - HIGHLIGHT_SHARE, 0.0))),
        "specular_peak": float(np.percentile(ratio[skin], PEAK_PERCENTILE)),
        "highlight_energy": highlight,
        "flake_energy": flakes,
        "oily_shine": highlight * (1.0 - discount),
    }
    return values, np.asarray(np.clip(np.where(skin, excess - HIGHLIGHT_SHARE, 0.0), 0.0, 1.0), dtype=np.float32)

"""Colour constancy: undo the colour of the light before any skin colour is measured.

Why: users' first complaint about commercial analysers is scores that change with the lighting. A colour cast
is (to a good approximation) a per-channel gain on *linear* RGB (von Kries 1902; Finlayson, Drew & Funt 1994,
"Diagonal transforms suffice for color constancy"). So every correction here is a diagonal gain applied in
linear sRGB, which makes the corrected image the same whatever the cast, up to clipping and quantisation.

Automatic estimate (no reference in view): start from Shades of Gray (Finlayson & Trezzi 2004, Minkowski
p = 6) over non-skin pixels, then iterate the "grey pixels" refinement: keep the pixels that look achromatic
after the current correction and re-estimate from them alone (in the spirit of Yang, Gao & Li 2015, "Efficient
illuminant estimation for color constancy using grey pixels"). Skin is excluded because a face is never grey.
Explicit calibration (salons, kiosks with fixed light): `calibration.py` measures a white or grey card.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MIN_GAIN, MAX_GAIN = 0.35, 3.0
GREY_CHROMA = 0.12  # (max - min) / max of a linear pixel, after correction, to count as grey
MIN_GREY_FRACTION = 0.005
DARK, CLIPPED = 0.02, 0.97  # linear values outside this are not used for the estimate
ESTIMATE_SIDE = 256  # the estimate runs on a downscaled copy: it only needs averages


@dataclass(frozen=True)
class WhiteBalance:
    gains: tuple[float, float, float]  # multiply linear R, G, B by these
    method: str  # "grey_pixels", "shades_of_grey", "calibration", "none"
    grey_fraction: float = 0.0

    def to_dict(self) -> dict[str, object]:
        return {"gains": [round(g, 4) for g in self.gains], "method": self.method,
                "grey_fraction": round(self.grey_fraction, 4)}


NO_CORRECTION = WhiteBalance((1.0, 1.0, 1.0), "none")

_TO_LINEAR = np.array([(c / 255.0) / 12.92 if c / 255.0 <= 0.04045 else ((c / 255.0 + 0.055) / 1.055) ** 2.4
                       for c in range(256)], dtype=np.float32)


def srgb_to_linear(rgb: np.ndarray) -> np.ndarray:
    """IEC 61966-2-1 sRGB decoding, uint8 → float32 in 0..1 (a lookup table: fast on full frames)."""
    if rgb.dtype == np.uint8:
        return _TO_LINEAR[rgb]
    c = np.asarray(rgb, dtype=np.float32)
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4).astype(np.float32)


def linear_to_srgb8(linear: np.ndarray) -> np.ndarray:
    c = np.clip(linear, 0.0, 1.0)
    encoded = np.where(c <= 0.0031308, c * 12.92, 1.055 * np.power(c, 1 / 2.4) - 0.055)
    return np.clip(np.round(encoded * 255.0), 0, 255).astype(np.uint8)


def normalise_gains(illuminant: np.ndarray) -> tuple[float, float, float]:
    """Gains that map the illuminant colour to grey, keeping green (which carries most luminance) at 1."""
    illuminant = np.maximum(np.asarray(illuminant, dtype=np.float64), 1e-6)
    gains = np.clip(illuminant[1] / illuminant, MIN_GAIN, MAX_GAIN)
    return float(gains[0]), float(gains[1]), float(gains[2])


def apply(rgb: np.ndarray, wb: WhiteBalance) -> np.ndarray:
    """The corrected sRGB uint8 image."""
    if wb.gains == (1.0, 1.0, 1.0):
        return rgb
    lut = np.stack([linear_to_srgb8(_TO_LINEAR * g) for g in wb.gains], axis=1)  # 256 x 3
    out = np.empty_like(rgb)
    for channel in range(3):
        out[..., channel] = lut[rgb[..., channel], channel]
    return out


def _downscale(rgb: np.ndarray, mask: np.ndarray | None) -> tuple[np.ndarray, np.ndarray | None]:
    step = max(1, int(np.ceil(max(rgb.shape[:2]) / ESTIMATE_SIDE)))
    return rgb[::step, ::step], (mask[::step, ::step] if mask is not None else None)


def _channel_max(pixels: np.ndarray) -> np.ndarray:
    """Per-pixel max of an N×3 array, as element-wise maxima: numpy's `max(axis=1)` over three values is
    several times slower on the long arrays an estimate sees."""
    return np.maximum(np.maximum(pixels[:, 0], pixels[:, 1]), pixels[:, 2])


def _channel_min(pixels: np.ndarray) -> np.ndarray:
    """Per-pixel min of an N×3 array (as `_channel_max`)."""
    return np.minimum(np.minimum(pixels[:, 0], pixels[:, 1]), pixels[:, 2])


def estimate(rgb: np.ndarray, exclude: np.ndarray | None = None, iterations: int = 4) -> WhiteBalance:
    """Estimate the cast of an sRGB uint8 photo; `exclude` marks pixels not to use (the face's skin)."""
    small, small_exclude = _downscale(rgb, exclude)
    linear = srgb_to_linear(small).reshape(-1, 3)
    usable = (_channel_max(linear) < CLIPPED) & (_channel_min(linear) > DARK)
    if small_exclude is not None:
        usable &= ~small_exclude.reshape(-1)
    pixels = linear[usable]
    if len(pixels) < 50:
        return NO_CORRECTION
    illuminant = np.power(np.mean(np.power(pixels, 6.0), axis=0), 1 / 6.0)
    gains = np.array(normalise_gains(illuminant))
    method, fraction = "shades_of_grey", 0.0
    for _ in range(iterations):
        corrected = pixels * gains
        peak = _channel_max(corrected)
        chroma = (peak - _channel_min(corrected)) / np.maximum(peak, 1e-6)
        grey = chroma < GREY_CHROMA
        fraction = float(grey.mean())
        if fraction < MIN_GREY_FRACTION:
            break
        gains = np.array(normalise_gains(pixels[grey].mean(axis=0)))
        method = "grey_pixels"
    return WhiteBalance((float(gains[0]), float(gains[1]), float(gains[2])), method, fraction)


def kelvin_to_linear_rgb(kelvin: float) -> np.ndarray:
    """The linear-sRGB colour of a CIE daylight illuminant at `kelvin` (CIE 15:2004 daylight locus), G = 1.

    Used (through `simulate_cast`) by the tests to simulate a colour temperature; valid 4000–25000 K.
    """
    t = float(kelvin)
    if t <= 7000:
        x = -4.6070e9 / t**3 + 2.9678e6 / t**2 + 0.09911e3 / t + 0.244063
    else:
        x = -2.0064e9 / t**3 + 1.9018e6 / t**2 + 0.24748e3 / t + 0.237040
    y = -3.000 * x * x + 2.870 * x - 0.275
    xyz = np.array([x / y, 1.0, (1 - x - y) / y])
    m = np.array([[3.2406, -1.5372, -0.4986], [-0.9689, 1.8758, 0.0415], [0.0557, -0.2040, 1.0570]])
    rgb = m @ xyz
    return rgb / rgb[1]


def simulate_cast(rgb: np.ndarray, kelvin: float, reference_kelvin: float = 6504.0) -> np.ndarray:
    """Re-light a photo taken under `reference_kelvin` as if under `kelvin` (von Kries, linear sRGB)."""
    ratio = kelvin_to_linear_rgb(kelvin) / kelvin_to_linear_rgb(reference_kelvin)
    return linear_to_srgb8(srgb_to_linear(rgb) * ratio.astype(np.float32))

"""Concern heat maps aligned with the photo, for the UI's overlays.

Maps are computed on the canonical face crop (see align.py) and kept there (small); `overlay()` warps one back
onto the analysed photo on demand, so a report never carries eight full-size float images.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class FaceMaps:
    crop_maps: dict[str, np.ndarray]  # concern -> float32 0..1, crop-sized
    matrix: np.ndarray  # 2x3 affine photo → crop
    photo_shape: tuple[int, int]  # (height, width) of the analysed image

    @property
    def names(self) -> list[str]:
        return sorted(self.crop_maps)

    def overlay(self, name: str, scale: float = 1.0) -> np.ndarray:
        """The map of `name` on the analysed photo's pixel grid (times `scale`, for display), float32 in 0..1."""
        import cv2

        inverse = cv2.invertAffineTransform(self.matrix) * np.float32(scale)
        height, width = round(self.photo_shape[0] * scale), round(self.photo_shape[1] * scale)
        warped = cv2.warpAffine(self.crop_maps[name].astype(np.float32), inverse, (width, height),
                                flags=cv2.INTER_LINEAR, borderValue=0.0)
        return np.asarray(np.clip(warped, 0.0, 1.0))


def heat_rgba(values: np.ndarray) -> np.ndarray:
    """A 0..1 map as RGBA uint8 for drawing over a photo: yellow → red as it rises, transparent where it is 0.

    Alpha follows the value, so clear skin stays visible and the overlay never hides the face.
    """
    v = np.clip(values.astype(np.float32), 0.0, 1.0)
    rgba = np.empty((*v.shape, 4), np.uint8)
    rgba[..., 0] = 255
    rgba[..., 1] = np.round(220 * (1.0 - v)).astype(np.uint8)
    rgba[..., 2] = np.round(40 * (1.0 - v)).astype(np.uint8)
    rgba[..., 3] = np.round(230 * np.sqrt(v)).astype(np.uint8)
    return rgba

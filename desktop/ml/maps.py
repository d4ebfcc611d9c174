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

    def overlay(self, name: str) -> np.ndarray:
        """The map of `name` on the analysed photo's pixel grid, float32 in 0..1."""
        import cv2

        inverse = cv2.invertAffineTransform(self.matrix)
        height, width = self.photo_shape
        warped = cv2.warpAffine(self.crop_maps[name].astype(np.float32), inverse, (width, height),
                                flags=cv2.INTER_LINEAR, borderValue=0.0)
        return np.asarray(np.clip(warped, 0.0, 1.0))

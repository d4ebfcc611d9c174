"""The pictures of a printed report: the photo, each main concern's heat map over it, the colour legend, and the
QR codes of the product links. PNG bytes, made with OpenCV, Pillow and segno (no Qt)."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from desktop.ml.maps import FaceMaps, heat_rgba

PHOTO_SIDE = 900  # pixels on the longest side: sharp at 8 cm on paper, a small file
FACE_MARGIN = 0.25  # around the face box, so the map's edge is visible


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _scaled(rgb: np.ndarray) -> tuple[np.ndarray, float]:
    import cv2

    scale = min(1.0, PHOTO_SIDE / max(rgb.shape[:2]))
    if scale >= 1.0:
        return rgb, 1.0
    size = (max(1, round(rgb.shape[1] * scale)), max(1, round(rgb.shape[0] * scale)))
    return cv2.resize(rgb, size, interpolation=cv2.INTER_AREA), scale


def face_crop(shape: tuple[int, int], box: list[float] | None, scale: float) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) of the face box with a margin, on the scaled photo; the whole photo without one."""
    height, width = shape
    if not box or len(box) != 4:
        return 0, 0, width, height
    x, y, w, h = (float(v) * scale for v in box)
    mx, my = w * FACE_MARGIN, h * FACE_MARGIN
    left, top = max(0, int(x - mx)), max(0, int(y - my))
    right, bottom = min(width, int(x + w + mx)), min(height, int(y + h + my))
    return (left, top, right, bottom) if right - left > 8 and bottom - top > 8 else (0, 0, width, height)


def photo_png(rgb: np.ndarray) -> bytes:
    return _png(Image.fromarray(_scaled(np.ascontiguousarray(rgb))[0]))


def heat_map_png(rgb: np.ndarray, maps: FaceMaps, concern: str, face_box: list[float] | None) -> bytes | None:
    """The photo with `concern`'s map laid over it (yellow to red as the concern shows more, clear where it does
    not), cropped to the face; None when the scan has no map for it."""
    if concern not in maps.crop_maps:
        return None
    small, scale = _scaled(np.ascontiguousarray(rgb))
    values = maps.overlay(concern, scale)
    if values.shape[:2] != small.shape[:2]:
        import cv2

        values = cv2.resize(values, (small.shape[1], small.shape[0]), interpolation=cv2.INTER_LINEAR)
    base = Image.fromarray(small).convert("RGBA")
    base.alpha_composite(Image.fromarray(heat_rgba(values), "RGBA"))
    return _png(base.convert("RGB").crop(face_crop((small.shape[0], small.shape[1]), face_box, scale)))


def legend_png(width: int = 400, height: int = 24) -> bytes:
    """The map's colour scale from 'not seen' (left) to 'most visible' (right), over a neutral skin tone."""
    ramp = np.tile(np.linspace(0.0, 1.0, width, dtype=np.float32), (height, 1))
    base = Image.new("RGBA", (width, height), (214, 176, 150, 255))
    base.alpha_composite(Image.fromarray(heat_rgba(ramp), "RGBA"))
    return _png(base.convert("RGB"))


def qr_png(url: str) -> bytes:
    import segno

    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=8, border=2)
    return buffer.getvalue()

"""The pictures of a printed report: the photo, each main concern's heat map over it, the colour legend, and the
QR codes of the product links. PNG bytes, made with OpenCV, Pillow and segno (no Qt).

The maps are drawn by desktop.heatmap, as on the results screen: on the skin only, in the one colour scale,
so paper and screen never disagree about where a concern shows."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from desktop import heatmap
from desktop.ml.maps import FaceMaps

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


def heat_map_pngs(rgb: np.ndarray, maps: FaceMaps, landmarks: np.ndarray, scores: dict[str, float | None],
                  concerns: list[str], face_box: list[float] | None) -> dict[str, bytes]:
    """The photo with each of `concerns`' maps laid over it, drawn on the skin of the face whose `landmarks`
    the analysis used and cropped to that face; a concern without a map is left out."""
    import cv2

    wanted = [c for c in concerns if c in maps.crop_maps]
    if not wanted:
        return {}
    small, scale = _scaled(np.ascontiguousarray(rgb))
    area = heatmap.skin_area(rgb, landmarks)
    layers = {c: heatmap.shown_values(maps.crop_maps[c], area, scores.get(c)) for c in wanted}
    crop = face_crop((small.shape[0], small.shape[1]), face_box, scale)
    pngs = {}
    for concern, values in heatmap.on_photo(layers, maps, scale).items():
        if values.shape[:2] != small.shape[:2]:
            values = cv2.resize(values, (small.shape[1], small.shape[0]), interpolation=cv2.INTER_LINEAR)
        base = Image.fromarray(small).convert("RGBA")
        base.alpha_composite(Image.fromarray(heatmap.colour_scale(values), "RGBA"))
        pngs[concern] = _png(base.convert("RGB").crop(crop))
    return pngs


def legend_png(width: int = 400, height: int = 24) -> bytes:
    """The maps' one colour scale (the results screen's legend), from a little (left) to much (right)."""
    return _png(Image.fromarray(heatmap.legend_rgba(width, height), "RGBA").convert("RGB"))


def qr_png(url: str) -> bytes:
    import segno

    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=8, border=2)
    return buffer.getvalue()

"""Training samples with exact labels, in pairs: the same base, the same framing and the same camera, once with
a set of concerns and once with a part of them (`training.concerns`).

Bases (`training.bases`) are real faces: the 244 studio photos of ../shared/data/faces and the astronaut. A
sample is a frontal face, a side view or a close-up of one base (`training.views`), and either a composite on
the photo's own skin (kept in its own tone, or recoloured to any tone of the Monk scale while its shading and
detail are kept) or a fully synthetic face on the base's layout. A composite's labels say what was added; the
base's own freckles, pores and marks are not in them, so for composites only the pair's difference is exact:
the training loss (`training.batches`) ranks the two members of a pair and takes the label as a lower bound.
Fully synthetic faces have nothing but what was drawn: their labels are exact.

Skin colour follows Beer–Lambert in optical-density space (OD = −ln of linear reflectance), as in Tsumura et
al.'s melanin/haemoglobin decomposition (Tsumura, Haneishi & Miyake 1999, JOSA A 16:2169): the base OD of a
synthetic tone is interpolated along the 10 swatches of the Monk scale. Seeded: a seed gives the same pair.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np

from desktop.ml.model import DEFAULT_CONFIG
from desktop.ml.report import CONCERNS
from desktop.ml.whitebalance import linear_to_srgb8, srgb_to_linear
from training import concerns, views
from training.bases import Base, load_bases
from training.batches import jpeg_at_scale

SIZE = DEFAULT_CONFIG.input_size  # samples are drawn at the CNN's input size
MAP = DEFAULT_CONFIG.map_size  # and labelled at its heat-map size
AUTO_EXPOSURE_STRENGTH = 0.6  # 0: fixed exposure, 1: every face metered to the same grey
MONK_RGB = np.array([[246, 237, 228], [243, 231, 219], [247, 234, 208], [234, 218, 186], [215, 189, 150],
                     [160, 126, 86], [130, 92, 67], [96, 65, 52], [58, 49, 42], [41, 36, 32]], np.uint8)
SYNTHETIC_SHARE = 0.3  # fully synthetic faces (exact labels); the rest are composites on real skin
VIEW_SHARES = {"front": 0.4, "side": 0.3, "closeup": 0.3}
RECOLOUR_SHARE = 0.5  # composites recoloured to a random Monk tone; the rest keep the photo's own


@dataclass
class Sample:
    image: np.ndarray  # SIZE x SIZE x 3 uint8 sRGB
    masks: np.ndarray  # len(CONCERNS) x MAP x MAP float32 in 0..1, NaN where the crop cannot tell
    scores: np.ndarray  # len(CONCERNS) float32 in 0..100, NaN where the crop cannot tell
    skin_type: int  # index into SKIN_TYPES
    monk: int  # 1..10 (of the skin drawn; for a composite in its own tone, of its median colour)
    composite: bool  # on a real photo's skin: the labels are what was added, not all the skin shows


_BASES: list[Base] = []


def use_bases(bases: list[Base]) -> None:
    """The bases that `render` draws on (in each process that renders)."""
    _BASES[:] = bases
    _sites.cache_clear()


def current_bases() -> list[Base]:
    if not _BASES:
        use_bases(load_bases(None))  # the astronaut alone
    return _BASES


def tone_od(tone: float) -> np.ndarray:
    """Base optical density of skin at a continuous Monk tone 1..10 (linear in OD between swatches)."""
    od = -np.log(srgb_to_linear(MONK_RGB).astype(np.float64))
    t = float(np.clip(tone, 1.0, 10.0)) - 1.0
    low = int(np.floor(t))
    high = min(9, low + 1)
    return (od[low] * (1 - (t - low)) + od[high] * (t - low)).astype(np.float32)


def render_pair(seed: int) -> tuple[Sample, Sample]:
    """Two samples of one base, framing and camera: the first with its concerns, the second with a part of
    each (none, all, or a fraction: `concerns.draw`'s multipliers)."""
    rng = np.random.default_rng(seed)
    index = int(rng.integers(len(current_bases())))
    kind = str(rng.choice(list(VIEW_SHARES), p=list(VIEW_SHARES.values())))
    synthetic = bool(rng.random() < SYNTHETIC_SHARE)
    frame = _frame(index, kind, rng)
    regions = concerns.Regions(frame.landmarks[:, :2], frame.image.shape[0], frame.px_per_mm)
    skin = _skin(rng, frame, regions, synthetic, index)
    turned = views.turn(frame.landmarks, frame.image.shape[0], rng) if kind == "side" else None
    outside = views.faceless(frame.image, frame.landmarks) if turned is not None else None
    camera_seed, concern_seed = int(rng.integers(2**31)), int(rng.integers(2**31))
    parts = {c: float(rng.choice([0.0, 1.0, rng.uniform(0.2, 0.8)], p=[0.35, 0.35, 0.3])) for c in CONCERNS}
    pair = []
    for multipliers in (None, parts):
        drawn = concerns.draw(concern_seed, regions, "closeup" if kind == "closeup" else "front", multipliers)
        pair.append(_finish(drawn, regions, skin, frame, turned, outside, camera_seed, synthetic, kind))
    return pair[0], pair[1]


def render(seed: int) -> Sample:
    """The first sample of `render_pair(seed)`."""
    return render_pair(seed)[0]


CLOSEUP_SITES = {"left_cheek": 0.25, "right_cheek": 0.25, "forehead": 0.2, "nose": 0.1, "chin": 0.2}


@lru_cache(maxsize=512)
def _sites(index: int) -> dict[str, np.ndarray]:
    """Per close-up site of a base, the base pixels a close-up can be centred on."""
    base = current_bases()[index]
    regions = concerns.Regions(base.landmarks[:, :2], base.image.shape[0], views.BASE_PX_PER_MM)
    out = {}
    for name in CLOSEUP_SITES:
        ys, xs = np.nonzero(cv2.erode(regions.region[name], np.ones((9, 9), np.uint8)) > 0.5)
        out[name] = np.stack([xs, ys], 1) if len(xs) else np.array([[base.image.shape[1] // 2] * 2])
    return out


def _frame(index: int, kind: str, rng: np.random.Generator) -> views.Frame:
    base = current_bases()[index]
    if kind == "closeup":
        site = str(rng.choice(list(CLOSEUP_SITES), p=list(CLOSEUP_SITES.values())))
        return views.closeup_frame(base, rng, _sites(index)[site])
    return views.front_frame(base, rng, views.SIDE_SIZE if kind == "side" else SIZE)


@dataclass
class Skin:
    """The frame's pixels as linear light, and how the concerns' optical density goes onto them."""

    photo: np.ndarray  # linear RGB of the frame (real photo, or a synthetic face)
    texture: np.ndarray  # the skin's own shading and detail, multiplied into the tone (1 on a synthetic face)
    tone: np.ndarray  # linear RGB of the skin's base colour
    soft: np.ndarray  # S × S × 1: where the skin is (soft-edged)
    monk: int


def _skin(rng: np.random.Generator, frame: views.Frame, r: concerns.Regions, synthetic: bool, index: int) -> Skin:
    soft = cv2.GaussianBlur(r.skin, (0, 0), max(1.0, frame.px_per_mm))[..., None]
    if synthetic:
        tone = rng.uniform(1.0, 10.0)
        photo, variation = synthetic_face(rng, r, tone)
        return Skin(photo, variation, np.exp(-tone_od(tone)), soft, round(tone))
    photo = srgb_to_linear(frame.image)
    skin_ref = np.median(photo[r.skin > 0.5], axis=0) + 1e-4 if (r.skin > 0.5).sum() > 20 else photo.mean((0, 1))
    texture = np.clip(photo / skin_ref, 0.3, 2.0)
    if rng.random() < RECOLOUR_SHARE:
        tone = rng.uniform(1.0, 10.0)
        return Skin(photo, texture, np.exp(-tone_od(tone)), _skin_like(photo, skin_ref, r, soft), round(tone))
    from desktop.ml import colour

    level = colour.nearest_monk(colour.rgb_to_lab(linear_to_srgb8(skin_ref[None, None]))[0, 0])
    return Skin(photo, texture, skin_ref.astype(np.float32), soft, level)


def _skin_like(photo: np.ndarray, skin_ref: np.ndarray, r: concerns.Regions, soft: np.ndarray) -> np.ndarray:
    """Where a recoloured composite changes colour: the mesh's skin and, around the face (the forehead up to
    the hairline, ears, neck), pixels of the skin's chromaticity, so no seam shows where the mesh ends."""
    ratio = np.log(np.maximum(photo, 1e-4) / skin_ref)
    chroma = ratio - ratio.mean(axis=2, keepdims=True)
    likeness = np.exp(-(np.linalg.norm(chroma, axis=2) / 0.15) ** 2) * (ratio.mean(axis=2) > -1.2)
    grow = int(0.25 * r.size) | 1
    around = cv2.dilate(r.face, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (grow, grow))) * (1 - r.features)
    extra = cv2.GaussianBlur((likeness * around).astype(np.float32), (0, 0), max(1.0, r.px_per_mm))
    return np.asarray(np.maximum(soft[..., 0], extra)[..., None], np.float32)


def synthetic_face(rng: np.random.Generator, r: concerns.Regions, tone: float) -> tuple[np.ndarray, np.ndarray]:
    """A face with nothing but what is drawn: even skin of one tone, hair, eyes, brows and lips on the
    base's layout, over a plain background; and the skin's smooth melanin and blood variation (a factor on
    the tone's linear colour)."""
    size = r.size
    mm = r.px_per_mm
    variation = np.exp(-(0.05 * concerns.smooth_noise(rng, size, 12 * mm))[..., None] * concerns.EPS_MEL
                       - (0.04 * concerns.smooth_noise(rng, size, 10 * mm))[..., None] * concerns.EPS_HB)
    skin = np.exp(-tone_od(tone)) * variation
    background = np.exp(-rng.uniform(0.2, 3.0, 3)).astype(np.float32) * np.ones((size, size, 3), np.float32)
    hair = np.exp(-rng.uniform(1.5, 4.5) * np.array([0.8, 1.0, 1.2], np.float32))
    top = float(np.min(r.landmarks[concerns.OVAL][:, 1])) + rng.uniform(0, 14) * mm
    yy = np.mgrid[0:size, 0:size][0]
    head = cv2.dilate(r.face, np.ones((9, 9), np.uint8))
    out = np.where(((yy < top) & (head > 0))[..., None] | ((head > 0) & (r.face == 0))[..., None],
                   hair, background).astype(np.float32)
    out = out * (1 - r.face[..., None]) + skin * r.face[..., None]
    lips = np.exp(-(tone_od(3) + 0.8 * concerns.EPS_HB))
    for idx, colour in ((concerns.RIGHT_EYE, (0.55, 0.55, 0.55)), (concerns.LEFT_EYE, (0.55, 0.55, 0.55)),
                        (concerns.LIPS, tuple(lips.tolist())), (concerns.BROWS[0], tuple(hair.tolist())),
                        (concerns.BROWS[1], tuple(hair.tolist()))):
        mask = concerns.poly_mask(size, r.landmarks[list(idx)])[..., None]
        out = out * (1 - mask) + np.array(colour, np.float32) * mask
    for eye in (468, 473):
        centre = tuple(np.round(r.landmarks[eye]).astype(int).tolist())
        cv2.circle(out, centre, max(2, round(3 * mm)), (0.05, 0.04, 0.03), -1)
    gradient = (1 + rng.uniform(-0.25, 0.25) * (np.mgrid[0:size, 0:size][1] / size - 0.5))[..., None]
    return np.asarray(out * gradient, np.float32), np.asarray(variation * gradient, np.float32)


def _finish(drawn: concerns.Drawn, r: concerns.Regions, skin: Skin, frame: views.Frame,
            turned: views.Turn | None, outside: np.ndarray | None, camera_seed: int, synthetic: bool,
            kind: str) -> Sample:
    """Concerns onto the skin, the side view's turn, the camera; labels from what the crop shows."""
    coloured = skin.tone * skin.texture * np.exp(-drawn.od) + drawn.shine[..., None]
    linear = skin.photo * (1 - skin.soft) + coloured * skin.soft
    stack = np.concatenate([linear, np.stack([drawn.masks[c] for c in CONCERNS], axis=2), r.skin[..., None]], 2)
    if turned is not None:
        assert outside is not None
        around = np.concatenate([srgb_to_linear(outside), np.zeros_like(stack[..., 3:])], axis=2)
        stack = turned.apply(stack.astype(np.float32), around.astype(np.float32))
        seen = turned.seen
    else:
        seen = np.ones((r.size, r.size), np.float32)
    image = camera(np.random.default_rng(camera_seed), np.ascontiguousarray(stack[..., :3]), stack[..., -1])
    masks = np.stack([cv2.resize(np.ascontiguousarray(stack[..., 3 + i]), (MAP, MAP), interpolation=cv2.INTER_AREA)
                      for i in range(len(CONCERNS))])
    scores = concerns.scores(drawn, r, seen, kind)
    masks[np.isnan(scores)] = np.nan
    skin_type = concerns.skin_type(scores, drawn, r, kind)
    return Sample(image=image, masks=np.clip(masks, 0, 1).astype(np.float32), scores=scores.astype(np.float32),
                  skin_type=skin_type, monk=skin.monk, composite=not synthetic)


def camera(rng: np.random.Generator, linear: np.ndarray, skin: np.ndarray) -> np.ndarray:
    """Auto-exposure metered on the skin, white-balance error, sensor noise, resolution, blur and JPEG, at
    the CNN's input size.

    Phone and laptop cameras expose partly for the face: light skin is pulled down from white and dark skin
    lifted from black, but not all the way to one grey (half the log-distance to mid-grey, with some error),
    so tone is kept while shine stays visible on light skin and spots on dark skin, as in real photos.
    """
    if linear.shape[0] != SIZE:
        linear = cv2.resize(linear, (SIZE, SIZE), interpolation=cv2.INTER_AREA)
        skin = cv2.resize(skin, (SIZE, SIZE), interpolation=cv2.INTER_AREA)
    luminance = linear @ np.array([0.2126, 0.7152, 0.0722], np.float32)
    metered = float(np.median(luminance[skin > 0.5])) if (skin > 0.5).any() else 0.3
    exposure = (rng.uniform(0.2, 0.35) / max(metered, 1e-3)) ** AUTO_EXPOSURE_STRENGTH
    linear = linear * exposure * rng.uniform(0.88, 1.12, 3)
    linear = linear + rng.normal(0, rng.uniform(0.002, 0.012), linear.shape)
    image = linear_to_srgb8(linear.astype(np.float32))
    sigma = rng.uniform(0, 0.9)
    if sigma > 0.3:
        image = cv2.GaussianBlur(image, (0, 0), sigma)
    # a face that filled fewer pixels of the sensor is encoded at that size, then enlarged to the crop's
    scale = rng.uniform(0.55, 0.95) if rng.random() < 0.4 else 1.0
    return jpeg_at_scale(image, int(rng.integers(60, 96)), scale, rng)


def dataset(seeds: range) -> tuple[np.ndarray, ...]:
    """Stack the pairs of `seeds`, each pair on two consecutive rows: images N×S×S×3 uint8, masks N×C×M×M
    (float16, NaN unknown), scores N×C, skin types N, Monk N, composite N (bool)."""
    samples = [s for seed in seeds for s in render_pair(seed)]
    return (np.stack([s.image for s in samples]), np.stack([s.masks for s in samples]).astype(np.float16),
            np.stack([s.scores for s in samples]), np.array([s.skin_type for s in samples]),
            np.array([s.monk for s in samples]), np.array([s.composite for s in samples]))

"""Synthetic face crops with exact labels, for training the concern CNN (no licence-clear labelled photos exist).

Skin colour follows Beer–Lambert in optical-density space (OD = −ln of linear reflectance), as in Tsumura et
al.'s melanin/haemoglobin decomposition (Tsumura, Haneishi & Miyake 1999, JOSA A 16:2169): the base OD of a
skin tone is interpolated along the 10 swatches of the Monk scale (so every tone 1–10 is covered), and local
changes add melanin along ε_mel ∝ λ^−3.48 (Jacques 1998, OMLC melanin absorption, sampled at 620/540/460 nm)
and haemoglobin along ε_hb (Prahl's oxy-haemoglobin spectrum: strong Q bands in green, Soret tail in blue,
weak in red). Concerns are rendered on an aligned face layout taken from the public-domain astronaut photo,
either on a fully synthetic face or composited onto the astronaut's real skin recoloured to the target tone.
Every sample carries per-pixel masks (0..1) and scores (0..100) derived from the very parameters that drew it.
Seeded: the same seed gives the same sample.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np

from desktop.ml import landmarks as mesh
from desktop.ml.model import DEFAULT_CONFIG
from desktop.ml.report import CONCERNS, SKIN_TYPES
from desktop.ml.whitebalance import linear_to_srgb8, srgb_to_linear

SIZE = DEFAULT_CONFIG.input_size  # samples are drawn at the CNN's input size
MAP = DEFAULT_CONFIG.map_size  # and labelled at its heat-map size
SHINE_PEAK = 0.8  # specular peak at full oiliness (linear): about the diffuse light of Monk 1 skin
SHEEN_SHARE = 0.5  # share of the specular light spread smoothly over the shiny region (the rest: glints)
GLINT_SIGMA = 1.6  # px: size of the skin relief that breaks the sheen into glints
AUTO_EXPOSURE_STRENGTH = 0.6  # 0: fixed exposure, 1: every face metered to the same grey
MONK_RGB = np.array([[246, 237, 228], [243, 231, 219], [247, 234, 208], [234, 218, 186], [215, 189, 150],
                     [160, 126, 86], [130, 92, 67], [96, 65, 52], [58, 49, 42], [41, 36, 32]], np.uint8)
EPS_MEL = np.array([0.354, 0.572, 1.0], np.float32)  # (620/540/460 nm)^-3.48, normalised
EPS_HB = np.array([0.05, 1.0, 0.6], np.float32)
EPS_DEOXY = np.array([0.12, 0.8, 0.9], np.float32)  # deoxygenated blood: the violet cast of dark circles

RIGHT_EYE, LEFT_EYE = list(mesh.RIGHT_EYE_CONTOUR), list(mesh.LEFT_EYE_CONTOUR)
BROWS = (list(mesh.RIGHT_BROW_CONTOUR), list(mesh.LEFT_BROW_CONTOUR))
LIPS = list(mesh.LIPS_CONTOUR)
OVAL = list(mesh.FACE_OVAL_CONTOUR)


@dataclass
class Sample:
    image: np.ndarray  # SIZE x SIZE x 3 uint8 sRGB
    masks: np.ndarray  # len(CONCERNS) x MAP x MAP float32 in 0..1
    scores: np.ndarray  # len(CONCERNS) float32 in 0..100
    skin_type: int  # index into SKIN_TYPES
    monk: int  # 1..10


@dataclass(frozen=True)
class Template:
    landmarks: np.ndarray  # (478, 2) at SIZE
    photo: np.ndarray  # the astronaut's aligned crop at SIZE, uint8


@lru_cache(maxsize=1)
def template() -> Template:
    """The face layout and real skin texture, from the public-domain astronaut photo (scikit-image)."""
    from skimage import data

    from desktop.ml.align import CANON_SIZE, align
    from desktop.ml.face import FaceFinder

    rgb = np.asarray(data.astronaut())
    face = FaceFinder().find(rgb).face
    assert face is not None
    aligned = align(rgb, face.landmarks)
    scale = SIZE / CANON_SIZE
    photo = cv2.resize(aligned.rgb, (SIZE, SIZE), interpolation=cv2.INTER_AREA)
    return Template(landmarks=aligned.landmarks * scale, photo=photo)


def tone_od(tone: float) -> np.ndarray:
    """Base optical density of skin at a continuous Monk tone 1..10 (linear in OD between swatches)."""
    od = -np.log(srgb_to_linear(MONK_RGB).astype(np.float64))
    t = float(np.clip(tone, 1.0, 10.0)) - 1.0
    low = int(np.floor(t))
    high = min(9, low + 1)
    return (od[low] * (1 - (t - low)) + od[high] * (t - low)).astype(np.float32)


def _poly_mask(points: np.ndarray, hull: bool = True) -> np.ndarray:
    mask = np.zeros((SIZE, SIZE), np.uint8)
    pts = cv2.convexHull(points.astype(np.float32)) if hull else points
    cv2.fillPoly(mask, [np.round(pts).astype(np.int32).reshape(-1, 2)], 1)
    return mask.astype(np.float32)


def _smooth_noise(rng: np.random.Generator, sigma: float) -> np.ndarray:
    field = cv2.GaussianBlur(rng.standard_normal((SIZE, SIZE)).astype(np.float32), (0, 0), sigma)
    return field / (field.std() + 1e-6)


def _blobs(rng: np.random.Generator, where: np.ndarray, count: int, radius: tuple[float, float]) -> np.ndarray:
    out = np.zeros((SIZE, SIZE), np.float32)
    ys, xs = np.nonzero(where > 0.5)
    if count == 0 or len(xs) == 0:
        return out
    yy, xx = np.mgrid[0:SIZE, 0:SIZE]
    for i in rng.choice(len(xs), size=count):
        r = rng.uniform(*radius)
        out = np.maximum(out, np.exp(-((xx - xs[i]) ** 2 + (yy - ys[i]) ** 2) / (2 * r * r)).astype(np.float32))
    return out * where


def _lines(rng: np.random.Generator, segments: list[tuple[np.ndarray, np.ndarray]], width: float) -> np.ndarray:
    canvas = np.zeros((SIZE, SIZE), np.float32)
    for a, b in segments:
        mid = (a + b) / 2 + rng.normal(0, 1.5, 2)
        curve = np.array([a, mid, b], np.float32).reshape(-1, 1, 2)
        cv2.polylines(canvas, [np.round(curve).astype(np.int32)], False, 1.0, 1, cv2.LINE_AA)
    return np.clip(cv2.GaussianBlur(canvas, (0, 0), width) * 2.5 * width, 0, 1)


class Regions:
    """Masks of one face layout (after a random similarity jitter)."""

    def __init__(self, landmarks: np.ndarray) -> None:
        from desktop.ml.regions import region_polygons

        self.landmarks = landmarks
        self.face = _poly_mask(landmarks[OVAL])
        features = np.maximum.reduce([_poly_mask(landmarks[RIGHT_EYE]), _poly_mask(landmarks[LEFT_EYE]),
                                      _poly_mask(landmarks[LIPS]), _poly_mask(landmarks[BROWS[0]]),
                                      _poly_mask(landmarks[BROWS[1]])])
        self.features = cv2.dilate(features, np.ones((3, 3), np.uint8))
        self.skin = np.clip(self.face - self.features, 0, 1)
        polys = region_polygons(np.asarray(landmarks, np.float64))
        self.region = {k: _poly_mask(v, hull=False) * self.skin for k, v in polys.items()}
        self.t_zone = np.maximum.reduce([self.region[k] for k in ("forehead", "nose", "chin")])
        self.cheeks = np.maximum(self.region["left_cheek"], self.region["right_cheek"])
        self.under_eyes = np.maximum(self.region["under_eye_left"], self.region["under_eye_right"])


def _jittered_landmarks(rng: np.random.Generator) -> np.ndarray:
    points = template().landmarks
    angle, scale = rng.uniform(-8, 8), rng.uniform(0.92, 1.08)
    matrix = cv2.getRotationMatrix2D((SIZE / 2, SIZE / 2), angle, scale)
    matrix[:, 2] += rng.uniform(-6, 6, 2)
    return np.asarray(points @ matrix[:, :2].T + matrix[:, 2], np.float32)


def render(seed: int) -> Sample:
    """One labelled sample; the same seed always gives the same sample."""
    rng = np.random.default_rng(seed)
    landmarks = _jittered_landmarks(rng)
    regions = Regions(landmarks)
    tone = rng.uniform(1.0, 10.0)
    od = np.broadcast_to(tone_od(tone), (SIZE, SIZE, 3)).astype(np.float32).copy()
    od += (0.05 * _smooth_noise(rng, 12))[..., None] * EPS_MEL + (0.04 * _smooth_noise(rng, 10))[..., None] * EPS_HB
    masks, scores = _draw_concerns(rng, regions, od)
    linear = np.exp(-od)
    shine_amount = scores[CONCERNS.index("oiliness")] / 100.0
    linear += (_glints(rng, masks["oiliness"]) * SHINE_PEAK * (0.3 + 0.7 * shine_amount))[..., None]
    linear = _compose_face(rng, regions, linear, landmarks)
    image = _camera(rng, linear, regions.skin)
    map_stack = np.stack([cv2.resize(masks[c], (MAP, MAP), interpolation=cv2.INTER_AREA) for c in CONCERNS])
    skin_type = _skin_type(scores, masks, regions)
    return Sample(image=image, masks=np.clip(map_stack, 0, 1).astype(np.float32),
                  scores=scores.astype(np.float32), skin_type=skin_type, monk=round(tone))


def _glints(rng: np.random.Generator, lobes: np.ndarray) -> np.ndarray:
    """The specular light of oily skin: a smooth sheen over the shiny region, broken by glints on its relief.

    The oil film mirrors the light source: broadly where the skin curves towards the light (the sheen) and
    on every small bump (bright specks with sharp edges that often clip). The specks show shine on light
    skin, where a faint smooth glow looks like shading. A model that learns shine from specks alone follows
    the finest detail, which re-encoding and resampling change; so half the light is the sheen and the
    specks are `GLINT_SIGMA` wide, coarser than what JPEG destroys (the models this replaced, and what each
    did: MODEL_CARD.md). The labelled map stays the smooth region where the skin shines.
    """
    relief = cv2.GaussianBlur(rng.standard_normal((SIZE, SIZE)).astype(np.float32), (0, 0), GLINT_SIGMA)
    relief /= relief.std() + 1e-6
    specks = np.clip(1 + 0.8 * relief, 0, None)
    return np.asarray(lobes * (SHEEN_SHARE + (1 - SHEEN_SHARE) * specks), np.float32)


def _draw_concerns(rng: np.random.Generator, r: Regions, od: np.ndarray) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Add each concern to the OD image (in place); return its mask and score."""
    def present() -> bool:
        return bool(rng.random() > 0.3)

    masks: dict[str, np.ndarray] = {}
    scores = np.zeros(len(CONCERNS), np.float32)
    lower_face = np.maximum(r.cheeks, r.region["chin"])
    n = int(rng.integers(1, 16)) if present() else 0
    papules = _blobs(rng, np.maximum(lower_face, r.region["forehead"]), n, (1.2, 2.8))
    od += papules[..., None] * (rng.uniform(0.35, 0.8) * EPS_HB + 0.1 * EPS_MEL)
    masks["acne"], scores[0] = papules, min(100.0, n * 100 / 12)
    level = rng.uniform(0.1, 0.5) if present() else 0.0
    patches = np.clip(_smooth_noise(rng, 8) * 0.5 + 0.5, 0, 1) * np.maximum(r.cheeks, r.region["nose"]) * level / 0.5
    od += patches[..., None] * 0.5 * EPS_HB
    coverage = float(np.clip(patches.sum() / (r.cheeks.sum() + 1) * 2.5, 0, 1))
    masks["redness"], scores[1] = patches, 100 * level / 0.5 * coverage
    n = int(rng.integers(1, 16)) if present() else 0
    contrast = rng.uniform(0.5, 1.1)  # solar lentigines are clearly darker than the skin around them
    spots = _blobs(rng, r.skin * (1 - r.under_eyes), n, (2.0, 5.0))
    od += spots[..., None] * contrast * EPS_MEL
    masks["dark_spots"], scores[2] = spots, min(100.0, n * 100 / 15 * (0.3 + contrast))
    depth = rng.uniform(0.15, 0.5) if present() else 0.0
    lines = _lines(rng, _wrinkle_segments(rng, r.landmarks, int(rng.integers(2, 9))), 0.8) * r.skin
    od += (lines * depth)[..., None] * 1.2
    masks["wrinkles"], scores[3] = lines * (depth > 0), 100 * depth / 0.5 * float(np.clip(lines.sum() / 250, 0.3, 1))
    density = rng.uniform(0.2, 1.0) if present() else 0.0
    pore_area = np.maximum(r.cheeks, r.region["nose"])
    pores = _blobs(rng, pore_area, int(density * 90), (0.5, 0.9))
    od += (pores * 0.5)[..., None]
    masks["pores"] = cv2.GaussianBlur(pores, (0, 0), 1.5) * 2 * pore_area
    scores[4] = 100 * density
    oil = rng.uniform(0.2, 1.0) if present() else 0.0
    shine_where = r.t_zone if rng.random() < 0.5 else np.maximum(r.t_zone, r.cheeks)
    # oilier skin shines over more of its T-zone (or face), not only brighter
    shine = np.clip(_smooth_noise(rng, 4) - (1.6 - 1.4 * oil), 0, 1) * shine_where
    masks["oiliness"], scores[5] = shine * (oil > 0), 100 * oil
    darkness = rng.uniform(0.2, 0.8) if present() else 0.0
    circles = cv2.GaussianBlur(r.under_eyes, (0, 0), 2.5) * r.skin
    od += (circles * darkness)[..., None] * (0.4 * EPS_MEL + 0.6 * EPS_DEOXY)
    masks["dark_circles"], scores[6] = circles * (darkness > 0), 100 * darkness / 0.8
    rough = rng.uniform(0.03, 0.12) if present() else 0.0
    grain = cv2.GaussianBlur(rng.standard_normal((SIZE, SIZE)).astype(np.float32), (0, 0), 1.2)
    od += (grain / (grain.std() + 1e-6) * rough * r.skin)[..., None]
    masks["texture"], scores[7] = r.skin * (rough / 0.12), 100 * rough / 0.12
    if oil > 0:
        masks["oiliness"] = np.clip(masks["oiliness"] * (0.5 + oil), 0, 1)
    return masks, np.clip(scores, 0, 100)


def _wrinkle_segments(rng: np.random.Generator, p: np.ndarray, count: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Forehead lines, crow's feet and nasolabial folds, placed from landmarks."""
    segments = []
    brow_right, brow_left = p[mesh.BROW_RIGHT], p[mesh.BROW_LEFT]
    brow_y = (brow_right[1] + brow_left[1]) / 2
    for _ in range(count):
        kind = rng.integers(0, 3)
        if kind == 0:
            y = brow_y - rng.uniform(6, 22)
            segments.append((np.array([brow_right[0] - 8, y]), np.array([brow_left[0] + 8, y + rng.normal(0, 2)])))
        elif kind == 1:
            corner, side = (p[mesh.EYE_OUTER_RIGHT], -1) if rng.random() < 0.5 else (p[mesh.EYE_OUTER_LEFT], 1)
            start = corner + np.array([side * 4, rng.uniform(-4, 6)])
            segments.append((start, start + np.array([side * rng.uniform(6, 12), rng.uniform(-5, 5)])))
        else:
            nostril, mouth = ((p[mesh.NOSTRIL_RIGHT], p[mesh.MOUTH_RIGHT]) if rng.random() < 0.5
                              else (p[mesh.NOSTRIL_LEFT], p[mesh.MOUTH_LEFT]))
            segments.append((nostril + np.array([0, 2]), mouth + np.array([0, -2])))
    return segments


def _compose_face(rng: np.random.Generator, r: Regions, skin_linear: np.ndarray, landmarks: np.ndarray) -> np.ndarray:
    """Put the rendered skin into a face: a real-photo composite or a fully synthetic face."""
    soft = cv2.GaussianBlur(r.skin, (0, 0), 1.0)[..., None]
    if rng.random() < 0.5:  # composite onto the astronaut's real face, recoloured to this tone
        photo = srgb_to_linear(template().photo)
        matrix = cv2.estimateAffinePartial2D(template().landmarks, landmarks)[0]
        photo = cv2.warpAffine(photo, matrix, (SIZE, SIZE), borderMode=cv2.BORDER_REFLECT)
        skin_ref = np.median(photo[r.skin > 0.5], axis=0) + 1e-4
        texture = np.clip(photo / skin_ref, 0.5, 1.6)  # the photo's own shading and detail
        return np.asarray(photo * (1 - soft) + skin_linear * texture * soft)
    background = np.exp(-rng.uniform(0.2, 3.0, 3)).astype(np.float32) * np.ones((SIZE, SIZE, 3), np.float32)
    hair = np.exp(-rng.uniform(1.5, 4.5) * np.array([0.8, 1.0, 1.2], np.float32))
    top = float(np.min(landmarks[OVAL][:, 1])) + rng.uniform(0, 14)
    yy = np.mgrid[0:SIZE, 0:SIZE][0]
    head = cv2.dilate(r.face, np.ones((9, 9), np.uint8))
    out = np.where(((yy < top) & (head > 0))[..., None] | ((head > 0) & (r.face == 0))[..., None],
                   hair, background).astype(np.float32)
    out = out * (1 - r.face[..., None]) + skin_linear * r.face[..., None]
    features = {tuple(RIGHT_EYE): (0.55, 0.55, 0.55), tuple(LEFT_EYE): (0.55, 0.55, 0.55),
                tuple(LIPS): tuple(np.exp(-(tone_od(3) + 0.8 * EPS_HB)).tolist())}
    for idx, colour in features.items():
        mask = _poly_mask(landmarks[list(idx)])[..., None]
        out = out * (1 - mask) + np.array(colour, np.float32) * mask
    for brow in BROWS:
        mask = _poly_mask(landmarks[brow])[..., None]
        out = out * (1 - mask) + hair * mask
    for eye in (mesh.IRIS_RIGHT, mesh.IRIS_LEFT):
        cv2.circle(out, tuple(np.round(landmarks[eye]).astype(int).tolist()), 3, (0.05, 0.04, 0.03), -1)
    gradient = 1 + rng.uniform(-0.25, 0.25) * (np.mgrid[0:SIZE, 0:SIZE][1] / SIZE - 0.5)
    return out * gradient[..., None]


def _camera(rng: np.random.Generator, linear: np.ndarray, skin: np.ndarray) -> np.ndarray:
    """Auto-exposure metered on the face, white-balance error, sensor noise, resolution, blur and JPEG.

    Phone and laptop cameras expose partly for the face: light skin is pulled down from white and dark skin
    lifted from black, but not all the way to one grey (half the log-distance to mid-grey, with some error),
    so tone is kept while shine stays visible on light skin and spots on dark skin, as in real photos.
    """
    luminance = linear @ np.array([0.2126, 0.7152, 0.0722], np.float32)
    metered = float(np.median(luminance[skin > 0.5])) if (skin > 0.5).any() else 0.3
    exposure = (rng.uniform(0.2, 0.35) / max(metered, 1e-3)) ** AUTO_EXPOSURE_STRENGTH
    linear = linear * exposure * rng.uniform(0.88, 1.12, 3)
    linear = linear + rng.normal(0, rng.uniform(0.002, 0.012), linear.shape)
    image = linear_to_srgb8(linear.astype(np.float32))
    if rng.random() < 0.4:  # a face that filled fewer pixels of the sensor, upsampled to the crop size
        small = round(SIZE * rng.uniform(0.55, 0.95))
        image = cv2.resize(cv2.resize(image, (small, small), interpolation=cv2.INTER_AREA), (SIZE, SIZE),
                           interpolation=cv2.INTER_LINEAR)
    sigma = rng.uniform(0, 0.9)
    if sigma > 0.3:
        image = cv2.GaussianBlur(image, (0, 0), sigma)
    ok, encoded = cv2.imencode(".jpg", image[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(60, 96))])
    return np.ascontiguousarray(cv2.imdecode(encoded, cv2.IMREAD_COLOR)[..., ::-1]) if ok else image


def _skin_type(scores: np.ndarray, masks: dict[str, np.ndarray], r: Regions) -> int:
    oil, rough = scores[CONCERNS.index("oiliness")], scores[CONCERNS.index("texture")]
    cheek_shine = float((masks["oiliness"] * r.cheeks).sum() / (r.cheeks.sum() + 1))
    if oil >= 40:
        return SKIN_TYPES.index("oily" if cheek_shine > 0.02 else "combination")
    if rough >= 60:
        return SKIN_TYPES.index("dry")
    return SKIN_TYPES.index("normal")


def dataset(seeds: range) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Stack samples: images N×S×S×3 uint8, masks N×C×M×M, scores N×C, skin types N, Monk N."""
    samples = [render(s) for s in seeds]
    return (np.stack([s.image for s in samples]), np.stack([s.masks for s in samples]),
            np.stack([s.scores for s in samples]), np.array([s.skin_type for s in samples]),
            np.array([s.monk for s in samples]))

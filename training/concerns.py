"""The concerns a training sample shows, drawn into one frame of skin with their exact masks and amounts.

A frame is any crop the app hands the CNN: a frontal face, a face before it is turned to a side view, or a
close-up of a cheek. Sizes are physical (millimetres × the frame's pixels per mm), so a papule is as large
on a close-up as it is on the skin. Each concern draws from its own random stream and can be drawn at a
fraction of its amount (`multipliers`): a lesion concern then keeps the first part of the same lesions and an
intensity concern the same pattern, weaker. That gives the pairs of `training.synth`: the same base with and
without (part of) a concern, whose difference is known exactly whatever the base shows on its own.

Optics as in training.synth: changes are added in optical density (Beer–Lambert) along the melanin and
haemoglobin absorption spectra; shine is added light.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from desktop.ml import landmarks as mesh
from desktop.ml.report import CONCERNS

EPS_MEL = np.array([0.354, 0.572, 1.0], np.float32)  # (620/540/460 nm)^-3.48, normalised (Jacques 1998)
EPS_HB = np.array([0.05, 1.0, 0.6], np.float32)  # oxy-haemoglobin (Prahl)
EPS_DEOXY = np.array([0.12, 0.8, 0.9], np.float32)  # deoxygenated blood: the violet cast of dark circles
PRESENT = 0.7  # chance that a concern is drawn at all

RIGHT_EYE, LEFT_EYE = list(mesh.RIGHT_EYE_CONTOUR), list(mesh.LEFT_EYE_CONTOUR)
BROWS = (list(mesh.RIGHT_BROW_CONTOUR), list(mesh.LEFT_BROW_CONTOUR))
LIPS = list(mesh.LIPS_CONTOUR)
OVAL = list(mesh.FACE_OVAL_CONTOUR)


def poly_mask(size: int, points: np.ndarray, hull: bool = True) -> np.ndarray:
    mask = np.zeros((size, size), np.uint8)
    pts = cv2.convexHull(points.astype(np.float32)) if hull else points
    cv2.fillPoly(mask, [np.round(pts).astype(np.int32).reshape(-1, 2)], 1)
    return mask.astype(np.float32)


class Regions:
    """Skin masks of one face layout in a frame of `size` pixels (landmarks may lie outside the frame)."""

    def __init__(self, landmarks: np.ndarray, size: int, px_per_mm: float) -> None:
        from desktop.ml.regions import region_polygons

        self.landmarks, self.size, self.px_per_mm = landmarks, size, px_per_mm
        self.face = poly_mask(size, landmarks[OVAL])
        features = np.maximum.reduce([poly_mask(size, landmarks[idx]) for idx in (RIGHT_EYE, LEFT_EYE, LIPS, *BROWS)])
        grow = max(3, round(2 * px_per_mm) | 1)
        self.features = cv2.dilate(features, np.ones((grow, grow), np.uint8))
        self.skin = np.clip(self.face - self.features, 0, 1)
        polys = region_polygons(np.asarray(landmarks, np.float64))
        self.region = {k: poly_mask(size, v, hull=False) * self.skin for k, v in polys.items()}
        self.t_zone = np.maximum.reduce([self.region[k] for k in ("forehead", "nose", "chin")])
        self.cheeks = np.maximum(self.region["left_cheek"], self.region["right_cheek"])
        self.under_eyes = np.maximum(self.region["under_eye_left"], self.region["under_eye_right"])


@dataclass
class Drawn:
    """What was drawn: per concern a full-frame mask (0..1) and the parameters its score comes from."""

    od: np.ndarray  # optical density added to the skin, S×S×3
    shine: np.ndarray  # specular light added after the skin colour, S×S
    masks: dict[str, np.ndarray] = field(default_factory=dict)
    lesions: dict[str, np.ndarray] = field(default_factory=dict)  # (x, y) centres of acne and dark spots
    amounts: dict[str, float] = field(default_factory=dict)
    flakes: float = 0.0


def smooth_noise(rng: np.random.Generator, size: int, sigma: float) -> np.ndarray:
    """White noise blurred by `sigma` px, unit variance. Wide fields are drawn on a coarser grid and
    resized (the same statistics at a fraction of the cost)."""
    step = max(1, int(sigma // 3))
    small = -(-size // step)
    noise = cv2.GaussianBlur(rng.standard_normal((small, small)).astype(np.float32), (0, 0), max(0.5, sigma / step))
    if step > 1:
        noise = cv2.resize(noise, (small * step, small * step), interpolation=cv2.INTER_LINEAR)[:size, :size]
    return np.asarray(noise / (noise.std() + 1e-6), np.float32)


def _stamp(canvas: np.ndarray, x: float, y: float, sigma: float, amplitude: float = 1.0) -> None:
    """Max-composite a Gaussian blob of `sigma` px at (x, y), on a local window only."""
    size = canvas.shape[0]
    r = int(np.ceil(3 * sigma)) + 1
    x0, x1, y0, y1 = max(0, int(x) - r), min(size, int(x) + r + 1), max(0, int(y) - r), min(size, int(y) + r + 1)
    if x0 >= x1 or y0 >= y1:
        return
    gx = np.exp(-((np.arange(x0, x1) - x) ** 2) / (2 * sigma * sigma))
    gy = np.exp(-((np.arange(y0, y1) - y) ** 2) / (2 * sigma * sigma))
    blob = (amplitude * np.outer(gy, gx)).astype(np.float32)
    np.maximum(canvas[y0:y1, x0:x1], blob, out=canvas[y0:y1, x0:x1])


def _places(rng: np.random.Generator, where: np.ndarray, count: int, cluster: float = 0.0) -> np.ndarray:
    """`count` pixel positions inside `where`, optionally clustered (weights from a smooth random field)."""
    ys, xs = np.nonzero(where > 0.5)
    if count <= 0 or len(xs) == 0:
        return np.zeros((0, 2), np.float32)
    weights = np.ones(len(xs))
    if cluster > 0:
        weights = np.exp(cluster * smooth_noise(rng, where.shape[0], where.shape[0] / 12)[ys, xs])
    pick = rng.choice(len(xs), size=count, p=weights / weights.sum())
    jitter = rng.uniform(-0.5, 0.5, (count, 2))
    return np.stack([xs[pick], ys[pick]], axis=1).astype(np.float32) + jitter.astype(np.float32)


def draw(seed: int, regions: Regions, kind: str, multipliers: dict[str, float] | None = None) -> Drawn:
    """Every concern into a frame. `kind`: "front" (a face; also the frame a side view is turned from) or
    "closeup" (a patch of skin; no wrinkles or dark circles are drawn, they need the whole face)."""
    size = regions.size
    out = Drawn(od=np.zeros((size, size, 3), np.float32), shine=np.zeros((size, size), np.float32))
    m = multipliers or {}
    for index, concern in enumerate(CONCERNS):
        rng = np.random.default_rng([seed, index])
        if kind == "closeup" and concern in ("wrinkles", "dark_circles"):
            out.masks[concern] = np.zeros((size, size), np.float32)
            out.amounts[concern] = 0.0
            continue
        DRAWERS[concern](rng, regions, out, float(m.get(concern, 1.0)), kind)
    return out


def _present(rng: np.random.Generator) -> bool:
    return bool(rng.random() < PRESENT)


def _acne(rng: np.random.Generator, r: Regions, out: Drawn, m: float, kind: str) -> None:
    """Papules and pustules: raised red bumps 1.5–4 mm across (some with a pale centre), clustered on the
    cheeks, jaw, chin and forehead. The count per face (1–120) is spread over the skin area of the frame."""
    where = np.maximum(np.maximum(r.cheeks, r.region["chin"]), r.region["forehead"]) if kind != "closeup" else r.skin
    per_face = np.exp(rng.uniform(0, np.log(120))) if _present(rng) else 0.0
    area_mm2 = float(where.sum()) / r.px_per_mm**2
    count = int(rng.poisson(per_face * area_mm2 / FACE_ACNE_AREA_MM2))
    places = _places(rng, where, count, cluster=1.0)
    sigmas = rng.uniform(0.7, 1.8, count) * r.px_per_mm
    redness, pale = rng.uniform(0.35, 0.9, count), rng.random(count) < 0.25
    keep = round(count * m)
    mask = np.zeros((r.size, r.size), np.float32)
    red = np.zeros_like(mask)  # each papule's own redness
    pustules = np.zeros_like(mask)
    for (x, y), sigma, level, p in zip(places[:keep], sigmas[:keep], redness[:keep], pale[:keep], strict=True):
        _stamp(mask, x, y, sigma)
        _stamp(red, x, y, sigma, level)
        if p:
            _stamp(pustules, x, y, sigma * 0.4)
    out.od += red[..., None] * EPS_HB + (mask * 0.1)[..., None] * EPS_MEL
    out.od -= pustules[..., None] * np.array([0.25, 0.35, 0.5], np.float32)  # a yellow-white centre
    out.shine += 0.05 * _shifted(red, -float(np.mean(sigmas[:keep])) * 0.5 if keep else 0.0)  # raised tops
    out.masks["acne"], out.lesions["acne"], out.masks["_acne_area"] = mask, places[:keep], where
    out.amounts["acne"] = per_face


def _shifted(image: np.ndarray, dy: float) -> np.ndarray:
    matrix = np.array([[1, 0, 0], [0, 1, dy]], np.float32)
    return np.asarray(cv2.warpAffine(image, matrix, image.shape[::-1]))


def _redness(rng: np.random.Generator, r: Regions, out: Drawn, m: float, kind: str) -> None:
    level = rng.uniform(0.1, 0.5) if _present(rng) else 0.0
    where = np.maximum(r.cheeks, r.region["nose"]) if kind != "closeup" else r.skin
    patches = np.clip(smooth_noise(rng, r.size, 8 * r.px_per_mm) * 0.5 + 0.5, 0, 1) * where
    out.od += patches[..., None] * (level * m / 0.5) * 0.5 * EPS_HB
    out.masks["redness"], out.masks["_red_area"] = patches * (level * m / 0.5), patches
    out.amounts["redness"] = level * m


def _dark_spots(rng: np.random.Generator, r: Regions, out: Drawn, m: float, kind: str) -> None:
    """Solar lentigines: flat brown spots 3–8 mm across, clearly darker than the skin around them."""
    per_face = float(rng.integers(1, 21)) if _present(rng) else 0.0
    contrast = rng.uniform(0.5, 1.1)
    where = r.skin * (1 - r.under_eyes)
    count = int(rng.poisson(per_face * float(where.sum()) / r.px_per_mm**2 / FACE_SKIN_AREA_MM2))
    places = _places(rng, where, count)
    sigmas = rng.uniform(1.5, 4.0, count) * r.px_per_mm
    keep = round(count * m)
    mask = np.zeros((r.size, r.size), np.float32)
    for (x, y), s in zip(places[:keep], sigmas[:keep], strict=True):
        _stamp(mask, x, y, s)
    out.od += (mask * where)[..., None] * contrast * EPS_MEL
    out.masks["dark_spots"], out.lesions["dark_spots"] = mask * where, places[:keep]
    out.amounts["dark_spots"], out.amounts["spot_contrast"] = per_face, contrast


def _wrinkles(rng: np.random.Generator, r: Regions, out: Drawn, m: float, kind: str) -> None:
    depth = rng.uniform(0.15, 0.5) if _present(rng) else 0.0
    segments = wrinkle_segments(rng, r.landmarks, int(rng.integers(2, 9)), r.px_per_mm)
    canvas = np.zeros((r.size, r.size), np.float32)
    for a, b in segments:
        mid = (a + b) / 2 + rng.normal(0, 1.5 * r.px_per_mm, 2)
        curve = np.array([a, mid, b], np.float32).reshape(-1, 1, 2)
        cv2.polylines(canvas, [np.round(curve).astype(np.int32)], False, 1.0, max(1, int(r.px_per_mm)), cv2.LINE_AA)
    width = 0.8 * r.px_per_mm
    lines = np.clip(cv2.GaussianBlur(canvas, (0, 0), width) * 2.5 * min(width, 1.0), 0, 1) * r.skin
    out.od += (lines * depth * m)[..., None] * 1.2
    out.masks["wrinkles"] = lines * float(depth * m > 0)
    out.amounts["wrinkles"] = depth * m


def wrinkle_segments(rng: np.random.Generator, p: np.ndarray, count: int,
                     mm: float = 1.0) -> list[tuple[np.ndarray, np.ndarray]]:
    """Forehead lines, crow's feet and nasolabial folds, placed from landmarks (offsets in mm × `mm`)."""
    segments = []
    brow_right, brow_left = p[mesh.BROW_RIGHT], p[mesh.BROW_LEFT]
    brow_y = (brow_right[1] + brow_left[1]) / 2
    for _ in range(count):
        kind = rng.integers(0, 3)
        if kind == 0:
            y = brow_y - rng.uniform(6, 22) * mm
            segments.append((np.array([brow_right[0] - 8 * mm, y]),
                             np.array([brow_left[0] + 8 * mm, y + rng.normal(0, 2) * mm])))
        elif kind == 1:
            corner, side = (p[mesh.EYE_OUTER_RIGHT], -1) if rng.random() < 0.5 else (p[mesh.EYE_OUTER_LEFT], 1)
            start = corner + np.array([side * 4, rng.uniform(-4, 6)]) * mm
            segments.append((start, start + np.array([side * rng.uniform(6, 12), rng.uniform(-5, 5)]) * mm))
        else:
            nostril, mouth = ((p[mesh.NOSTRIL_RIGHT], p[mesh.MOUTH_RIGHT]) if rng.random() < 0.5
                              else (p[mesh.NOSTRIL_LEFT], p[mesh.MOUTH_LEFT]))
            segments.append((nostril + np.array([0, 2]) * mm, mouth + np.array([0, -2]) * mm))
    return segments


def _pores(rng: np.random.Generator, r: Regions, out: Drawn, m: float, kind: str) -> None:
    """Enlarged pores: dark dots 0.4–0.9 mm across, up to 0.15 per mm² on the cheeks and nose (every skin
    pixel of a close-up). On a whole face at 1 px per mm they are a fine grain, on a close-up distinct dots."""
    density = rng.uniform(0.2, 1.0) if _present(rng) else 0.0
    where = np.maximum(r.cheeks, r.region["nose"]) if kind != "closeup" else r.skin
    count = min(3000, int(density * m * 0.15 * float(where.sum()) / r.px_per_mm**2))
    mask = np.zeros((r.size, r.size), np.float32)
    for (x, y), s in zip(_places(rng, where, count), rng.uniform(0.2, 0.45, count) * r.px_per_mm, strict=True):
        _stamp(mask, x, y, max(0.5, s))
    out.od += (mask * 0.3 * rng.uniform(0.5, 1.2))[..., None]
    out.masks["pores"] = cv2.GaussianBlur(mask, (0, 0), 1.5) * 2 * where
    out.amounts["pores"] = density * m
    out.masks["_pore_area"] = where


def _oiliness(rng: np.random.Generator, r: Regions, out: Drawn, m: float, kind: str) -> None:
    """Specular shine: a smooth sheen over the shiny area broken by glints on the skin's relief; oilier skin
    shines over more of its T-zone (or face) and brighter. On a close-up it may cover the whole patch."""
    oil = rng.uniform(0.2, 1.0) if _present(rng) else 0.0
    where = r.skin if kind == "closeup" else r.t_zone if rng.random() < 0.5 else np.maximum(r.t_zone, r.cheeks)
    amount = oil * m
    # a soft ramp above the threshold: sheen fades out at its edges, it does not end in a contour
    shine = np.clip((smooth_noise(rng, r.size, 4 * r.px_per_mm) - (1.6 - 1.4 * amount)) / 1.5, 0, 1) * where
    relief = smooth_noise(rng, r.size, max(1.6, 0.4 * r.px_per_mm))  # glints on relief about 1 mm across
    specks = np.clip(1 + 0.5 * relief, 0, None)
    lobes = shine * (SHEEN_SHARE + (1 - SHEEN_SHARE) * specks)
    peak = SHINE_PEAK * rng.uniform(0.2, 0.8)  # how strongly the light source is mirrored varies
    out.shine += lobes * peak * (0.3 + 0.7 * amount) * float(amount > 0)
    out.masks["oiliness"] = np.clip(shine * (0.5 + amount), 0, 1) * float(amount > 0)
    out.masks["_shine_area"] = where
    out.amounts["oiliness"], out.amounts["_oil_drawn"] = amount, oil


def _dark_circles(rng: np.random.Generator, r: Regions, out: Drawn, m: float, kind: str) -> None:
    darkness = rng.uniform(0.2, 0.8) if _present(rng) else 0.0
    circles = cv2.GaussianBlur(r.under_eyes, (0, 0), 2.5 * r.px_per_mm) * r.skin
    out.od += (circles * darkness * m)[..., None] * (0.4 * EPS_MEL + 0.6 * EPS_DEOXY)
    out.masks["dark_circles"] = circles * float(darkness * m > 0)
    out.amounts["dark_circles"] = darkness * m


def _texture(rng: np.random.Generator, r: Regions, out: Drawn, m: float, kind: str) -> None:
    """Rough skin (a fine grain of relief) and, on skin without shine, dry flakes: small pale irregular
    scales (the cue of dry skin that a shine detector must not read as shine)."""
    rough = rng.uniform(0.02, 0.10) if _present(rng) else 0.0
    grain = smooth_noise(rng, r.size, 1.0 * r.px_per_mm)
    out.od += (grain * rough * m * r.skin)[..., None]
    # (decided on the oil drawn before any multiplier, so the pair partner's flakes are a part of these)
    flakes = rng.uniform(0.3, 1.0) if rng.random() < 0.3 and out.amounts.get("_oil_drawn", 0) == 0 else 0.0
    scale = np.zeros((r.size, r.size), np.float32)
    if flakes:
        where = r.skin if kind == "closeup" else np.maximum(r.cheeks, r.region["chin"])
        area_mm2 = float(where.sum()) / r.px_per_mm**2
        count = int(flakes * m * 0.08 * area_mm2)
        for (x, y), s in zip(_places(rng, where, count, cluster=1.5),
                             rng.uniform(0.2, 0.6, count) * r.px_per_mm, strict=True):
            _stamp(scale, x, y, max(0.5, s), rng.uniform(0.5, 1.0))
        scale *= where
        out.od -= (scale * 0.35)[..., None]  # flakes scatter light: paler, not tinted like the skin
    amount = float(np.clip(rough * m / 0.10 + 0.7 * flakes * m, 0, 1))
    out.masks["texture"] = np.clip(r.skin * (rough * m / 0.10) + scale, 0, 1)
    out.amounts["texture"], out.flakes = amount, flakes * m


ACNE_FULL = 100.0  # lesions per face at a score of 100 (ACNE04's "very severe": more than 50 on one half)


def scores(drawn: Drawn, r: Regions, seen: np.ndarray, kind: str) -> np.ndarray:
    """Scores 0–100 of what the final crop shows (`seen`: the frame's pixels that reach the crop), NaN
    where the crop cannot tell (no wrinkles or dark circles on a close-up; under-eyes out of view).

    Lesions are counted where their centre is seen and scaled to a whole face by the skin area seen, so a
    side view, a close-up and a frontal face of the same skin score alike. Acne is on a log scale of that
    count, 1 to ACNE_FULL lesions: a grade counts 0–5, 6–20, 21–50 or more lesions on half a face, so a
    linear scale would saturate at the first grade. Intensity concerns are their drawn amount, scaled by how
    much of the area they were drawn on is in view.
    """
    skin = r.skin * seen
    area = max(float(skin.sum()), 1.0)
    mm2 = r.px_per_mm**2
    out = np.zeros(len(CONCERNS), np.float32)

    def counted(name: str, where: np.ndarray, per_face_area: float) -> float:
        points = drawn.lesions.get(name, np.zeros((0, 2)))
        if len(points) == 0:
            return 0.0
        xs = np.clip(np.round(points[:, 0]).astype(int), 0, r.size - 1)
        ys = np.clip(np.round(points[:, 1]).astype(int), 0, r.size - 1)
        seen_area = float((where * seen).sum()) / mm2
        return float((skin[ys, xs] > 0.5).sum()) * per_face_area / max(seen_area, 50.0)

    acne = counted("acne", drawn.masks["_acne_area"], FACE_ACNE_AREA_MM2)
    out[0] = 100 * min(1.0, np.log1p(acne) / np.log1p(ACNE_FULL))
    level = drawn.amounts["redness"]
    out[1] = 100 * level / 0.5 * min(1.0, 3.5 * float((drawn.masks["_red_area"] * skin).sum()) / area)
    spots = counted("dark_spots", r.skin * (1 - r.under_eyes), FACE_SKIN_AREA_MM2)
    out[2] = min(100.0, spots * 100 / 15 * (0.3 + drawn.amounts["spot_contrast"])) if spots else 0.0
    lines = float((drawn.masks["wrinkles"] * seen).sum()) / mm2 * FACE_SKIN_AREA_MM2 / (area / mm2)
    depth = drawn.amounts["wrinkles"]
    out[3] = np.nan if kind == "closeup" else 100 * depth / 0.5 * float(np.clip(lines / 250, 0.3, 1)) * (lines > 0)
    out[4] = 100 * drawn.amounts["pores"] * min(1.0, float((drawn.masks["_pore_area"] * skin).sum()) / area / 0.3)
    out[5] = 100 * drawn.amounts["oiliness"] * min(1.0, float((drawn.masks["_shine_area"] * skin).sum()) / area / 0.25)
    eyes = float(r.under_eyes.sum())
    eyes_seen = float((r.under_eyes * seen).sum()) / eyes if eyes else 0.0
    out[6] = np.nan if kind == "closeup" or eyes_seen < 0.2 else 100 * drawn.amounts["dark_circles"] / 0.8
    out[7] = 100 * drawn.amounts["texture"]
    return np.clip(out, 0, 100)


def skin_type(score: np.ndarray, drawn: Drawn, r: Regions, kind: str) -> int:
    """Oily (shine on the cheeks too, or all over a close-up), combination (T-zone only), dry (flakes or
    rough skin without shine), normal. Index into SKIN_TYPES."""
    from desktop.ml.report import SKIN_TYPES

    oil, texture = score[CONCERNS.index("oiliness")], score[CONCERNS.index("texture")]
    if oil >= 40:
        on_cheeks = float((drawn.masks["_shine_area"] * r.cheeks).sum()) > 0
        return SKIN_TYPES.index("oily" if kind == "closeup" or on_cheeks else "combination")
    if drawn.flakes >= 0.3 or texture >= 60:
        return SKIN_TYPES.index("dry")
    return SKIN_TYPES.index("normal")


SHINE_PEAK = 0.8  # specular peak at full oiliness (linear): about the diffuse light of Monk 1 skin
SHEEN_SHARE = 0.5  # share of the specular light spread smoothly over the shiny region (the rest: glints)
FACE_SKIN_AREA_MM2 = 9000.0  # skin of a frontal face (forehead, nose, cheeks, chin), about
FACE_ACNE_AREA_MM2 = 6500.0  # of which the cheeks, chin and forehead, where acne is drawn
DRAWERS = {"acne": _acne, "redness": _redness, "dark_spots": _dark_spots, "wrinkles": _wrinkles, "pores": _pores,
           "oiliness": _oiliness, "dark_circles": _dark_circles, "texture": _texture}

"""Skin measures on the aligned, white-balanced face crop, per region and overall, with a heat map each.

Units: CIELAB L*, a* (D65); the erythema index in units of 100·log10; fractions in 0..1; filter energies in
L* units on the canonical crop (inter-ocular distance 128 px). Every measure is *relative* where it can be
(a deviation from the face's own local average), so that overall brightness and shading change it little.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from desktop.ml.align import CANON_IOD, AlignedFace
from desktop.ml.landmarks import EYE_OUTER_LEFT, EYE_OUTER_RIGHT
from desktop.ml.lesions import count_lesions, hayashi_level
from desktop.ml.regions import REGION_NAMES, polygon_mask, region_polygons

SKIN_REGIONS = ("forehead", "nose", "left_cheek", "right_cheek", "chin")
CANON_PX_PER_MM = CANON_IOD / 63.0  # adult mean inter-pupillary distance ≈ 63 mm
T_ZONE = ("forehead", "nose", "chin")
CHEEKS = ("left_cheek", "right_cheek")
UNDER_EYES = ("under_eye_left", "under_eye_right")
DARK_OUTLIER_L = 22.0  # L* units below the skin median: hair, brows, deep shadow
OFF_COLOUR_AB = 14.0  # a*b* distance from the skin median: hair, make-up, background


@dataclass
class MeasureSpec:
    """What one view lets the measures see, on its crop: the regions (missing names are empty), which of
    them are skin, the skin the lesion counter searches and how many face halves it covers, the crow's-feet
    sides, and whether the crop has a known physical scale (pores, texture and lines need one)."""

    masks: dict[str, np.ndarray]
    skin_names: tuple[str, ...] = SKIN_REGIONS
    lesion_skin: np.ndarray | None = None  # None: the union of the skin regions
    face_halves: float = 2.0
    crows_feet: tuple[str, ...] = ("right", "left")
    scaled: bool = True
    px_per_mm: float = CANON_PX_PER_MM


@dataclass
class FaceMeasures:
    """Named measures (overall and per region) and heat maps in crop coordinates (0..1 floats)."""

    overall: dict[str, float] = field(default_factory=dict)
    regions: dict[str, dict[str, float]] = field(default_factory=dict)
    maps: dict[str, np.ndarray] = field(default_factory=dict)


def crop_lab(rgb: np.ndarray) -> np.ndarray:
    import cv2

    return np.asarray(cv2.cvtColor(rgb.astype(np.float32) / 255.0, cv2.COLOR_RGB2Lab))


def region_masks(face: AlignedFace) -> dict[str, np.ndarray]:
    shape = (face.rgb.shape[0], face.rgb.shape[1])
    polygons = region_polygons(face.landmarks)
    return {name: polygon_mask(shape, [polygons[name]]) & face.valid for name in REGION_NAMES}


def _blur(image: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian blur; wide ones run on a 4× smaller copy, which is much cheaper and close to the full-size
    result for the smooth levels they estimate (both measured by `bench/bench_analyze.py`)."""
    import cv2

    image = image.astype(np.float32)
    if sigma < 8:
        return np.asarray(cv2.GaussianBlur(image, (0, 0), sigma))
    height, width = image.shape[:2]
    small = cv2.resize(image, (width // 4, height // 4), interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (0, 0), sigma / 4)
    return np.asarray(cv2.resize(small, (width, height), interpolation=cv2.INTER_LINEAR))


def _masked_blur(image: np.ndarray, mask: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian mean of `image` over `mask` only (normalised convolution), so borders do not bleed in."""
    weights = _blur(mask.astype(np.float32), sigma)
    return np.asarray(_blur(np.where(mask, image, 0.0), sigma) / np.maximum(weights, 1e-4))


def _per_region(values: np.ndarray, masks: dict[str, np.ndarray], names: tuple[str, ...],
                reduce: str = "mean") -> dict[str, float]:
    out = {}
    for name in names:
        pixels = values[masks[name]]
        if pixels.size:
            out[name] = float(np.median(pixels) if reduce == "median" else pixels.mean())
    return out


def _norm_map(values: np.ndarray, mask: np.ndarray, full_scale: float) -> np.ndarray:
    return np.asarray(np.clip(np.where(mask, values, 0.0) / full_scale, 0.0, 1.0), dtype=np.float32)


def measure_redness(lab: np.ndarray, rgb: np.ndarray, skin: np.ndarray, masks: dict[str, np.ndarray],
                    out: FaceMeasures) -> np.ndarray:
    """Redness from CIELAB a* (Takiwaki et al. 1994, Skin Res Technol: a* tracks erythema) and the RGB
    erythema index EI = 100·log10(R/G) on linearised camera values (Dawson et al. 1980, Phys Med Biol 25:695,
    reflectance form; camera adaptation as in Yamamoto et al. 2008, Skin Res Technol 14:26).
    Localised redness = a* above the face's own smooth a* level (blotches, papules); returned (float32, per
    pixel), because the acne measure looks for papules in it."""
    from desktop.ml.whitebalance import srgb_to_linear

    a_star = lab[..., 1]
    ys, xs = np.nonzero(skin)  # the index only where it is read: the skin pixels
    linear = srgb_to_linear(rgb[ys, xs])
    ei = np.zeros(skin.shape, np.float32)
    ei[ys, xs] = 100.0 * np.log10(np.maximum(linear[:, 0], 1e-4) / np.maximum(linear[:, 1], 1e-4))
    local = a_star - _masked_blur(a_star, skin, CANON_IOD * 0.35)
    out.overall["a_star"] = float(np.median(a_star[skin]))
    out.overall["erythema_index"] = float(np.median(ei[skin]))
    out.overall["red_blotch_fraction"] = float(np.mean(local[skin] > 4.0))
    out.regions.setdefault("a_star", {}).update(_per_region(a_star, masks, SKIN_REGIONS, "median"))
    out.regions.setdefault("erythema_index", {}).update(_per_region(ei, masks, SKIN_REGIONS, "median"))
    out.maps["redness"] = _norm_map(np.maximum(local, 0) + np.maximum(a_star - 12.0, 0) * 0.5, skin, 12.0)
    return local.astype(np.float32)


def _robust_std(values: np.ndarray) -> float:
    """1.4826 × median absolute deviation: a standard deviation that a few shadows or hairs cannot inflate."""
    if values.size == 0:
        return 0.0
    return float(1.4826 * np.median(np.abs(values - np.median(values))))


def _blobs(binary: np.ndarray, min_area: float, max_area: float) -> tuple[int, float]:
    """Count and total area of compact blobs within a size range (strips along shadows are not spots)."""
    import cv2

    count, _labels, stats, _ = cv2.connectedComponentsWithStats(binary.astype(np.uint8), connectivity=8)
    if count <= 1:
        return 0, 0.0
    stats = stats[1:]
    areas = stats[:, cv2.CC_STAT_AREA].astype(np.float64)
    width, height = stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]
    fill = areas / np.maximum(width * height, 1)
    elongation = np.maximum(width, height) / np.maximum(np.minimum(width, height), 1)
    kept = areas[(areas >= min_area) & (areas <= max_area) & (fill >= 0.35) & (elongation <= 3.0)]
    return int(kept.size), float(kept.sum())


def _eroded(mask: np.ndarray, pixels: int = 3) -> np.ndarray:
    import cv2

    kernel = np.ones((2 * pixels + 1, 2 * pixels + 1), np.uint8)
    return cv2.erode(mask.astype(np.uint8), kernel).astype(bool)


def measure_pigmentation(lab: np.ndarray, skin: np.ndarray, masks: dict[str, np.ndarray],
                         out: FaceMeasures) -> None:
    """Pigmentation unevenness = std of L* after removing smooth shading (L* minus its local mean over
    ~1/3 inter-ocular distance); dark spots = blobs darker than their surround by > 4 L* units, of lentigo
    size (≈1.5–10 mm), counted and as an area fraction. Follows the detrended-L* approach of image-based
    hyperpigmentation grading (e.g. Kikuchi et al. 2017, Skin Res Technol; Vashi & Kundu 2013 review)."""
    lightness = lab[..., 0]
    detail = lightness - _masked_blur(lightness, skin, CANON_IOD * 0.12)
    out.overall["pigment_unevenness"] = _robust_std(detail[skin])
    dark = (detail < -4.0) & _eroded(skin)
    px_per_mm = CANON_PX_PER_MM
    count, area = _blobs(dark, (1.5 * px_per_mm) ** 2 * 0.785, (10 * px_per_mm) ** 2 * 0.785)
    out.overall["dark_spot_count"] = float(count)
    out.overall["dark_spot_area_fraction"] = float(area / max(1, int(skin.sum())))
    out.regions.setdefault("pigment_unevenness", {}).update(
        {name: _robust_std(detail[masks[name]]) for name in SKIN_REGIONS if masks[name].any()})
    out.maps["dark_spots"] = _norm_map(np.maximum(-detail - 2.0, 0), skin, 8.0)


def measure_shine(lab: np.ndarray, skin: np.ndarray, masks: dict[str, np.ndarray], out: FaceMeasures,
                  px_per_mm: float = CANON_PX_PER_MM) -> None:
    """Specular shine. The oiliness score and map read `specular.py`'s measures: the specular share of each
    pixel relative to the skin's own colour and brightness (so exposure does not move it), counted where it
    stands above its surround (sharp highlights), discounted by flaking. The older fractions of pixels much
    brighter than the skin's median L* and less saturated (a specular reflection keeps the light's colour:
    Shafer 1985), per region, stay for the skin-type estimate's T-zone against cheeks (e.g. Youn et al. 2005)."""
    from desktop.ml.specular import specular_measures

    shares, highlights = specular_measures(lab, skin, px_per_mm)
    out.overall.update(shares)
    lightness, chroma = lab[..., 0], np.hypot(lab[..., 1], lab[..., 2])
    median_l = float(np.median(lightness[skin]))
    mad = float(np.median(np.abs(lightness[skin] - median_l))) or 1.0
    median_c = float(np.median(chroma[skin]))
    margin = min(12.0, max(8.0, 2.0 * mad))  # 8–12 L* units above the skin's median
    specular = skin & (lightness > median_l + margin) & (chroma < 0.75 * median_c)
    fractions = {name: float(specular[masks[name]].mean()) for name in SKIN_REGIONS if masks[name].any()}
    out.regions.setdefault("shine_fraction", {}).update(fractions)
    out.overall["shine_fraction"] = float(specular[skin].mean())
    overall = out.overall["shine_fraction"]
    t_zone = [fractions[n] for n in T_ZONE if n in fractions]
    cheeks = [fractions[n] for n in CHEEKS if n in fractions]
    out.overall["shine_t_zone"] = float(np.mean(t_zone)) if t_zone else overall  # a patch: its own shine
    out.overall["shine_cheeks"] = float(np.mean(cheeks)) if cheeks else overall
    out.maps["oiliness"] = _norm_map(_blur(highlights, 2.0), skin, 0.25)  # the highlights the score counts


def measure_texture(lab: np.ndarray, skin: np.ndarray, masks: dict[str, np.ndarray], out: FaceMeasures) -> None:
    """Texture and pores from band-pass (difference-of-Gaussians) energy of L* (a standard image-texture
    roughness measure; cf. Lee et al. 2011, Skin Res Technol, pore detection by DoG). Pores: the fine band
    (σ 0.7–2 px ≈ 0.3–1 mm on the crop), dark side only; texture: the next band (σ 2–6 px)."""
    lightness = lab[..., 0]
    fine = _blur(lightness, 0.7) - _blur(lightness, 2.0)
    coarse = _blur(lightness, 2.0) - _blur(lightness, 6.0)
    cheeks_nose = masks["left_cheek"] | masks["right_cheek"] | masks["nose"]
    if not cheeks_nose.any():
        cheeks_nose = skin
    out.overall["pore_energy"] = float(np.sqrt(np.mean(np.minimum(fine, 0)[cheeks_nose] ** 2))) \
        if cheeks_nose.any() else 0.0
    out.overall["texture_energy"] = float(np.std(coarse[skin]))
    out.regions.setdefault("texture_energy", {}).update(
        {name: float(np.std(coarse[masks[name]])) for name in SKIN_REGIONS if masks[name].any()})
    out.maps["pores"] = _norm_map(_blur(np.maximum(-fine, 0), 1.5), skin, 2.0)
    out.maps["texture"] = _norm_map(_blur(np.abs(coarse), 3.0), skin, 4.0)


def measure_wrinkles(lab: np.ndarray, skin: np.ndarray, masks: dict[str, np.ndarray], face: AlignedFace,
                     out: FaceMeasures, crows_feet: tuple[str, ...] = ("right", "left")) -> None:
    """Line/wrinkle energy: the strongest response of an 8-orientation Gabor bank tuned to dark ridges
    (Gabor-filter wrinkle detection: Cula et al. 2013, Skin Res Technol 19:e491; Batool & Chellappa 2015),
    on the forehead, under the eyes and at the crow's-feet corners."""
    import cv2

    zones = masks["forehead"] | masks["under_eye_left"] | masks["under_eye_right"] | _crows_feet(face, crows_feet)
    zones &= face.valid
    if not zones.any():
        return
    lightness = lab[..., 0] - _masked_blur(lab[..., 0], skin, 8.0)
    response = np.zeros_like(lightness)
    ys, xs = np.nonzero(zones)  # filter only the rows and columns the zones use (plus the kernel's reach)
    rows = slice(max(0, ys.min() - 10), ys.max() + 11)
    cols = slice(max(0, xs.min() - 10), xs.max() + 11)
    part = lightness[rows, cols].astype(np.float32)
    for k in range(8):
        kernel = cv2.getGaborKernel((21, 21), 3.0, np.pi * k / 8, 9.0, 0.4, np.pi)  # odd phase π: dark ridge
        kernel -= kernel.mean()
        kernel /= np.abs(kernel).sum() / 2  # unit gain: a response is in L* units
        response[rows, cols] = np.maximum(response[rows, cols], cv2.filter2D(part, cv2.CV_32F, kernel))
    out.overall["wrinkle_energy"] = float(np.mean(response[zones])) if zones.any() else 0.0
    out.regions.setdefault("wrinkle_energy", {}).update(
        {name: float(np.mean(response[masks[name]])) for name in ("forehead", *UNDER_EYES) if masks[name].any()})
    out.maps["wrinkles"] = _norm_map(_blur(response, 1.5), zones, 12.0)


def _crows_feet(face: AlignedFace, sides: tuple[str, ...] = ("right", "left")) -> np.ndarray:
    """Small boxes just outside the outer corner of each eye in `sides`."""
    mask = np.zeros(face.rgb.shape[:2], dtype=bool)
    half = int(CANON_IOD * 0.12)
    corners = {"right": (EYE_OUTER_RIGHT, -1), "left": (EYE_OUTER_LEFT, 1)}
    for corner, direction in (corners[side] for side in sides):
        x, y = face.landmarks[corner]
        x0 = int(x + direction * CANON_IOD * 0.12)
        xs = sorted((x0, x0 + direction * 2 * half))
        mask[max(0, int(y) - half):int(y) + half, max(0, xs[0]):max(0, xs[1])] = True
    return mask


def measure_under_eye(lab: np.ndarray, masks: dict[str, np.ndarray], out: FaceMeasures) -> None:
    """Under-eye darkness: median L* of the cheeks minus median L* under the eyes (ΔL*), the usual
    colorimetric index of periorbital hyperpigmentation (e.g. Park et al. 2016, Ann Dermatol 28:1)."""
    lightness = lab[..., 0]
    cheeks = masks["left_cheek"] | masks["right_cheek"]
    eyes = masks["under_eye_left"] | masks["under_eye_right"]
    if cheeks.any() and eyes.any():
        delta = float(np.median(lightness[cheeks]) - np.median(lightness[eyes]))
        out.overall["under_eye_delta_l"] = delta
        level = float(np.median(lightness[cheeks]))
        out.maps["dark_circles"] = _norm_map(np.maximum(level - lightness, 0), eyes, 20.0)


def measure_acne(lab: np.ndarray, skin: np.ndarray, spec: MeasureSpec, out: FaceMeasures) -> None:
    """Inflamed lesions counted by `lesions.count_lesions` on the view's lesion skin, per face half shown
    (a front view shows two halves, a side view one: the Hayashi count is per half face)."""
    count, area, excess = count_lesions(lab[..., 1], skin, spec.px_per_mm)
    out.overall["red_lesion_count"] = float(count)
    out.overall["red_lesion_area_fraction"] = area
    out.overall["lesions_per_half_face"] = count / spec.face_halves
    out.overall["acne_hayashi_level"] = hayashi_level(count / spec.face_halves)
    out.maps["acne"] = _norm_map(_blur(np.maximum(excess - 2.0, 0), 1.5), skin, 8.0)


def refine_skin(lab: np.ndarray, masks: dict[str, np.ndarray], keep_out: list[np.ndarray] | None = None) -> float:
    """Drop hair, brows, shadows and make-up edges from the region masks, in place: pixels much darker than
    the skin's median or far from its chromaticity (the "optional refinement by a skin-colour mask").
    Returns the fraction of region pixels removed (high = occluded face); `keep_out` receives the mask of
    pixels judged skin-coloured."""
    union = np.zeros(lab.shape[:2], dtype=bool)
    for mask in masks.values():
        union |= mask
    reference = masks["left_cheek"] | masks["right_cheek"] | masks["nose"] | masks["chin"]
    if not reference.any():
        reference = union
    if not union.any():
        return 0.0
    keep = ~_occluders(lab, np.median(lab[reference], axis=0))  # the lower face: hair covers the forehead more
    for name in masks:
        masks[name] &= keep
    if keep_out is not None:
        keep_out.append(keep)
    return float(1.0 - (union & keep).sum() / union.sum())


def front_spec(face: AlignedFace) -> MeasureSpec:
    """The front view: every region of `regions.py`, both face halves."""
    return MeasureSpec(masks=region_masks(face))


def measure_face(face: AlignedFace, spec: MeasureSpec | None = None) -> FaceMeasures:
    """All measures one view allows, on its crop (`spec`: the front view's when not given)."""
    spec = spec or front_spec(face)
    masks: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(face.rgb.shape[:2], dtype=bool))
    masks.update(spec.masks)
    lab = crop_lab(face.rgb)
    out = FaceMeasures()
    coloured: list[np.ndarray] = []
    out.overall["occluded_fraction"] = refine_skin(lab, masks, coloured)
    skin = np.zeros(face.rgb.shape[:2], dtype=bool)
    for name in spec.skin_names:
        skin |= masks[name]
    if skin.sum() < 200:
        return out
    measure_redness(lab, face.rgb, skin, masks, out)
    measure_pigmentation(lab, skin, masks, out)
    measure_shine(lab, skin, masks, out, spec.px_per_mm)
    if spec.scaled:
        measure_texture(lab, skin, masks, out)
        measure_wrinkles(lab, skin, masks, face, out, spec.crows_feet)
    measure_under_eye(lab, masks, out)
    lesion_skin = skin if spec.lesion_skin is None else spec.lesion_skin & (coloured[0] if coloured else True)
    measure_acne(lab, lesion_skin, spec, out)
    out.overall["face_resolution_iod_px"] = face.iod_photo
    return out


def _occluders(lab: np.ndarray, median: np.ndarray) -> np.ndarray:
    """Large areas much darker than the skin's median or far from its chromaticity (hair, brows, shadows,
    make-up edges); an opening removes lesion-sized blobs from them, because those are what is measured."""
    import cv2

    too_dark = lab[..., 0] < median[0] - DARK_OUTLIER_L
    off_colour = np.hypot(lab[..., 1] - median[1], lab[..., 2] - median[2]) > OFF_COLOUR_AB
    size = int(CANON_PX_PER_MM * 9) | 1
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    return np.asarray(cv2.morphologyEx((too_dark | off_colour).astype(np.uint8), cv2.MORPH_OPEN, kernel).astype(bool))

"""Skin measures on the aligned, white-balanced face crop, per region and overall, with a heat map each.

Units: CIELAB L*, a* (D65); the erythema index in units of 100·log10; fractions in 0..1; filter energies in
L* units on the canonical crop (inter-ocular distance 128 px). Every measure is *relative* where it can be
(a deviation from the face's own local average), so that overall brightness and shading change it little.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from desktop.ml.align import CANON_IOD, AlignedFace
from desktop.ml.landmarks import EYE_OUTER_LEFT, EYE_OUTER_RIGHT
from desktop.ml.regions import REGION_NAMES, polygon_mask, region_polygons

SKIN_REGIONS = ("forehead", "nose", "left_cheek", "right_cheek", "chin")
T_ZONE = ("forehead", "nose", "chin")
CHEEKS = ("left_cheek", "right_cheek")
UNDER_EYES = ("under_eye_left", "under_eye_right")
DARK_OUTLIER_L = 22.0  # L* units below the skin median: hair, brows, deep shadow
OFF_COLOUR_AB = 14.0  # a*b* distance from the skin median: hair, make-up, background


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
    linear = srgb_to_linear(rgb)
    ei = 100.0 * np.log10(np.maximum(linear[..., 0], 1e-4) / np.maximum(linear[..., 1], 1e-4))
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
    px_per_mm = CANON_IOD / 63.0  # adult mean inter-pupillary distance ≈ 63 mm
    count, area = _blobs(dark, (1.5 * px_per_mm) ** 2 * 0.785, (10 * px_per_mm) ** 2 * 0.785)
    out.overall["dark_spot_count"] = float(count)
    out.overall["dark_spot_area_fraction"] = float(area / max(1, int(skin.sum())))
    out.regions.setdefault("pigment_unevenness", {}).update(
        {name: _robust_std(detail[masks[name]]) for name in SKIN_REGIONS if masks[name].any()})
    out.maps["dark_spots"] = _norm_map(np.maximum(-detail - 2.0, 0), skin, 8.0)


def measure_shine(lab: np.ndarray, skin: np.ndarray, masks: dict[str, np.ndarray], out: FaceMeasures) -> None:
    """Specular shine: pixels much brighter than the skin's median L* and less saturated (a specular
    reflection keeps the light's colour, not the skin's: Shafer 1985 dichromatic reflection model).
    T-zone vs cheek shine is the usual evidence for oily / combination / dry (e.g. Youn et al. 2005)."""
    lightness, chroma = lab[..., 0], np.hypot(lab[..., 1], lab[..., 2])
    median_l = float(np.median(lightness[skin]))
    mad = float(np.median(np.abs(lightness[skin] - median_l))) or 1.0
    median_c = float(np.median(chroma[skin]))
    margin = min(12.0, max(8.0, 2.0 * mad))  # 8–12 L* units above the skin's median
    specular = skin & (lightness > median_l + margin) & (chroma < 0.75 * median_c)
    fractions = {name: float(specular[masks[name]].mean()) for name in SKIN_REGIONS if masks[name].any()}
    out.regions.setdefault("shine_fraction", {}).update(fractions)
    out.overall["shine_fraction"] = float(specular[skin].mean())
    out.overall["shine_t_zone"] = float(np.mean([fractions.get(n, 0.0) for n in T_ZONE]))
    out.overall["shine_cheeks"] = float(np.mean([fractions.get(n, 0.0) for n in CHEEKS]))
    out.maps["oiliness"] = _norm_map(_blur(specular.astype(np.float32), 2.0), skin, 0.5)


def measure_texture(lab: np.ndarray, skin: np.ndarray, masks: dict[str, np.ndarray], out: FaceMeasures) -> None:
    """Texture and pores from band-pass (difference-of-Gaussians) energy of L* (a standard image-texture
    roughness measure; cf. Lee et al. 2011, Skin Res Technol, pore detection by DoG). Pores: the fine band
    (σ 0.7–2 px ≈ 0.3–1 mm on the crop), dark side only; texture: the next band (σ 2–6 px)."""
    lightness = lab[..., 0]
    fine = _blur(lightness, 0.7) - _blur(lightness, 2.0)
    coarse = _blur(lightness, 2.0) - _blur(lightness, 6.0)
    cheeks_nose = masks["left_cheek"] | masks["right_cheek"] | masks["nose"]
    out.overall["pore_energy"] = float(np.sqrt(np.mean(np.minimum(fine, 0)[cheeks_nose] ** 2))) \
        if cheeks_nose.any() else 0.0
    out.overall["texture_energy"] = float(np.std(coarse[skin]))
    out.regions.setdefault("texture_energy", {}).update(
        {name: float(np.std(coarse[masks[name]])) for name in SKIN_REGIONS if masks[name].any()})
    out.maps["pores"] = _norm_map(_blur(np.maximum(-fine, 0), 1.5), skin, 2.0)
    out.maps["texture"] = _norm_map(_blur(np.abs(coarse), 3.0), skin, 4.0)


def measure_wrinkles(lab: np.ndarray, skin: np.ndarray, masks: dict[str, np.ndarray], face: AlignedFace,
                     out: FaceMeasures) -> None:
    """Line/wrinkle energy: the strongest response of an 8-orientation Gabor bank tuned to dark ridges
    (Gabor-filter wrinkle detection: Cula et al. 2013, Skin Res Technol 19:e491; Batool & Chellappa 2015),
    on the forehead, under the eyes and at the crow's-feet corners."""
    import cv2

    lightness = lab[..., 0] - _masked_blur(lab[..., 0], skin, 8.0)
    response = np.zeros_like(lightness)
    for k in range(8):
        kernel = cv2.getGaborKernel((21, 21), 3.0, np.pi * k / 8, 9.0, 0.4, np.pi)  # odd phase π: dark ridge
        kernel -= kernel.mean()
        kernel /= np.abs(kernel).sum() / 2  # unit gain: a response is in L* units
        response = np.maximum(response, cv2.filter2D(lightness.astype(np.float32), cv2.CV_32F, kernel))
    zones = masks["forehead"] | masks["under_eye_left"] | masks["under_eye_right"] | _crows_feet(face)
    zones &= face.valid
    out.overall["wrinkle_energy"] = float(np.mean(response[zones])) if zones.any() else 0.0
    out.regions.setdefault("wrinkle_energy", {}).update(
        {name: float(np.mean(response[masks[name]])) for name in ("forehead", *UNDER_EYES) if masks[name].any()})
    out.maps["wrinkles"] = _norm_map(_blur(response, 1.5), zones, 12.0)


def _crows_feet(face: AlignedFace) -> np.ndarray:
    """Small boxes just outside each outer eye corner."""
    mask = np.zeros(face.rgb.shape[:2], dtype=bool)
    half = int(CANON_IOD * 0.12)
    for corner, direction in ((EYE_OUTER_RIGHT, -1), (EYE_OUTER_LEFT, 1)):
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


def measure_acne(local_a: np.ndarray, skin: np.ndarray, out: FaceMeasures) -> None:
    """Inflamed lesions: compact red blobs (`local_a`, the localised a* of `measure_redness`, more than 6 units
    above the local level) of papule size (≈1–6 mm). A colour heuristic in the spirit of image-based acne
    counting (e.g. Alamdari et al. 2016, "Detection and classification of acne lesions"), not a lesion
    classifier."""
    px_per_mm = CANON_IOD / 63.0
    red = (local_a > 6.0) & _eroded(skin)
    count, area = _blobs(red, (1.0 * px_per_mm) ** 2 * 0.785, (8 * px_per_mm) ** 2 * 0.785)
    out.overall["red_lesion_count"] = float(count)  # papules and pustules are ~1–8 mm across
    out.overall["red_lesion_area_fraction"] = float(area / max(1, int(skin.sum())))
    out.maps["acne"] = _norm_map(_blur(np.maximum(local_a - 3.0, 0), 1.5), skin, 8.0)


def refine_skin(lab: np.ndarray, masks: dict[str, np.ndarray]) -> float:
    """Drop hair, brows, shadows and make-up edges from the region masks, in place: pixels much darker than
    the skin's median or far from its chromaticity (the "optional refinement by a skin-colour mask").
    Returns the fraction of region pixels removed (high = occluded face)."""
    union = np.zeros(lab.shape[:2], dtype=bool)
    for mask in masks.values():
        union |= mask
    reference = masks["left_cheek"] | masks["right_cheek"] | masks["nose"] | masks["chin"]
    if not union.any() or not reference.any():
        return 0.0
    median = np.median(lab[reference], axis=0)  # the lower face: hair covers the forehead far more often
    import cv2

    too_dark = lab[..., 0] < median[0] - DARK_OUTLIER_L
    off_colour = np.hypot(lab[..., 1] - median[1], lab[..., 2] - median[2]) > OFF_COLOUR_AB
    # only large areas are occluders: an opening removes lesion-sized blobs (they are what we measure)
    size = int(CANON_IOD / 63.0 * 9) | 1
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    keep = ~cv2.morphologyEx((too_dark | off_colour).astype(np.uint8), cv2.MORPH_OPEN, kernel).astype(bool)
    for name in masks:
        masks[name] &= keep
    return float(1.0 - (union & keep).sum() / union.sum())


def measure_face(face: AlignedFace) -> FaceMeasures:
    """All measures of one aligned face."""
    masks = region_masks(face)
    lab = crop_lab(face.rgb)
    out = FaceMeasures()
    out.overall["occluded_fraction"] = refine_skin(lab, masks)
    skin = np.zeros(face.rgb.shape[:2], dtype=bool)
    for name in SKIN_REGIONS:
        skin |= masks[name]
    if skin.sum() < 200:
        return out
    local_a = measure_redness(lab, face.rgb, skin, masks, out)
    measure_pigmentation(lab, skin, masks, out)
    measure_shine(lab, skin, masks, out)
    measure_texture(lab, skin, masks, out)
    measure_wrinkles(lab, skin, masks, face, out)
    measure_under_eye(lab, masks, out)
    measure_acne(local_a, skin, out)
    out.overall["face_resolution_iod_px"] = face.iod_photo
    return out

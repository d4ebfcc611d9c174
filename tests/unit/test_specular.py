"""The specular and flaking measures (`desktop.ml.specular`) on crafted skin patches in linear light: sharp
specular highlights read as shine, the same skin matte does not, nor does exposure, broad smooth grey light,
or pale flakes; and the shipped oiliness score of a close-up follows them."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from desktop.ml.measures import crop_lab
from desktop.ml.specular import FLAKE_NONE, linear_rgb, specular_measures, specular_ratio
from desktop.ml.whitebalance import linear_to_srgb8

SIZE = 200
PX_PER_MM = 4.0
SKIN_LINEAR = np.array([0.42, 0.26, 0.18], np.float32)  # a mid skin tone (Monk 4–5), linear sRGB


def matte(seed: int = 0) -> np.ndarray:
    """Skin in linear light: a soft shading ramp (a curved cheek) and fine multiplicative texture."""
    rng = np.random.default_rng(seed)
    shading = np.linspace(0.85, 1.1, SIZE, dtype=np.float32)[None, :, None]
    grain = cv2.GaussianBlur(rng.normal(0, 1, (SIZE, SIZE)).astype(np.float32), (0, 0), 0.8)[..., None]
    return np.asarray(SKIN_LINEAR * shading * (1 + 0.03 * grain), np.float32)


def dots(seed: int, count: int, radius: float) -> np.ndarray:
    rng = np.random.default_rng(seed)
    canvas = np.zeros((SIZE, SIZE), np.float32)
    for x, y in rng.uniform(10, SIZE - 10, (count, 2)):
        cv2.circle(canvas, (int(x), int(y)), max(1, int(radius)), 1.0, -1, lineType=cv2.LINE_AA)
    return canvas


def with_glints(linear: np.ndarray, seed: int = 1, strength: float = 0.45) -> np.ndarray:
    """Small, sharp specular highlights: grey light added (the light's colour, not the skin's)."""
    return np.asarray(linear + (strength * dots(seed, 60, 2))[..., None], np.float32)


def with_flakes(linear: np.ndarray, seed: int = 2) -> np.ndarray:
    """Pale scales a fraction of a millimetre across: the skin's own colour, scattering more (no added grey)."""
    scale = cv2.GaussianBlur(dots(seed, 900, 1), (0, 0), 0.6)
    return np.asarray(linear * (1 + 0.45 * scale)[..., None], np.float32)


def measured(linear: np.ndarray) -> dict[str, float]:
    lab = crop_lab(linear_to_srgb8(np.clip(linear, 0, 1)))
    values, _map = specular_measures(lab, np.ones((SIZE, SIZE), bool), PX_PER_MM)
    return values


def test_sharp_highlights_score_higher_than_the_same_skin_matte() -> None:
    base, shiny = measured(matte()), measured(with_glints(matte()))
    assert base["oily_shine"] < 0.001
    assert shiny["oily_shine"] > 0.005 and shiny["oily_shine"] > 10 * base["oily_shine"]
    assert shiny["specular_peak"] > base["specular_peak"] + 0.3
    assert shiny["highlight_energy"] > 10 * max(base["highlight_energy"], 1e-4)


def test_specular_share_does_not_follow_exposure() -> None:
    """Half or 1.25 times the light on the same shiny skin (glints kept below clipping): the shine measures are
    shares of the skin's own brightness, so they hardly move."""
    shiny = with_glints(matte(), strength=0.3)
    reference = measured(shiny)
    assert reference["oily_shine"] > 0.005
    for gain in (0.5, 1.25):
        other = measured(np.clip(shiny * gain, 0, 1))
        for name in ("oily_shine", "specular_peak"):
            assert other[name] == pytest.approx(reference[name], rel=0.25), (gain, name)


def test_broad_smooth_grey_light_is_not_shine() -> None:
    """Grey light rising smoothly across the patch (a broad reflection of a window, haze, a white-balance
    error on one side), up to more than the glints' share: nowhere does it stand above its surround."""
    broad = matte() + np.linspace(0.0, 0.3, SIZE, dtype=np.float32)[None, :, None]
    assert measured(broad)["specular_energy"] > 0.01  # it is specular-like light...
    assert measured(broad)["oily_shine"] < 0.1 * measured(with_glints(matte()))["oily_shine"]  # ...but not glints


def test_pale_flakes_are_dry_not_oily() -> None:
    base, flaky, shiny = measured(matte()), measured(with_flakes(matte())), measured(with_glints(matte()))
    assert flaky["flake_energy"] > max(FLAKE_NONE, 2 * base["flake_energy"])
    assert flaky["oily_shine"] < 0.2 * shiny["oily_shine"]
    both = measured(with_glints(with_flakes(matte())))
    assert both["oily_shine"] < 0.9 * shiny["oily_shine"]  # flaking discounts what shine there is


def test_specular_ratio_is_the_grey_share_of_a_pixels_light() -> None:
    """A pixel of pure skin colour has no specular share; one with grey light equal to the skin's brightness
    added has a share of 1 (dichromatic model, grey illuminant)."""
    linear = np.tile(SKIN_LINEAR, (10, 10, 1))
    linear[0, 0] += SKIN_LINEAR.sum() / 3
    ratio = specular_ratio(linear, np.ones((10, 10), bool))
    assert ratio[5, 5] == pytest.approx(0.0, abs=1e-4)
    assert ratio[0, 0] == pytest.approx(1.0, abs=0.02)
    round_trip = linear_rgb(crop_lab(linear_to_srgb8(linear)))
    assert np.allclose(round_trip[5, 5], SKIN_LINEAR, atol=0.01)


def test_the_oiliness_score_of_a_close_up_counts_glints_not_flakes() -> None:
    """Through the whole analysis (close-up view, skin mask, white balance, measures, scores), without the CNN:
    the shipped oiliness reads the glints, ignores flakes, and flaking lowers it."""
    from desktop.ml.analyzer import Analyzer
    from desktop.ml.report import SkinReport

    analyzer = Analyzer()
    scores = {}
    for name, linear in (("matte", matte()), ("glints", with_glints(matte())), ("flakes", with_flakes(matte())),
                         ("both", with_glints(with_flakes(matte())))):
        report = analyzer.analyze_array(linear_to_srgb8(np.clip(linear, 0, 1)), view="closeup")
        assert isinstance(report, SkinReport) and report.view == "closeup"
        scores[name] = report.concerns["oiliness"]
    assert scores["glints"] is not None and scores["matte"] is not None and scores["flakes"] is not None
    assert scores["glints"] > scores["matte"] + 30
    assert scores["flakes"] <= scores["matte"] + 5
    assert scores["both"] is not None and scores["flakes"] < scores["both"] < scores["glints"] - 10

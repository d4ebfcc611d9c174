import numpy as np
import pytest
from skimage import color

from desktop.ml import colour


def lab_to_rgb8(lab: tuple[float, float, float]) -> np.ndarray:
    rgb = color.lab2rgb(np.array([[lab]], dtype=np.float64))
    return np.clip(np.round(rgb * 255), 0, 255).astype(np.uint8)


@pytest.mark.parametrize(("lab", "category"), [
    ((80.0, 6.0, 14.0), "very light"),
    ((70.0, 8.0, 18.0), "light"),
    ((62.0, 10.0, 18.0), "intermediate"),
    ((55.0, 12.0, 20.0), "tan"),
    ((42.0, 12.0, 20.0), "brown"),
    ((25.0, 10.0, 12.0), "dark"),
])
def test_ita_recovered_from_srgb_patch_within_one_degree(lab: tuple[float, float, float], category: str) -> None:
    expected = colour.ita_degrees(lab[0], lab[2])
    measured_lab = colour.rgb_to_lab(lab_to_rgb8(lab))[0, 0]
    measured = colour.ita_degrees(measured_lab[0], measured_lab[2])
    assert measured == pytest.approx(expected, abs=1.0)
    assert colour.ita_category(measured) == category


def test_ita_band_edges_follow_the_table() -> None:
    assert colour.ita_category(55.0) == "light"  # upper bound inclusive
    assert colour.ita_category(55.01) == "very light"
    assert colour.ita_category(-30.0) == "dark"
    assert colour.ita_category(-29.9) == "brown"


@pytest.mark.parametrize("level", range(1, 11))
def test_each_monk_swatch_maps_to_itself(level: int) -> None:
    palette = colour.monk_palette_lab()
    assert colour.nearest_monk(palette[level - 1]) == level


@pytest.mark.parametrize("level", range(1, 11))
def test_a_flat_patch_of_each_monk_swatch_returns_that_swatch_and_its_own_ita(level: int) -> None:
    swatch = colour.monk_palette_rgb()[level - 1]
    tone = colour.skin_tone(np.broadcast_to(swatch, (40, 40, 3)))
    assert tone is not None
    lab = colour.monk_palette_lab()[level - 1]
    assert tone.monk == level
    assert tone.ita == pytest.approx(colour.ita_degrees(lab[0], lab[2]), abs=0.01)
    assert tone.category == colour.ita_category(tone.ita)


def test_monk_level_never_gets_darker_as_ita_gets_lighter() -> None:
    levels = [colour.monk_from_ita(ita) for ita in np.linspace(100, -100, 801)]
    assert levels == sorted(levels)
    assert set(levels) == set(range(1, 11))


def test_monk_follows_ita_not_chroma() -> None:
    """Two skins of equal ITA° but different chroma get the same level; a 20° lighter ITA° a lighter one."""
    same_ita = [colour.nearest_monk(np.array([65.0, a, 15.0])) for a in (4.0, 10.0, 16.0)]
    assert len(set(same_ita)) == 1
    lighter = colour.nearest_monk(np.array([72.0, 10.0, 14.0]))  # ITA ≈ 57°, against 45° above
    assert lighter < same_ita[0]


def test_too_few_skin_pixels_give_no_tone() -> None:
    assert colour.skin_tone(np.zeros((3, 3, 3), np.uint8)) is None


def test_undertone_from_hue_angle() -> None:
    assert colour.undertone(np.array([60.0, 10.0, 25.0])) == "warm"
    assert colour.undertone(np.array([60.0, 14.0, 14.0])) == "cool"

"""The heat maps' one colour scale and the results summary in words (no Qt needed)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from desktop.heatmap import MIN_SHOWN, colour_scale, legend_rgba
from desktop.ui.summary import ESTIMATE_WORDS, stand_out, summary_html


def test_one_colour_scale_clear_skin_stays_clear_and_more_is_darker_and_stronger() -> None:
    values = np.linspace(0.0, 1.0, 101, dtype=np.float32)
    rgba = colour_scale(values).astype(int)
    assert (rgba[values < MIN_SHOWN, 3] == 0).all() and (rgba[values > MIN_SHOWN + 0.005, 3] > 0).all()
    assert (np.diff(rgba[:, 3]) >= 0).all()  # opacity never falls as the value rises
    luminance = rgba[:, :3] @ np.array([0.2126, 0.7152, 0.0722])
    assert (np.diff(luminance) <= 1e-6).all() and luminance[0] - luminance[-1] > 150  # light yellow → dark red
    legend = legend_rgba(64, 4)
    assert legend.shape == (4, 64, 4) and (legend[..., 3] == 255).all()


def _report(concerns: dict[str, float | None], status: dict[str, str] | None = None) -> SimpleNamespace:
    return SimpleNamespace(concerns=concerns, concern_status=status)


def test_the_summary_names_the_two_or_three_that_stand_out_with_what_helps() -> None:
    concerns = {"acne": 60.0, "redness": 20.0, "dark_spots": 44.0, "oiliness": 30.0, "texture": 80.0}
    assert stand_out(concerns) == ["texture", "acne", "dark_spots"]  # highest first, at most three
    text = summary_html(_report(concerns, {"texture": "validated"}), {"acne": "on the chin"})
    assert text.index("Texture") < text.index("Breakouts") < text.index("Dark spots")
    assert "Shine" not in text and "Redness" not in text  # 30 would be a fourth; 20 is low
    assert "mostly on the chin" in text and text.count("What helps") == 3
    assert text.count(ESTIMATE_WORDS) == 2  # texture is validated, the other two are estimates


def test_nothing_stands_out_says_so() -> None:
    text = summary_html(_report({"acne": 3.0, "redness": None}), {})
    assert "Nothing stands out" in text and "What helps" not in text

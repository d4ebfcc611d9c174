"""Skin tone on real studio faces (../shared/data/faces, CC BY 4.0, through the `shared_data` fixture):
ITA° and the Monk level must agree in rank, and the scale must be used where the people span it."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def face_tones(shared_data: Path) -> list[Any]:
    sys.path.insert(0, str(REPO / "bench"))
    from tone_faces import tones

    return tones(shared_data / "faces", every=4)  # 61 of the 244 photos, from both sets and every group


def test_ita_and_monk_agree_in_rank_on_real_faces(face_tones: list[Any]) -> None:
    from tone_faces import summary

    result = summary(face_tones)
    assert result["photos"] >= 55
    assert result["spearman_ita_monk"] <= -0.9


def test_the_monk_scale_spans_the_people(face_tones: list[Any]) -> None:
    """The sample holds white adults with ITA° near 70 and black adults near −50: they must not share a level
    range, and together they cover at least six levels."""
    levels = {r.monk for r in face_tones}
    assert len(levels) >= 6
    white = [r.monk for r in face_tones if r.group == "white"]
    black = [r.monk for r in face_tones if r.group == "black"]
    assert min(white) <= 3 and max(black) >= 8

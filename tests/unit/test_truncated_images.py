"""Every supported format, cut at any byte offset, is `truncated_image` (or `not_an_image` when too little is
left to tell the format): never `internal_error`, never a traceback, never a half-decoded photo analysed."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from desktop.ml.analyzer import Analyzer
from desktop.ml.imaging import ImageError, load_image
from desktop.ml.report import AnalysisFailure

FORMATS = [("PNG", {}), ("JPEG", {"quality": 90}), ("JPEG", {"progressive": True}), ("WEBP", {"quality": 80}),
           ("WEBP", {"lossless": True}), ("TIFF", {}), ("TIFF", {"compression": "tiff_lzw"}), ("GIF", {})]
CUTS = 80  # offsets per file, spread over its whole length (the header, the pixels, the last bytes)


def encoded(rgb: np.ndarray, fmt: str, options: dict[str, object]) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, fmt, **options)
    return buffer.getvalue()


def offsets(length: int) -> list[int]:
    return sorted({*np.linspace(1, length - 1, CUTS).astype(int).tolist(), length - 1, length - 2, 8, 16, 64})


@pytest.mark.parametrize(("fmt", "options"), FORMATS, ids=[f"{f}-{'-'.join(o)}" for f, o in FORMATS])
def test_a_cut_file_is_truncated_or_not_an_image(astronaut_rgb: np.ndarray, fmt: str,
                                                 options: dict[str, object]) -> None:
    blob = encoded(astronaut_rgb[:240, 120:360], fmt, options)
    assert load_image(blob).rgb.shape[:2] == (240, 240)  # the whole file reads
    codes = {}
    for cut in offsets(len(blob)):
        with pytest.raises(ImageError) as info:
            load_image(blob[:cut])
        codes[cut] = info.value.code
    assert set(codes.values()) <= {"truncated_image", "not_an_image"}, codes
    if options.get("compression") != "tiff_lzw":  # Pillow writes that TIFF's directory last: cut, it is unknown
        assert list(codes.values()).count("truncated_image") >= len(codes) // 2, codes  # most are named as such


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP", "TIFF", "GIF"])
def test_the_analyser_reports_a_cut_file_as_a_failure_with_its_code(astronaut_rgb: np.ndarray, fmt: str) -> None:
    analyzer = Analyzer()
    blob = encoded(astronaut_rgb[:240, 120:360], fmt, {})
    for cut in offsets(len(blob))[::8]:
        result = analyzer.analyze(blob[:cut], name=f"{fmt}@{cut}")
        assert isinstance(result, AnalysisFailure)
        assert result.code in {"truncated_image", "not_an_image"}, (cut, result)

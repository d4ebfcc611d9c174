"""`analyze` never raises, whatever bytes it is given: hypothesis-generated and a corpus of broken files."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from desktop.ml.analyzer import Analyzer
from desktop.ml.report import AnalysisFailure, SkinReport


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


@pytest.fixture(scope="module")
def jpeg(astronaut_rgb: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(astronaut_rgb).save(buf, "JPEG", quality=90)
    return buf.getvalue()


def _encode(img: Image.Image, fmt: str, **kw: object) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **kw)
    return buf.getvalue()


def _huge_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 50000, 50000, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b""))


def corpus(astronaut: np.ndarray, jpeg: bytes) -> dict[str, tuple[bytes, str | None]]:
    """name -> (bytes, expected code, or None when the face must be found)."""
    img = Image.fromarray(astronaut)
    rotated = img.rotate(90, expand=True)
    exif = rotated.getexif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display": upright again
    gif = io.BytesIO()
    img.save(gif, "GIF", save_all=True, append_images=[img.rotate(10)])
    return {
        "zero bytes": (b"", "not_an_image"),
        "text as jpg": (b"hello, I am not a photo\n" * 10, "not_an_image"),
        "truncated jpeg": (jpeg[: len(jpeg) // 3], "truncated_image"),
        "jpeg header only": (jpeg[:200], "truncated_image"),
        "huge dimensions": (_huge_png(), "too_large"),
        "1x1": (_encode(Image.new("RGB", (1, 1)), "PNG"), "too_small"),
        "cmyk jpeg": (_encode(img.convert("CMYK"), "JPEG"), None),
        "16-bit png": (_encode(Image.fromarray(np.asarray(img.convert("L")).astype(np.uint16) * 257), "PNG"), None),
        "rgba png": (_encode(img.convert("RGBA"), "PNG"), None),
        "grey jpeg": (_encode(img.convert("L"), "JPEG"), None),
        "animated gif": (gif.getvalue(), None),
        "exif rotated": (_encode(rotated, "JPEG", exif=exif), None),
        "webp": (_encode(img, "WEBP"), None),
    }


def test_corpus_of_broken_and_unusual_files(analyzer: Analyzer, astronaut_rgb: np.ndarray, jpeg: bytes) -> None:
    for name, (data, code) in corpus(astronaut_rgb, jpeg).items():
        result = analyzer.analyze(data, name=name)
        if code is None:
            assert isinstance(result, SkinReport), (name, result)
        else:
            assert isinstance(result, AnalysisFailure) and result.code == code, (name, result)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=4096))
def test_random_bytes_never_raise(analyzer: Analyzer, data: bytes) -> None:
    """Random bytes are never a photo with a face: each must fail with the code that says why, never with
    `internal_error` (the analyser's net for unexpected exceptions, which would hide a decoder bug)."""
    result = analyzer.analyze(data)
    assert isinstance(result, AnalysisFailure), result
    assert result.error and result.code != "internal_error", result


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_mutated_jpegs_never_raise(analyzer: Analyzer, jpeg: bytes, data: st.DataObject) -> None:
    blob = bytearray(jpeg)
    for _ in range(data.draw(st.integers(1, 20))):
        position = data.draw(st.integers(0, len(blob) - 1))
        blob[position] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(100, len(blob)))
    result = analyzer.analyze(bytes(blob[:cut]))
    assert isinstance(result, AnalysisFailure | SkinReport)
    if isinstance(result, AnalysisFailure):
        assert result.error and result.code != "internal_error", result

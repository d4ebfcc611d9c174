import io
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from desktop.ml.imaging import ImageError, load_image


def _bytes(img: Image.Image, fmt: str, **kw: object) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **kw)
    return buf.getvalue()


@pytest.mark.parametrize(("name", "code"), [
    ("not_an_image.jpg", "not_an_image"),
    ("truncated.jpg", "truncated_image"),
    ("missing.jpg", "not_found"),
])
def test_broken_files_give_codes(photo_dir: Path, name: str, code: str) -> None:
    with pytest.raises(ImageError) as info:
        load_image(photo_dir / name)
    assert info.value.code == code
    assert info.value.message.endswith(".")


def test_empty_and_tiny_images() -> None:
    with pytest.raises(ImageError) as info:
        load_image(b"")
    assert info.value.code == "not_an_image"
    with pytest.raises(ImageError) as info:
        load_image(_bytes(Image.new("RGB", (1, 1)), "PNG"))
    assert info.value.code == "too_small"


def _png_header(width: int, height: int) -> bytes:
    """A PNG whose header claims width x height: a decompression bomb in a few bytes."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 16)) + chunk(b"IEND", b"")


@pytest.mark.parametrize(("width", "height"), [(30000, 30000), (12000, 9000)])
def test_huge_dimensions_are_refused_before_decoding(width: int, height: int) -> None:
    with pytest.raises(ImageError) as info:
        load_image(_png_header(width, height))
    assert info.value.code == "too_large"


@pytest.mark.parametrize("mode", ["CMYK", "L", "LA", "RGBA", "P", "I;16"])
def test_modes_are_converted_to_rgb(mode: str) -> None:
    base = Image.new("RGB", (64, 48), (200, 150, 120))
    img = base.convert(mode) if mode != "I;16" else Image.fromarray(np.full((48, 64), 40000, dtype=np.uint16))
    fmt = "TIFF" if mode in ("CMYK", "I;16") else "PNG"
    loaded = load_image(_bytes(img, fmt))
    assert loaded.rgb.shape == (48, 64, 3) and loaded.rgb.dtype == np.uint8


def test_exif_rotation_is_applied() -> None:
    img = Image.new("RGB", (80, 40), (10, 20, 30))
    exif = img.getexif()
    exif[0x0112] = 6  # rotate 90° clockwise on display
    loaded = load_image(_bytes(img, "JPEG", exif=exif))
    assert loaded.rgb.shape[:2] == (80, 40)
    assert loaded.original_size == (40, 80)


def test_large_photos_are_scaled_to_max_side() -> None:
    loaded = load_image(_bytes(Image.new("RGB", (4000, 3000), (120, 90, 80)), "JPEG"), max_side=1000)
    assert max(loaded.rgb.shape[:2]) == 1000
    assert loaded.scale == pytest.approx(0.25)


def test_animated_gif_uses_first_frame() -> None:
    frames = [Image.new("RGB", (50, 50), c) for c in ((255, 0, 0), (0, 0, 255))]
    buf = io.BytesIO()
    frames[0].save(buf, "GIF", save_all=True, append_images=frames[1:])
    loaded = load_image(buf.getvalue())
    assert loaded.rgb[25, 25, 0] > 200 and loaded.rgb[25, 25, 2] < 50

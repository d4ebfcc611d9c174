import io
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
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


BASE = (200, 150, 120)


@pytest.mark.parametrize("mode", ["RGB", "CMYK", "L", "LA", "RGBA", "P", "I;16"])
def test_modes_are_converted_to_rgb_with_their_colours(mode: str) -> None:
    base = Image.new("RGB", (64, 48), BASE)
    img = {"P": base.quantize(4), "I;16": Image.fromarray(np.full((48, 64), 40000, dtype=np.uint16))}.get(
        mode, base.convert(mode))
    fmt = "TIFF" if mode in ("CMYK", "I;16") else "PNG"
    loaded = load_image(_bytes(img, fmt))
    assert loaded.rgb.shape == (48, 64, 3) and loaded.rgb.dtype == np.uint8
    grey = np.asarray(base.convert("L"))[0, 0].repeat(3)
    expected = {"L": grey, "LA": grey, "I;16": (156, 156, 156)}.get(mode, BASE)
    assert np.abs(loaded.rgb.astype(int) - np.asarray(expected, int)).max() <= 1, loaded.rgb[0, 0]


@pytest.mark.parametrize("fmt", ["PNG", "TIFF"])
@pytest.mark.parametrize("value", [0, 200, 257 * 100, 40000, 65535])
def test_16_bit_greys_are_scaled_to_8_bit_not_wrapped(fmt: str, value: int) -> None:
    """A 16-bit grey v is 8-bit round(v / 257), however dark the photo (200 of 65535 is black, not 200)."""
    loaded = load_image(_bytes(Image.fromarray(np.full((40, 40), value, dtype=np.uint16)), fmt))
    assert (loaded.rgb == round(value / 257)).all(), (value, loaded.rgb[0, 0])


def test_a_16_bit_gradient_keeps_its_order_and_range() -> None:
    ramp = np.tile(np.linspace(0, 65535, 256).astype(np.uint16), (40, 1))
    row = load_image(_bytes(Image.fromarray(ramp), "PNG")).rgb[0, :, 0].astype(int)
    assert row[0] == 0 and row[-1] == 255 and (np.diff(row) >= 0).all()
    assert np.abs(row - np.round(ramp[0] / 257)).max() <= 1


@pytest.mark.parametrize(("fmt", "dtype"), [("PNG", "<u2"), ("TIFF", "<u2"), ("TIFF", ">u2")])
def test_every_16_bit_value_becomes_its_nearest_8_bit_value(fmt: str, dtype: str) -> None:
    """All 65,536 greys, little- and big-endian (Pillow's I;16 and I;16B): each is round(v / 257)."""
    every = np.arange(65536, dtype=np.uint16).reshape(256, 256)
    loaded = load_image(_bytes(Image.fromarray(every.astype(dtype)), fmt), max_side=256)
    assert (loaded.rgb == np.round(every / 257).astype(np.uint8)[..., None]).all()


@pytest.mark.filterwarnings("ignore:IM image format is deprecated")
@pytest.mark.parametrize(("mode", "value"), [("I;16L", 40000), ("I;16B", 40000), ("I;16L", 200)])
def test_16_bit_greys_of_either_byte_order_are_scaled_too(mode: str, value: int) -> None:
    """Pillow's IM format keeps the byte order in the mode (I;16L, I;16B): the same scale applies."""
    loaded = load_image(_bytes(Image.new(mode, (40, 40), value), "IM"))
    assert (loaded.rgb == round(value / 257)).all(), loaded.rgb[0, 0]


@pytest.mark.parametrize(("value", "expected"), [(200, 200), (255, 255), (256, 1), (40000, 156), (100000, 255),
                                                 (-5, 0)])
def test_a_32_bit_integer_image_is_read_by_its_range(value: int, expected: int) -> None:
    """A 32-bit grey TIFF (Pillow's "I") holding values up to 255 is an 8-bit image in a wide container; above
    that it is read as 16-bit, and values outside 16 bits saturate at black or white instead of wrapping."""
    loaded = load_image(_bytes(Image.fromarray(np.full((40, 40), value, dtype=np.int32)), "TIFF"))
    assert (loaded.rgb == expected).all(), loaded.rgb[0, 0]


def test_a_floating_point_image_is_stretched_over_its_own_range() -> None:
    """A float TIFF (Pillow's "F") has no fixed scale: its darkest value is black, its brightest white."""
    columns = np.tile(np.repeat(np.array([10.0, 15.0, 20.0], np.float32), 16), (40, 1))
    row = load_image(_bytes(Image.fromarray(columns), "TIFF")).rgb[0, ::16]
    assert row.tolist() == [[0, 0, 0], [127, 127, 127], [255, 255, 255]]


def test_16_bit_colour_keeps_its_colour() -> None:
    import cv2

    bgr = np.zeros((40, 40, 3), np.uint16)
    bgr[..., 2], bgr[..., 1] = 40000, 10000  # red and green in OpenCV's channel order
    ok, png = cv2.imencode(".png", bgr)
    assert ok
    assert tuple(load_image(png.tobytes()).rgb[0, 0]) == (156, 39, 0)


def _half_transparent_red() -> Image.Image:
    rgba = np.zeros((40, 64, 4), np.uint8)
    rgba[..., 0] = 255
    rgba[:, 32:, 3] = 128  # left half fully transparent, right half half-transparent red
    return Image.fromarray(rgba, "RGBA")


@pytest.mark.parametrize(("fmt", "options"), [("PNG", {}), ("WEBP", {"lossless": True}), ("TIFF", {})])
def test_transparency_is_flattened_on_neutral_grey(fmt: str, options: dict[str, object]) -> None:
    """Not on black or white: either would shift the white balance and the tone measured next to it."""
    rgb = load_image(_bytes(_half_transparent_red(), fmt, **options)).rgb
    assert tuple(rgb[20, 10]) == (128, 128, 128)
    assert np.abs(rgb[20, 50].astype(int) - (192, 64, 64)).max() <= 1  # 50 % red over 50 % grey


def test_transparent_grey_and_palette_images_are_flattened_on_grey_too() -> None:
    la = Image.fromarray(np.dstack([np.full((40, 40), 255, np.uint8), np.zeros((40, 40), np.uint8)]), "LA")
    assert tuple(load_image(_bytes(la, "PNG")).rgb[5, 5]) == (128, 128, 128)
    palette = Image.new("P", (40, 40), 0)
    palette.putpalette([255, 0, 0, 0, 0, 255])
    palette.paste(1, (20, 0, 40, 40))  # left: index 0 (red, transparent), right: index 1 (blue)
    for fmt in ("PNG", "GIF"):
        rgb = load_image(_bytes(palette, fmt, transparency=0)).rgb
        assert tuple(rgb[5, 5]) == (128, 128, 128) and tuple(rgb[5, 30]) == (0, 0, 255), fmt


def test_a_palette_image_with_an_alpha_channel_is_flattened_on_grey() -> None:
    """TIFF keeps a palette with an alpha band (Pillow's "PA"): transparent pixels are grey, not the palette's red."""
    palette = Image.new("P", (40, 40), 0)
    palette.putpalette([255, 0, 0, 0, 0, 255])
    palette.paste(1, (20, 0, 40, 40))  # left: red, right: blue
    pa = palette.convert("PA")
    alpha = Image.new("L", (40, 40), 255)
    alpha.paste(0, (0, 0, 20, 40))  # the red half transparent
    pa.putalpha(alpha)
    rgb = load_image(_bytes(pa, "TIFF")).rgb
    assert tuple(rgb[5, 5]) == (128, 128, 128) and tuple(rgb[5, 30]) == (0, 0, 255)


@pytest.mark.parametrize(("mode", "key", "shown"), [("RGB", (0, 0, 0), (255, 0, 0)), ("L", 0, 200)])
def test_a_colour_key_is_transparent_and_flattened_on_grey(mode: str, key: object, shown: object) -> None:
    """A PNG may mark one colour transparent instead of storing alpha: those pixels are grey, not the key."""
    img = Image.new(mode, (40, 40), key)  # type: ignore[arg-type]
    img.paste(Image.new(mode, (20, 40), shown), (20, 0))  # type: ignore[arg-type]
    rgb = load_image(_bytes(img, "PNG", transparency=key)).rgb
    assert tuple(rgb[5, 5]) == (128, 128, 128)
    assert tuple(rgb[5, 30]) == (shown if isinstance(shown, tuple) else (shown,) * 3)
    untouched = load_image(_bytes(img, "PNG")).rgb  # no key: the same pixels are simply black
    assert tuple(untouched[5, 5]) == (0, 0, 0)


def test_a_path_given_as_text_loads_like_a_path(photo_dir: Path) -> None:
    """The CLI and scripts pass file names as strings."""
    by_text = load_image(str(photo_dir / "astronaut.jpg"))
    assert (by_text.rgb == load_image(photo_dir / "astronaut.jpg").rgb).all()


QUADRANTS = {"top_left": (255, 0, 0), "top_right": (0, 255, 0), "bottom_left": (0, 0, 255),
             "bottom_right": (255, 255, 255)}


def _quadrant_photo(width: int = 80, height: int = 40) -> np.ndarray:
    """Four colours, one per quadrant: every rotation and mirror of it looks different."""
    rgb = np.zeros((height, width, 3), np.uint8)
    h, w = height // 2, width // 2
    rgb[:h, :w], rgb[:h, w:] = QUADRANTS["top_left"], QUADRANTS["top_right"]
    rgb[h:, :w], rgb[h:, w:] = QUADRANTS["bottom_left"], QUADRANTS["bottom_right"]
    return rgb


# EXIF orientation -> how the stored pixels are turned to be seen upright (the TIFF/EXIF definition)
UPRIGHT = {1: lambda a: a, 2: np.fliplr, 3: lambda a: np.rot90(a, 2), 4: np.flipud,
           5: lambda a: a.transpose(1, 0, 2), 6: lambda a: np.rot90(a, -1), 7: lambda a: np.rot90(np.fliplr(a), -1),
           8: lambda a: np.rot90(a, 1)}


@pytest.mark.parametrize("orientation", sorted(UPRIGHT))
def test_exif_orientation_turns_the_photo_upright(orientation: int) -> None:
    stored = _quadrant_photo()
    img = Image.fromarray(stored)
    exif = img.getexif()
    exif[0x0112] = orientation
    loaded = load_image(_bytes(img, "JPEG", exif=exif, quality=95, subsampling=0))
    expected = UPRIGHT[orientation](stored)
    assert loaded.rgb.shape == expected.shape
    assert loaded.original_size == (expected.shape[1], expected.shape[0])
    h, w = expected.shape[0] // 4, expected.shape[1] // 4
    for y, x in ((h, w), (h, 3 * w), (3 * h, w), (3 * h, 3 * w)):  # the middle of each quadrant
        assert np.abs(loaded.rgb[y, x].astype(int) - expected[y, x]).max() < 40, (orientation, y, x)


def test_a_rotated_photo_is_scaled_by_its_upright_size() -> None:
    img = Image.fromarray(_quadrant_photo(4000, 3000))
    exif = img.getexif()
    exif[0x0112] = 6
    loaded = load_image(_bytes(img, "JPEG", exif=exif), max_side=1000)
    assert loaded.rgb.shape == (1000, 750, 3) and loaded.original_size == (3000, 4000)
    assert loaded.scale == pytest.approx(0.25)
    assert loaded.rgb[100, 600, 0] > 200 and loaded.rgb[100, 600, 1] < 60  # the red corner is now top right


def test_large_photos_are_scaled_to_max_side() -> None:
    loaded = load_image(_bytes(Image.new("RGB", (4000, 3000), (120, 90, 80)), "JPEG"), max_side=1000)
    assert max(loaded.rgb.shape[:2]) == 1000
    assert loaded.scale == pytest.approx(0.25)


@pytest.mark.parametrize(("size", "expected"), [((5000, 32), (1, 64, 3)), ((32, 5000), (64, 1, 3))])
def test_a_strip_scaled_down_keeps_one_pixel_across(size: tuple[int, int], expected: tuple[int, ...]) -> None:
    """Its short side would round to 0 pixels: it is kept at 1 (an empty image would crash the analysis)."""
    loaded = load_image(_bytes(Image.new("RGB", size, (120, 90, 80)), "PNG"), max_side=64)
    assert loaded.rgb.shape == expected


def test_animated_gif_uses_first_frame() -> None:
    frames = [Image.new("RGB", (50, 50), c) for c in ((255, 0, 0), (0, 0, 255))]
    buf = io.BytesIO()
    frames[0].save(buf, "GIF", save_all=True, append_images=frames[1:])
    loaded = load_image(buf.getvalue())
    assert loaded.rgb[25, 25, 0] > 200 and loaded.rgb[25, 25, 2] < 50


def _noise_photo() -> Image.Image:
    return Image.fromarray((np.random.default_rng(0).random((48, 64, 3)) * 255).astype(np.uint8))


SEEDS = {fmt: _bytes(_noise_photo(), fmt) for fmt in ("PNG", "JPEG", "GIF", "BMP", "TIFF", "WEBP", "ICO", "PPM", "TGA",
                                                      "PCX", "SGI", "DDS", "QOI")}
CODES = {"not_an_image", "truncated_image", "corrupt_image", "too_large", "too_small"}


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(sorted(SEEDS)), st.data())
def test_damaged_files_of_every_readable_format_load_or_fail_with_a_code(fmt: str, data: st.DataObject) -> None:
    """Pillow's decoders raise many kinds of exception; each must come out as an ImageError with its code."""
    blob = bytearray(SEEDS[fmt])
    for _ in range(data.draw(st.integers(0, 20))):
        blob[data.draw(st.integers(0, len(blob) - 1))] = data.draw(st.integers(0, 255))
    blob = blob[: data.draw(st.integers(0, len(blob)))]
    try:
        loaded = load_image(bytes(blob))
    except ImageError as exc:
        assert exc.code in CODES and exc.message.endswith("."), (exc.code, exc.message)
    else:
        assert loaded.rgb.dtype == np.uint8 and loaded.rgb.ndim == 3 and loaded.rgb.shape[2] == 3


def test_a_png_damaged_inside_its_pixel_data_is_corrupt_not_a_crash() -> None:
    """Reading a PNG's EXIF decodes its pixels (EXIF may follow them): the decode error must be caught there."""
    png = bytearray(SEEDS["PNG"])
    start = png.index(b"IDAT") + 4
    length = struct.unpack(">I", png[start - 8:start - 4])[0]
    for k in range(start + length // 2, start + length // 2 + 8):
        png[k] ^= 0xFF
    with pytest.raises(ImageError) as info:
        load_image(bytes(png))
    assert info.value.code == "corrupt_image"


def test_a_format_variant_pillow_cannot_decode_is_not_an_image_we_read() -> None:
    dds = bytearray(SEEDS["DDS"])
    dds[80:84] = struct.pack("<I", 0)  # no pixel format flags: Pillow raises NotImplementedError
    with pytest.raises(ImageError) as info:
        load_image(bytes(dds))
    assert info.value.code == "not_an_image"

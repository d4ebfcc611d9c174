"""What a person or a script is told when a photo cannot be analysed: one stable code and one exact sentence
per refusal, from the file on disk to the decoded pixels, and the limits on either side of each boundary.

The GUI shows the sentence and the CLI prints it (with the code for scripts), so both are pinned here word
for word: a refusal that says the wrong thing misleads as surely as one with the wrong code.
"""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from desktop.ml.imaging import MAX_FILE_BYTES, MAX_PIXELS, MIN_SIDE, ImageError, load_image


def _png(width: int, height: int, colour_type: int = 2) -> bytes:
    """A PNG whose header claims width x height, with almost no pixel data: refused or failing cheaply."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 16)) + chunk(b"IEND", b"")


def _refusal(source: Path | bytes) -> ImageError:
    with pytest.raises(ImageError) as info:
        load_image(source)
    return info.value


def _sparse(path: Path, size: int) -> Path:
    with path.open("wb") as f:
        f.truncate(size)  # a hole: no disk space, no time
    return path


def test_a_missing_file_and_an_unreachable_path_say_which(tmp_path: Path) -> None:
    missing = tmp_path / "holiday.jpg"
    error = _refusal(missing)
    assert (error.code, error.message) == ("not_found", f"The file {missing} does not exist.")
    (tmp_path / "notes.txt").write_text("a file, not a folder")
    inside_a_file = tmp_path / "notes.txt" / "photo.jpg"
    error = _refusal(inside_a_file)
    assert (error.code, error.message) == ("unreadable", f"The file {inside_a_file} cannot be read (Not a directory).")


def test_a_folder_is_unreadable_not_a_crash(tmp_path: Path) -> None:
    folder = tmp_path / "photos.jpg"
    folder.mkdir()
    assert folder.stat().st_size > 0  # a folder has a size on disk: the refusal comes from reading it
    error = _refusal(folder)
    assert (error.code, error.message) == ("unreadable", "The file cannot be read (Is a directory).")


def test_an_empty_file_is_called_empty(tmp_path: Path) -> None:
    error = _refusal(_sparse(tmp_path / "empty.jpg", 0))
    assert (error.code, error.message) == ("empty_file", "The file is empty (0 bytes).")
    one_byte = tmp_path / "one.jpg"
    one_byte.write_bytes(b"\xff")
    assert _refusal(one_byte).code == "not_an_image"  # one byte is not empty


def test_files_over_the_size_limit_are_refused_unread_and_the_limit_itself_is_read(tmp_path: Path) -> None:
    error = _refusal(_sparse(tmp_path / "big.tif", MAX_FILE_BYTES + 2**20 + 5))
    assert (error.code, error.message) == ("too_large", "The file is 101 MiB; photos up to 100 MiB are accepted.")
    at_limit = _refusal(_sparse(tmp_path / "limit.tif", MAX_FILE_BYTES))  # read, then found not to be an image
    assert at_limit.code == "not_an_image"


def test_a_file_that_is_no_image_names_the_formats_that_are_read(tmp_path: Path) -> None:
    text = tmp_path / "cv.jpg"
    text.write_text("not a photo\n")
    error = _refusal(text)
    assert (error.code, error.message) == (
        "not_an_image", "The file is not an image in a format SkinLens can read (JPEG, PNG, WebP, TIFF, BMP, GIF).")


def test_pixel_limits_are_refused_with_the_size_or_as_a_bomb() -> None:
    bomb = _refusal(_png(30000, 30000))  # far past Pillow's own limit: refused before the header is trusted
    assert (bomb.code, bomb.message) == ("too_large", "The image has too many pixels to be analysed safely.")
    warned = _refusal(_png(12000, 9000))  # past Pillow's warning limit, which is made an error
    assert (warned.code, warned.message) == ("too_large", "The image has too many pixels to be analysed safely.")
    over = _refusal(_png(10000, 8500))  # under Pillow's limits, over SkinLens's
    assert (over.code, over.message) == ("too_large",
                                         "The image is 10000×8500 pixels; up to 80 megapixels are accepted.")
    assert MAX_PIXELS == 10000 * 8000
    at_limit = _refusal(_png(10000, 8000, colour_type=0))  # allowed; its missing pixel data is what fails
    assert at_limit.code == "truncated_image"


@pytest.mark.parametrize(("width", "height"), [(MIN_SIDE - 1, 40), (40, MIN_SIDE - 1)])
def test_too_small_photos_say_their_size_and_the_minimum(width: int, height: int) -> None:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), (200, 150, 120)).save(buf, "PNG")
    error = _refusal(buf.getvalue())
    assert (error.code, error.message) == (
        "too_small", f"The image is {width}×{height} pixels; a face photo needs at least 32 pixels on each side.")


def test_the_smallest_accepted_photo_is_exactly_the_minimum() -> None:
    buf = io.BytesIO()
    Image.new("RGB", (MIN_SIDE, MIN_SIDE), (200, 150, 120)).save(buf, "PNG")
    assert load_image(buf.getvalue()).rgb.shape == (MIN_SIDE, MIN_SIDE, 3)


TRUNCATED = "The image file is incomplete (truncated); copy or save the photo again."


def _noise(fmt: str) -> bytes:
    buf = io.BytesIO()
    Image.fromarray((np.random.default_rng(1).random((48, 64, 3)) * 255).astype(np.uint8)).save(buf, fmt)
    return buf.getvalue()


@pytest.mark.parametrize(("fmt", "keep"), [("JPEG", 0.5), ("PNG", 0.5), ("PNG", 0.03), ("GIF", 0.5),
                                           ("WEBP", 0.5)])
def test_a_cut_file_is_called_incomplete(fmt: str, keep: float) -> None:
    """Cut inside the pixels or inside the header, libjpeg's own report or a missing end: the same sentence."""
    whole = _noise(fmt)
    error = _refusal(whole[: int(len(whole) * keep)])
    assert (error.code, error.message) == ("truncated_image", TRUNCATED)


@pytest.mark.parametrize(("fmt", "size"), [("JPEG", 42), ("WEBP", 41)])
def test_a_file_cut_inside_its_header_is_called_incomplete(fmt: str, size: int) -> None:
    """Opening fails, not decoding: libjpeg says "Truncated File Read", WebP only that it has no decoder (the
    header's announced length tells the cut)."""
    error = _refusal(_noise(fmt)[:size])
    assert (error.code, error.message) == ("truncated_image", TRUNCATED)


def test_damaged_pixel_data_is_called_damaged_with_the_decoder_s_words() -> None:
    png = bytearray(_noise("PNG"))
    start = png.index(b"IDAT") + 4
    length = struct.unpack(">I", png[start - 8:start - 4])[0]
    for k in range(start + length // 2, start + length // 2 + 8):
        png[k] ^= 0xFF
    error = _refusal(bytes(png))
    assert error.code == "corrupt_image"
    assert error.message.startswith("The image file is damaged (") and error.message.endswith(").")
    assert len(error.message) > len("The image file is damaged ().")  # the decoder's reason is in it

"""Safe image loading: every way a file can be bad becomes an `ImageError` with a stable code and a sentence.

Why so careful: photos come from users' disks, drag & drop and scripts. A decompression bomb, a truncated JPEG,
a CMYK scan or a 16-bit PNG must never crash the app or the CLI, and must never be silently mis-read.
"""

from __future__ import annotations

import io
import struct
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_FILE_BYTES = 100 * 1024 * 1024
MAX_PIXELS = 80_000_000  # ~ a 10k x 8k photo; above this is refused before decoding
MIN_SIDE = 32
DEFAULT_MAX_SIDE = 2048  # analysis never needs more; bigger photos are scaled down
DECODE_ERRORS = (OSError, ValueError, SyntaxError, EOFError, NotImplementedError,  # what Pillow's decoders raise
                 struct.error, IndexError, KeyError, TypeError)  # and what damaged chunks make them raise


class ImageError(Exception):
    """An image that cannot be analysed. `code` is stable for scripts; `message` is for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class LoadedImage:
    rgb: np.ndarray  # HxWx3 uint8, sRGB, EXIF orientation applied
    original_size: tuple[int, int]  # (width, height) as stored in the file, after orientation
    scale: float  # rgb size / original size (<= 1)


def _to_rgb(img: Image.Image) -> Image.Image:
    """Convert any Pillow mode to 8-bit RGB; alpha is flattened on mid-grey, 16-bit is rescaled."""
    if img.mode in ("I;16", "I;16B", "I;16L", "I"):
        arr = np.asarray(img, dtype=np.float64)
        # 16-bit modes span 0..65535 even in a dark photo; a 32-bit "I" image says nothing of its range, so
        # values up to 255 are taken as 8-bit
        peak = 65535.0 if img.mode != "I" or arr.max() > 255 else 255.0
        grey = np.clip(np.round(arr / peak * 255.0), 0, 255).astype(np.uint8)
        return Image.fromarray(grey).convert("RGB")
    if img.mode == "F":
        arr = np.asarray(img, dtype=np.float64)
        rng = float(arr.max() - arr.min()) or 1.0
        return Image.fromarray(((arr - arr.min()) / rng * 255).astype(np.uint8)).convert("RGB")
    if img.mode in ("RGBA", "LA", "PA") or "transparency" in img.info:  # a palette's or a colour key's
        rgba = img.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (128, 128, 128, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    return img if img.mode == "RGB" else img.convert("RGB")  # RGB already: no copy of the pixels


@dataclass(frozen=True)
class _Opened:
    image: Image.Image
    data: bytes


def _open(source: Path | bytes) -> _Opened:
    if isinstance(source, bytes):
        data = source
    else:
        try:
            size = source.stat().st_size
        except FileNotFoundError:
            raise ImageError("not_found", f"The file {source} does not exist.") from None
        except OSError as exc:
            raise ImageError("unreadable", f"The file {source} cannot be read ({exc.strerror}).") from None
        if size == 0:
            raise ImageError("empty_file", "The file is empty (0 bytes).")
        if size > MAX_FILE_BYTES:
            raise ImageError("too_large", f"The file is {size // 2**20} MiB; photos up to "
                                          f"{MAX_FILE_BYTES // 2**20} MiB are accepted.")
        try:
            data = source.read_bytes()
        except OSError as exc:
            raise ImageError("unreadable", f"The file cannot be read ({exc.strerror}).") from None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a damaged TIFF's "Corrupt EXIF data": the outcome is what counts
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return _Opened(Image.open(io.BytesIO(data)), data)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageError("too_large", "The image has too many pixels to be analysed safely.") from None
    except (UnidentifiedImageError, NotImplementedError):  # NotImplementedError: a variant Pillow cannot decode
        raise ImageError("not_an_image", "The file is not an image in a format SkinLens can read "
                                         "(JPEG, PNG, WebP, TIFF, BMP, GIF).") from None
    except DECODE_ERRORS as exc:
        raise _decode_error(exc, data) from None


TRUNCATED = ImageError("truncated_image", "The image file is incomplete (truncated); copy or save the photo again.")


def _decode_error(exc: BaseException, data: bytes = b"") -> ImageError:
    """A decoder exception as the code people and scripts see: truncated files get their own code."""
    if "truncated" in str(exc).lower() or isinstance(exc, EOFError) or looks_truncated(data):
        return ImageError(TRUNCATED.code, TRUNCATED.message)
    return ImageError("corrupt_image", f"The image file is damaged ({exc}).")


def looks_truncated(data: bytes) -> bool:
    """Whether a file lacks the end its format (known from its first bytes) requires: PNG's IEND chunk and
    its checksum, GIF's trailer, or the length a WebP (RIFF) header announces. Their decoders stop quietly at
    some cuts (a PNG missing only its end, a GIF missing frames) or name another error; the file is still
    incomplete. (libjpeg reports a cut JPEG itself, and data after a JPEG's end marker is common, so JPEG is
    not judged here.)"""
    if data.startswith(b"\x89PNG"):
        end = data.rfind(b"IEND")
        return end == -1 or end + 8 > len(data)
    if data.startswith(b"GIF8"):
        return not data.rstrip(b"\x00").endswith(b"\x3b")
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return int.from_bytes(data[4:8], "little") + 8 > len(data)
    return False


def load_image(source: str | Path | bytes, max_side: int = DEFAULT_MAX_SIDE) -> LoadedImage:
    """Decode a photo into RGB uint8, EXIF-rotated, scaled so that its longest side is <= `max_side`."""
    opened = _open(Path(source) if isinstance(source, str) else source)
    img, data = opened.image, opened.data
    width, height = img.size
    if width * height > MAX_PIXELS:
        raise ImageError("too_large", f"The image is {width}×{height} pixels; up to "
                                      f"{MAX_PIXELS // 1_000_000} megapixels are accepted.")
    if min(width, height) < MIN_SIDE:
        raise ImageError("too_small", f"The image is {width}×{height} pixels; a face photo needs at least "
                                      f"{MIN_SIDE} pixels on each side.")
    if looks_truncated(data):
        raise ImageError(TRUNCATED.code, TRUNCATED.message)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "Corrupt EXIF data" and the like: the outcome is what counts
            orientation = img.getexif().get(0x0112, 1)  # reading EXIF may decode a damaged file's chunks
            img.seek(0)  # animated GIF/WebP: the first frame
            if max(width, height) > 2 * max_side and img.format == "JPEG":
                img.draft("RGB", (max_side, max_side))  # let libjpeg decode at a reduced scale: much faster
            img.load()
            ImageOps.exif_transpose(img, in_place=True)  # in place: an upright photo's pixels are not copied
            rgb = _to_rgb(img)
    except DECODE_ERRORS as exc:
        raise _decode_error(exc, data) from None
    oriented = (height, width) if orientation in (5, 6, 7, 8) else (width, height)
    if max(rgb.size) > max_side:
        factor = max_side / max(rgb.size)
        new_size = (max(1, round(rgb.width * factor)), max(1, round(rgb.height * factor)))
        rgb = rgb.resize(new_size, Image.Resampling.LANCZOS, reducing_gap=2.0)
    arr = np.ascontiguousarray(np.asarray(rgb, dtype=np.uint8))
    return LoadedImage(rgb=arr, original_size=oriented, scale=arr.shape[1] / oriented[0])

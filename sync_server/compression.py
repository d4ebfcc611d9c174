"""Response bodies compressed once, when they are made, and chosen per request by Accept-Encoding.

A body for one catalog sequence never changes, so compressing it per request (what a compressing middleware
does) repeats the same work for every client; here each body is compressed once, at a higher level than a
per-request compressor could afford. Only gzip: it is in the standard library and every HTTP client speaks it.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass, field

GZIP_LEVEL = 6  # once per body, so the better ratio is worth it
MIN_COMPRESS_BYTES = 1024  # smaller bodies gain nothing worth a decompression on the client


@dataclass(frozen=True)
class Encoded:
    """One body in its identity form and, when worth it, gzip."""

    identity: bytes
    gzipped: bytes | None = field(default=None, repr=False)

    @classmethod
    def of(cls, body: bytes) -> Encoded:
        if len(body) < MIN_COMPRESS_BYTES:
            return cls(body)
        return cls(body, gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0))

    def pick(self, accept_encoding: str | None) -> tuple[bytes, str | None]:
        """The bytes to send and their Content-Encoding (None for identity)."""
        if self.gzipped is not None and accepts_gzip(accept_encoding):
            return self.gzipped, "gzip"
        return self.identity, None

    @property
    def size(self) -> int:
        return len(self.identity) + len(self.gzipped or b"")


def accepts_gzip(accept_encoding: str | None) -> bool:
    """Whether the header offers gzip (or *) with a quality above zero."""
    for item in (accept_encoding or "").lower().split(","):
        name, _, params = item.strip().partition(";")
        if name.strip() not in ("gzip", "*"):
            continue
        quality = params.strip().removeprefix("q=").strip() if params.strip().startswith("q=") else "1"
        try:
            return float(quality) > 0
        except ValueError:
            return False
    return False

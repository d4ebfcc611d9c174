"""The catalog digest that the server signs and the client verifies, and the exact bytes that are signed.

Both sides must compute byte-identical values, so this lives in the shared package. The digest covers every
live product's content hash (catalog_format.product.product_hash), so a client that verifies it knows it holds
exactly the server's catalog at that sequence (no missed deletion, no tampered row).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

SIGNATURE_CONTEXT = b"skinlens-catalog-v1\n"


def catalog_digest(pairs: Iterable[tuple[str, str]]) -> str:
    """SHA-256 over "id:hash\\n" lines of every live product, sorted by id."""
    h = hashlib.sha256()
    for product_id, digest in sorted(pairs):
        h.update(f"{product_id}:{digest}\n".encode())
    return h.hexdigest()


def signed_message(seq: int, digest: str) -> bytes:
    return SIGNATURE_CONTEXT + f"{seq}\n{digest}".encode()

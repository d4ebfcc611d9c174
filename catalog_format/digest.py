"""The catalog digest that the server signs and the client verifies, and the exact bytes that are signed.

Both sides must compute byte-identical values, so this lives in the shared package. The digest covers every
live product's content hash (catalog_format.product.product_hash), so a client that verifies it knows it holds
exactly the server's catalog at that sequence (no missed deletion, no tampered row).

Version 2 (`CatalogChecksum`) is a homomorphic set hash, LtHash16 (Lewi, Kim, Maykov, Weis: "Securing Update
Propagation with Homomorphic Hashing", 2019): every product maps to 1024 16-bit lanes drawn from SHAKE-128, and
the catalog's checksum is their lane-wise sum modulo 2^16. Adding or removing a product adds or subtracts its
lanes, so the server keeps the checksum up to date in O(changed rows) per write. The signed digest is the
SHA-256 of the 2048-byte checksum. PROTOCOL.md (*Integrity*) argues why a sum this wide resists forgery where a
sum or XOR of 256-bit hashes does not. Version 1 (`catalog_digest_v1`, a SHA-256 over the sorted list) is kept
for clients that still ask for it; it costs O(catalog) to compute.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

SIGNATURE_CONTEXTS = {1: b"skinlens-catalog-v1\n", 2: b"skinlens-catalog-v2\n"}
DIGEST_VERSION = 2  # what this code computes by default; the server serves 1 to clients that do not ask for 2
CHECKSUM_BYTES = 2048  # 1024 lanes of 16 bits
_ROW_CONTEXT = b"skinlens-catalog-row-v2\n"
_DIGEST_CONTEXT = b"skinlens-catalog-lthash16\n"
_BITS = CHECKSUM_BYTES * 8
_HIGH = int.from_bytes(b"\x00\x80" * (CHECKSUM_BYTES // 2), "little")  # the top bit of every 16-bit lane
_LOW = ((1 << _BITS) - 1) ^ _HIGH  # the other 15 bits of every lane


def _lanes(product_id: str, content_hash: str) -> int:
    """A product's 1024 lanes, packed little-endian into one integer (lane i = bits 16i .. 16i+15)."""
    xof = hashlib.shake_128(_ROW_CONTEXT + f"{product_id}\n{content_hash}".encode())
    return int.from_bytes(xof.digest(CHECKSUM_BYTES), "little")


def _add(a: int, b: int) -> int:
    """Lane-wise a + b mod 2^16: add the low 15 bits (no lane can carry into the next), then fix the top bits."""
    return ((a & _LOW) + (b & _LOW)) ^ ((a ^ b) & _HIGH)


def _sub(a: int, b: int) -> int:
    """Lane-wise a - b mod 2^16: a's top bits set first, so no lane borrows from the next; then fix them."""
    return ((a | _HIGH) - (b & _LOW)) ^ ((a ^ ~b) & _HIGH)


class CatalogChecksum:
    """LtHash16 of a set of products: order-independent, and updated in O(1) per product added or removed."""

    __slots__ = ("_value",)

    def __init__(self, value: int = 0) -> None:
        self._value = value

    @classmethod
    def of(cls, pairs: Iterable[tuple[str, str]]) -> CatalogChecksum:
        checksum = cls()
        checksum.update(added=pairs)
        return checksum

    @classmethod
    def from_bytes(cls, data: bytes) -> CatalogChecksum:
        if len(data) != CHECKSUM_BYTES:
            raise ValueError(f"a catalog checksum has {CHECKSUM_BYTES} bytes, not {len(data)}")
        return cls(int.from_bytes(data, "little"))

    def to_bytes(self) -> bytes:
        return self._value.to_bytes(CHECKSUM_BYTES, "little")

    def update(self, added: Iterable[tuple[str, str]] = (), removed: Iterable[tuple[str, str]] = ()) -> None:
        """Add and remove products, each given as (id, content hash)."""
        value = self._value
        for product_id, content_hash in added:
            value = _add(value, _lanes(product_id, content_hash))
        for product_id, content_hash in removed:
            value = _sub(value, _lanes(product_id, content_hash))
        self._value = value & ((1 << _BITS) - 1)

    def hexdigest(self) -> str:
        return hashlib.sha256(_DIGEST_CONTEXT + self.to_bytes()).hexdigest()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CatalogChecksum) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


def catalog_digest(pairs: Iterable[tuple[str, str]]) -> str:
    """The version-2 digest of the live products given as (id, content hash): what the server signs."""
    return CatalogChecksum.of(pairs).hexdigest()


def catalog_digest_v1(pairs: Iterable[tuple[str, str]]) -> str:
    """Version 1: SHA-256 over "id:hash\\n" lines of every live product, sorted by id (for older clients)."""
    h = hashlib.sha256()
    for product_id, digest in sorted(pairs):
        h.update(f"{product_id}:{digest}\n".encode())
    return h.hexdigest()


def signed_message(seq: int, digest: str, version: int = 1) -> bytes:
    """The bytes the server signs for the catalog state (seq, digest) in that digest version."""
    return SIGNATURE_CONTEXTS[version] + f"{seq}\n{digest}".encode()

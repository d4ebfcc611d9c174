"""Canonical product hashing and the catalog digest that the server signs and the client verifies.

Both sides must compute byte-identical values from the fields they store, so this lives in the shared package.
A product's hash covers every field a client receives; the catalog digest covers every live product, so a
client that verifies it knows it holds exactly the server's catalog at that sequence (no missed deletion,
no tampered row).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

SIGNATURE_CONTEXT = b"skinlens-catalog-v1\n"
HASHED_FIELDS = ("id", "brand", "name", "category", "price", "currency", "size", "ingredients", "url",
                 "affiliate_url", "image_url", "skin_types", "tags")


def price_text(price: Decimal | str | float) -> str:
    """Prices are hashed as text with exactly two decimals."""
    return f"{Decimal(str(price)):.2f}"


def product_hash(fields: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of the canonical JSON array of HASHED_FIELDS."""
    values: list[object] = []
    for key in HASHED_FIELDS:
        value = fields.get(key, "")
        if key == "price":
            value = price_text(value)
        elif key in ("skin_types", "tags"):
            value = sorted(value or [])
        elif value is None:
            value = ""
        values.append(value)
    encoded = json.dumps(values, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return hashlib.sha256(encoded).hexdigest()


def catalog_digest(pairs: Iterable[tuple[str, str]]) -> str:
    """SHA-256 over "id:hash\\n" lines of every live product, sorted by id."""
    h = hashlib.sha256()
    for product_id, digest in sorted(pairs):
        h.update(f"{product_id}:{digest}\n".encode())
    return h.hexdigest()


def signed_message(seq: int, digest: str) -> bytes:
    return SIGNATURE_CONTEXT + f"{seq}\n{digest}".encode()


def split_list(value: str | Sequence[str]) -> list[str]:
    """Skin types and tags are stored ';'-joined by the desktop store and as arrays by the server."""
    if isinstance(value, str):
        return [v for v in value.split(";") if v]
    return list(value)

"""A product as the catalog carries it: one type for a catalog file's row, the feed's product and both stores.

A catalog file has no affiliate link: the server makes it from the product URL by its retailer's rule, so
`affiliate_url` is empty on a parsed row and filled on a product the server serves. The order of the fields
below is the order of the feed's JSON keys and of the content hash's array (PROTOCOL.md, *Integrity*); the
server's columns, the feed, the client's apply and the desktop store all derive their field lists from it, so
no two of them can disagree about what a product is.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import MISSING, dataclass, fields
from decimal import Decimal
from typing import Any


@dataclass(frozen=True, kw_only=True)
class CatalogRow:
    """One product, normalised (trimmed text, Decimal price, upper-case currency, lower-case skin types)."""

    id: str
    brand: str
    name: str
    category: str
    price: Decimal
    currency: str
    size: str = ""
    ingredients: str
    url: str
    affiliate_url: str = ""
    image_url: str = ""
    skin_types: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()

    def values(self) -> dict[str, Any]:
        """{field: value} in PRODUCT_FIELDS order, lists for the list fields: what a database row takes."""
        row = {name: getattr(self, name) for name in PRODUCT_FIELDS}
        for name in LIST_FIELDS:
            row[name] = list(row[name])
        return row

    def to_wire(self) -> dict[str, Any]:
        """The JSON object the feed serves for this product."""
        return wire_product(self.values())

    @classmethod
    def from_wire(cls, product: Mapping[str, Any]) -> CatalogRow:
        """A product from the feed; optional fields may be absent. Raises KeyError for a missing required one."""
        values: dict[str, Any] = {}
        for f in fields(cls):
            value = product[f.name] if f.default is MISSING else product.get(f.name, f.default)
            if f.name == "price":
                value = Decimal(value)
            elif f.name in LIST_FIELDS:
                value = tuple(value)
            values[f.name] = value
        return cls(**values)

    def content_hash(self) -> str:
        return product_hash(self.values())


PRODUCT_FIELDS = tuple(f.name for f in fields(CatalogRow))
REQUIRED_FIELDS = tuple(f.name for f in fields(CatalogRow) if f.default is MISSING)  # a catalog file must have
LIST_FIELDS = frozenset({"skin_types", "tags"})  # arrays on the wire and in PostgreSQL; ';'-joined in SQLite


def price_text(price: Decimal | str | float) -> str:
    """Prices are hashed as text with exactly two decimals."""
    return f"{Decimal(str(price)):.2f}"


def wire_product(values: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> dict[str, Any]:
    """The feed's JSON object from column values in PRODUCT_FIELDS order (price as text with two decimals).

    The server's feed calls this on raw column tuples, so it stays a dict and one format call: no objects per row.
    """
    product = dict(values)
    product["price"] = f"{product['price']:.2f}"
    return product


def product_hash(values: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of the canonical JSON array of PRODUCT_FIELDS (the PROTOCOL.md content hash)."""
    array: list[object] = []
    for key in PRODUCT_FIELDS:
        value = values.get(key, "")
        if key == "price":
            value = price_text(value)
        elif key in LIST_FIELDS:
            value = sorted(value or [])
        elif value is None:
            value = ""
        array.append(value)
    encoded = json.dumps(array, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return hashlib.sha256(encoded).hexdigest()

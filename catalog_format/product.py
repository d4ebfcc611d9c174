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

from catalog_format.canonical import canonical_values, price_text
from catalog_format.urls import quoted, url_problem


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
    def canonical(cls, raw: Mapping[str, Any]) -> CatalogRow:
        """The canonical product from a file's row, a JSON object or an API body (catalog_format.canonical);
        ValueError with the reason when a rule is broken."""
        return cls(**canonical_values(raw))

    @classmethod
    def from_wire(cls, product: object) -> CatalogRow:
        """A product from the feed, which must be in canonical form (optional fields may be absent).

        Raises ValueError naming the product and the field: a client that gets a malformed product refuses the
        page instead of storing something it would hash differently from the server.
        """
        if not isinstance(product, Mapping):
            raise ValueError("a product on the feed must be a JSON object")
        name = quoted(str(product.get("id", "?")))
        missing = [key for key in REQUIRED_FIELDS if key not in product]
        if missing:
            raise ValueError(f"product {name} lacks {', '.join(missing)}")
        wrong = [key for key in PRODUCT_FIELDS if key in product and not _wire_type_ok(key, product[key])]
        if wrong:
            raise ValueError(f"product {name} has {', '.join(wrong)} of the wrong type")
        try:
            row = cls(**canonical_values(product) | {"affiliate_url": product.get("affiliate_url", "")})
        except ValueError as exc:
            raise ValueError(f"product {name}: {exc}") from None
        expected = row.to_wire()
        off = [k for k in PRODUCT_FIELDS if product.get(k, [] if k in LIST_FIELDS else "") != expected[k]]
        if row.affiliate_url and url_problem(row.affiliate_url):
            off.append("affiliate_url")
        if off:
            raise ValueError(f"product {name} is not in canonical form ({', '.join(off)})")
        return row

    def content_hash(self) -> str:
        return product_hash(self.values())


PRODUCT_FIELDS = tuple(f.name for f in fields(CatalogRow))
REQUIRED_FIELDS = tuple(f.name for f in fields(CatalogRow) if f.default is MISSING)  # a catalog file must have
LIST_FIELDS = frozenset({"skin_types", "tags"})  # arrays on the wire and in PostgreSQL; ';'-joined in SQLite


def _wire_type_ok(name: str, value: object) -> bool:
    if name in LIST_FIELDS:
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    return isinstance(value, str)


def wire_product(values: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> dict[str, Any]:
    """The feed's JSON object from column values in PRODUCT_FIELDS order (price as text with two decimals).

    The server's feed calls this on raw column tuples, so it stays a dict and one format call: no objects per row.
    """
    product = dict(values)
    product["price"] = f"{product['price']:.2f}"  # a canonical price: already whole cents
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

"""The catalog file format of CONTRACTS.md and the product type, shared by the desktop store and the sync server.

It lives in its own package because `desktop` and `sync_server` must never import each other, yet both must
read exactly the same files the same way and hash the same product the same way. Pure Python, no third-party
imports.
"""

from catalog_format.canonical import catalog_digest, signed_message
from catalog_format.parse import (
    CATEGORIES,
    SKIN_TYPES,
    TEXT_PATTERN,
    ParseResult,
    RowError,
    parse_catalog_file,
    parse_catalog_text,
    split_inci,
)
from catalog_format.product import LIST_FIELDS, PRODUCT_FIELDS, CatalogRow, product_hash, wire_product

__all__ = [
    "CATEGORIES",
    "LIST_FIELDS",
    "PRODUCT_FIELDS",
    "SKIN_TYPES",
    "TEXT_PATTERN",
    "CatalogRow",
    "ParseResult",
    "RowError",
    "catalog_digest",
    "parse_catalog_file",
    "parse_catalog_text",
    "product_hash",
    "signed_message",
    "split_inci",
    "wire_product",
]

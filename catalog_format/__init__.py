"""The catalog file format of CONTRACTS.md, shared by the desktop store and the sync server.

It lives in its own package because `desktop` and `sync_server` must never import each other, yet both must
read exactly the same files the same way. Pure Python, no third-party imports.
"""

from catalog_format.canonical import catalog_digest, product_hash, signed_message
from catalog_format.parse import (
    CATEGORIES,
    SKIN_TYPES,
    TEXT_PATTERN,
    CatalogRow,
    ParseResult,
    RowError,
    parse_catalog_file,
    parse_catalog_text,
    split_inci,
)

__all__ = [
    "CATEGORIES",
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
]

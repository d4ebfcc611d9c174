"""The catalog file format of CONTRACTS.md and the product type, shared by the desktop store and the sync server.

It lives in its own package because `desktop` and `sync_server` must never import each other, yet both must
read exactly the same files the same way and hash the same product the same way. Pure Python, no third-party
imports.
"""

from catalog_format.canonical import (
    CATEGORIES,
    MAX_ID_CHARS,
    SKIN_TYPES,
    TEXT_PATTERN,
    canonical_price,
    canonical_values,
)
from catalog_format.digest import (
    DIGEST_VERSION,
    CatalogChecksum,
    catalog_digest,
    catalog_digest_v1,
    signed_message,
)
from catalog_format.keys import key_fingerprint
from catalog_format.parse import ParseResult, RowError, parse_catalog_file, parse_catalog_text, split_inci
from catalog_format.product import LIST_FIELDS, PRODUCT_FIELDS, CatalogRow, product_hash, wire_product
from catalog_format.urls import buy_url_problem, https_host, url_problem

__all__ = [
    "CATEGORIES",
    "DIGEST_VERSION",
    "LIST_FIELDS",
    "MAX_ID_CHARS",
    "PRODUCT_FIELDS",
    "SKIN_TYPES",
    "TEXT_PATTERN",
    "CatalogChecksum",
    "CatalogRow",
    "ParseResult",
    "RowError",
    "buy_url_problem",
    "canonical_price",
    "canonical_values",
    "catalog_digest",
    "catalog_digest_v1",
    "https_host",
    "key_fingerprint",
    "parse_catalog_file",
    "parse_catalog_text",
    "product_hash",
    "signed_message",
    "split_inci",
    "url_problem",
    "wire_product",
]

"""The canonical form of a product: the one set of values every door accepts, every store keeps and every side
hashes.

The server and its clients verify each other with hashes of product values, so a value that one side rounds,
trims or splits differently from the other makes the whole catalog fail to verify. Each rule below removes such
a difference at the door, before anything is hashed or stored:

- prices are quantised to cents half-up (what PostgreSQL's numeric(12, 2) does), `-0` is 0, and the largest
  price is the largest that column holds;
- list items are trimmed, lower-case, unique, non-empty and free of `;`, the separator a file (and the desktop
  store) writes lists with;
- text is trimmed, bounded, valid Unicode (no lone surrogate) and free of control characters (PostgreSQL
  cannot hold NUL); ids are one line and no longer than the change feed's `after` cursor accepts;
- links follow catalog_format.urls.

A row that breaks a rule is refused with a reason, never repaired silently: the catalog owner sees what to fix.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from catalog_format.urls import quoted, url_problem

CATEGORIES = (
    "cleanser", "toner", "serum", "treatment", "moisturizer", "sunscreen",
    "mask", "eye", "exfoliant", "oil", "other",
)
SKIN_TYPES = ("oily", "dry", "normal", "combination", "sensitive")
TEXT_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"  # no control characters except tab and line breaks
MAX_ID_CHARS = 200
TEXT_LIMITS = {"id": MAX_ID_CHARS, "brand": 200, "name": 500, "size": 100, "ingredients": 20_000}
MAX_TAGS = 50
MAX_TAG_CHARS = 64
MAX_PRICE = Decimal("9999999999.99")  # numeric(12, 2)
CENT = Decimal("0.01")
_MAX_PRICE_CHARS = 40
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LINE_BREAK = re.compile(r"[\t\n\r]")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
REQUIRED = ("id", "brand", "name", "category", "price", "currency", "ingredients", "url")


def canonical_price(value: object) -> Decimal:
    """A price as a Decimal with exactly two places (half-up), never -0; ValueError when it is not a price."""
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise ValueError("price must be a number")
    text = repr(value) if isinstance(value, float) else str(value).strip()
    if len(text) > _MAX_PRICE_CHARS:
        raise ValueError(f"price {quoted(text)} is not a number")
    try:
        price = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"price {quoted(text)} is not a number") from None
    if not price.is_finite() or price < 0:
        raise ValueError(f"price {quoted(text)} must be a finite number ≥ 0")
    if price > MAX_PRICE or price.quantize(CENT, rounding=ROUND_HALF_UP) > MAX_PRICE:
        raise ValueError(f"price {quoted(text)} is above the largest price the catalog holds, {MAX_PRICE}")
    cents = price.quantize(CENT, rounding=ROUND_HALF_UP)
    return cents if cents else Decimal("0.00")  # Decimal("-0.00") is falsy too


def price_text(price: object) -> str:
    """The price as the hash and the feed write it: two decimals, rounded half-up."""
    return f"{canonical_price(price):.2f}"


def _unicode_ok(key: str, value: str) -> None:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(f"{key} is not valid Unicode text (it holds a lone surrogate)") from None


def _scalar(raw: Mapping[str, Any], key: str) -> str:
    value = raw.get(key)
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise ValueError(f"{key} must be text")
    _unicode_ok(key, value)
    return value.strip()


def _items(raw: Mapping[str, Any], key: str) -> list[str]:
    value = raw.get(key)
    if value is None:
        return []
    if isinstance(value, str):
        _unicode_ok(key, value)
        return value.split(";")
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{key} must be a list of text or ';'-separated text")
    for item in value:
        _unicode_ok(key, item)
        if ";" in item:
            raise ValueError(f"{key} item {quoted(item)} contains ';', the list separator")
    return list(value)


def canonical_list(raw: Mapping[str, Any], key: str) -> tuple[str, ...]:
    """A list field: items trimmed and lower-cased, empty ones dropped, repeats dropped (first kept)."""
    items: list[str] = []
    for item in _items(raw, key):
        item = item.strip().lower()
        if item and item not in items:
            items.append(item)
    if len(items) > MAX_TAGS:
        raise ValueError(f"{key} has {len(items)} items; at most {MAX_TAGS} are allowed")
    for item in items:
        if len(item) > MAX_TAG_CHARS or _CONTROL.search(item) or _LINE_BREAK.search(item):
            raise ValueError(f"{key} item {quoted(item)} must be one line of at most {MAX_TAG_CHARS} characters")
    return tuple(items)


def _texts(raw: Mapping[str, Any]) -> dict[str, str]:
    keys = ("id", "brand", "name", "category", "currency", "size", "ingredients", "url", "image_url")
    texts = {k: _scalar(raw, k) for k in keys}
    bad = sorted(k for k, v in texts.items() if _CONTROL.search(v))
    if bad:
        raise ValueError(f"control characters (e.g. NUL) in {', '.join(bad)}")
    missing = [k for k in REQUIRED if (raw.get(k) in (None, "") if k == "price" else not texts[k])]
    if missing:
        raise ValueError(f"missing {', '.join(missing)}")
    for key, limit in TEXT_LIMITS.items():
        if len(texts[key]) > limit:
            raise ValueError(f"{key} is longer than {limit} characters")
    problem = id_problem(texts["id"])
    if problem:
        raise ValueError(problem)
    return texts


def id_problem(product_id: str) -> str | None:
    """Why an id (as stored) is not one the feed can page past, or None: one trimmed line, at most
    MAX_ID_CHARS characters (the longest `after` cursor the feed accepts)."""
    if len(product_id) > MAX_ID_CHARS:
        return f"id is longer than {MAX_ID_CHARS} characters"
    if _LINE_BREAK.search(product_id) or _CONTROL.search(product_id) or product_id != product_id.strip():
        return "id must be one line of text (no tab, line break or control character, nothing around it)"
    return None


def canonical_values(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The canonical field values of a product given as a catalog file's row, a JSON object or an API body.

    Raises ValueError with a reason a person can act on. The affiliate link is not read: the server makes it.
    """
    texts = _texts(raw)
    category = texts["category"].lower()
    if category not in CATEGORIES:
        raise ValueError(f"category {quoted(category)} is not one of {', '.join(CATEGORIES)}")
    price = canonical_price(raw.get("price"))
    currency = texts["currency"].upper()
    if not currency.isascii() or not _CURRENCY.match(currency):
        raise ValueError(f"currency {quoted(currency)} is not an ISO 4217 code")
    for key in ("url", "image_url"):
        problem = url_problem(texts[key]) if texts[key] or key == "url" else None
        if problem:
            raise ValueError(f"{key} {quoted(texts[key])} {problem}")
    skin_types = canonical_list(raw, "skin_types")
    unknown = [s for s in skin_types if s not in SKIN_TYPES]
    if unknown:
        raise ValueError(f"skin_types {', '.join(unknown)} not one of {', '.join(SKIN_TYPES)}")
    return {**texts, "category": category, "currency": currency, "price": price, "affiliate_url": "",
            "skin_types": skin_types, "tags": canonical_list(raw, "tags")}

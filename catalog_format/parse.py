"""Parse and validate catalog files (CSV with a header, or JSON Lines with the same keys).

A bad row never stops the others: it becomes a `RowError` with its line number and a reason a person can act
on, and the good rows are returned beside it. Callers decide whether errors abort (they never half-apply).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from catalog_format.product import REQUIRED_FIELDS, CatalogRow

CATEGORIES = (
    "cleanser", "toner", "serum", "treatment", "moisturizer", "sunscreen",
    "mask", "eye", "exfoliant", "oil", "other",
)
SKIN_TYPES = ("oily", "dry", "normal", "combination", "sensitive")
TEXT_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"  # no control characters (PostgreSQL refuses NUL)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
REQUIRED = REQUIRED_FIELDS
MAX_FILE_BYTES = 200 * 1024 * 1024
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


@dataclass(frozen=True)
class RowError:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass
class ParseResult:
    rows: list[CatalogRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    lines: dict[str, int] = field(default_factory=dict)  # id -> line number, for errors found later


def split_inci(ingredients: str) -> list[str]:
    """Split an INCI list as printed on a pack: commas outside parentheses separate ingredients."""
    parts: list[str] = []
    depth = 0
    current: list[str] = []
    for ch in ingredients:
        if ch in "([":
            depth += 1
        elif ch in ")]" and depth:
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return [p.strip().rstrip(".").strip() for p in parts if p.strip().rstrip(".").strip()]


def _split_list(value: str) -> tuple[str, ...]:
    return tuple(v.strip().lower() for v in value.split(";") if v.strip())


def _text(raw: dict[str, Any], key: str) -> str:
    value = raw.get(key)
    if value is None:
        return ""
    if isinstance(value, list):  # JSON Lines may carry lists for the ;-separated columns
        return ";".join(str(v) for v in value)
    return str(value).strip()


def _validate(raw: dict[str, Any]) -> CatalogRow:
    """Build a CatalogRow or raise ValueError with the reason."""
    bad = sorted(k for k in raw if isinstance(k, str) and _CONTROL.search(_text(raw, k)))
    if bad:
        raise ValueError(f"control characters (e.g. NUL) in {', '.join(bad)}")
    missing = [k for k in REQUIRED if not _text(raw, k)]
    if missing:
        raise ValueError(f"missing {', '.join(missing)}")
    category = _text(raw, "category").lower()
    if category not in CATEGORIES:
        raise ValueError(f"category {category!r} is not one of {', '.join(CATEGORIES)}")
    try:
        price = Decimal(_text(raw, "price"))
    except InvalidOperation:
        raise ValueError(f"price {_text(raw, 'price')!r} is not a number") from None
    if not price.is_finite() or price < 0:
        raise ValueError(f"price {price} must be a finite number ≥ 0")
    currency = _text(raw, "currency").upper()
    if not _CURRENCY.match(currency):
        raise ValueError(f"currency {currency!r} is not an ISO 4217 code")
    url = _text(raw, "url")
    if not _URL.match(url):
        raise ValueError(f"url {url!r} is not an http(s) address")
    skin_types = _split_list(_text(raw, "skin_types"))
    bad = [s for s in skin_types if s not in SKIN_TYPES]
    if bad:
        raise ValueError(f"skin_types {', '.join(bad)} not one of {', '.join(SKIN_TYPES)}")
    image_url = _text(raw, "image_url")
    if image_url and not _URL.match(image_url):
        raise ValueError(f"image_url {image_url!r} is not an http(s) address")
    return CatalogRow(
        id=_text(raw, "id"), brand=_text(raw, "brand"), name=_text(raw, "name"), category=category,
        price=price, currency=currency, ingredients=_text(raw, "ingredients"), url=url,
        size=_text(raw, "size"), image_url=image_url, skin_types=skin_types,
        tags=_split_list(_text(raw, "tags")),
    )


def _csv_records(text: str) -> Iterator[tuple[int, dict[str, Any] | None, str]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))  # \n, \r\n and a lone \r all end a line
    try:
        header = [h.strip() for h in (reader.fieldnames or [])]
        reader.fieldnames = header
        absent = [k for k in REQUIRED if k not in header]
        if absent:
            yield 1, None, f"header lacks the column(s) {', '.join(absent)}"
            return
        for record in reader:
            if None in record:
                yield reader.line_num, None, "more cells than the header has columns"
                continue
            yield reader.line_num, record, ""
    except csv.Error as exc:  # malformed quoting, NUL bytes: the rest of the file cannot be read reliably
        yield reader.line_num or 1, None, f"not readable as CSV from here on ({exc})"


def _jsonl_records(text: str) -> Iterator[tuple[int, dict[str, Any] | None, str]]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, None, f"not valid JSON ({exc.msg})"
            continue
        if not isinstance(record, dict):
            yield number, None, "a JSON Lines row must be an object"
            continue
        yield number, record, ""


def parse_catalog_text(text: str, *, jsonl: bool) -> ParseResult:
    """Parse catalog text; duplicate ids keep the first and report the later ones."""
    result = ParseResult()
    seen: dict[str, int] = {}
    records = _jsonl_records(text) if jsonl else _csv_records(text)
    for line, record, problem in records:
        if record is None:
            result.errors.append(RowError(line, problem))
            continue
        try:
            row = _validate(record)
        except ValueError as exc:
            result.errors.append(RowError(line, str(exc)))
            continue
        if row.id in seen:
            result.errors.append(RowError(line, f"id {row.id!r} repeats line {seen[row.id]}"))
            continue
        seen[row.id] = line
        result.lines[row.id] = line
        result.rows.append(row)
    return result


def parse_catalog_file(path: str | Path) -> ParseResult:
    """Read a catalog file; JSON Lines when the name ends in .jsonl/.ndjson or the text starts with '{'.

    Raises ValueError (with a sentence) when the file cannot be read at all: missing, too large, not UTF-8.
    """
    p = Path(path)
    try:
        size = p.stat().st_size
    except OSError as exc:
        raise ValueError(f"cannot read {p}: {exc.strerror}") from None
    if size > MAX_FILE_BYTES:
        raise ValueError(f"{p} is {size // 2**20} MiB; catalog files are limited to {MAX_FILE_BYTES // 2**20} MiB")
    try:
        text = p.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError(f"{p} is not UTF-8 text") from None
    jsonl = p.suffix.lower() in {".jsonl", ".ndjson"} or text.lstrip().startswith("{")
    return parse_catalog_text(text, jsonl=jsonl)

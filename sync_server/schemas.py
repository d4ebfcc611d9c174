"""Pydantic schemas of the HTTP API: input and output kept apart."""

from __future__ import annotations

import re
from dataclasses import fields
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field, create_model, field_validator

from catalog_format import CATEGORIES, LIST_FIELDS, PRODUCT_FIELDS, SKIN_TYPES, TEXT_PATTERN, CatalogRow, wire_product


class ProductIn(BaseModel):
    """A product as an admin writes it; the server builds the affiliate link."""

    id: str = Field(min_length=1, max_length=200)
    brand: str = Field(min_length=1, max_length=200)
    name: str = Field(min_length=1, max_length=500)
    category: str = Field(pattern="^(" + "|".join(CATEGORIES) + ")$")
    price: Decimal = Field(ge=0, le=Decimal("9999999999.99"), decimal_places=2)
    currency: str = Field(pattern="^[A-Z]{3}$")
    size: str = Field("", max_length=100)
    ingredients: str = Field(min_length=1, max_length=20_000)
    url: str = Field(pattern=r"^https://\S+$", max_length=2000)
    image_url: str = Field("", pattern=r"^(https://\S+)?$", max_length=2000)
    skin_types: list[str] = Field(default_factory=list, max_length=5)
    tags: list[str] = Field(default_factory=list, max_length=50)

    @field_validator("id", "brand", "name", "size", "ingredients", "skin_types", "tags")
    @classmethod
    def no_control_characters(cls, value: Any) -> Any:
        """PostgreSQL text cannot hold NUL, and no catalog field needs control characters: a 422, not a 500."""
        for text in value if isinstance(value, list) else [value]:
            if not re.match(TEXT_PATTERN, text):
                raise ValueError("control characters (e.g. NUL) are not allowed")
        return value

    def to_row(self) -> CatalogRow:
        bad = [t for t in self.skin_types if t not in SKIN_TYPES]
        if bad:
            from fastapi import HTTPException

            raise HTTPException(422, f"unknown skin types: {', '.join(bad)}")
        values = self.model_dump()
        return CatalogRow(**values | {name: tuple(values[name]) for name in LIST_FIELDS})


def _wire_fields() -> dict[str, Any]:
    """The feed's product fields as pydantic fields: text, except the price (text too, exact) and the lists."""
    wire: dict[str, Any] = {}
    for f in fields(CatalogRow):
        if f.name == "price":
            wire[f.name] = (str, Field(description="decimal text with two places"))
        else:
            wire[f.name] = (list[str] if f.name in LIST_FIELDS else str, ...)
    return wire


class ProductOut(create_model("ProductWire", **_wire_fields())):  # type: ignore[misc]  # fields: CatalogRow's
    """A product as the feed and the admin API serve it (catalog_format.wire_product)."""

    @classmethod
    def from_row(cls, product: Any) -> ProductOut:
        return cls(**wire_product((name, getattr(product, name)) for name in PRODUCT_FIELDS))


class ChangeOut(BaseModel):
    id: str
    seq: int
    deleted: bool
    product: ProductOut | None = Field(None, description="null for a deletion (tombstone)")


class CursorOut(BaseModel):
    seq: int = Field(description="pass as `since` on the next request")
    after: str | None = Field(None, description="pass as `after` when the page ended inside one sequence")


class StateOut(BaseModel):
    seq: int
    digest: str | None = Field(description="SHA-256 of the live catalog at seq (see PROTOCOL.md)")
    signature: str | None = Field(description="base64 Ed25519 signature of the digest")


class ChangesPage(BaseModel):
    changes: list[ChangeOut]
    cursor: CursorOut
    more: bool = Field(description="true when another page follows now")
    catalog_seq: int = Field(description="the catalog's sequence when the page was read")
    state: StateOut


class SnapshotOut(BaseModel):
    products: list[ProductOut]
    catalog_seq: int
    state: StateOut


class RefetchOut(BaseModel):
    status: str = "refetch"
    detail: str = "the cursor is older than the retention horizon: fetch /v1/catalog/snapshot"
    horizon_seq: int


class ImportIn(BaseModel):
    format: str = Field("csv", pattern="^(csv|jsonl)$")
    content: str = Field(max_length=200 * 1024 * 1024)
    replace: bool = False


class RowErrorOut(BaseModel):
    line: int
    reason: str


class ImportOut(BaseModel):
    seq: int
    upserted: int
    deleted: int
    errors: list[RowErrorOut]


class WriteOut(BaseModel):
    seq: int
    changed: int


class HealthOut(BaseModel):
    status: str
    catalog_seq: int

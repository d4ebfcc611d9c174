"""Pydantic schemas of the HTTP API: input and output kept apart."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field, field_validator

from catalog_format import CATEGORIES, SKIN_TYPES, TEXT_PATTERN, CatalogRow


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
        return CatalogRow(id=self.id, brand=self.brand, name=self.name, category=self.category, price=self.price,
                          currency=self.currency, ingredients=self.ingredients, url=self.url, size=self.size,
                          image_url=self.image_url, skin_types=tuple(self.skin_types), tags=tuple(self.tags))


class ProductOut(BaseModel):
    id: str
    brand: str
    name: str
    category: str
    price: str = Field(description="decimal text with two places")
    currency: str
    size: str
    ingredients: str
    url: str
    affiliate_url: str
    image_url: str
    skin_types: list[str]
    tags: list[str]

    @classmethod
    def from_row(cls, p: Any) -> ProductOut:
        return cls(id=p.id, brand=p.brand, name=p.name, category=p.category, price=f"{p.price:.2f}",
                   currency=p.currency, size=p.size, ingredients=p.ingredients, url=p.url,
                   affiliate_url=p.affiliate_url, image_url=p.image_url, skin_types=list(p.skin_types),
                   tags=list(p.tags))


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

"""Pydantic schemas of the HTTP API: input and output kept apart."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ProductOut(BaseModel):
    id: str
    brand: str
    name: str
    category: str
    price: str
    currency: str
    size: str
    ingredients: str
    url: str
    affiliate_url: str
    image_url: str
    skin_types: list[str]
    tags: list[str]


class ChangeOut(BaseModel):
    id: str
    seq: int
    deleted: bool
    product: ProductOut | None = Field(None, description="null for a deletion (tombstone)")


class CursorOut(BaseModel):
    seq: int = Field(description="pass as `since` on the next request")
    after: str | None = Field(None, description="pass as `after` when the page ended inside one sequence")


class ChangesPage(BaseModel):
    changes: list[ChangeOut]
    cursor: CursorOut
    more: bool = Field(description="true when another page follows now")
    catalog_seq: int = Field(description="the catalog's sequence when the page was read")


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


class HealthOut(BaseModel):
    status: str
    catalog_seq: int

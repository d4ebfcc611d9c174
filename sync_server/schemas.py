"""Pydantic schemas of the HTTP API: input and output kept apart."""

from __future__ import annotations

import base64
from dataclasses import fields
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, Field, create_model

from catalog_format import CATEGORIES, LIST_FIELDS, MAX_ID_CHARS, PRODUCT_FIELDS, CatalogRow, wire_product
from catalog_format.canonical import MAX_PRICE, MAX_TAG_CHARS, MAX_TAGS, TEXT_LIMITS
from catalog_format.urls import MAX_URL_CHARS

if TYPE_CHECKING:
    from sync_server.signing import Signer


class ProductIn(BaseModel):
    """A product as an admin writes it; the server builds the affiliate link.

    The field limits here only bound what is parsed; the rules are the canonical form's
    (catalog_format.canonical), applied by to_row at this door as at every other."""

    id: str = Field(min_length=1, max_length=MAX_ID_CHARS)
    brand: str = Field(min_length=1, max_length=TEXT_LIMITS["brand"])
    name: str = Field(min_length=1, max_length=TEXT_LIMITS["name"])
    category: str = Field(pattern="^(" + "|".join(CATEGORIES) + ")$")
    price: Decimal = Field(ge=0, le=MAX_PRICE)
    currency: str = Field(pattern="^[A-Z]{3}$")
    size: str = Field("", max_length=TEXT_LIMITS["size"])
    ingredients: str = Field(min_length=1, max_length=TEXT_LIMITS["ingredients"])
    url: str = Field(pattern=r"^https://\S+$", max_length=MAX_URL_CHARS)
    image_url: str = Field("", pattern=r"^(https://\S+)?$", max_length=MAX_URL_CHARS)
    skin_types: list[Annotated[str, Field(max_length=MAX_TAG_CHARS)]] = Field(default_factory=list, max_length=5)
    tags: list[Annotated[str, Field(max_length=MAX_TAG_CHARS)]] = Field(default_factory=list, max_length=MAX_TAGS)

    def to_row(self) -> CatalogRow:
        """The canonical row; ValueError with the reason when a rule of the canonical form is broken."""
        return CatalogRow.canonical(self.model_dump())


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
    version: int = Field(1, description="the digest version: 2 when asked for with digest_version=2, else 1")
    seq: int
    digest: str | None = Field(description="digest of the live catalog at seq (see PROTOCOL.md, *Integrity*)")
    signature: str | None = Field(description="base64 Ed25519 signature of the digest")


class ChangesPage(BaseModel):
    changes: list[ChangeOut]
    cursor: CursorOut
    more: bool = Field(description="true when another page follows now")
    catalog_seq: int = Field(description="the catalog's sequence when the page was read")
    state: StateOut
    snapshot_advised: bool = Field(False, description="more rows follow the cursor than the snapshot holds: "
                                                      "fetching the snapshot moves less")


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
    content: str = Field(description="the catalog file's text (the request body is limited to "
                                     "SKINLENS_MAX_IMPORT_BYTES)")
    replace: bool = False


class RowErrorOut(BaseModel):
    line: int
    reason: str


MAX_REPORTED_ERRORS = 1000  # an answer stays small whatever the file held


class ImportOut(BaseModel):
    seq: int
    upserted: int
    deleted: int
    errors: list[RowErrorOut] = Field(description=f"the first {MAX_REPORTED_ERRORS} rejected rows")
    more_errors: int = Field(0, description="rejected rows beyond those listed")


class WriteOut(BaseModel):
    seq: int
    changed: int


class HealthOut(BaseModel):
    status: str
    catalog_seq: int


class KeyOut(BaseModel):
    algorithm: str = "Ed25519"
    public_key: str = Field(description="the raw 32-byte public key, base64")
    fingerprint: str = Field(description="what the app shows at login: SHA256:<base64 of its SHA-256>")

    @classmethod
    def for_signer(cls, signer: Signer) -> KeyOut:
        return cls(public_key=base64.b64encode(signer.public_raw()).decode(), fingerprint=signer.fingerprint())

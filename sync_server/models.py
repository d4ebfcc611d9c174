"""PostgreSQL tables of the sync server (SQLAlchemy 2). Schema changes go through Alembic migrations."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, Index, LargeBinary, Numeric, String, Text, func
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from catalog_format.digest import CHECKSUM_BYTES


class Base(DeclarativeBase):
    pass


class CatalogState(Base):
    """One row per catalog. `seq` is bumped under a row lock inside every writing transaction, so sequence
    numbers are handed out in commit order (a reader never sees seq N+1 before seq N has committed)."""

    __tablename__ = "catalog_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, default=0)
    horizon_seq: Mapped[int] = mapped_column(BigInteger, default=0)  # changes before this were compacted away
    # LtHash16 of the live products (catalog_format.CatalogChecksum) and their number, kept up to date by every
    # write under the lock: the signed digest without reading the whole catalog
    checksum: Mapped[bytes] = mapped_column(LargeBinary, default=bytes(CHECKSUM_BYTES))
    live_count: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Product(Base):
    __tablename__ = "products"

    id: Mapped[str] = mapped_column(String, primary_key=True)
    brand: Mapped[str] = mapped_column(String)
    name: Mapped[str] = mapped_column(String)
    category: Mapped[str] = mapped_column(String)
    price: Mapped[str] = mapped_column(Numeric(12, 2))
    currency: Mapped[str] = mapped_column(String(3))
    size: Mapped[str] = mapped_column(String, default="")
    ingredients: Mapped[str] = mapped_column(Text)
    url: Mapped[str] = mapped_column(String)
    affiliate_url: Mapped[str] = mapped_column(String)
    image_url: Mapped[str] = mapped_column(String, default="")
    skin_types: Mapped[list[str]] = mapped_column(ARRAY(String), default=list)
    tags: Mapped[list[str]] = mapped_column(ARRAY(String), default=list)
    content_hash: Mapped[str] = mapped_column(String(64), default="")  # catalog_format.product_hash
    seq: Mapped[int] = mapped_column(BigInteger)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)  # a tombstone for clients
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (Index("ix_products_seq_id", "seq", "id"),)


class DeviceToken(Base):
    """A read-only device token; only its SHA-256 is stored."""

    __tablename__ = "device_tokens"

    name: Mapped[str] = mapped_column(String, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class CatalogDigest(Base):
    """The signed (version 2) digest of the whole live catalog after each sequence number."""

    __tablename__ = "catalog_digests"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    digest: Mapped[str] = mapped_column(String(64))
    signature: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Retailer(Base):
    """An allowed shop: product URLs must be https on this host; the affiliate link follows the template."""

    __tablename__ = "retailers"

    host: Mapped[str] = mapped_column(String, primary_key=True)
    name: Mapped[str] = mapped_column(String)
    affiliate_template: Mapped[str] = mapped_column(String)  # e.g. "{url}?affil=skinlens"

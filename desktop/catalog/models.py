"""Tables of the local catalog store (SQLAlchemy 2, SQLite): public product data and the sync's own state."""

from __future__ import annotations

from sqlalchemy import String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Product(Base):
    """One product (catalog_format.CatalogRow's fields) and where it came from."""

    __tablename__ = "products"

    id: Mapped[str] = mapped_column(String, primary_key=True)
    brand: Mapped[str] = mapped_column(String)
    name: Mapped[str] = mapped_column(String)
    category: Mapped[str] = mapped_column(String, index=True)
    price: Mapped[str] = mapped_column(String)  # decimal text: exact
    currency: Mapped[str] = mapped_column(String(3))
    size: Mapped[str] = mapped_column(String, default="")
    ingredients: Mapped[str] = mapped_column(Text)
    url: Mapped[str] = mapped_column(String)
    affiliate_url: Mapped[str] = mapped_column(String, default="")
    image_url: Mapped[str] = mapped_column(String, default="")
    skin_types: Mapped[str] = mapped_column(String, default="")  # ;-separated
    tags: Mapped[str] = mapped_column(String, default="")  # ;-separated
    source: Mapped[str] = mapped_column(String, default="import")  # demo | import | sync
    # Derived when the row is written, so readers and the sync's verification need not redo it per product:
    inci: Mapped[str] = mapped_column(Text, default="")  # normalised INCI names in label order, one per line
    content_hash: Mapped[str] = mapped_column(String(64), default="")  # CatalogRow.content_hash of the columns


class SyncState(Base):
    """Key/value state of catalog sync (cursor, server URL, last digest), written with each applied page."""

    __tablename__ = "sync_state"

    key: Mapped[str] = mapped_column(String, primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class SyncStaging(Base):
    """Changes fetched but not yet applied: pages land here one transaction each (so an interrupted sync
    resumes where it stopped), and are applied to `products` together, in one transaction, once verified."""

    __tablename__ = "sync_staging"

    id: Mapped[str] = mapped_column(String, primary_key=True)
    deleted: Mapped[bool] = mapped_column()
    product_json: Mapped[str] = mapped_column(Text, default="")  # the feed's product object, as JSON

"""Tables of the local catalog store (SQLAlchemy 2, SQLite)."""

from __future__ import annotations

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Product(Base):
    __tablename__ = "products"

    id: Mapped[str] = mapped_column(String, primary_key=True)
    brand: Mapped[str] = mapped_column(String)
    name: Mapped[str] = mapped_column(String)
    category: Mapped[str] = mapped_column(String, index=True)
    price: Mapped[str] = mapped_column(String)  # decimal text: exact, and sortable through price_value
    price_value: Mapped[float] = mapped_column()
    currency: Mapped[str] = mapped_column(String(3))
    size: Mapped[str] = mapped_column(String, default="")
    ingredients: Mapped[str] = mapped_column(Text)
    url: Mapped[str] = mapped_column(String)
    affiliate_url: Mapped[str] = mapped_column(String, default="")
    image_url: Mapped[str] = mapped_column(String, default="")
    skin_types: Mapped[str] = mapped_column(String, default="")  # ;-separated
    tags: Mapped[str] = mapped_column(String, default="")  # ;-separated
    source: Mapped[str] = mapped_column(String, default="import")  # demo | import | sync

    inci: Mapped[list[ProductIngredient]] = relationship(
        back_populates="product", cascade="all, delete-orphan", order_by="ProductIngredient.position")


class ProductIngredient(Base):
    """One ingredient of a product in label order (position 0 = first on the label)."""

    __tablename__ = "product_ingredients"

    product_id: Mapped[str] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String)  # normalised INCI name
    product: Mapped[Product] = relationship(back_populates="inci")

    __table_args__ = (Index("ix_product_ingredients_name", "name"),)


class SyncState(Base):
    """Key/value state of catalog sync (cursor, server URL, last digest), written with each applied page."""

    __tablename__ = "sync_state"

    key: Mapped[str] = mapped_column(String, primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Offer(Base):
    """Where a product can be bought: retailer (the URL's host), price and links. One per product today;
    the table allows several retailers per product."""

    __tablename__ = "offers"

    product_id: Mapped[str] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), primary_key=True)
    retailer: Mapped[str] = mapped_column(String, primary_key=True)
    price: Mapped[str] = mapped_column(String)
    currency: Mapped[str] = mapped_column(String(3))
    url: Mapped[str] = mapped_column(String)
    affiliate_url: Mapped[str] = mapped_column(String, default="")


class Analysis(Base):
    """One saved analysis (history). The photo is kept only when the user opted in."""

    __tablename__ = "analyses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[float] = mapped_column(Float, index=True)
    report_json: Mapped[str] = mapped_column(Text)
    photo_path: Mapped[str | None] = mapped_column(String, nullable=True)


class UserProfile(Base):
    """The questionnaire's answers and preferences (the recommender's profile), as JSON; one row."""

    __tablename__ = "user_profile"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    profile_json: Mapped[str] = mapped_column(Text)


class SyncStaging(Base):
    """Changes fetched but not yet applied: pages land here one transaction each (so an interrupted sync
    resumes where it stopped), and are applied to `products` together, in one transaction, once verified."""

    __tablename__ = "sync_staging"

    id: Mapped[str] = mapped_column(String, primary_key=True)
    deleted: Mapped[bool] = mapped_column()
    product_json: Mapped[str] = mapped_column(Text, default="")

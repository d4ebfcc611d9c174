"""The local catalog store: SQLite (WAL) through SQLAlchemy 2.

Every write is one transaction: an import, a demo seed or a sync page either lands whole or not at all.
Readers get plain `ProductRecord`s, never ORM objects, so the recommender and the UI stay free of sessions.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import create_engine, delete, event, func, insert, select, text
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from catalog_format import CatalogRow, RowError, parse_catalog_file
from desktop.catalog.inci import parse_ingredients
from desktop.catalog.models import Analysis, Base, Offer, Product, ProductIngredient, SyncState, UserProfile

SCHEMA_VERSION = 3
_BATCH = 500


@dataclass(frozen=True)
class ProductRecord:
    id: str
    brand: str
    name: str
    category: str
    price: Decimal
    currency: str
    size: str
    url: str
    affiliate_url: str
    image_url: str
    skin_types: tuple[str, ...]
    tags: tuple[str, ...]
    ingredients_label: str
    ingredients: tuple[str, ...]  # normalised, label order

    @property
    def buy_url(self) -> str:
        return self.affiliate_url or self.url


@dataclass
class ImportReport:
    added: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)

    def summary(self) -> str:
        return f"{self.added} added, {self.updated} updated, {len(self.errors)} rejected"


def _on_connect(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _row_values(row: CatalogRow, source: str, affiliate_url: str = "") -> dict[str, Any]:
    return {
        "id": row.id, "brand": row.brand, "name": row.name, "category": row.category, "price": str(row.price),
        "price_value": float(row.price), "currency": row.currency, "size": row.size,
        "ingredients": row.ingredients, "url": row.url, "affiliate_url": affiliate_url,
        "image_url": row.image_url, "skin_types": ";".join(row.skin_types), "tags": ";".join(row.tags),
        "source": source,
    }


class CatalogStore:
    def __init__(self, db_path: Path) -> None:
        self.path = db_path
        self.engine: Engine = create_engine(f"sqlite:///{db_path}", future=True)
        event.listen(self.engine, "connect", _on_connect)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._migrate()

    def _migrate(self) -> None:
        """Bring the schema to SCHEMA_VERSION (PRAGMA user_version); each step runs in one transaction."""
        with self.engine.begin() as conn:
            version = conn.execute(text("PRAGMA user_version")).scalar_one()
            if version > SCHEMA_VERSION:
                raise RuntimeError(f"{self.path} was written by a newer SkinLens (schema {version})")
            if version < 1:
                Base.metadata.create_all(conn)
            if version < 3:  # v3: sync staging (create_all adds missing tables only)
                Base.metadata.create_all(conn)
            if version < 2:  # v2: offers, analysis history, user profile (create_all adds missing tables only)
                Base.metadata.create_all(conn)
                conn.execute(text("INSERT OR IGNORE INTO offers (product_id, retailer, price, currency, url, "
                                  "affiliate_url) SELECT id, '', price, currency, url, affiliate_url FROM products"))
            conn.execute(text(f"PRAGMA user_version={SCHEMA_VERSION}"))

    def close(self) -> None:
        self.engine.dispose()

    # -- writing ---------------------------------------------------------------------------------
    def upsert_rows(self, session: Session, rows: Sequence[CatalogRow], source: str,
                    affiliate_urls: dict[str, str] | None = None) -> tuple[int, int]:
        """Insert or replace products and their ingredient links inside the caller's transaction."""
        affiliate_urls = affiliate_urls or {}
        ids = [r.id for r in rows]
        existing: set[str] = set()
        for start in range(0, len(ids), _BATCH):
            chunk = ids[start:start + _BATCH]
            existing.update(session.scalars(select(Product.id).where(Product.id.in_(chunk))))
        for start in range(0, len(rows), _BATCH):
            chunk_rows = rows[start:start + _BATCH]
            values = [_row_values(r, source, affiliate_urls.get(r.id, "")) for r in chunk_rows]
            stmt = sqlite_insert(Product).values(values)
            updatable = {k: stmt.excluded[k] for k in values[0] if k != "id"}
            session.execute(stmt.on_conflict_do_update(index_elements=["id"], set_=updatable))
            chunk_ids = [r.id for r in chunk_rows]
            session.execute(delete(ProductIngredient).where(ProductIngredient.product_id.in_(chunk_ids)))
            session.execute(delete(Offer).where(Offer.product_id.in_(chunk_ids)))
            session.execute(insert(Offer), [
                {"product_id": v["id"], "retailer": urlsplit(v["url"]).hostname or "", "price": v["price"],
                 "currency": v["currency"], "url": v["url"], "affiliate_url": v["affiliate_url"]} for v in values])
            links = [{"product_id": r.id, "position": i, "name": name}
                     for r in chunk_rows for i, name in enumerate(parse_ingredients(r.ingredients))]
            if links:
                session.execute(insert(ProductIngredient), links)
        self._bump_generation(session)
        return len(set(ids) - existing), len(existing)

    def _bump_generation(self, session: Session) -> None:
        """Every catalog write bumps a counter in the same transaction, so caches (the ranking index) in
        any process can tell that the catalog changed."""
        current = session.get(SyncState, "generation")
        if current is None:
            session.add(SyncState(key="generation", value="1"))
        else:
            current.value = str(int(current.value) + 1)

    def generation(self) -> int:
        return int(self.get_state("generation", "0"))

    def delete_products(self, session: Session, ids: Iterable[str]) -> int:
        ids = list(ids)
        removed = 0
        for start in range(0, len(ids), _BATCH):
            chunk = ids[start:start + _BATCH]
            result = session.execute(delete(Product).where(Product.id.in_(chunk)))
            removed += result.rowcount or 0  # type: ignore[attr-defined]
        if removed:
            self._bump_generation(session)
        return removed

    def delete_source_except(self, session: Session, source: str, keep: set[str]) -> int:
        """Delete products that came from `source` (e.g. the demo seed) unless their id is in `keep`."""
        ids = [pid for pid in session.scalars(select(Product.id).where(Product.source == source))
               if pid not in keep]
        return self.delete_products(session, ids)

    def import_rows(self, rows: Sequence[CatalogRow], source: str = "import") -> ImportReport:
        with self._sessions.begin() as session:
            added, updated = self.upsert_rows(session, rows, source)
        return ImportReport(added=added, updated=updated)

    def import_file(self, path: Path, source: str = "import") -> ImportReport:
        """Import a catalog file: good rows land in one transaction; bad rows are reported, not applied."""
        parsed = parse_catalog_file(path)
        report = self.import_rows(parsed.rows, source) if parsed.rows else ImportReport()
        report.errors = parsed.errors
        return report

    def seed_demo_if_empty(self, demo_csv: Path) -> int:
        """On first run the store is filled from the bundled demo catalog; returns how many were added."""
        if self.count() or not demo_csv.exists():
            return 0
        return self.import_file(demo_csv, source="demo").added

    def session(self) -> Session:
        """A session for a caller that needs its own transaction (the sync client)."""
        return self._sessions()

    def set_state(self, session: Session, values: dict[str, str]) -> None:
        for key, value in values.items():
            session.merge(SyncState(key=key, value=value))

    def set_state_now(self, key: str, value: str) -> None:
        """One state value in its own transaction (e.g. when the last successful sync happened)."""
        with self._sessions.begin() as session:
            self.set_state(session, {key: value})

    def get_state(self, key: str, default: str = "") -> str:
        with self._sessions() as session:
            row = session.get(SyncState, key)
            return row.value if row else default

    def clear(self) -> None:
        """Delete every product and the sync state (used by 'delete all data' and by a full resync)."""
        with self._sessions.begin() as session:
            session.execute(delete(ProductIngredient))
            session.execute(delete(Offer))
            session.execute(delete(Product))
            session.execute(delete(SyncState).where(SyncState.key != "generation"))
            self._bump_generation(session)

    # -- the user's own data ---------------------------------------------------------------------
    def add_analysis(self, report: dict[str, Any], photo_path: str | None = None) -> int:
        with self._sessions.begin() as session:
            row = Analysis(created_at=time.time(), report_json=json.dumps(report), photo_path=photo_path)
            session.add(row)
            session.flush()
            return int(row.id)

    def analyses(self) -> list[tuple[int, float, dict[str, Any], str | None]]:
        """(id, created_at, report, photo_path), oldest first."""
        with self._sessions() as session:
            return [(a.id, a.created_at, json.loads(a.report_json), a.photo_path)
                    for a in session.scalars(select(Analysis).order_by(Analysis.created_at, Analysis.id))]

    def delete_analyses(self, ids: Iterable[int] | None = None) -> list[str]:
        """Delete some (or all) analyses; returns the photo paths the caller must remove from disk."""
        with self._sessions.begin() as session:
            query = select(Analysis) if ids is None else select(Analysis).where(Analysis.id.in_(list(ids)))
            rows = list(session.scalars(query))
            for row in rows:
                session.delete(row)
            return [r.photo_path for r in rows if r.photo_path]

    def delete_analyses_before(self, cutoff: float) -> tuple[int, list[str]]:
        """Apply the retention setting: delete analyses created before `cutoff` (a UNIX time).

        Returns how many went and the photo paths the caller must remove from disk."""
        with self._sessions() as session:
            ids = list(session.scalars(select(Analysis.id).where(Analysis.created_at < cutoff)))
        return len(ids), (self.delete_analyses(ids) if ids else [])

    def save_profile(self, profile: dict[str, Any]) -> None:
        with self._sessions.begin() as session:
            session.merge(UserProfile(id=1, profile_json=json.dumps(profile)))

    def load_profile(self) -> dict[str, Any] | None:
        with self._sessions() as session:
            row = session.get(UserProfile, 1)
            return json.loads(row.profile_json) if row else None

    def delete_user_data(self) -> list[str]:
        """Forget the user: history and profile (the catalog is not personal and stays)."""
        photos = self.delete_analyses()
        with self._sessions.begin() as session:
            session.execute(delete(UserProfile))
        return photos

    # -- reading ---------------------------------------------------------------------------------
    def count(self) -> int:
        with self._sessions() as session:
            return session.scalar(select(func.count()).select_from(Product)) or 0

    def stats(self) -> dict[str, Any]:
        with self._sessions() as session:
            categories = Counter(dict(session.execute(
                select(Product.category, func.count()).group_by(Product.category)).all()))
            brands = session.scalar(select(func.count(func.distinct(Product.brand)))) or 0
            ingredients = session.scalar(select(func.count(func.distinct(ProductIngredient.name)))) or 0
            sources = dict(session.execute(
                select(Product.source, func.count()).group_by(Product.source)).all())
        return {"products": sum(categories.values()), "brands": brands, "distinct_ingredients": ingredients,
                "by_category": dict(sorted(categories.items())), "by_source": sources,
                "sync_cursor": self.get_state("cursor") or None}

    def products(self) -> list[ProductRecord]:
        with self._sessions() as session:
            links: dict[str, list[str]] = {}
            for pid, name in session.execute(select(ProductIngredient.product_id, ProductIngredient.name)
                                             .order_by(ProductIngredient.product_id, ProductIngredient.position)):
                links.setdefault(pid, []).append(name)
            return [
                ProductRecord(
                    id=p.id, brand=p.brand, name=p.name, category=p.category, price=Decimal(p.price),
                    currency=p.currency, size=p.size, url=p.url, affiliate_url=p.affiliate_url,
                    image_url=p.image_url, skin_types=tuple(filter(None, p.skin_types.split(";"))),
                    tags=tuple(filter(None, p.tags.split(";"))), ingredients_label=p.ingredients,
                    ingredients=tuple(links.get(p.id, ())),
                )
                for p in session.scalars(select(Product).order_by(Product.id))
            ]

"""The local catalog store: SQLite (WAL) through SQLAlchemy 2. Public product data only; personal data lives in
desktop.history, in its own file.

Every write is one transaction: an import, a demo seed or an applied sync either lands whole or not at all.
Readers get plain `ProductRecord`s, never ORM objects, so the recommender and the UI stay free of sessions; the
sync client hands pages in and gets counts back, so it never sees a session either.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import delete, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from catalog_format import LIST_FIELDS, PRODUCT_FIELDS, CatalogRow, RowError, catalog_digest, parse_catalog_file
from desktop.catalog.inci import parse_ingredients
from desktop.catalog.models import Product, SyncStaging, SyncState
from desktop.catalog.schema import migrate
from desktop.sqlite import open_engine

SYNC_SOURCE = "sync"  # products as the server signed them; the digest covers exactly these
_BATCH = 500


@dataclass(frozen=True, kw_only=True)
class ProductRecord(CatalogRow):
    """A product as the recommender reads it: the catalog row plus its ingredients, normalised."""

    inci: tuple[str, ...] = ()  # normalised INCI names, label order

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


class DigestMismatch(Exception):
    """The synced products would not equal the server's signed catalog; nothing was applied."""

    def __init__(self, local: str) -> None:
        super().__init__(local)
        self.local = local


def _columns(row: CatalogRow, source: str) -> dict[str, Any]:
    values = row.values()
    values["price"] = str(row.price)
    for name in LIST_FIELDS:
        values[name] = ";".join(values[name])
    values["source"] = source
    values["inci"], values["content_hash"] = _derived(row)
    return values


def _derived(row: CatalogRow) -> tuple[str, str]:
    """The columns written beside a product's fields: its normalised INCI names (one per line) and content hash."""
    return "\n".join(parse_ingredients(row.ingredients)), row.content_hash()


def _inci_names(column: str) -> tuple[str, ...]:
    return tuple(filter(None, column.split("\n")))


_COLUMN_NAMES = (*PRODUCT_FIELDS, "source", "inci", "content_hash")  # the order of _columns' values
_UPSERT_PRODUCT = (f"INSERT INTO products ({', '.join(_COLUMN_NAMES)}) VALUES ({', '.join('?' * len(_COLUMN_NAMES))}) "
                   f"ON CONFLICT (id) DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in _COLUMN_NAMES[1:])}")


def _column_tuple(row: CatalogRow, source: str) -> tuple[Any, ...]:
    values = _columns(row, source)
    return tuple(values[name] for name in _COLUMN_NAMES)


def _row_values(product: Product) -> dict[str, Any]:
    return _stored_values(tuple(getattr(product, name) for name in PRODUCT_FIELDS))


def _stored_values(stored: Sequence[Any]) -> dict[str, Any]:
    """A CatalogRow's fields from the products columns (PRODUCT_FIELDS order), lists split on ';'."""
    values = dict(zip(PRODUCT_FIELDS, stored, strict=True))
    values["price"] = Decimal(values["price"])
    for name in LIST_FIELDS:
        values[name] = tuple(filter(None, values[name].split(";")))
    return values


def derived_columns(stored: Sequence[Any]) -> tuple[str, str]:
    """(inci, content_hash) of a product from its stored PRODUCT_FIELDS: what _columns writes beside them."""
    return _derived(CatalogRow(**_stored_values(stored)))


class CatalogStore:
    def __init__(self, db_path: Path) -> None:
        self.path = db_path
        self.engine: Engine = open_engine(db_path)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        migrate(self.engine, db_path, derived_columns)

    def close(self) -> None:
        self.engine.dispose()

    # -- writing ---------------------------------------------------------------------------------
    def _upsert_rows(self, session: Session, rows: Sequence[CatalogRow], source: str) -> tuple[int, int]:
        """Insert or replace products (with their derived columns) inside the caller's transaction.

        One prepared statement run over every row (the driver's executemany): building multi-row VALUES
        statements through the ORM costs more than the writes themselves on a first sync of thousands."""
        if not rows:
            self._bump_generation(session)
            return 0, 0
        ids = [r.id for r in rows]
        existing: set[str] = set()
        for start in range(0, len(ids), _BATCH):
            chunk = ids[start:start + _BATCH]
            existing.update(session.scalars(select(Product.id).where(Product.id.in_(chunk))))
        session.connection().exec_driver_sql(_UPSERT_PRODUCT, [_column_tuple(r, source) for r in rows])
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

    def _delete_products(self, session: Session, ids: Iterable[str]) -> int:
        ids = list(ids)
        removed = 0
        for start in range(0, len(ids), _BATCH):
            chunk = ids[start:start + _BATCH]
            result = session.execute(delete(Product).where(Product.id.in_(chunk)))
            removed += result.rowcount or 0  # type: ignore[attr-defined]
        if removed:
            self._bump_generation(session)
        return removed

    def _delete_source_except(self, session: Session, source: str, keep: set[str]) -> int:
        """Delete products that came from `source` (e.g. the demo seed) unless their id is in `keep`."""
        ids = [pid for pid in session.scalars(select(Product.id).where(Product.source == source))
               if pid not in keep]
        return self._delete_products(session, ids)

    def import_rows(self, rows: Sequence[CatalogRow], source: str = "import") -> ImportReport:
        with self._sessions.begin() as session:
            added, updated = self._upsert_rows(session, rows, source)
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

    # -- sync ------------------------------------------------------------------------------------
    def stage_sync_page(self, changes: Sequence[Mapping[str, Any]], staging: str) -> None:
        """Stage one page of the feed's changes ({"id", "deleted", "product"}) with the staging cursor, in one
        transaction, so an interrupted sync resumes after the last staged page."""
        rows = [(c["id"], bool(c["deleted"]), "" if c["deleted"] else orjson.dumps(c["product"]).decode())
                for c in changes]
        with self._sessions.begin() as session:
            if rows:  # a later page's change to a staged id replaces it
                session.connection().exec_driver_sql(
                    "INSERT INTO sync_staging (id, deleted, product_json) VALUES (?, ?, ?) ON CONFLICT (id) DO "
                    "UPDATE SET deleted = excluded.deleted, product_json = excluded.product_json", rows)
            self._set_state(session, {"staging": staging})

    def clear_sync_staging(self) -> None:
        with self._sessions.begin() as session:
            session.execute(delete(SyncStaging))
            self._set_state(session, {"staging": ""})

    def apply_sync(self, expected_digest: str, *, replace_all: bool, state: Mapping[str, str],
                   progress: Callable[[int], None] | None = None,
                   snapshot: Sequence[Mapping[str, Any]] | None = None) -> tuple[int, int]:
        """Apply every staged change and commit with `state`, in one transaction, only if the synced products
        then have `expected_digest` (the server's signed one); otherwise raise DigestMismatch and change nothing.

        With `replace_all` (a first sync, another server, a snapshot) the staged products replace the synced
        ones and the bundled demo; products the user imported stay. A `snapshot` (the feed's product objects)
        always replaces them so, and is applied instead of the staging: one response needs no staging to
        resume from, and writing it there first would only copy it twice. Returns (upserted, deleted).
        """
        with self._sessions.begin() as session:
            if snapshot is None:
                staged = session.execute(select(SyncStaging.id, SyncStaging.deleted, SyncStaging.product_json)).all()
                upserts = [CatalogRow.from_wire(orjson.loads(product)) for _, deleted, product in staged
                           if not deleted]
                deletes = [pid for pid, deleted, _ in staged if deleted]
            else:
                upserts, deletes = [CatalogRow.from_wire(product) for product in snapshot], []
            removed = 0
            if replace_all or snapshot is not None:
                keep = {r.id for r in upserts}
                removed += self._delete_source_except(session, SYNC_SOURCE, keep)
                removed += self._delete_source_except(session, "demo", keep)
            self._upsert_rows(session, upserts, SYNC_SOURCE)
            removed += self._delete_products(session, deletes)
            if progress:
                progress(len(upserts) + len(deletes))
            digest = self._synced_digest(session)
            if digest != expected_digest:
                raise DigestMismatch(digest)
            session.execute(delete(SyncStaging))
            self._set_state(session, {**state, "staging": "", "digest": digest})
        return len(upserts), removed

    def _synced_digest(self, session: Session) -> str:
        """catalog_format.catalog_digest over the synced products, computed as the server computes it, from each
        row's content hash (written with the row, from the same CatalogRow, so it hashes what is stored)."""
        rows = session.execute(select(Product.id, Product.content_hash).where(Product.source == SYNC_SOURCE))
        return catalog_digest((pid, content_hash) for pid, content_hash in rows)

    def synced_digest(self) -> str:
        with self._sessions() as session:
            return self._synced_digest(session)

    # -- state -----------------------------------------------------------------------------------
    def _set_state(self, session: Session, values: Mapping[str, str]) -> None:
        for key, value in values.items():
            session.merge(SyncState(key=key, value=value))

    def set_state_now(self, key: str, value: str) -> None:
        """One state value in its own transaction (e.g. when the last successful sync happened)."""
        with self._sessions.begin() as session:
            self._set_state(session, {key: value})

    def get_state(self, key: str, default: str = "") -> str:
        with self._sessions() as session:
            row = session.get(SyncState, key)
            return row.value if row else default

    # -- reading ---------------------------------------------------------------------------------
    def count(self) -> int:
        with self._sessions() as session:
            return session.scalar(select(func.count()).select_from(Product)) or 0

    def stats(self) -> dict[str, Any]:
        with self._sessions() as session:
            categories = Counter(dict(session.execute(
                select(Product.category, func.count()).group_by(Product.category)).all()))
            brands = session.scalar(select(func.count(func.distinct(Product.brand)))) or 0
            ingredients = {name for inci in session.scalars(select(Product.inci)) for name in _inci_names(inci)}
            sources = dict(session.execute(
                select(Product.source, func.count()).group_by(Product.source)).all())
        return {"products": sum(categories.values()), "brands": brands,
                "distinct_ingredients": len(ingredients),
                "by_category": dict(sorted(categories.items())), "by_source": sources,
                "sync_cursor": self.get_state("cursor") or None}

    def products(self) -> list[ProductRecord]:
        with self._sessions() as session:
            return [ProductRecord(**_row_values(p), inci=_inci_names(p.inci))
                    for p in session.scalars(select(Product).order_by(Product.id))]

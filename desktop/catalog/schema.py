"""The catalog file's schema versions (PRAGMA user_version) and the steps between them.

1: products and their ingredients; 2: offers, scan history, the saved answers; 3: sync staging;
4: offers and products.price_value dropped (written, never read); 5: each product's normalised INCI names and
content hash kept on its own row (a table of ingredient links cost a first sync more than everything else).
The history and the answers of version 2 are personal data: they move to the history file
(desktop.history.legacy), which drops them here once it holds them, so this step leaves them alone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.engine import Engine

from catalog_format import PRODUCT_FIELDS
from desktop.catalog.models import Base
from desktop.sqlite import schema_version, set_schema_version

SCHEMA_VERSION = 5
DerivedColumns = Callable[[Sequence[Any]], tuple[str, str]]  # stored PRODUCT_FIELDS -> (inci, content_hash)


def migrate(engine: Engine, db_path: Path, derived: DerivedColumns) -> None:
    """Bring the file to SCHEMA_VERSION in one transaction (create_all adds only the tables that are missing).

    `derived` computes a product's derived columns from its stored fields: the store owns that rule, so an
    upgraded row holds exactly what a freshly written one would."""
    with engine.begin() as conn:
        version = schema_version(conn, db_path, SCHEMA_VERSION)
        if version == SCHEMA_VERSION:
            return
        Base.metadata.create_all(conn)
        if version < 4:
            _drop_unread_columns(conn)
        if version < 5:
            _keep_derived_columns_on_the_row(conn, derived)
        set_schema_version(conn, SCHEMA_VERSION)


def _drop_unread_columns(conn: Connection) -> None:
    conn.execute(text("DROP TABLE IF EXISTS offers"))
    columns = {row[1] for row in conn.execute(text("PRAGMA table_info(products)"))}
    if "price_value" in columns:
        conn.execute(text("ALTER TABLE products DROP COLUMN price_value"))


def _keep_derived_columns_on_the_row(conn: Connection, derived: DerivedColumns) -> None:
    columns = {row[1] for row in conn.execute(text("PRAGMA table_info(products)"))}
    for name in ("inci", "content_hash"):
        if name not in columns:
            conn.execute(text(f"ALTER TABLE products ADD COLUMN {name} TEXT NOT NULL DEFAULT ''"))
    stored = conn.exec_driver_sql(f"SELECT {', '.join(PRODUCT_FIELDS)} FROM products").all()
    if stored:
        conn.exec_driver_sql("UPDATE products SET inci = ?, content_hash = ? WHERE id = ?",
                             [(*derived(row), row[0]) for row in stored])
    conn.execute(text("DROP TABLE IF EXISTS product_ingredients"))

"""The catalog file's schema versions (PRAGMA user_version) and the steps between them.

1: products and their ingredients; 2: offers, scan history, the saved answers; 3: sync staging;
4: offers and products.price_value dropped (written, never read). The history and the answers of version 2 are
personal data: they move to the history file (desktop.history.legacy), which drops them here once it holds them,
so this step leaves them alone.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection, text
from sqlalchemy.engine import Engine

from desktop.catalog.models import Base
from desktop.sqlite import schema_version, set_schema_version

SCHEMA_VERSION = 4


def migrate(engine: Engine, db_path: Path) -> None:
    """Bring the file to SCHEMA_VERSION in one transaction (create_all adds only the tables that are missing)."""
    with engine.begin() as conn:
        version = schema_version(conn, db_path, SCHEMA_VERSION)
        if version == SCHEMA_VERSION:
            return
        Base.metadata.create_all(conn)
        if version < 4:
            _drop_unread_columns(conn)
        set_schema_version(conn, SCHEMA_VERSION)


def _drop_unread_columns(conn: Connection) -> None:
    conn.execute(text("DROP TABLE IF EXISTS offers"))
    columns = {row[1] for row in conn.execute(text("PRAGMA table_info(products)"))}
    if "price_value" in columns:
        conn.execute(text("ALTER TABLE products DROP COLUMN price_value"))

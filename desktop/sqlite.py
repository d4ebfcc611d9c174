"""How the app opens its SQLite files: WAL, foreign keys, a busy timeout, and a schema version per file.

The catalog and the personal history are separate files with separate schemas, but both are read by the window
while a worker writes, and both can be open in two processes (the app and `skinlens` in a terminal); the same
connection settings make that safe for both.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Connection, create_engine, event, text
from sqlalchemy.engine import Engine

COMMON_PRAGMAS = ("journal_mode=WAL", "foreign_keys=ON", "busy_timeout=5000", "synchronous=NORMAL")
# For files of personal data: deleted content is overwritten with zeros (not every SQLite build does so by
# default), and temporary tables and sorts stay in memory instead of temporary files on disk.
PERSONAL_PRAGMAS = ("secure_delete=ON", "temp_store=MEMORY")


def open_engine(db_path: Path, extra_pragmas: tuple[str, ...] = ()) -> Engine:
    engine = create_engine(f"sqlite:///{db_path}", future=True)
    pragmas = COMMON_PRAGMAS + extra_pragmas

    def on_connect(dbapi_conn: Any, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        for pragma in pragmas:
            cur.execute(f"PRAGMA {pragma}")
        cur.close()

    event.listen(engine, "connect", on_connect)
    return engine


def schema_version(conn: Connection, db_path: Path, newest: int) -> int:
    """The file's PRAGMA user_version; a file from a newer SkinLens is refused rather than misread."""
    version = int(conn.execute(text("PRAGMA user_version")).scalar_one())
    if version > newest:
        raise RuntimeError(f"{db_path} was written by a newer SkinLens (schema {version})")
    return version


def set_schema_version(conn: Connection, version: int) -> None:
    conn.execute(text(f"PRAGMA user_version={int(version)}"))

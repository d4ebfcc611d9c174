"""Plaintext history from older SkinLens versions: read it once, seal it, and leave no plaintext copy behind.

Two places held it in the clear: the catalog file (catalog schemas 2 and 3 kept the history and the answers
there) and a history file of schema 1. Both are read here as plain rows; the store seals them.

Moving out of the catalog happens once, in the transaction that creates the history file, with the ids kept;
dropping the old tables from the catalog file comes after, and is retried on every open until it succeeds. A
stop between the two steps therefore never loses a scan, and never brings back one the user deleted since. The
drop overwrites the freed pages (secure_delete: not every SQLite build does so by default) and the write-ahead
log is checkpointed and truncated, so the personal rows do not linger in the catalog's files. A schema-1
history file is replaced whole by its sealed copy: overwritten with zeros, then removed with its WAL and shm.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

LEGACY_TABLES = ("analyses", "user_profile")
PlainScan = tuple[int, float, str, str | None]  # id, created_at, report JSON, photo path
PlainProfile = tuple[int, str]  # id, answers JSON


def _legacy_tables(conn: sqlite3.Connection) -> list[str]:
    present = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return [name for name in LEGACY_TABLES if name in present]


def user_version(db: Path) -> int:
    """PRAGMA user_version of an SQLite file, read without changing it (0 for a new or foreign file)."""
    if not db.exists():
        return 0
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    except sqlite3.DatabaseError:
        return 0
    finally:
        conn.close()


def read_plain(db: Path) -> tuple[list[PlainScan], list[PlainProfile]]:
    """The plaintext scans and answers of a schema 2/3 catalog file or a schema 1 history file."""
    if not db.exists():
        return [], []
    conn = sqlite3.connect(db, timeout=5)
    try:
        tables = _legacy_tables(conn)
        scans = (conn.execute("SELECT id, created_at, report_json, photo_path FROM analyses").fetchall()
                 if "analyses" in tables else [])
        profiles = (conn.execute("SELECT id, profile_json FROM user_profile").fetchall()
                    if "user_profile" in tables else [])
    finally:
        conn.close()
    return scans, profiles


def drop_from_catalog(catalog_db: Path) -> None:
    """Drop the catalog file's history tables (once the history file holds them), leaving no copy on disk."""
    if not catalog_db.exists():
        return
    catalog = sqlite3.connect(catalog_db, timeout=5, isolation_level=None)
    try:
        tables = _legacy_tables(catalog)
        if not tables:
            return
        catalog.execute("PRAGMA secure_delete=ON")
        catalog.execute("BEGIN IMMEDIATE")
        for name in tables:
            catalog.execute(f"DROP TABLE {name}")
        catalog.execute("COMMIT")
        catalog.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        catalog.close()


def sqlite_files(db: Path) -> list[Path]:
    """The database file and the files SQLite keeps beside it."""
    return [db, *(db.with_name(db.name + suffix) for suffix in ("-wal", "-shm", "-journal"))]


def remove_file(path: Path) -> None:
    """Overwrite a file with zeros, then remove it. On copy-on-write file systems and SSDs the old blocks may
    survive the overwrite; removing the file is what guarantees that no file under the home holds the data."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return
    with path.open("r+b") as handle:
        handle.write(b"\0" * size)
        handle.flush()
    path.unlink(missing_ok=True)


def remove_database(db: Path) -> None:
    for path in sqlite_files(db):
        remove_file(path)

"""Moving the history and the saved answers out of the catalog file, where catalog schemas 2 and 3 kept them.

Copying happens once, in the transaction that creates the history file, with the ids kept; dropping the old
tables from the catalog file comes after, and is retried on every open until it succeeds. A stop between the
two steps therefore never loses a scan, and never brings back one the user deleted since. The drop overwrites the
freed pages (secure_delete: not every SQLite build does so by default) and the write-ahead log is checkpointed
and truncated, so the personal rows do not linger in the catalog's files.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import Connection
from sqlalchemy.dialects.sqlite import insert

from desktop.history.models import Analysis, UserProfile

LEGACY_TABLES = ("analyses", "user_profile")


def _legacy_tables(catalog: sqlite3.Connection) -> list[str]:
    present = {row[0] for row in catalog.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return [name for name in LEGACY_TABLES if name in present]


def copy_from_catalog(catalog_db: Path, history: Connection) -> int:
    """Copy the catalog file's history and answers into the history file (the caller's transaction)."""
    if not catalog_db.exists():
        return 0
    catalog = sqlite3.connect(catalog_db, timeout=5)
    try:
        tables = _legacy_tables(catalog)
        scans = (catalog.execute("SELECT id, created_at, report_json, photo_path FROM analyses").fetchall()
                 if "analyses" in tables else [])
        profiles = (catalog.execute("SELECT id, profile_json FROM user_profile").fetchall()
                    if "user_profile" in tables else [])
    finally:
        catalog.close()
    if scans:
        history.execute(insert(Analysis).on_conflict_do_nothing(), [
            {"id": i, "created_at": t, "report_json": r, "photo_path": p} for i, t, r, p in scans])
    if profiles:
        history.execute(insert(UserProfile).on_conflict_do_nothing(),
                        [{"id": i, "profile_json": j} for i, j in profiles])
    return len(scans)


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

"""Sealing a schema-1 (plaintext) history file: a sealed copy is built beside it, then replaces it.

The plaintext file is removed (overwritten with zeros first) only once the sealed copy is complete and closed,
and the copy takes its name in one rename; a stop anywhere loses nothing: before the removal the plaintext file
is still there and the copy is rebuilt, after it the complete copy is simply renamed on the next open.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from sqlalchemy import Connection
from sqlalchemy.engine import Engine

from desktop.history import legacy
from desktop.history.keys import KeyUnavailable


class SealedCopy(Protocol):
    """What the upgrade needs of the new, sealed store it fills (the history store; named here, not imported,
    so that the store and its upgrade do not import each other)."""

    locked: str | None
    engine: Engine

    def insert_plain(self, conn: Connection, scans: list[legacy.PlainScan],
                     profiles: list[legacy.PlainProfile]) -> list[Path]: ...

    def checkpoint(self) -> None: ...

    def close(self) -> None: ...


def seal_schema_1(db: Path, photos_dir: Path, make_store: Callable[[Path], SealedCopy]) -> None:
    tmp = db.with_name(db.name + ".sealing")
    if not db.exists() and tmp.exists():  # stopped after the plaintext file went: the copy is complete
        os.replace(tmp, db)
        return
    if legacy.user_version(db) != 1:
        legacy.remove_database(tmp)
        return
    scans, profiles = legacy.read_plain(db)
    legacy.remove_database(tmp)
    store = make_store(tmp)
    try:
        if store.locked is not None:
            raise KeyUnavailable(store.locked)
        with store.engine.begin() as conn:
            plain_photos = store.insert_plain(conn, scans, profiles)
        store.checkpoint()
    finally:
        store.close()
    for leftover in legacy.sqlite_files(tmp)[1:]:  # the closed copy's empty log and index
        leftover.unlink(missing_ok=True)
    legacy.remove_database(db)
    os.replace(tmp, db)
    remove_plain_photos(plain_photos, photos_dir)


def remove_plain_photos(paths: list[Path], photos_dir: Path) -> None:
    """Remove plaintext photos once their sealed copies are committed (only those in the photos folder)."""
    for path in paths:
        if path.resolve().is_relative_to(photos_dir.resolve()):
            legacy.remove_file(path)

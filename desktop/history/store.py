"""The history store: saved analyses, their photos and the questionnaire's answers, sealed, in their own file.

The catalog file is public data; this one is the user's, so nothing in it is shared with the catalog and
"delete all my data" never touches the catalog. Every personal value is sealed (AES-256-GCM) under the home's
data key before it reaches SQLite or the photos folder; the file itself is plain SQLite, so the same file can
be open in the window and in `skinlens history` at once.

A history whose key cannot be had (removed from the keyring, a key file gone, a wrong passphrase) or whose file
is damaged opens *locked*: `locked` says why in plain words, reads and writes raise `HistoryLocked`, and
`wipe()` is the fresh start. Deleting overwrites the freed space (secure_delete), empties the write-ahead log,
and a wipe also compacts the file and destroys the old key, so what was deleted is gone from every file under
the home and unreadable wherever else a copy of the old bytes might survive.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import sqlite3
import time
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NamedTuple

import orjson
from sqlalchemy import Connection, delete, exc, insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from desktop.history import legacy, upgrade
from desktop.history.crypto import KeyMismatch, Sealer
from desktop.history.keys import KeyInfo, KeyUnavailable, KeyVault
from desktop.history.models import Analysis, ExportedFile, HistoryBase, Meta, UserProfile
from desktop.sqlite import PERSONAL_PRAGMAS, open_engine, schema_version, set_schema_version

log = logging.getLogger(__name__)
SCHEMA_VERSION = 2  # 1: plaintext rows; 2: sealed rows and photos
PHOTO_SUFFIX = ".sealed"
ORPHAN_AGE = 3600.0  # a sealed photo no row names, this old, was left by a save that did not finish


class HistoryLocked(Exception):
    """The history cannot be read here; the message says why, for people."""


class StoredScan(NamedTuple):
    id: int
    created_at: float
    report: dict[str, Any]
    has_photo: bool


def _owner_only(path: Path) -> None:
    """Personal files are the user's alone (SQLite gives its log and index files the database's mode)."""
    if os.name == "posix" and path.exists():
        path.chmod(0o600)


def _dumps(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


class HistoryStore:
    def __init__(self, db_path: Path, legacy_catalog: Path | None = None, photos_dir: Path | None = None,
                 vault: KeyVault | None = None, *, tidy: bool = True) -> None:
        """Open (or create) the history file; on creation, take over what an older catalog file still holds.

        `tidy=False` leaves the photos folder alone: an upgrade builds its sealed copy of a plaintext history
        while the plaintext photos it still has to read are there."""
        self.path = db_path
        self.photos_dir = photos_dir or db_path.parent / "photos"
        self.vault = vault or KeyVault.default(db_path.parent)
        self.locked: str | None = None
        self.key_is_new = False  # this open made the key (so the user has not been told where it lives yet)
        self._info: KeyInfo | None = None
        self._sealer: Sealer | None = None
        self._tidy = tidy
        self._open(legacy_catalog)

    # -- opening, the key, locking ------------------------------------------------------------
    def _open(self, legacy_catalog: Path | None) -> None:
        self.engine: Engine = open_engine(self.path, PERSONAL_PRAGMAS)  # connects on first use
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        plain_photos: list[Path] = []
        try:
            upgrade.seal_schema_1(self.path, self.photos_dir, lambda tmp: HistoryStore(
                tmp, photos_dir=self.photos_dir, vault=self.vault, tidy=False))
            with self.engine.begin() as conn:
                if schema_version(conn, self.path, SCHEMA_VERSION) < SCHEMA_VERSION:
                    plain_photos = self._create(conn, legacy_catalog)
                else:
                    self._unlock(conn)
        except KeyUnavailable as problem:
            self.locked = str(problem)
            return
        except exc.DatabaseError as error:
            if type(error.orig) is not sqlite3.DatabaseError:  # busy or locked: not damage
                raise
            self.locked = "Your history file is damaged and cannot be read."
            return
        _owner_only(self.path)
        if legacy_catalog is not None:
            legacy.drop_from_catalog(legacy_catalog)
        upgrade.remove_plain_photos(plain_photos, self.photos_dir)
        if self._tidy:
            self._sweep_photos()

    def _create(self, conn: Connection, legacy_catalog: Path | None) -> list[Path]:
        HistoryBase.metadata.create_all(conn)
        info, key = self.vault.create()
        self._use_key(conn, info, key)
        self.key_is_new = True
        plain_photos: list[Path] = []
        if legacy_catalog is not None:
            plain_photos = self.insert_plain(conn, *legacy.read_plain(legacy_catalog))
        set_schema_version(conn, SCHEMA_VERSION)
        return plain_photos

    def _use_key(self, conn: Connection, info: KeyInfo, key: bytes) -> None:
        """Make `key` this file's key: written to the meta table, in the caller's transaction."""
        self._info, self._sealer = info, Sealer(key, info.key_id)
        conn.execute(delete(Meta))
        conn.execute(insert(Meta), [{"name": "key_id", "value": info.key_id.encode()},
                                    {"name": "key_source", "value": info.source.encode()},
                                    {"name": "key_salt", "value": info.salt},
                                    {"name": "key_check", "value": self._sealer.key_check()}])

    def _unlock(self, conn: Connection) -> None:
        meta = {row.name: row.value for row in conn.execute(select(Meta))}
        if "key_id" not in meta:
            self.locked = "Your history file is damaged (it does not say which key unlocks it)."
            return
        info = KeyInfo(meta["key_id"].decode(), meta.get("key_source", b"").decode(), meta.get("key_salt", b""))
        self._info = info
        try:
            sealer = Sealer(self.vault.load(info), info.key_id)
        except KeyUnavailable as problem:
            self.locked = f"{problem} Without it your saved history cannot be read."
            return
        if not sealer.verifies(meta.get("key_check", b"")):
            self.locked = ("The key found for your history does not unlock it (a wrong passphrase, or a key "
                           "from another history). Without the right key your saved history cannot be read.")
            return
        self._sealer, self.locked = sealer, None

    def _current(self, session: Session) -> Sealer:
        """This file's sealer; reloads the key when another process started the history afresh meanwhile."""
        if self.locked is not None or self._info is None:
            raise HistoryLocked(self.locked or "Your history cannot be read.")
        key_id = session.get(Meta, "key_id")
        if key_id is None or key_id.value.decode() != self._info.key_id:
            self._unlock(session.connection())
            if self.locked is not None:
                raise HistoryLocked(self.locked)
        assert self._sealer is not None
        return self._sealer

    @property
    def key_info(self) -> KeyInfo | None:
        return self._info

    @property
    def key_notice(self) -> str | None:
        """Plain words about a key that is not in a keyring (a key file or a passphrase), else None."""
        return self.vault.notice(self._info) if self._info is not None and self.locked is None else None

    def close(self) -> None:
        self.engine.dispose()

    # -- scans ----------------------------------------------------------------------------------
    def add_analysis(self, report: dict[str, Any], photo: bytes | None = None, created_at: float | None = None,
                     scan_id: int | None = None) -> int:
        """Save a scan (and its photo, a JPEG, when given); `scan_id` keeps an imported scan's id when free."""
        payload = orjson.dumps({"created_at": created_at or time.time(), "report": report})
        name = None
        try:
            with self.engine.begin() as conn:
                for _ in range(2):  # a second try only when another process started afresh with a new key
                    sealer = self._sealer_now()
                    name = self._write_photo(sealer, photo) if photo and name is None else name
                    new_id = self._insert_scan(conn, sealer, payload, name, scan_id)
                    if new_id is not None:
                        return new_id
                    self._unlock(conn)
                    if name:
                        legacy.remove_file(self.photos_dir / name)
                        name = None
                raise HistoryLocked(self.locked or "Your history's key changed while saving; try again.")
        except BaseException:
            if name:
                (self.photos_dir / name).unlink(missing_ok=True)
            raise

    def _sealer_now(self) -> Sealer:
        if self.locked is not None or self._sealer is None or self._info is None:
            raise HistoryLocked(self.locked or "Your history cannot be read.")
        return self._sealer

    def _insert_scan(self, conn: Connection, sealer: Sealer, payload: bytes, photo: str | None,
                     scan_id: int | None) -> int | None:
        """One statement that inserts only while the file's key is still ours (None when it is not)."""
        assert self._info is not None
        if scan_id is not None and conn.execute(select(Analysis.id).where(Analysis.id == scan_id)).first():
            scan_id = None
        result = conn.exec_driver_sql(
            "INSERT INTO analyses (id, sealed, photo) SELECT ?, ?, ? WHERE EXISTS "
            "(SELECT 1 FROM meta WHERE name = 'key_id' AND value = ?)",
            (scan_id, sealer.seal("scan", payload), photo, self._info.key_id.encode()))
        return int(result.lastrowid) if result.rowcount == 1 else None

    def _write_photo(self, sealer: Sealer, jpeg: bytes) -> str:
        self.photos_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        name = uuid.uuid4().hex + PHOTO_SUFFIX
        fd = os.open(self.photos_dir / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(sealer.seal("photo", jpeg))
        return name

    def analyses(self) -> list[StoredScan]:
        """Every stored scan, oldest first."""
        with self._sessions() as session:
            sealer = self._current(session)
            scans = []
            for scan_id, sealed, photo in session.execute(select(Analysis.id, Analysis.sealed, Analysis.photo)):
                data = orjson.loads(sealer.open("scan", sealed))
                scans.append(StoredScan(scan_id, float(data["created_at"]), data["report"], photo is not None))
        return sorted(scans, key=lambda s: (s.created_at, s.id))

    def photo(self, scan_id: int) -> bytes | None:
        """The kept photo of a scan (JPEG), or None when none was kept or its file is gone or damaged."""
        with self._sessions() as session:
            sealer = self._current(session)
            row = session.get(Analysis, scan_id)
            name = row.photo if row is not None else None
        if not name:
            return None
        try:
            return sealer.open("photo", (self.photos_dir / name).read_bytes())
        except (OSError, KeyMismatch):
            log.warning("a kept photo could not be read")
            log.debug("unreadable photo file: %s", self.photos_dir / name)
            return None

    def delete_analyses(self, ids: Iterable[int] | None = None) -> int:
        """Delete some (or all) scans and their photo files; returns how many went."""
        with self._sessions.begin() as session:
            self._current(session)
            query = select(Analysis) if ids is None else select(Analysis).where(Analysis.id.in_(list(ids)))
            rows = list(session.scalars(query))
            for row in rows:
                session.delete(row)
        for row in rows:
            if row.photo:
                legacy.remove_file(self.photos_dir / row.photo)
        if rows:
            self.checkpoint()
        return len(rows)

    def delete_analyses_before(self, cutoff: float) -> int:
        """Apply the retention setting: delete scans made before `cutoff` (a UNIX time); returns how many."""
        old = [s.id for s in self.analyses() if s.created_at < cutoff]
        return self.delete_analyses(old) if old else 0

    # -- answers and exported files -------------------------------------------------------------
    def save_profile(self, profile: dict[str, Any]) -> None:
        with self._sessions.begin() as session:
            session.merge(UserProfile(id=1, sealed=self._current(session).seal("profile", _dumps(profile))))

    def load_profile(self) -> dict[str, Any] | None:
        with self._sessions() as session:
            sealer = self._current(session)
            row = session.get(UserProfile, 1)
            return json.loads(sealer.open("profile", row.sealed)) if row else None

    def record_export(self, path: Path) -> None:
        """Remember a file SkinLens wrote for the user, so that "delete all my data" can remove it too."""
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        with self._sessions.begin() as session:
            sealed = self._current(session).seal("export", _dumps({"path": str(path.resolve()), "sha256": digest}))
            session.add(ExportedFile(sealed=sealed))

    def exported_files(self) -> list[tuple[Path, str]]:
        """(path, sha256) of every file SkinLens wrote for the user."""
        with self._sessions() as session:
            sealer = self._current(session)
            data = [json.loads(sealer.open("export", row.sealed)) for row in session.scalars(select(ExportedFile))]
        return [(Path(d["path"]), d["sha256"]) for d in data]

    # -- forgetting -------------------------------------------------------------------------------
    def wipe(self) -> None:
        """Forget the user, or start afresh after a lost key: every row, every photo, and the key itself.

        A new key seals what comes next; the old one is destroyed, so bytes of the old history that some
        disk block or backup still holds can never be opened again."""
        if self.locked is not None and self._info is None:  # damaged: nothing in it can be trusted or kept
            self.close()
            legacy.remove_database(self.path)
            shutil.rmtree(self.photos_dir, ignore_errors=True)
            self.locked = None
            self._open(None)
            return
        old = self._info
        info, key = self.vault.create()
        with self.engine.begin() as conn:
            for table in (Analysis, UserProfile, ExportedFile):
                conn.execute(delete(table))
            self._use_key(conn, info, key)
        self.locked = None
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM")  # no free page is left to hold anything
        self.checkpoint()
        shutil.rmtree(self.photos_dir, ignore_errors=True)
        if old is not None and old.key_id != info.key_id:
            self.vault.forget(old)

    def checkpoint(self) -> None:
        """Write the log into the file and empty it: deleted rows must not live on as log frames."""
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for _ in range(40):
                busy = conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
                if busy is None or not busy[0]:
                    return
                time.sleep(0.05)
        log.warning("the history's write-ahead log could not be emptied now: another SkinLens is reading it")

    # -- plaintext from older versions, and leftovers ---------------------------------------------
    def insert_plain(self, conn: Connection, scans: list[legacy.PlainScan],
                     profiles: list[legacy.PlainProfile]) -> list[Path]:
        """Seal plaintext rows (and the photos they name) into this file, ids kept; in the caller's
        transaction. Returns the plaintext photo files, which the caller removes once that commits."""
        assert self._sealer is not None
        sealer, plain_photos, rows = self._sealer, [], []
        for scan_id, created_at, report_json, photo_path in scans:
            name = None
            if photo_path and Path(photo_path).is_file():
                name = self._write_photo(sealer, Path(photo_path).read_bytes())
                plain_photos.append(Path(photo_path))
            payload = _dumps({"created_at": created_at, "report": json.loads(report_json)})
            rows.append({"id": scan_id, "sealed": sealer.seal("scan", payload), "photo": name})
        if rows:
            conn.execute(insert(Analysis).prefix_with("OR IGNORE"), rows)
        if profiles:
            conn.execute(insert(UserProfile).prefix_with("OR IGNORE"),
                         [{"id": i, "sealed": sealer.seal("profile", j.encode())} for i, j in profiles])
        return plain_photos

    def _sweep_photos(self) -> None:
        """Remove what no row names: plaintext photos of an interrupted upgrade, half-saved sealed photos."""
        if not self.photos_dir.is_dir() or self.locked is not None:
            return
        with self._sessions() as session:
            named = {n for n in session.scalars(select(Analysis.photo)) if n}
        for path in self.photos_dir.iterdir():
            if path.name in named or not path.is_file():
                continue
            if not path.name.endswith(PHOTO_SUFFIX) or time.time() - path.stat().st_mtime > ORPHAN_AGE:
                legacy.remove_file(path)

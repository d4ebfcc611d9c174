"""The history store: saved analyses and the questionnaire's answers, in their own SQLite file.

The catalog file is public data; this one is the user's (a later step encrypts it at rest), so nothing in it
is shared with the catalog and "delete all my data" never touches the catalog.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from desktop.history import legacy
from desktop.history.models import Analysis, HistoryBase, UserProfile
from desktop.sqlite import open_engine, schema_version, set_schema_version

SCHEMA_VERSION = 1


class HistoryStore:
    def __init__(self, db_path: Path, legacy_catalog: Path | None = None) -> None:
        """Open (or create) the history file; on creation, take over what an older catalog file still holds."""
        self.path = db_path
        self.engine: Engine = open_engine(db_path)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        with self.engine.begin() as conn:
            if schema_version(conn, db_path, SCHEMA_VERSION) < 1:
                HistoryBase.metadata.create_all(conn)
                if legacy_catalog is not None:
                    legacy.copy_from_catalog(legacy_catalog, conn)
                set_schema_version(conn, SCHEMA_VERSION)
        if legacy_catalog is not None:
            legacy.drop_from_catalog(legacy_catalog)

    def close(self) -> None:
        self.engine.dispose()

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
        """Forget the user: history and profile. Returns the photo paths the caller must remove from disk."""
        photos = self.delete_analyses()
        with self._sessions.begin() as session:
            session.execute(delete(UserProfile))
        return photos

"""The user's own data on disk: scans in history, kept photos, retention and "delete everything".

Qt-free, so the window runs these in workers and tests call them directly. Photos are written only when the
user has turned that on, under the app's data dir, and every path that leaves the database is deleted from disk.
"""

from __future__ import annotations

import logging
import shutil
import time
import uuid
from pathlib import Path
from typing import Any

from desktop.history.store import HistoryStore
from desktop.settings import AppPaths

log = logging.getLogger(__name__)
DAY = 86_400.0


def save_scan(history: HistoryStore, paths: AppPaths, report: dict[str, Any], jpeg: bytes | None) -> int:
    """Add a scan to history; the photo (if given) is written first so a row never points at nothing."""
    photo_path = None
    if jpeg:
        paths.photos_dir.mkdir(parents=True, exist_ok=True)
        target = paths.photos_dir / f"{uuid.uuid4().hex}.jpg"
        target.write_bytes(jpeg)
        photo_path = str(target)
    try:
        return history.add_analysis(report, photo_path)
    except Exception:
        if photo_path:
            Path(photo_path).unlink(missing_ok=True)
        raise


def remove_photos(paths: list[str]) -> None:
    for path in paths:
        try:
            Path(path).unlink(missing_ok=True)
        except OSError as exc:  # keep going: the others must still go
            log.warning("could not delete %s: %s", path, exc)


def delete_scans(history: HistoryStore, ids: list[int]) -> int:
    photos = history.delete_analyses(ids)
    remove_photos(photos)
    return len(ids)


def apply_retention(history: HistoryStore, days: int, now: float | None = None) -> int:
    """Delete scans older than `days` (0 keeps everything); returns how many went."""
    if days <= 0:
        return 0
    cutoff = (time.time() if now is None else now) - days * DAY
    deleted, photos = history.delete_analyses_before(cutoff)
    remove_photos(photos)
    return deleted


def delete_all_user_data(history: HistoryStore, paths: AppPaths) -> None:
    """History, answers, kept photos and calibration go; the catalog (not personal) and settings stay."""
    remove_photos(history.delete_user_data())
    shutil.rmtree(paths.photos_dir, ignore_errors=True)
    paths.calibration_file.unlink(missing_ok=True)

"""The user's own data on disk: scans in history, kept photos, retention, export and "delete everything".

Qt-free, so the window runs these in workers and the `skinlens history` commands call the very same functions
on the very same store. Photos are kept only when the user has turned that on; the store seals them.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import hashlib
import json
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from desktop import __version__
from desktop.history.store import HistoryStore
from desktop.settings import AppPaths, Settings

log = logging.getLogger(__name__)
DAY = 86_400.0
PHOTO_SIDE = 1024  # longest side of a kept photo: enough to compare scans, far less than a camera's full frame
EXPORT_FORMAT = "skinlens-personal-data"
EXPORT_VERSION = 1


def encode_photo(rgb: np.ndarray, side: int = PHOTO_SIDE) -> bytes | None:
    """The JPEG that history keeps of an analysed photo (scaled down to `side`), or None if encoding fails."""
    import cv2

    scale = min(1.0, side / max(rgb.shape[:2]))
    if scale < 1.0:
        rgb = cv2.resize(rgb, (round(rgb.shape[1] * scale), round(rgb.shape[0] * scale)),
                         interpolation=cv2.INTER_AREA)
    ok, buffer = cv2.imencode(".jpg", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 90])
    return buffer.tobytes() if ok else None


def save_scan(history: HistoryStore, report: dict[str, Any], jpeg: bytes | None) -> int:
    """Add a scan to history, with its photo when the user keeps photos."""
    return history.add_analysis(report, jpeg or None)


def delete_scans(history: HistoryStore, ids: list[int]) -> int:
    return history.delete_analyses(ids)


def apply_retention(history: HistoryStore, days: int, now: float | None = None) -> int:
    """Delete scans older than `days` (0 keeps everything); returns how many went."""
    if days <= 0 or history.locked is not None:
        return 0
    cutoff = (time.time() if now is None else now) - days * DAY
    return history.delete_analyses_before(cutoff)


@dataclass
class Deleted:
    """What "delete all my data" removed, and the files the user exported elsewhere that it left alone."""

    scans: int = 0
    exports_removed: list[Path] = field(default_factory=list)
    exports_kept: list[Path] = field(default_factory=list)


def delete_all_user_data(history: HistoryStore, paths: AppPaths, with_exports: bool = False) -> Deleted:
    """History, answers, kept photos, calibration and the history's key go; the catalog (not personal) and
    settings stay. Files the user exported go too when they are in the data folder, or with `with_exports`;
    elsewhere they are the user's own copies and are only listed."""
    result = Deleted()
    if history.locked is None:
        result.scans = len(history.analyses())
        for path, digest in history.exported_files():
            if not _unchanged(path, digest):
                continue  # moved, edited or replaced since: no longer the file SkinLens wrote
            if with_exports or path.resolve().is_relative_to(paths.home.resolve()):
                path.unlink(missing_ok=True)
                result.exports_removed.append(path)
            else:
                result.exports_kept.append(path)
    history.wipe()
    paths.calibration_file.unlink(missing_ok=True)
    return result


def _unchanged(path: Path, digest: str) -> bool:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest() == digest
    except OSError:
        return False


def _iso(timestamp: float) -> str:
    return dt.datetime.fromtimestamp(timestamp, dt.UTC).isoformat(timespec="seconds")


def export_document(history: HistoryStore, paths: AppPaths) -> dict[str, Any]:
    """Everything SkinLens stores about the user, as one JSON-ready object (data portability)."""
    scans = []
    for scan in history.analyses():
        photo = history.photo(scan.id) if scan.has_photo else None
        scans.append({"id": scan.id, "created_at": scan.created_at, "created": _iso(scan.created_at),
                      "report": scan.report,
                      "photo_jpeg_base64": base64.b64encode(photo).decode() if photo else None})
    settings = dataclasses.asdict(Settings.load(paths.settings_file))
    settings.pop("kiosk_pin_hash", None)  # the staff's secret, not the user's data
    calibration = None
    if paths.calibration_file.exists():
        try:
            calibration = json.loads(paths.calibration_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            calibration = None
    info = history.key_info
    return {"format": EXPORT_FORMAT, "version": EXPORT_VERSION, "exported_at": _iso(time.time()),
            "skinlens": __version__, "scans": scans, "answers": history.load_profile(), "settings": settings,
            "calibration": calibration,
            "exported_files": [{"path": str(p), "sha256": d} for p, d in history.exported_files()],
            "encryption": {"cipher": "AES-256-GCM", "key_kept_in": info.source if info else None}}


def write_export(history: HistoryStore, paths: AppPaths, target: Path) -> int:
    """Write the export to `target` (created 0600: it is the user's data in the clear); returns scans written."""
    document = export_document(history, paths)
    tmp = target.with_name(target.name + ".tmp")
    tmp.touch(mode=0o600)
    tmp.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(target)
    history.record_export(target)
    return len(document["scans"])


def import_document(history: HistoryStore, document: Any) -> int:
    """Restore an export (from this machine or another): scans keep their ids when free; returns how many."""
    if not isinstance(document, dict) or document.get("format") != EXPORT_FORMAT:
        raise ValueError("this is not a SkinLens export (its \"format\" is not skinlens-personal-data)")
    if int(document.get("version", 0)) > EXPORT_VERSION:
        raise ValueError("this export was written by a newer SkinLens")
    count = 0
    for scan in document.get("scans") or []:
        if not isinstance(scan, dict) or not isinstance(scan.get("report"), dict):
            raise ValueError(f"scan {count + 1} of the export has no report")
        photo = scan.get("photo_jpeg_base64")
        history.add_analysis(scan["report"], base64.b64decode(photo) if photo else None,
                             created_at=float(scan.get("created_at") or time.time()),
                             scan_id=scan.get("id") if isinstance(scan.get("id"), int) else None)
        count += 1
    if isinstance(document.get("answers"), dict):
        history.save_profile(document["answers"])
    return count

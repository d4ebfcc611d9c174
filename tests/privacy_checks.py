"""Byte-wise checks of what a SkinLens home holds, shared by the privacy tests (unit, CLI and GUI).

`traces_of` reads every file under the home (the databases with their -wal, -shm and -journal files, photos,
logs, settings: everything `rglob` sees) and reports which needles occur in which file. The needles are both
what a scan looks like in the clear (its JSON fragments, ITA value, image path, JPEG bytes) and the exact sealed
bytes it was stored as, so a check after a delete fails if the ciphertext itself lingers in a free page or a
WAL frame, not only if plaintext does.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any


def files_under(home: Path) -> dict[str, bytes]:
    return {str(p.relative_to(home)): p.read_bytes() for p in sorted(home.rglob("*")) if p.is_file()}


def traces_of(home: Path, needles: list[bytes]) -> list[tuple[str, bytes]]:
    found = []
    for name, data in files_under(home).items():
        found += [(name, needle) for needle in needles if needle in data]
    return found


def report_needles(report: dict[str, Any]) -> list[bytes]:
    """How a report's personal values look in the clear: JSON fragments as json.dumps writes them."""
    needles = [b'"concerns"', b'"skin_type"', b'"ita"']
    tone = report.get("tone") or {}
    if tone.get("ita") is not None:
        needles += [json.dumps({"ita": tone["ita"]})[1:-1].encode(), repr(tone["ita"]).encode()]
    label = (report.get("skin_type") or {}).get("label")
    if label:
        needles.append(json.dumps({"label": label})[1:-1].encode())
    for concern, value in (report.get("concerns") or {}).items():
        if value:
            needles.append(json.dumps({concern: value})[1:-1].encode())
    if report.get("image"):
        needles.append(str(report["image"]).encode())
    return needles


def sealed_needles(home: Path) -> list[bytes]:
    """32-byte pieces (nonce and the start of the ciphertext) of every sealed value the home holds now."""
    db = home / "history.sqlite3"
    conn = sqlite3.connect(db)
    try:
        blobs = [row[0] for table in ("analyses", "user_profile", "exported_files")
                 for row in conn.execute(f"SELECT sealed FROM {table}")]
    finally:
        conn.close()
    photos = home / "photos"
    blobs += [p.read_bytes() for p in photos.iterdir()] if photos.is_dir() else []
    return [blob[1:33] for blob in blobs]

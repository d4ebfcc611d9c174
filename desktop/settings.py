"""Typed, versioned user settings and the app's data paths.

Preferences (what the user chose) live in `settings.json`; window geometry is kept apart by the UI in
`window_state.json`, so a bad window state can never lose a preference. `SKINLENS_HOME` overrides the platform's
user data dir, so two processes with different homes share nothing.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import platformdirs

log = logging.getLogger(__name__)
SETTINGS_VERSION = 1


def data_home() -> Path:
    """The directory of the local store, settings and history (created on first use)."""
    env = os.environ.get("SKINLENS_HOME")
    home = Path(env).expanduser() if env else Path(platformdirs.user_data_dir("SkinLens", "SkinLens"))
    home.mkdir(parents=True, exist_ok=True)
    return home


@dataclass(frozen=True)
class AppPaths:
    home: Path

    @property
    def catalog_db(self) -> Path:
        return self.home / "catalog.sqlite3"

    @property
    def settings_file(self) -> Path:
        return self.home / "settings.json"

    @property
    def window_state_file(self) -> Path:
        return self.home / "window_state.json"

    @property
    def calibration_file(self) -> Path:
        return self.home / "calibration.json"

    @property
    def log_file(self) -> Path:
        return self.home / "skinlens.log"

    @classmethod
    def default(cls) -> AppPaths:
        return cls(data_home())


@dataclass
class Settings:
    """User preferences. Unknown keys in the file are ignored; a newer `version` is read best-effort."""

    version: int = SETTINGS_VERSION
    sync_server_url: str = ""
    auto_sync: bool = False
    camera_index: int = 0
    keep_photos: bool = False
    kiosk_mode: bool = False
    consent_given: bool = False
    currency: str = "GBP"
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> Settings:
        """Read settings; a missing or corrupt file gives defaults (and the corrupt file is kept aside)."""
        if not path.exists():
            return cls()
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(raw, dict):
                raise ValueError("settings file is not a JSON object")
        except (OSError, ValueError) as exc:
            backup = path.with_suffix(".corrupt.json")
            log.warning("settings unreadable (%s); defaults used, old file kept as %s", exc, backup)
            path.replace(backup)
            return cls()
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in raw.items() if k in known})

    def save(self, path: Path) -> None:
        """Write atomically (temp file + rename) so a crash never leaves half a file."""
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(self), indent=2, sort_keys=True), encoding="utf-8")
        tmp.replace(path)

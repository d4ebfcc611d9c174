"""Typed, versioned user settings and the app's data paths.

Preferences (what the user chose) live in `settings.json`; window geometry is kept apart by the UI in
`window_state.json`, so a bad window state can never lose a preference. `SKINLENS_HOME` overrides the platform's
user data dir, so two processes with different homes share nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import platformdirs

log = logging.getLogger(__name__)
SETTINGS_VERSION = 2  # 2: kiosk PIN and idle timeout, retention, theme (all with defaults)


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
    def history_db(self) -> Path:
        """Scan history and saved answers: personal data, kept apart from the public catalog."""
        return self.home / "history.sqlite3"

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
    def photos_dir(self) -> Path:
        """Photos kept with history (only when the user turns that on)."""
        return self.home / "photos"

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
    kiosk_pin_hash: str = ""  # pbkdf2 of the admin PIN (see hash_pin); empty: no PIN set yet
    kiosk_idle_seconds: int = 90
    kiosk_allow_import: bool = False  # a kiosk is camera-only unless staff allow photo files
    retention_days: int = 0  # 0 keeps history until the user deletes it
    theme: str = "system"  # system | light | dark
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
        known = {f.name: f for f in fields(cls)}
        defaults = cls()
        values = {k: v for k, v in raw.items() if k in known and _same_kind(v, getattr(defaults, k))}
        values["version"] = SETTINGS_VERSION  # older files only lack keys, which take their defaults
        return cls(**values)

    def save(self, path: Path) -> None:
        """Write atomically (temp file + rename) so a crash never leaves half a file."""
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(self), indent=2, sort_keys=True), encoding="utf-8")
        tmp.replace(path)


def _same_kind(value: Any, default: Any) -> bool:
    """A hand-edited file with a wrong type for one key loses that key only, not the others."""
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, int):
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, type(default))


PIN_ITERATIONS = 200_000


def hash_pin(pin: str, salt: bytes | None = None) -> str:
    """PBKDF2-SHA256 of the kiosk admin PIN: the settings file never holds the PIN itself."""
    salt = salt or os.urandom(16)
    digest = hashlib.pbkdf2_hmac("sha256", pin.encode(), salt, PIN_ITERATIONS)
    return f"pbkdf2${PIN_ITERATIONS}${salt.hex()}${digest.hex()}"


def verify_pin(pin: str, stored: str) -> bool:
    try:
        _, iterations, salt, digest = stored.split("$")
        expected = hashlib.pbkdf2_hmac("sha256", pin.encode(), bytes.fromhex(salt), int(iterations))
    except ValueError:
        return False
    return hmac.compare_digest(expected.hex(), digest)

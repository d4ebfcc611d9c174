"""Where the bundled, read-only resources live: the repo's `resources/`, or the PyInstaller bundle's copy."""

from __future__ import annotations

import sys
from pathlib import Path


def resources_dir() -> Path:
    """The `resources/` folder: inside a frozen bundle (`sys._MEIPASS`) or beside the source tree."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def resource(*parts: str) -> Path:
    """A path inside `resources/`; it need not exist (callers report a missing file themselves)."""
    return resources_dir().joinpath(*parts)

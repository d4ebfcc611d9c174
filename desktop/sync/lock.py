"""One sync at a time per catalog file, across processes (the window and `skinlens sync` in a terminal).

Two syncs of the same home would clear each other's staged pages; verification keeps the data correct, but the
work is wasted and the second one's error is confusing. An advisory lock on a file beside the catalog says
"another sync is running" instead. The operating system drops it when its process ends, however it ends.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from desktop.sync.errors import SyncError


def _try_lock(handle: IO[bytes]) -> bool:
    if sys.platform == "win32":
        import msvcrt

        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _unlock(handle: IO[bytes]) -> None:
    if sys.platform == "win32":
        import msvcrt

        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
    else:
        import fcntl

        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


@contextmanager
def sync_lock(catalog_db: Path) -> Iterator[None]:
    path = catalog_db.with_name(catalog_db.name + ".sync-lock")
    with open(path, "a+b") as handle:
        if not _try_lock(handle):
            raise SyncError("Another sync of this catalog is running (another SkinLens window or command); "
                            "try again when it has finished.")
        try:
            yield
        finally:
            _unlock(handle)

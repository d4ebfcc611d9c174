"""What the client remembers between syncs, typed: the signed state it holds, and a sync in progress.

The catalog store keeps these as strings in its key/value table (the store knows nothing of sync); this module
is the one place that turns them into values and back, so no caller parses a cursor or a staging record
itself.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from desktop.catalog.store import CatalogStore


@dataclass(frozen=True)
class Cursor:
    seq: int
    after: str | None = None

    def params(self) -> dict[str, Any]:
        return {"since": self.seq} | ({"after": self.after} if self.after else {})

    @classmethod
    def parse(cls, value: Any) -> Cursor | None:
        if not isinstance(value, dict) or type(value.get("seq")) is not int or value["seq"] < 0:
            return None
        after = value.get("after")
        return cls(value["seq"], after if isinstance(after, str) and after else None)


@dataclass(frozen=True)
class HeldState:
    """The verified, signed catalog state the synced products equal: which server, which sequence, which digest.

    A client never goes back from it (PROTOCOL.md, *Rollback*) unless the user resets it.
    """

    server: str
    seq: int
    digest: str

    def as_store_state(self) -> dict[str, str]:
        return {"server_url": self.server, "cursor": json.dumps({"seq": self.seq, "after": None}),
                "state_seq": str(self.seq), "digest": self.digest}


def held_state(store: CatalogStore) -> HeldState | None:
    """The state this store holds, or None before a first sync (or after a reset)."""
    server, digest = store.get_state("server_url"), store.get_state("digest")
    seq_text = store.get_state("state_seq")
    if not seq_text:  # written by a client before rollback protection: its cursor is its state's sequence,
        cursor = Cursor.parse(_json(store.get_state("cursor")))  # and its digest a version-1 one
        seq_text, digest = (str(cursor.seq) if cursor else ""), ""
    if not server or not seq_text.isdigit():
        return None
    return HeldState(server=server, seq=int(seq_text), digest=digest)


def forget_held_state(store: CatalogStore) -> None:
    """Forget the held state (`skinlens sync --reset`): the next sync takes whatever state the server signs.

    The synced products stay until that sync replaces them, so the app keeps working offline meanwhile."""
    store.clear_sync_staging()
    for key in ("cursor", "state_seq", "digest", "server_url"):
        store.set_state_now(key, "")


@dataclass(frozen=True)
class Staging:
    """A sync in progress: pages staged from `base` (the held sequence) up to `cursor`."""

    server: str
    base: int
    cursor: Cursor

    def dumps(self) -> str:
        return json.dumps({"server": self.server, "base": self.base, "cursor": asdict(self.cursor)})


def staging_of(store: CatalogStore) -> Staging | None:
    value = _json(store.get_state("staging"))
    if not isinstance(value, dict) or not isinstance(value.get("server"), str) or type(value.get("base")) is not int:
        return None
    cursor = Cursor.parse(value.get("cursor"))
    return Staging(value["server"], value["base"], cursor) if cursor else None


def _json(text: str) -> Any:
    try:
        return json.loads(text) if text else None
    except ValueError:
        return None

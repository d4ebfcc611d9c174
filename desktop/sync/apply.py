"""Applying synced changes to the local store: staging per page, then one verified transaction.

The invariant: the `products` rows that came from sync always equal the server's catalog at some sequence.
Pages are staged (each page and its cursor in one transaction: an interrupted sync resumes from there) and
applied all at once by the store, whose transaction commits only if the digest of the local synced catalog
equals the server's signed digest. This module checks the signature and turns a mismatch into the error the
client acts on; the store owns the rows and the transaction.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from catalog_format import signed_message
from desktop.catalog.store import CatalogStore, DigestMismatch


class VerificationError(Exception):
    """The local result would not match the server's signed state."""


class SignatureError(VerificationError):
    """The signature itself is wrong: tampering or the wrong key. Never retried silently."""


def check_signature(state: dict[str, Any], public_key: Ed25519PublicKey) -> None:
    if not state.get("digest") or not state.get("signature"):
        raise SignatureError("The server's catalog is not signed.")
    try:
        public_key.verify(base64.b64decode(state["signature"]), signed_message(int(state["seq"]), state["digest"]))
    except (InvalidSignature, ValueError):
        raise SignatureError("The catalog's signature is not valid (tampered, or signed with another key)."
                             ) from None


def promote(store: CatalogStore, state: dict[str, Any], public_key: Ed25519PublicKey, cursor: dict[str, Any],
            server: str, replace_all: bool, progress: Callable[[int], None] | None = None) -> tuple[int, int]:
    """Apply the staged changes; verify; commit with the new cursor. Returns (upserted, deleted)."""
    check_signature(state, public_key)
    try:
        return store.apply_sync(state["digest"], replace_all=replace_all, progress=progress,
                                state={"cursor": json.dumps(cursor), "server_url": server})
    except DigestMismatch as exc:
        raise VerificationError(f"local catalog digest {exc.local[:12]}… differs from the server's "
                                f"{str(state['digest'])[:12]}… at seq {state['seq']}") from None

"""Applying synced changes to the local store: staging per page, then one verified transaction.

The invariant: the `products` rows that came from sync always equal the server's catalog at some signed state,
and that state never goes back. Pages are staged (each page and its cursor in one transaction: an interrupted
sync resumes from there) and applied all at once by the store, whose transaction commits only if the digest of
the local synced catalog equals the server's signed digest. This module checks the signature and the
sequence, and turns a mismatch into the error the client acts on; the store owns the rows and the transaction.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from catalog_format import DIGEST_VERSION, signed_message
from desktop.catalog.store import CatalogStore, DigestMismatch
from desktop.sync.state import HeldState


class VerificationError(Exception):
    """The local result would not match the server's signed state: worth one try with the snapshot."""


class Refusal(Exception):
    """The server's answer is refused outright (never retried silently): nothing is applied."""


class SignatureError(Refusal):
    """The signature itself is wrong: tampering or the wrong key."""


class RollbackError(Refusal):
    """A validly signed state older than the one held: a replay, or a server restored from a backup."""


def signed_state(state: object, public_key: Ed25519PublicKey) -> tuple[int, str]:
    """(seq, digest) of a state whose version-2 signature verifies; SignatureError otherwise."""
    if not isinstance(state, dict) or not state.get("digest") or not state.get("signature"):
        raise SignatureError("The server's catalog is not signed.")
    if state.get("version") != DIGEST_VERSION or type(state.get("seq")) is not int or state["seq"] < 0:
        raise SignatureError(f"The server's catalog state is not a version-{DIGEST_VERSION} signed state.")
    seq, digest = state["seq"], str(state["digest"])
    try:
        public_key.verify(base64.b64decode(str(state["signature"]), validate=True),
                          signed_message(seq, digest, DIGEST_VERSION))
    except (InvalidSignature, ValueError, binascii.Error):
        raise SignatureError("The catalog's signature is not valid (tampered, or signed with another key)."
                             ) from None
    return seq, digest


def check_not_older(seq: int, digest: str, held: HeldState | None) -> None:
    """A signed state older than the held one, or another at the same sequence, is refused (PROTOCOL.md)."""
    if held is None:
        return
    if seq < held.seq or (seq == held.seq and held.digest and digest != held.digest):
        what = "older than" if seq < held.seq else "different from"
        raise RollbackError(f"The server's signed catalog (seq {seq}) is {what} the one on this computer "
                            f"(seq {held.seq}): refusing to go back. If the server was restored from a backup, "
                            "run: skinlens sync --reset")


def promote(store: CatalogStore, signed: tuple[int, str], server: str, replace_all: bool,
            progress: Callable[[int], None] | None = None,
            snapshot: Sequence[Mapping[str, Any]] | None = None) -> tuple[int, int]:
    """Apply the staged changes (or a snapshot's products, which replace everything synced); verify; commit
    with the new held state. Returns (upserted, deleted)."""
    seq, digest = signed
    held = HeldState(server=server, seq=seq, digest=digest)
    try:
        return store.apply_sync(digest, replace_all=replace_all, progress=progress, state=held.as_store_state(),
                                snapshot=snapshot)
    except DigestMismatch as exc:
        raise VerificationError(f"local catalog digest {exc.local[:12]}… differs from the server's "
                                f"{digest[:12]}… at seq {seq}") from None
    except ValueError as exc:  # a staged product that is not in canonical form (CatalogRow.from_wire)
        raise Refusal(f"The server sent a product this app cannot store: {exc}.") from None

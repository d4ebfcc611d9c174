"""How a catalog signing key is shown to people: one fingerprint that the server's `key` command prints and the
app shows at login, so an administrator and a user can compare them by eye or over the phone."""

from __future__ import annotations

import base64
import hashlib


def key_fingerprint(raw_public_key: bytes) -> str:
    """`SHA256:` and the unpadded base64 of the SHA-256 of the 32-byte Ed25519 public key (OpenSSH's style)."""
    digest = hashlib.sha256(raw_public_key).digest()
    return "SHA256:" + base64.b64encode(digest).decode().rstrip("=")

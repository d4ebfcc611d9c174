"""Sealing personal data at rest: AES-256-GCM from `cryptography` (PyCA), one data key per user home.

Every sealed value carries its own random 96-bit nonce and says what it is (the associated data names the kind
of value and the key it was sealed under), so a value copied into another row or another home does not open.
A wrong or missing key is an ordinary outcome (`KeyMismatch`), never a crash: the store turns it into the
"your history cannot be read" message and the offer to start fresh.
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

FORMAT = b"\x01"  # first byte of every sealed value: lets a later format sit next to this one
NONCE_BYTES = 12
KEY_BYTES = 32
CHECK_PLAINTEXT = b"skinlens history key check"


class KeyMismatch(Exception):
    """The value was sealed under another key (or was altered)."""


def new_key() -> bytes:
    return AESGCM.generate_key(bit_length=KEY_BYTES * 8)


class Sealer:
    """Seals and opens values under one data key; `key_id` binds every value to the home it belongs to."""

    def __init__(self, key: bytes, key_id: str) -> None:
        if len(key) != KEY_BYTES:
            raise ValueError("a history data key is 32 bytes")
        self._aead = AESGCM(key)
        self._context = key_id.encode()

    def _aad(self, kind: str) -> bytes:
        return b"skinlens/" + kind.encode() + b"/" + self._context

    def seal(self, kind: str, plaintext: bytes) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return FORMAT + nonce + self._aead.encrypt(nonce, plaintext, self._aad(kind))

    def open(self, kind: str, sealed: bytes) -> bytes:
        if len(sealed) < 1 + NONCE_BYTES + 16 or sealed[:1] != FORMAT:
            raise KeyMismatch("not a sealed SkinLens value")
        nonce, body = sealed[1:1 + NONCE_BYTES], sealed[1 + NONCE_BYTES:]
        try:
            return self._aead.decrypt(nonce, body, self._aad(kind))
        except InvalidTag:
            raise KeyMismatch("sealed under another key, or altered") from None

    def key_check(self) -> bytes:
        """A sealed known value: opening it proves the key is this home's before any row is read."""
        return self.seal("check", CHECK_PLAINTEXT)

    def verifies(self, check: bytes) -> bool:
        try:
            return self.open("check", check) == CHECK_PLAINTEXT
        except KeyMismatch:
            return False

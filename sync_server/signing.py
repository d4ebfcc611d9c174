"""Ed25519 signatures over the catalog digest at each sequence (the Remote Settings idea, simplified).

The private key's path comes from config. In development a bundled, public development key is used so the
server and app work out of the box; config refuses it in every other environment.
"""

from __future__ import annotations

from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from catalog_format import DIGEST_VERSION, key_fingerprint, signed_message

DEV_KEY_PATH = Path(__file__).with_name("dev_keys") / "dev_signing_key.pem"


class Signer:
    def __init__(self, key: Ed25519PrivateKey) -> None:
        self._key = key

    @classmethod
    def from_file(cls, path: Path) -> Signer:
        try:
            key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        except (OSError, ValueError) as exc:
            raise ValueError(f"cannot load the signing key {path}: {exc}") from None
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError(f"{path} is not an Ed25519 private key")
        return cls(key)

    def sign(self, seq: int, digest: str, version: int = DIGEST_VERSION) -> bytes:
        return self._key.sign(signed_message(seq, digest, version))

    def made(self, signature: bytes, seq: int, digest: str, version: int = DIGEST_VERSION) -> bool:
        """Whether `signature` over (seq, digest) verifies with this key."""
        try:
            self._key.public_key().verify(signature, signed_message(seq, digest, version))
        except InvalidSignature:
            return False
        return True

    def public_raw(self) -> bytes:
        """The 32 bytes of the public key (what catalog_format.key_fingerprint is computed over)."""
        return self._key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)

    def fingerprint(self) -> str:
        return key_fingerprint(self.public_raw())

    def public_pem(self) -> bytes:
        return self._key.public_key().public_bytes(serialization.Encoding.PEM,
                                                   serialization.PublicFormat.SubjectPublicKeyInfo)


def generate_key(path: Path) -> Signer:
    """Write a new private key (mode 0600) and return its signer."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    path.touch(mode=0o600, exist_ok=False)
    path.write_bytes(pem)
    return Signer(key)

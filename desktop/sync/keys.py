"""Which key a catalog must be signed with, per server, and which servers may be talked to at all.

- A production build carries its server's public key (`resources/keys/catalog_signing.pub.pem`, put there
  when the app is built): every catalog must be signed with it.
- Otherwise the key is pinned at `skinlens login` (trust on first use, shown to the user as a fingerprint to
  compare with the administrator's `skinlens-server key`), and a later login that meets another key refuses.
- The development key, whose private half is public in the repository, is accepted only from a server on
  this machine (loopback), which is where a development server runs; pinning it for any other server is
  refused.
- The token travels in the Authorization header, so a server must be https, except on loopback.
"""

from __future__ import annotations

import base64
import ipaddress
import json
from pathlib import Path
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from catalog_format import key_fingerprint
from desktop.catalog.store import CatalogStore
from desktop.resources import resource
from desktop.sync.errors import SyncError

BUILD_KEY = "catalog_signing.pub.pem"
DEV_KEY = "catalog_signing_dev.pub.pem"
PINS = "signing_keys"  # store state: {server URL: base64 raw public key}


def load_public_key(path: Path) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise SyncError(f"{path} cannot be read as a public key ({exc}).") from None
    if not isinstance(key, Ed25519PublicKey):
        raise SyncError(f"{path} is not an Ed25519 public key.")
    return key


def raw(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def fingerprint(key: Ed25519PublicKey) -> str:
    return key_fingerprint(raw(key))


def build_key() -> Ed25519PublicKey | None:
    """The server key this build was made for, if it was made for one."""
    path = resource("keys", BUILD_KEY)
    return load_public_key(path) if path.exists() else None


def dev_key() -> Ed25519PublicKey:
    return load_public_key(resource("keys", DEV_KEY))


def is_loopback(server_url: str) -> bool:
    host = (urlsplit(server_url).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def checked_server_url(server_url: str) -> str:
    """The server URL without a trailing slash; SyncError unless https, or http on this machine."""
    url = server_url.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return url
    if parts.scheme == "http" and parts.hostname and is_loopback(url):
        return url
    if parts.scheme == "http":
        raise SyncError(f"{url} is not https: the device token would travel in clear. Use https://"
                        f"{url.split('://', 1)[1]} (plain http is only for a server on this machine).")
    raise SyncError(f"{server_url!r} is not a server address (https://…).")


def pinned_key(store: CatalogStore, server_url: str) -> Ed25519PublicKey | None:
    value = _pins(store).get(server_url)
    if not value:
        return None
    try:
        return Ed25519PublicKey.from_public_bytes(base64.b64decode(value))
    except ValueError:
        return None


def pin(store: CatalogStore, server_url: str, key: Ed25519PublicKey) -> None:
    pins = _pins(store) | {server_url: base64.b64encode(raw(key)).decode()}
    store.set_state_now(PINS, json.dumps(pins, sort_keys=True))


def _pins(store: CatalogStore) -> dict[str, str]:
    try:
        value = json.loads(store.get_state(PINS) or "{}")
    except ValueError:
        return {}
    return {k: v for k, v in value.items() if isinstance(v, str)} if isinstance(value, dict) else {}


def refuse_dev_key(server_url: str, key: Ed25519PublicKey) -> None:
    if raw(key) == raw(dev_key()) and not is_loopback(server_url):
        raise SyncError(f"{server_url} signs its catalog with the public development key, which anyone can sign "
                        "with; it is only trusted from a server on this machine. The server needs its own key "
                        "(skinlens-server keygen).")


def key_for(server_url: str, store: CatalogStore) -> Ed25519PublicKey:
    """The key the catalog from `server_url` must be signed with (SyncError when there is none)."""
    key = build_key() or pinned_key(store, server_url)
    if key is None and is_loopback(server_url):
        key = dev_key()
    if key is None:
        raise SyncError(f"No catalog signing key is pinned for {server_url}. Run: skinlens login --server "
                        f"{server_url} (it shows the server's key fingerprint to compare with your administrator's).")
    refuse_dev_key(server_url, key)
    return key

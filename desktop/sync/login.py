"""`skinlens login`: store the device token and pin the server's signing key, after showing its fingerprint.

The token is checked against the server as the key is fetched (GET /v1/catalog/key needs it), so a login that
succeeds leaves a token that works and a key that the next sync will insist on. `key_to_trust` is the same
first-use step for the window: it says whether a server's key still needs a person's yes before a sync.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from desktop.catalog.store import CatalogStore
from desktop.sync import keys
from desktop.sync.client import SyncClient, store_token
from desktop.sync.errors import SyncError


@dataclass(frozen=True)
class LoginResult:
    server_url: str
    fingerprint: str
    pinned_now: bool  # False: this key was pinned (or built in) already
    source: str  # "build", "pinned" or "development"


def server_key(client: SyncClient) -> Ed25519PublicKey:
    body = client.get_json("/v1/catalog/key")
    try:
        return Ed25519PublicKey.from_public_bytes(base64.b64decode(str(body.get("public_key", "")), validate=True))
    except (ValueError, binascii.Error):
        raise SyncError("The sync server's signing key cannot be read.") from None


@dataclass(frozen=True)
class ServerKey:
    """A server's signing key, vetted, that nothing trusts yet: shown to the user as its fingerprint."""
    server_url: str
    key: Ed25519PublicKey
    fingerprint: str


def key_to_trust(client: SyncClient, store: CatalogStore) -> ServerKey | None:
    """None when the catalog's key is settled (built in, pinned, or the development key of a server on this
    machine); otherwise the server's key for the user to compare with the administrator's and pin.

    Fetches the key only when nothing is settled, so a known server costs no extra request. Raises SyncError
    for a key no one may trust (the public development key of a remote server)."""
    url = client.server_url
    if keys.build_key() is not None or keys.pinned_key(store, url) is not None:
        return None
    key = server_key(client)
    keys.refuse_dev_key(url, key)
    if keys.is_loopback(url) and keys.raw(key) == keys.raw(keys.dev_key()):
        return None
    return ServerKey(server_url=url, key=key, fingerprint=keys.fingerprint(key))


def login(server_url: str, token: str, store: CatalogStore, *, expect_fingerprint: str | None = None,
          replace_key: bool = False, client: SyncClient | None = None) -> LoginResult:
    """Check the token, fetch and vet the server's key, then store the token and pin the key.

    Refuses (SyncError, nothing stored) when the key is the public development key of a remote server, differs
    from the key this build carries, differs from `expect_fingerprint`, or differs from the key pinned before
    (unless `replace_key`: the administrator rotated it).
    """
    client = client or SyncClient(server_url, token)
    url = client.server_url
    key = server_key(client)
    found = keys.fingerprint(key)
    if expect_fingerprint and expect_fingerprint.strip() != found:
        raise SyncError(f"The server's key fingerprint is {found}, not the {expect_fingerprint.strip()} you were "
                        "given: nothing was stored. Check the server address with your administrator.")
    keys.refuse_dev_key(url, key)
    built = keys.build_key()
    if built is not None and keys.raw(built) != keys.raw(key):
        raise SyncError(f"The server signs with {found}, but this build of SkinLens trusts "
                        f"{keys.fingerprint(built)} only: nothing was stored.")
    pinned = keys.pinned_key(store, url)
    if pinned is not None and keys.raw(pinned) != keys.raw(key) and not replace_key:
        raise SyncError(f"The server's signing key changed: it was {keys.fingerprint(pinned)}, it is now {found}. "
                        "If your administrator says the key was replaced, run skinlens login again with "
                        "--replace-key; otherwise do not sync with this server.")
    store_token(server_url, token)
    newly = built is None and (pinned is None or keys.raw(pinned) != keys.raw(key))
    if built is None:
        keys.pin(store, url, key)
    source = "build" if built is not None else "development" if keys.raw(key) == keys.raw(keys.dev_key()) else "pinned"
    return LoginResult(server_url=url, fingerprint=found, pinned_now=newly, source=source)

"""Catalog sync client: pull changes from the sync server into the local store (PROTOCOL.md).

Offline-first: the app always works on what it last synced. A sync stages each page with its cursor (an
interrupted sync resumes where it stopped), then applies everything in one transaction that commits only if
the local catalog's digest equals the server's Ed25519-signed digest. On a digest mismatch it refetches the
full snapshot; on a bad signature it applies nothing and says so.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from desktop.catalog.store import CatalogStore
from desktop.resources import resource
from desktop.sync import apply

log = logging.getLogger(__name__)
KEYRING_SERVICE = "SkinLens sync"
TOKEN_ENV = "SKINLENS_SYNC_TOKEN"
PAGE_LIMIT = 1000
TIMEOUT = (5.0, 30.0)  # connect, read (seconds)
MAX_ATTEMPTS = 4
START = {"seq": 0, "after": None}


class SyncError(Exception):
    """A sync that could not finish; the message is for people. The local catalog is unchanged."""


class RefetchNeeded(Exception):
    """The server no longer has the changes after our cursor (410): fetch the snapshot."""


@dataclass
class SyncResult:
    upserted: int
    deleted: int
    pages: int
    cursor: dict[str, Any]
    snapshot: bool = False  # the full snapshot was applied instead of the changes
    refetch_reason: str = ""  # why, when the changes were tried first (a horizon passed, a digest that differed)

    def summary(self) -> str:
        how = "full snapshot" if self.snapshot else f"{self.pages} pages"
        return f"{self.upserted} products added or updated, {self.deleted} removed ({how}, signature verified)"


def default_public_key() -> Ed25519PublicKey:
    """The catalog signing key shipped with the app (a production build ships its own key file)."""
    for name in ("catalog_signing.pub.pem", "catalog_signing_dev.pub.pem"):
        path = resource("keys", name)
        if path.exists():
            return load_public_key(path)
    raise SyncError("No catalog signing key is installed with the app.")


def load_public_key(path: Path) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(path.read_bytes())
    if not isinstance(key, Ed25519PublicKey):
        raise SyncError(f"{path} is not an Ed25519 public key.")
    return key


def token_for(server_url: str) -> str:
    """The device token: $SKINLENS_SYNC_TOKEN (provisioning scripts) or the system keyring.

    No plaintext fallback: without a keyring backend the user is told what to do instead.
    """
    env = os.environ.get(TOKEN_ENV)
    if env:
        return env
    import keyring
    from keyring.errors import KeyringError

    try:
        token = keyring.get_password(KEYRING_SERVICE, server_url)
    except KeyringError as exc:
        raise SyncError(f"No system keyring is available ({exc}). Set {TOKEN_ENV} instead.") from None
    if not token:
        raise SyncError(f"No token stored for {server_url}. Run: skinlens login --server {server_url}")
    return token


def store_token(server_url: str, token: str) -> None:
    import keyring
    from keyring.errors import KeyringError

    try:
        keyring.set_password(KEYRING_SERVICE, server_url, token)
    except KeyringError as exc:
        raise SyncError(f"No system keyring is available to store the token ({exc}). "
                        f"Set {TOKEN_ENV} in the environment instead.") from None


class SyncClient:
    def __init__(self, server_url: str, token: str, session: requests.Session | None = None,
                 sleep: Callable[[float], None] = time.sleep, public_key: Ed25519PublicKey | None = None) -> None:
        self.server_url = server_url.rstrip("/")
        self._token = token
        self._http = session or requests.Session()
        self._sleep = sleep
        self._public_key = public_key or default_public_key()

    def _get(self, path: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """GET with bounded retries and backoff; honours Retry-After; 4xx other than 429 are final."""
        delay = 0.5
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                response = self._http.get(f"{self.server_url}{path}", params=params, timeout=TIMEOUT,
                                          headers={"Authorization": f"Bearer {self._token}"})
                if response.status_code == 200:
                    body: dict[str, Any] = orjson.loads(response.content)  # a snapshot body is megabytes
                    return body
            except (requests.RequestException, orjson.JSONDecodeError, ValueError) as exc:
                if attempt == MAX_ATTEMPTS:
                    raise SyncError(f"The sync server cannot be reached ({type(exc).__name__}).") from None
                self._sleep(delay)
                delay *= 2
                continue
            if response.status_code == 410:
                raise RefetchNeeded
            if response.status_code in (401, 403):
                raise SyncError("The sync server refused the token; ask for a new one and run skinlens login.")
            if response.status_code in (429, 500, 502, 503, 504) and attempt < MAX_ATTEMPTS:
                retry_after = response.headers.get("Retry-After", "")
                self._sleep(min(60.0, float(retry_after)) if retry_after.isdigit() else delay)
                delay *= 2
                continue
            raise SyncError(f"The sync server answered {response.status_code}.")
        raise SyncError("The sync server did not answer.")  # pragma: no cover - the loop returns or raises

    def pull(self, store: CatalogStore, progress: Callable[[int], None] | None = None) -> SyncResult:
        """Bring the local catalog to the server's current, verified state (or leave it as it was)."""
        try:
            return self._pull_changes(store, progress)
        except RefetchNeeded:
            reason = "the cursor is older than the server's horizon"
            log.info("%s: fetching the snapshot", reason)
        except apply.SignatureError as exc:
            store.clear_sync_staging()
            raise SyncError(f"{exc} Nothing was applied.") from None
        except apply.VerificationError as exc:
            reason = f"the changes did not verify ({exc})"
            log.warning("%s: fetching the snapshot", reason)
        return dataclasses.replace(self._pull_snapshot(store, progress), refetch_reason=reason)

    def _pull_changes(self, store: CatalogStore, progress: Callable[[int], None] | None) -> SyncResult:
        same_server = store.get_state("server_url") in ("", self.server_url)
        applied = json.loads(store.get_state("cursor") or "null") if same_server else None
        applied = applied or dict(START)
        staging = json.loads(store.get_state("staging") or "null")
        if staging and staging.get("server") == self.server_url and staging.get("base") == applied:
            cursor = staging["cursor"]  # resume an interrupted sync
        else:
            store.clear_sync_staging()
            cursor = applied
        pages = 0
        while True:
            params = {"since": cursor["seq"], "limit": PAGE_LIMIT} | (
                {"after": cursor["after"]} if cursor.get("after") else {})
            page = self._get("/v1/catalog/changes", params)
            pages += 1
            cursor = page["cursor"]
            store.stage_sync_page(page["changes"],
                                  json.dumps({"server": self.server_url, "base": applied, "cursor": cursor}))
            if not page["more"]:
                break
        upserted, deleted = apply.promote(store, page["state"], self._public_key, cursor, self.server_url,
                                          replace_all=applied == START, progress=progress)
        log.info("sync applied: %d upserts, %d deletes, cursor %s", upserted, deleted, cursor)
        return SyncResult(upserted=upserted, deleted=deleted, pages=pages, cursor=cursor)

    def _pull_snapshot(self, store: CatalogStore, progress: Callable[[int], None] | None) -> SyncResult:
        body = self._get("/v1/catalog/snapshot")
        store.clear_sync_staging()
        cursor = {"seq": body["catalog_seq"], "after": None}
        store.stage_sync_page([{"id": p["id"], "deleted": False, "product": p} for p in body["products"]],
                              json.dumps({"server": self.server_url, "base": "snapshot", "cursor": cursor}))
        try:
            upserted, deleted = apply.promote(store, body["state"], self._public_key, cursor, self.server_url,
                                              replace_all=True, progress=progress)
        except apply.VerificationError as exc:
            store.clear_sync_staging()
            raise SyncError(f"The catalog from the server does not verify ({exc}). Nothing was applied.") from None
        return SyncResult(upserted=upserted, deleted=deleted, pages=1, cursor=cursor, snapshot=True)

"""Catalog sync client: pull changes from the sync server into the local store (PROTOCOL.md).

Offline-first: the app always works on what it last synced. A first sync, and a sync the server says is far
behind, takes the snapshot (one response, cacheable); otherwise the change feed is read page by page, each
page staged with its cursor (an interrupted sync resumes where it stopped). Either way everything is applied in
one transaction that commits only if the local catalog's digest equals the server's Ed25519-signed digest, at
a signed sequence no older than the one held. On a digest mismatch it refetches the snapshot; on a bad
signature, a rollback or a malformed answer it applies nothing and says so.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import orjson
import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from desktop.catalog.store import CatalogStore
from desktop.sync import apply, keys
from desktop.sync.errors import SyncError
from desktop.sync.lock import sync_lock
from desktop.sync.page import Page, parse_page, parse_snapshot
from desktop.sync.state import Cursor, HeldState, Staging, held_state, staging_of

__all__ = ["SyncClient", "SyncError", "SyncResult", "default_public_key", "store_token", "token_for"]

log = logging.getLogger(__name__)
KEYRING_SERVICE = "SkinLens sync"
TOKEN_ENV = "SKINLENS_SYNC_TOKEN"
PAGE_LIMIT = 1000
TIMEOUT = (5.0, 30.0)  # connect, read (seconds)
MAX_ATTEMPTS = 4
MAX_RESPONSE_BYTES = 512 * 1024 * 1024  # a hostile server cannot fill the memory
SNAPSHOT_PATH = "/v1/catalog/snapshot"  # redirects to /v1/catalog/snapshot/{sequence} of the current catalog


class RefetchNeeded(Exception):
    """The server no longer has the changes after our cursor (410), or says the snapshot moves less."""


class SnapshotMovedOn(SyncError):
    """The snapshot a redirect named is no longer the current one: the catalog changed in between (404)."""

    def __init__(self) -> None:
        super().__init__("The catalog kept changing while its snapshot was fetched; sync again in a moment.")


class UpToDate(Exception):
    """304: nothing was written since the held state."""


@dataclass
class SyncResult:
    upserted: int
    deleted: int
    pages: int
    cursor: dict[str, Any]
    snapshot: bool = False  # the full snapshot was applied instead of the changes
    refetch_reason: str = ""  # why, when the changes were tried first (a horizon passed, a digest that differed)
    key_fingerprint: str = ""  # the key the signature verified with, to compare with the administrator's

    def summary(self) -> str:
        how = "full snapshot" if self.snapshot else f"{self.pages} pages"
        verified = f"signature verified with {self.key_fingerprint}" if self.key_fingerprint else "signature verified"
        return f"{self.upserted} products added or updated, {self.deleted} removed ({how}, {verified})"


def default_public_key() -> Ed25519PublicKey:
    """The key this build trusts without a login: its production key, else the development key (loopback)."""
    return keys.build_key() or keys.dev_key()


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
        self.server_url = keys.checked_server_url(server_url)
        self._token = token
        self._http = session or requests.Session()
        self._sleep = sleep
        self._public_key = public_key

    def get_json(self, path: str, params: dict[str, Any] | None = None,
                 headers: dict[str, str] | None = None) -> dict[str, Any]:
        """GET with bounded retries and backoff; honours Retry-After; 4xx other than 429 are final."""
        delay = 0.5
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                response = self._http.get(f"{self.server_url}{path}", params=params, timeout=TIMEOUT, stream=True,
                                          allow_redirects=False,
                                          headers={"Authorization": f"Bearer {self._token}"} | (headers or {}))
                if response.status_code == 200:
                    body = orjson.loads(_bounded_content(response))  # a snapshot body is megabytes
                    if not isinstance(body, dict):
                        raise SyncError("The sync server sent something other than a JSON object.")
                    return body
            except (requests.RequestException, orjson.JSONDecodeError, ValueError) as exc:
                if attempt == MAX_ATTEMPTS:
                    raise SyncError(f"The sync server cannot be reached ({type(exc).__name__}).") from None
                self._sleep(delay)
                delay *= 2
                continue
            response.close()
            if response.status_code == 307 and path == SNAPSHOT_PATH:
                try:
                    return self.get_json(self._snapshot_path(response.headers.get("Location", "")), params)
                except SnapshotMovedOn:
                    if attempt == MAX_ATTEMPTS:
                        raise
                    continue  # a write landed between the redirect and the fetch: ask for the current one
            if response.status_code == 404 and path.startswith(SNAPSHOT_PATH + "/"):
                raise SnapshotMovedOn
            if response.status_code == 304:
                raise UpToDate
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

    def _snapshot_path(self, location: str) -> str:
        """The path of the immutable snapshot the server redirects to: on this same server, nothing else."""
        parts, origin = urlsplit(location), urlsplit(self.server_url)
        prefix = SNAPSHOT_PATH + "/"
        same_origin = not parts.netloc or (parts.scheme, parts.netloc) == (origin.scheme, origin.netloc)
        if not same_origin or not parts.path.startswith(prefix) or not parts.path[len(prefix):].isdigit():
            raise SyncError("The sync server redirected the snapshot somewhere unexpected; refused.")
        return parts.path

    def pull(self, store: CatalogStore, progress: Callable[[int], None] | None = None) -> SyncResult:
        """Bring the local catalog to the server's current, verified state (or leave it as it was)."""
        key = self._public_key or keys.key_for(self.server_url, store)
        with sync_lock(store.path):
            return dataclasses.replace(self._pull_locked(store, key, progress), key_fingerprint=keys.fingerprint(key))

    def _pull_locked(self, store: CatalogStore, key: Ed25519PublicKey,
                     progress: Callable[[int], None] | None) -> SyncResult:
        """The pull under the sync lock: the changes from the held state, else (or when they fail) the snapshot."""
        held = held_state(store)
        held = held if held is not None and held.server == self.server_url else None
        try:
            reason = ""
            if held is not None:
                try:
                    return self._pull_changes(store, key, held, progress)
                except RefetchNeeded:
                    reason = "the snapshot moves less, or the cursor is behind the server's horizon"
                    log.info("%s: fetching the snapshot", reason)
                except apply.VerificationError as exc:
                    reason = f"the changes did not verify ({exc})"
                    log.warning("%s: fetching the snapshot", reason)
            result = self._pull_snapshot(store, key, held, progress)
            return dataclasses.replace(result, refetch_reason=reason)
        except apply.Refusal as exc:
            store.clear_sync_staging()
            raise SyncError(f"{exc} Nothing was applied.") from None

    def _first_page(self, store: CatalogStore, held: HeldState, cursor: Cursor, resuming: bool) -> Page | None:
        """The first page, or None when a 304 says nothing changed and the local copy still verifies."""
        etag = {} if resuming or not held.digest else {"If-None-Match": f'"c{held.seq}"'}
        try:
            return self._page(cursor, etag)
        except UpToDate:
            if store.synced_digest() != held.digest:
                raise apply.VerificationError("the local catalog no longer has the held digest") from None
            return None

    def _page(self, cursor: Cursor, headers: dict[str, str] | None = None) -> Page:
        params = cursor.params() | {"limit": PAGE_LIMIT, "digest_version": 2}
        return parse_page(self.get_json("/v1/catalog/changes", params, headers))

    def _pull_changes(self, store: CatalogStore, key: Ed25519PublicKey, held: HeldState,
                      progress: Callable[[int], None] | None) -> SyncResult:
        staging = staging_of(store)
        resuming = staging is not None and staging.server == self.server_url and staging.base == held.seq
        if staging is not None and resuming:
            cursor = staging.cursor  # resume an interrupted sync
        else:
            store.clear_sync_staging()
            cursor = Cursor(held.seq)
        page = self._first_page(store, held, cursor, resuming)
        if page is None:
            return SyncResult(upserted=0, deleted=0, pages=1, cursor={"seq": held.seq, "after": None})
        if page.snapshot_advised:
            raise RefetchNeeded
        pages = 0
        while True:
            signed = apply.signed_state(page.state, key)
            apply.check_not_older(*signed, held)
            page.check_within(signed[0])
            pages += 1
            store.stage_sync_page(page.changes, Staging(self.server_url, held.seq, page.cursor).dumps())
            if not page.more:
                break
            page = self._page(page.cursor)
        upserted, deleted = apply.promote(store, signed, self.server_url, replace_all=False, progress=progress)
        log.info("sync applied: %d upserts, %d deletes, seq %d", upserted, deleted, signed[0])
        return SyncResult(upserted=upserted, deleted=deleted, pages=pages, cursor={"seq": signed[0], "after": None})

    def _pull_snapshot(self, store: CatalogStore, key: Ed25519PublicKey, held: HeldState | None,
                       progress: Callable[[int], None] | None) -> SyncResult:
        snapshot = parse_snapshot(self.get_json(SNAPSHOT_PATH, {"digest_version": 2}))
        signed = apply.signed_state(snapshot.state, key)
        apply.check_not_older(*signed, held)
        if snapshot.catalog_seq != signed[0]:
            raise apply.Refusal("The snapshot's sequence differs from its signed state's.")
        try:
            upserted, deleted = apply.promote(store, signed, self.server_url, replace_all=True, progress=progress,
                                              snapshot=snapshot.products)
        except apply.VerificationError as exc:
            store.clear_sync_staging()
            raise SyncError(f"The catalog from the server does not verify ({exc}). Nothing was applied.") from None
        return SyncResult(upserted=upserted, deleted=deleted, pages=1, cursor={"seq": signed[0], "after": None},
                          snapshot=True)


def _bounded_content(response: requests.Response) -> bytes:
    chunks, size = [], 0
    for chunk in response.iter_content(1024 * 1024):
        size += len(chunk)
        if size > MAX_RESPONSE_BYTES:
            response.close()
            raise SyncError(f"The sync server's answer exceeds {MAX_RESPONSE_BYTES // 2**20} MiB; refused.")
        chunks.append(chunk)
    return b"".join(chunks)



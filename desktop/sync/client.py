"""Catalog sync client: pull changes from the sync server into the local store.

Pages are fetched in (seq, id) order until the server says no more follow; then everything is applied in one
SQLite transaction together with the new cursor. An interrupted sync (network cut, app killed) therefore leaves
the local catalog exactly as it was, and the next sync resumes from the last applied cursor.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import requests

from catalog_format import CatalogRow
from desktop.catalog.store import CatalogStore

log = logging.getLogger(__name__)
KEYRING_SERVICE = "SkinLens sync"
TOKEN_ENV = "SKINLENS_SYNC_TOKEN"
PAGE_LIMIT = 1000
TIMEOUT = (5.0, 30.0)  # connect, read (seconds)
MAX_ATTEMPTS = 4


class SyncError(Exception):
    """A sync that could not finish; the message is for people. Nothing was applied."""


@dataclass
class SyncResult:
    upserted: int
    deleted: int
    pages: int
    cursor: dict[str, Any]

    def summary(self) -> str:
        return f"{self.upserted} products added or updated, {self.deleted} removed ({self.pages} pages)"


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


def _row_from_product(d: dict[str, Any]) -> CatalogRow:
    return CatalogRow(id=d["id"], brand=d["brand"], name=d["name"], category=d["category"],
                      price=Decimal(d["price"]), currency=d["currency"], ingredients=d["ingredients"],
                      url=d["url"], size=d.get("size", ""), image_url=d.get("image_url", ""),
                      skin_types=tuple(d.get("skin_types", ())), tags=tuple(d.get("tags", ())))


class SyncClient:
    def __init__(self, server_url: str, token: str, session: requests.Session | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.server_url = server_url.rstrip("/")
        self._token = token
        self._http = session or requests.Session()
        self._sleep = sleep

    def _get(self, path: str, params: dict[str, Any]) -> dict[str, Any]:
        """GET with bounded retries and backoff; honours Retry-After; 4xx other than 429 are final."""
        delay = 0.5
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                response = self._http.get(f"{self.server_url}{path}", params=params, timeout=TIMEOUT,
                                          headers={"Authorization": f"Bearer {self._token}"})
            except requests.RequestException as exc:
                if attempt == MAX_ATTEMPTS:
                    raise SyncError(f"The sync server cannot be reached ({type(exc).__name__}).") from None
                self._sleep(delay)
                delay *= 2
                continue
            if response.status_code == 200:
                try:
                    body: dict[str, Any] = response.json()
                except (ValueError, json.JSONDecodeError):
                    raise SyncError("The sync server sent a reply that is not JSON.") from None
                return body
            if response.status_code in (401, 403):
                raise SyncError("The sync server refused the token; ask for a new one and run skinlens login.")
            if response.status_code in (429, 502, 503, 504) and attempt < MAX_ATTEMPTS:
                retry_after = response.headers.get("Retry-After", "")
                self._sleep(float(retry_after) if retry_after.isdigit() else delay)
                delay *= 2
                continue
            raise SyncError(f"The sync server answered {response.status_code}.")
        raise SyncError("The sync server did not answer.")  # pragma: no cover - loop always returns/raises

    def pull(self, store: CatalogStore, progress: Callable[[int], None] | None = None) -> SyncResult:
        """Fetch every change after the stored cursor and apply them all in one transaction."""
        cursor = json.loads(store.get_state("cursor") or '{"seq": 0, "after": null}')
        if store.get_state("server_url") not in ("", self.server_url):
            cursor = {"seq": 0, "after": None}  # another server: start over
        upserts: dict[str, CatalogRow] = {}
        affiliate: dict[str, str] = {}
        deletes: set[str] = set()
        pages = 0
        while True:
            params = {"since": cursor["seq"], "limit": PAGE_LIMIT}
            if cursor.get("after"):
                params["after"] = cursor["after"]
            page = self._get("/v1/catalog/changes", params)
            pages += 1
            for change in page["changes"]:
                if change["deleted"]:
                    upserts.pop(change["id"], None)
                    deletes.add(change["id"])
                else:
                    deletes.discard(change["id"])
                    upserts[change["id"]] = _row_from_product(change["product"])
                    affiliate[change["id"]] = change["product"].get("affiliate_url", "")
            cursor = page["cursor"]
            if progress:
                progress(len(upserts) + len(deletes))
            if not page["more"]:
                break
        first_sync = not store.get_state("cursor")
        with store.session() as session, session.begin():
            store.upsert_rows(session, list(upserts.values()), source="sync", affiliate_urls=affiliate)
            removed = store.delete_products(session, deletes)
            if first_sync:  # the bundled demo products give way to the server's catalog
                removed += store.delete_source_except(session, "demo", keep=set(upserts))
            store.set_state(session, {"cursor": json.dumps(cursor), "server_url": self.server_url})
        log.info("sync applied: %d upserts, %d deletes, cursor %s", len(upserts), removed, cursor)
        return SyncResult(upserted=len(upserts), deleted=removed, pages=pages, cursor=cursor)


"""Applying synced changes to the local store: staging per page, then one verified transaction.

The invariant: the `products` rows that came from sync always equal the server's catalog at some sequence.
Pages are staged (each page and its cursor in one transaction: an interrupted sync resumes from there) and
promoted all at once; before that transaction commits, the digest of the local synced catalog must equal the
server's signed digest, or nothing is applied.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from catalog_format import CatalogRow, catalog_digest, product_hash, signed_message
from catalog_format.canonical import split_list
from desktop.catalog.models import Product, SyncStaging
from desktop.catalog.store import CatalogStore

SOURCE = "sync"


class VerificationError(Exception):
    """The local result would not match the server's signed state."""


class SignatureError(VerificationError):
    """The signature itself is wrong: tampering or the wrong key. Never retried silently."""


def row_from_product(d: dict[str, Any]) -> CatalogRow:
    return CatalogRow(id=d["id"], brand=d["brand"], name=d["name"], category=d["category"],
                      price=Decimal(d["price"]), currency=d["currency"], ingredients=d["ingredients"],
                      url=d["url"], size=d.get("size", ""), image_url=d.get("image_url", ""),
                      skin_types=tuple(d.get("skin_types", ())), tags=tuple(d.get("tags", ())))


def local_digest(session: Session) -> str:
    """The catalog digest (catalog_format.catalog_digest) over the synced products, computed like the server."""
    pairs = []
    for p in session.scalars(select(Product).where(Product.source == SOURCE)):
        fields = {"id": p.id, "brand": p.brand, "name": p.name, "category": p.category, "price": p.price,
                  "currency": p.currency, "size": p.size, "ingredients": p.ingredients, "url": p.url,
                  "affiliate_url": p.affiliate_url, "image_url": p.image_url,
                  "skin_types": split_list(p.skin_types), "tags": split_list(p.tags)}
        pairs.append((p.id, product_hash(fields)))
    return catalog_digest(pairs)


def check_signature(state: dict[str, Any], public_key: Ed25519PublicKey) -> None:
    if not state.get("digest") or not state.get("signature"):
        raise SignatureError("The server's catalog is not signed.")
    try:
        public_key.verify(base64.b64decode(state["signature"]), signed_message(int(state["seq"]), state["digest"]))
    except (InvalidSignature, ValueError):
        raise SignatureError("The catalog's signature is not valid (tampered, or signed with another key)."
                             ) from None


def stage_page(store: CatalogStore, changes: list[dict[str, Any]], staging: dict[str, Any]) -> None:
    """Stage one page of changes together with the staging cursor, in one transaction."""
    with store.session() as session, session.begin():
        for change in changes:
            session.merge(SyncStaging(id=change["id"], deleted=bool(change["deleted"]),
                                      product_json="" if change["deleted"] else json.dumps(change["product"])))
        store.set_state(session, {"staging": json.dumps(staging)})


def clear_staging(store: CatalogStore) -> None:
    with store.session() as session, session.begin():
        session.execute(delete(SyncStaging))
        store.set_state(session, {"staging": ""})


def promote(store: CatalogStore, state: dict[str, Any], public_key: Ed25519PublicKey, cursor: dict[str, Any],
            server: str, replace_all: bool, progress: Callable[[int], None] | None = None) -> tuple[int, int]:
    """Apply the staged changes; verify; commit with the new cursor. Returns (upserted, deleted)."""
    check_signature(state, public_key)
    with store.session() as session, session.begin():
        staged = list(session.scalars(select(SyncStaging)))
        upserts = [row_from_product(json.loads(s.product_json)) for s in staged if not s.deleted]
        affiliate = {s.id: json.loads(s.product_json).get("affiliate_url", "") for s in staged if not s.deleted}
        deletes = [s.id for s in staged if s.deleted]
        removed = 0
        if replace_all:  # first sync, another server, or a snapshot: the server's catalog replaces the synced
            keep = {r.id for r in upserts}  # one and the bundled demo (products the user imported stay)
            removed += store.delete_source_except(session, SOURCE, keep)
            removed += store.delete_source_except(session, "demo", keep)
        store.upsert_rows(session, upserts, source=SOURCE, affiliate_urls=affiliate)
        removed += store.delete_products(session, deletes)
        if progress:
            progress(len(upserts) + len(deletes))
        digest = local_digest(session)
        if digest != state["digest"]:
            raise VerificationError(f"local catalog digest {digest[:12]}… differs from the server's "
                                    f"{str(state['digest'])[:12]}… at seq {state['seq']}")
        session.execute(delete(SyncStaging))
        store.set_state(session, {"cursor": json.dumps(cursor), "server_url": server, "staging": "",
                                  "digest": digest})
    return len(upserts), removed

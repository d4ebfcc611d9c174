"""Catalog reads: the change feed and the snapshot, as ready JSON bytes.

Each read runs in one REPEATABLE READ transaction (api.deps.get_read_session), so the rows, the catalog's
sequence and its signed digest all describe the same committed state. Responses are built with orjson
straight from column tuples (no ORM objects, no pydantic per row): the feed is the hot path.
"""

from __future__ import annotations

import base64
import threading
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import func, literal, select, tuple_
from sqlalchemy.orm import Session

from catalog_format import PRODUCT_FIELDS, catalog_digest_v1, wire_product
from sync_server.changes import CATALOG_ID
from sync_server.models import CatalogDigest, CatalogState, Product
from sync_server.signing import Signer

COLUMNS = tuple(getattr(Product, name) for name in PRODUCT_FIELDS)


class CursorTooOld(Exception):
    """The cursor is older than the retention horizon: the client must refetch the snapshot."""

    def __init__(self, horizon: int) -> None:
        super().__init__(horizon)
        self.horizon = horizon


@dataclass(frozen=True)
class CatalogHead:
    seq: int
    horizon: int
    live_count: int
    digest: str | None
    signature: bytes | None

    @property
    def state(self) -> dict[str, Any]:
        """{"version", "seq", "digest", "signature"} at `seq` in digest version 2 (signature base64; null when
        unsigned)."""
        signature = base64.b64encode(self.signature).decode() if self.signature else None
        return {"version": 2, "seq": self.seq, "digest": self.digest, "signature": signature}


def head(session: Session) -> CatalogHead:
    """The current sequence, horizon, live count and signed digest, in one round trip."""
    row = session.execute(
        select(CatalogState.seq, CatalogState.horizon_seq, CatalogState.live_count, CatalogDigest.digest,
               CatalogDigest.signature)
        .outerjoin(CatalogDigest, CatalogDigest.seq == CatalogState.seq)
        .where(CatalogState.id == CATALOG_ID)).one()
    return CatalogHead(int(row[0]), int(row[1]), int(row[2]), row[3], row[4])


class LegacyStates:
    """Version-1 signed states, for clients that do not ask for version 2.

    Version 1 digests the sorted list of every live product, so it costs O(catalog): it is computed on demand,
    at most once per sequence number and worker, from the reader's own snapshot of the rows.
    """

    def __init__(self, signer: Signer) -> None:
        self._signer = signer
        self._lock = threading.Lock()
        self._seq: int | None = None
        self._state: dict[str, Any] = {}

    def state(self, session: Session, current: CatalogHead) -> dict[str, Any]:
        with self._lock:
            if self._seq != current.seq:
                pairs = session.execute(select(Product.id, Product.content_hash).where(Product.deleted.is_(False)))
                digest = catalog_digest_v1((r[0], r[1]) for r in pairs)
                signature = base64.b64encode(self._signer.sign(current.seq, digest, version=1)).decode()
                self._seq, self._state = current.seq, {"seq": current.seq, "digest": digest, "signature": signature}
            return dict(self._state)


def _product(values: tuple[Any, ...]) -> dict[str, Any]:
    return wire_product(zip(PRODUCT_FIELDS, values, strict=True))


def changes_page(session: Session, current: CatalogHead, since: int, after: str | None, limit: int,
                 state: dict[str, Any]) -> bytes:
    """One page of changes after (since, after), in (seq, id) order; raises CursorTooOld."""
    if since < current.horizon:
        raise CursorTooOld(current.horizon)
    condition = tuple_(Product.seq, Product.id) > tuple_(since, after) if after is not None else Product.seq > since
    rows = session.execute(select(Product.seq, Product.deleted, *COLUMNS).where(condition)
                           .order_by(Product.seq, Product.id).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    changes = [{"id": r[2], "seq": r[0], "deleted": r[1], "product": None if r[1] else _product(tuple(r[2:]))}
               for r in rows]
    last = rows[-1] if rows else None
    cursor = {"seq": last[0], "after": last[2] if more else None} if last else {"seq": since, "after": after}
    advised = more and _outnumbers(session, condition, current.live_count)
    body = {"changes": changes, "cursor": cursor, "more": more, "catalog_seq": current.seq, "state": state,
            "snapshot_advised": advised}
    return orjson.dumps(body)


def _outnumbers(session: Session, condition: Any, live_count: int) -> bool:
    """Whether more rows follow the cursor than the snapshot holds (counting no further than that)."""
    pending = select(literal(1)).where(condition).limit(live_count + 1).subquery()
    return int(session.execute(select(func.count()).select_from(pending)).scalar_one()) > live_count


def snapshot(session: Session, seq: int, state: dict[str, Any]) -> bytes:
    """Every live product, as the caller's transaction sees the catalog at `seq` (the current sequence)."""
    rows = session.execute(select(*COLUMNS).where(Product.deleted.is_(False)).order_by(Product.id)).all()
    body = {"products": [_product(tuple(r)) for r in rows], "catalog_seq": seq, "state": state}
    return orjson.dumps(body)

"""Catalog reads: the change feed and the snapshot, as ready JSON bytes.

Each read runs in one REPEATABLE READ transaction (api.deps.get_read_session), so the rows, the catalog's
sequence and its signed digest all describe the same committed state. Responses are built with orjson
straight from column tuples (no ORM objects, no pydantic per row): the feed is the hot path.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from catalog_format import PRODUCT_FIELDS, wire_product
from sync_server.changes import CATALOG_ID
from sync_server.models import CatalogDigest, CatalogState, Product

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
    digest: str | None
    signature: bytes | None

    @property
    def state(self) -> dict[str, Any]:
        """{"seq", "digest", "signature"} of the catalog at `seq` (signature base64; null when unsigned)."""
        signature = base64.b64encode(self.signature).decode() if self.signature else None
        return {"seq": self.seq, "digest": self.digest, "signature": signature}


def head(session: Session) -> CatalogHead:
    """The current sequence, horizon and signed digest, in one round trip."""
    row = session.execute(
        select(CatalogState.seq, CatalogState.horizon_seq, CatalogDigest.digest, CatalogDigest.signature)
        .outerjoin(CatalogDigest, CatalogDigest.seq == CatalogState.seq)
        .where(CatalogState.id == CATALOG_ID)).one()
    return CatalogHead(int(row[0]), int(row[1]), row[2], row[3])


def _product(values: tuple[Any, ...]) -> dict[str, Any]:
    return wire_product(zip(PRODUCT_FIELDS, values, strict=True))


def changes_page(session: Session, current: CatalogHead, since: int, after: str | None, limit: int) -> bytes:
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
    body = {"changes": changes, "cursor": cursor, "more": more, "catalog_seq": current.seq,
            "state": current.state}
    return orjson.dumps(body)


def snapshot(session: Session, seq: int) -> bytes | None:
    """Every live product at `seq`, or None when `seq` is no longer the current sequence."""
    current = head(session)
    if seq != current.seq:
        return None
    rows = session.execute(select(*COLUMNS).where(Product.deleted.is_(False)).order_by(Product.id)).all()
    body = {"products": [_product(tuple(r)) for r in rows], "catalog_seq": seq, "state": current.state}
    return orjson.dumps(body)

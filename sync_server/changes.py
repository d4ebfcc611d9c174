"""Commit-ordered change sequence, catalog writes and the change feed.

Every writing transaction first takes the catalog's state row `FOR UPDATE` and bumps `seq`; all rows it writes
carry that number. Writers therefore serialise on the lock, and seq N+1 is handed out only after N committed,
so a client that reads `seq > cursor` in order can never skip a change (the flaw of timestamp cursors,
Kinto #602). Deletions stay as tombstones (deleted = true) so clients learn about them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from catalog_format import CatalogRow, RowError
from sync_server.models import CatalogState, Product

CATALOG_ID = 1
_BATCH = 1000


def bump_sequence(session: Session) -> int:
    """Lock the catalog row and return the next sequence number (held until the transaction ends)."""
    state = session.execute(
        select(CatalogState).where(CatalogState.id == CATALOG_ID).with_for_update()).scalar_one()
    state.seq += 1
    state.updated_at = func.now()
    session.flush()
    return state.seq


def current_sequence(session: Session) -> int:
    return session.execute(select(CatalogState.seq).where(CatalogState.id == CATALOG_ID)).scalar_one()


def affiliate_url(url: str, retailers: dict[str, str]) -> str:
    """Build the affiliate link by the retailer's rule; only https URLs on allow-listed hosts pass."""
    parts = urlsplit(url)
    if parts.scheme != "https":
        raise ValueError(f"url {url!r} is not https")
    template = retailers.get((parts.hostname or "").lower())
    if template is None:
        raise ValueError(f"host {parts.hostname!r} is not an allowed retailer")
    return template.format(url=url)


@dataclass
class ImportOutcome:
    seq: int
    upserted: int
    deleted: int
    errors: list[RowError]


def import_rows(session: Session, rows: Sequence[CatalogRow], retailers: dict[str, str],
                replace: bool = False, line_of: dict[str, int] | None = None) -> ImportOutcome:
    """Upsert rows (and with `replace`, tombstone every live product not among them) under one new seq."""
    errors: list[RowError] = []
    values: list[dict[str, Any]] = []
    for row in rows:
        try:
            link = affiliate_url(row.url, retailers)
        except ValueError as exc:
            errors.append(RowError((line_of or {}).get(row.id, 0), str(exc)))
            continue
        values.append({
            "id": row.id, "brand": row.brand, "name": row.name, "category": row.category, "price": row.price,
            "currency": row.currency, "size": row.size, "ingredients": row.ingredients, "url": row.url,
            "affiliate_url": link, "image_url": row.image_url, "skin_types": list(row.skin_types),
            "tags": list(row.tags), "deleted": False,
        })
    seq = bump_sequence(session)
    for start in range(0, len(values), _BATCH):
        batch = [dict(v, seq=seq) for v in values[start:start + _BATCH]]
        stmt = pg_insert(Product).values(batch)
        session.execute(stmt.on_conflict_do_update(
            index_elements=[Product.id],
            set_={c: stmt.excluded[c] for c in batch[0] if c != "id"} | {"updated_at": func.now()},
        ))
    deleted = 0
    if replace:
        keep = [v["id"] for v in values]
        stmt_delete = update(Product).where(Product.deleted.is_(False))
        if keep:
            stmt_delete = stmt_delete.where(Product.id.not_in(keep))
        result = session.execute(stmt_delete.values(deleted=True, seq=seq, updated_at=func.now()))
        deleted = result.rowcount or 0  # type: ignore[attr-defined]
    return ImportOutcome(seq=seq, upserted=len(values), deleted=deleted, errors=errors)


def delete_products(session: Session, ids: Sequence[str]) -> int:
    """Tombstone products under one new seq."""
    seq = bump_sequence(session)
    result = session.execute(update(Product).where(Product.id.in_(ids), Product.deleted.is_(False))
                             .values(deleted=True, seq=seq, updated_at=func.now()))
    return result.rowcount or 0  # type: ignore[attr-defined]


def list_changes(session: Session, since: int, after: str | None, limit: int) -> tuple[list[Product], bool]:
    """Products (live and tombstones) with (seq, id) > (since, after) in that order; and whether more follow."""
    key = tuple_(Product.seq, Product.id)
    condition = key > tuple_(since, after) if after is not None else Product.seq > since
    rows = list(session.scalars(select(Product).where(condition).order_by(Product.seq, Product.id)
                                .limit(limit + 1)))
    return rows[:limit], len(rows) > limit

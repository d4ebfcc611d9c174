"""Catalog writes: the commit-ordered sequence, tombstones, content hashes and the signed digest.

Every writing transaction first takes the catalog's state row `FOR UPDATE` and bumps `seq`; all rows it writes
carry that number. Writers therefore serialise on the lock, and seq N+1 is handed out only after N committed,
so a client that reads `seq > cursor` in order can never skip a change (the flaw of timestamp cursors,
Kinto #602). Deletions stay as tombstones so clients learn about them; before committing, the writer records
the SHA-256 digest of the whole live catalog at its seq, signed with the server's Ed25519 key.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from catalog_format import PRODUCT_FIELDS, CatalogRow, RowError, catalog_digest, product_hash
from sync_server.models import CatalogDigest, CatalogState, Product, Retailer
from sync_server.signing import Signer

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


def record_digest(session: Session, seq: int, signer: Signer) -> str:
    """Digest and sign the live catalog as this transaction leaves it (called last, inside the lock)."""
    pairs = session.execute(select(Product.id, Product.content_hash).where(Product.deleted.is_(False)))
    digest = catalog_digest(pairs)
    session.merge(CatalogDigest(seq=seq, digest=digest, signature=signer.sign(seq, digest)))
    session.flush()
    return digest


def ensure_signed(session: Session, signer: Signer) -> None:
    """Sign the current state if no digest exists for it yet (a fresh or just-migrated database)."""
    state = session.execute(
        select(CatalogState).where(CatalogState.id == CATALOG_ID).with_for_update()).scalar_one()
    if session.get(CatalogDigest, state.seq) is None:
        record_digest(session, state.seq, signer)


def retailer_rules(session: Session) -> dict[str, str]:
    return dict(session.execute(select(Retailer.host, Retailer.affiliate_template)).all())


def affiliate_url(url: str, retailers: dict[str, str]) -> str:
    """Build the affiliate link by the retailer's rule; only https URLs on allow-listed hosts pass."""
    parts = urlsplit(url)
    if parts.scheme != "https":
        raise ValueError(f"url {url!r} is not https")
    template = retailers.get((parts.hostname or "").lower())
    if template is None:
        raise ValueError(f"host {parts.hostname!r} is not an allowed retailer")
    return template.format(url=url)


def product_values(row: CatalogRow, retailers: dict[str, str]) -> dict[str, Any]:
    """The column values of a row with its affiliate link (raises ValueError when its URL is not allowed)."""
    values = replace(row, affiliate_url=affiliate_url(row.url, retailers)).values()
    return values | {"deleted": False, "content_hash": product_hash(values)}


@dataclass
class WriteOutcome:
    seq: int
    upserted: int
    deleted: int
    errors: list[RowError]
    digest: str = ""


def import_rows(session: Session, rows: Sequence[CatalogRow], signer: Signer, replace: bool = False,
                lines: dict[str, int] | None = None) -> WriteOutcome:
    """Upsert rows (and with `replace`, tombstone every live product not among them) under one new seq."""
    retailers = retailer_rules(session)
    errors: list[RowError] = []
    values: list[dict[str, Any]] = []
    for row in rows:
        try:
            values.append(product_values(row, retailers))
        except ValueError as exc:
            errors.append(RowError((lines or {}).get(row.id, 0), str(exc)))
    seq = bump_sequence(session)
    upserted = upsert_values(session, values, seq)
    deleted = 0
    if replace:
        stmt = update(Product).where(Product.deleted.is_(False))
        keep = [v["id"] for v in values]
        if keep:
            stmt = stmt.where(Product.id.not_in(keep))
        result = session.execute(stmt.values(deleted=True, seq=seq, updated_at=func.now()))
        deleted = result.rowcount or 0  # type: ignore[attr-defined]
    digest = record_digest(session, seq, signer)
    return WriteOutcome(seq=seq, upserted=upserted, deleted=deleted, errors=errors, digest=digest)


COPY_COLUMNS = (*PRODUCT_FIELDS, "content_hash")
COPY_THRESHOLD = 200  # below this, a multi-row INSERT is cheaper than COPY and a temporary table


def upsert_values(session: Session, values: list[dict[str, Any]], seq: int) -> int:
    """Insert or update products; rows whose content is unchanged keep their seq (no spurious changes).

    Call inside a transaction that holds the catalog lock (after bump_sequence). Large writes COPY into a
    temporary table and merge with one INSERT ... SELECT ... ON CONFLICT, far cheaper than one statement per
    batch (bench/bench_sync.py measures the import).
    """
    if len(values) >= COPY_THRESHOLD:
        return _copy_upsert(session, values, seq)
    upserted = 0
    for start in range(0, len(values), _BATCH):
        batch = [dict(v, seq=seq) for v in values[start:start + _BATCH]]
        stmt = pg_insert(Product).values(batch)
        changed = (Product.content_hash != stmt.excluded.content_hash) | Product.deleted
        result = session.execute(stmt.on_conflict_do_update(
            index_elements=[Product.id],
            set_={c: stmt.excluded[c] for c in batch[0] if c != "id"} | {"updated_at": func.now()},
            where=changed,
        ).returning(Product.id))
        upserted += len(result.all())
    return upserted


def _copy_upsert(session: Session, values: list[dict[str, Any]], seq: int) -> int:
    raw = session.connection().connection.driver_connection
    columns = ", ".join(COPY_COLUMNS)
    updates = ", ".join(f"{c} = excluded.{c}" for c in COPY_COLUMNS if c != "id")
    with raw.cursor() as cur:  # type: ignore[union-attr]
        cur.execute(f"CREATE TEMPORARY TABLE incoming_products ON COMMIT DROP AS SELECT {columns} FROM products "
                    "WITH NO DATA")
        with cur.copy(f"COPY incoming_products ({columns}) FROM STDIN") as copy:
            for v in values:
                copy.write_row([v[c] for c in COPY_COLUMNS])
        cur.execute(
            f"INSERT INTO products ({columns}, seq, deleted, updated_at) "
            f"SELECT {columns}, %s, false, now() FROM incoming_products "
            f"ON CONFLICT (id) DO UPDATE SET {updates}, seq = excluded.seq, deleted = false, updated_at = now() "
            "WHERE products.content_hash <> excluded.content_hash OR products.deleted RETURNING id", (seq,))
        count = len(cur.fetchall())
        cur.execute("DROP TABLE incoming_products")
    return count


def upsert_product(session: Session, row: CatalogRow, signer: Signer, seq: int | None = None) -> WriteOutcome:
    """Insert or replace one product (pass `seq` when the caller already holds the catalog lock)."""
    values = product_values(row, retailer_rules(session))
    seq = seq if seq is not None else bump_sequence(session)
    upserted = upsert_values(session, [values], seq)
    return WriteOutcome(seq=seq, upserted=upserted, deleted=0, errors=[],
                        digest=record_digest(session, seq, signer))


def delete_products(session: Session, ids: Sequence[str], signer: Signer, seq: int | None = None) -> WriteOutcome:
    """Tombstone products under one new seq."""
    seq = seq if seq is not None else bump_sequence(session)
    result = session.execute(update(Product).where(Product.id.in_(ids), Product.deleted.is_(False))
                             .values(deleted=True, seq=seq, updated_at=func.now()))
    return WriteOutcome(seq=seq, upserted=0, deleted=result.rowcount or 0,  # type: ignore[attr-defined]
                        errors=[], digest=record_digest(session, seq, signer))


def compact(session: Session, retention_days: int) -> tuple[int, int]:
    """Purge tombstones older than the retention horizon; clients behind it must refetch the snapshot.

    Returns (tombstones removed, new horizon seq). The horizon is the highest seq among the purged rows:
    a client whose cursor is below it could have missed one of those deletions.
    """
    state = session.execute(
        select(CatalogState).where(CatalogState.id == CATALOG_ID).with_for_update()).scalar_one()
    cutoff = datetime.now(UTC) - timedelta(days=retention_days)
    old = select(Product.seq).where(Product.deleted.is_(True), Product.updated_at < cutoff)
    horizon = session.execute(select(func.max(old.subquery().c.seq))).scalar() or 0
    removed = session.execute(delete(Product).where(Product.deleted.is_(True), Product.updated_at < cutoff))
    if horizon > state.horizon_seq:
        state.horizon_seq = horizon
    session.execute(delete(CatalogDigest).where(CatalogDigest.seq < state.horizon_seq))
    return removed.rowcount or 0, state.horizon_seq  # type: ignore[attr-defined]

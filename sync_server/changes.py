"""Catalog writes: the commit-ordered sequence, tombstones, content hashes and the signed digest.

Every writing transaction first takes the catalog's state row `FOR UPDATE`; all rows it writes carry the next
sequence number, which it takes only if something changed (a write that changes nothing keeps the catalog's
ETag, so clients keep their 304s). Writers therefore serialise on the lock, and seq N+1 is handed out only after
N committed, so a client that reads `seq > cursor` in order can never skip a change (the flaw of timestamp
cursors, Kinto #602). Deletions stay as tombstones so clients learn about them. Under the same lock every write
folds the rows it adds and removes into the catalog's LtHash16 checksum (catalog_format.CatalogChecksum) and
signs the digest of the result: the cost of a write follows the rows it changes, not the catalog's size.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ARRAY, String, all_, bindparam, delete, func, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from catalog_format import PRODUCT_FIELDS, CatalogChecksum, CatalogRow, RowError, https_host, product_hash, url_problem
from catalog_format.urls import quoted
from sync_server.models import CatalogDigest, CatalogState, Product, Retailer
from sync_server.signing import Signer

CATALOG_ID = 1
_BATCH = 1000


class PreconditionFailed(Exception):
    """The catalog is no longer at the sequence the writer read (If-Match)."""

    def __init__(self, current_seq: int) -> None:
        super().__init__(current_seq)
        self.current_seq = current_seq


def lock_catalog(session: Session) -> CatalogState:
    """The catalog's state row, locked until the transaction ends: every writer takes this first."""
    return session.execute(
        select(CatalogState).where(CatalogState.id == CATALOG_ID).with_for_update()).scalar_one()


def bump_sequence(session: Session) -> int:
    """Lock the catalog row and take the next sequence number now (for a caller that always writes)."""
    state = lock_catalog(session)
    state.seq += 1
    state.updated_at = func.now()
    session.flush()
    return state.seq


def _fold(session: Session, added: Iterable[tuple[str, str]] = (), removed: Iterable[tuple[str, str]] = ()) -> None:
    """Add and remove (id, content hash) pairs in the checksum of the state row the caller holds locked."""
    added, removed = list(added), list(removed)
    state = session.get(CatalogState, CATALOG_ID)
    assert state is not None
    checksum = CatalogChecksum.from_bytes(state.checksum)
    checksum.update(added=added, removed=removed)
    state.checksum = checksum.to_bytes()
    state.live_count += len(added) - len(removed)


def record_digest(session: Session, seq: int, signer: Signer) -> str:
    """Sign the digest of the live catalog as this transaction leaves it (called last, inside the lock)."""
    state = session.get(CatalogState, CATALOG_ID)
    assert state is not None
    digest = CatalogChecksum.from_bytes(state.checksum).hexdigest()
    signature = signer.sign(seq, digest)
    stmt = pg_insert(CatalogDigest).values(seq=seq, digest=digest, signature=signature)
    session.execute(stmt.on_conflict_do_update(index_elements=[CatalogDigest.seq],
                                               set_={"digest": digest, "signature": signature}))
    return digest


def ensure_signed(session: Session, signer: Signer, *, resign: bool = False) -> None:
    """Sign the current state if no digest exists for it yet (a fresh or just-migrated database); with
    `resign` (a server starting) also if its signature is not this key's: after the administrator replaces
    the key, clients that pin the new one (the key the server now publishes) must be able to verify the
    catalog before anything in it changes. Admin commands do not resign, so one run with a stale key setting
    cannot undo a replacement."""
    state = lock_catalog(session)
    current = session.get(CatalogDigest, state.seq)
    if current is None or (resign and not signer.made(current.signature, state.seq, current.digest)):
        record_digest(session, state.seq, signer)


def retailer_rules(session: Session) -> dict[str, str]:
    return dict(session.execute(select(Retailer.host, Retailer.affiliate_template)).all())


def affiliate_url(url: str, retailers: dict[str, str]) -> str:
    """Build the affiliate link by the retailer's rule; only https URLs on allow-listed hosts pass, and the link
    made must pass the same URL rule (catalog_format.urls)."""
    host = https_host(url)
    template = retailers.get(host)
    if template is None:
        raise ValueError(f"host {quoted(host)} is not an allowed retailer")
    try:
        link = template.format(url=url)
    except (KeyError, IndexError, ValueError):
        raise ValueError(f"the affiliate rule of {host} is broken (only {{url}} may be in braces)") from None
    problem = url_problem(link, schemes=("https",))
    if problem:
        raise ValueError(f"the affiliate link {quoted(link)} made by the rule of {host} {problem}")
    return link


def product_values(row: CatalogRow, retailers: dict[str, str]) -> dict[str, Any]:
    """The column values of a row with its affiliate link (raises ValueError when its URL is not allowed)."""
    values = replace(row, affiliate_url=affiliate_url(row.url, retailers)).values()
    return values | {"deleted": False, "content_hash": product_hash(values)}


@dataclass
class WriteOutcome:
    seq: int  # the catalog's sequence after the write: unchanged when nothing changed
    upserted: int
    deleted: int
    errors: list[RowError] = field(default_factory=list)
    digest: str = ""


class CatalogWrite:
    """One writing transaction: holds the catalog lock and takes a new sequence number only if rows change."""

    def __init__(self, session: Session, signer: Signer, expect_seq: int | None = None) -> None:
        self.session, self.signer = session, signer
        self.state = lock_catalog(session)
        if expect_seq is not None and expect_seq != self.state.seq:
            raise PreconditionFailed(self.state.seq)
        self.seq = self.state.seq + 1
        self.upserted = self.deleted = 0

    def upsert(self, values: list[dict[str, Any]]) -> int:
        changed = upsert_values(self.session, values, self.seq)
        self.upserted += changed
        return changed

    def tombstone(self, *, ids: Sequence[str] | None = None, keep: Sequence[str] | None = None) -> int:
        removed = tombstone_products(self.session, self.seq, ids=ids, keep=keep)
        self.deleted += removed
        return removed

    def finish(self, errors: Sequence[RowError] = ()) -> WriteOutcome:
        if self.upserted or self.deleted:
            self.state.seq = self.seq
            self.state.updated_at = func.now()
            self.session.flush()
            digest = record_digest(self.session, self.seq, self.signer)
        else:
            current = self.session.get(CatalogDigest, self.state.seq)
            digest = current.digest if current else ""
        return WriteOutcome(seq=self.state.seq, upserted=self.upserted, deleted=self.deleted, errors=list(errors),
                            digest=digest)


def import_rows(session: Session, rows: Sequence[CatalogRow], signer: Signer, replace: bool = False,
                lines: dict[str, int] | None = None, expect_seq: int | None = None) -> WriteOutcome:
    """Upsert rows (and with `replace`, tombstone every live product not among them) under one new seq.

    `expect_seq` (If-Match) is checked under the lock: PreconditionFailed when the catalog moved on.
    """
    write = CatalogWrite(session, signer, expect_seq)
    retailers = retailer_rules(session)
    errors: list[RowError] = []
    values: list[dict[str, Any]] = []
    for row in rows:
        try:
            values.append(product_values(row, retailers))
        except ValueError as exc:
            errors.append(RowError((lines or {}).get(row.id, 0), str(exc)))
    write.upsert(values)
    if replace:
        write.tombstone(keep=[v["id"] for v in values])
    return write.finish(errors)


def upsert_product(session: Session, row: CatalogRow, signer: Signer) -> WriteOutcome:
    """Insert or replace one product in its own write (raises ValueError when its URL is not allowed)."""
    write = CatalogWrite(session, signer)
    write.upsert([product_values(row, retailer_rules(session))])
    return write.finish()


def delete_products(session: Session, ids: Sequence[str], signer: Signer) -> WriteOutcome:
    """Tombstone products in one write."""
    write = CatalogWrite(session, signer)
    write.tombstone(ids=ids)
    return write.finish()


COPY_COLUMNS = (*PRODUCT_FIELDS, "content_hash")
COPY_THRESHOLD = 200  # below this, a multi-row INSERT is cheaper than COPY and a temporary table


def upsert_values(session: Session, values: list[dict[str, Any]], seq: int) -> int:
    """Insert or update products; rows whose content is unchanged keep their seq (no spurious changes).

    Call inside a transaction that holds the catalog lock. The live hashes the rows replace and the hashes they
    bring are folded into the catalog checksum. Large writes COPY into a temporary table and merge with one
    INSERT ... SELECT ... ON CONFLICT, far cheaper than one statement per batch (bench/bench_sync.py).
    """
    if not values:
        return 0
    if len(values) >= COPY_THRESHOLD:
        old, changed = _copy_upsert(session, values, seq)
    else:
        old = dict(session.execute(text("SELECT id, content_hash FROM products WHERE NOT deleted AND id = ANY(:ids)"),
                                   {"ids": [v["id"] for v in values]}).all())
        changed = _insert_upsert(session, values, seq)
    new = {v["id"]: v["content_hash"] for v in values}
    _fold(session, added=[(i, new[i]) for i in changed], removed=[(i, old[i]) for i in changed if i in old])
    return len(changed)


def _insert_upsert(session: Session, values: list[dict[str, Any]], seq: int) -> list[str]:
    changed: list[str] = []
    for start in range(0, len(values), _BATCH):
        batch = [dict(v, seq=seq) for v in values[start:start + _BATCH]]
        stmt = pg_insert(Product).values(batch)
        result = session.execute(stmt.on_conflict_do_update(
            index_elements=[Product.id],
            set_={c: stmt.excluded[c] for c in batch[0] if c != "id"} | {"updated_at": func.now()},
            where=(Product.content_hash != stmt.excluded.content_hash) | Product.deleted,
        ).returning(Product.id))
        changed += result.scalars().all()
    return changed


def _copy_upsert(session: Session, values: list[dict[str, Any]], seq: int) -> tuple[dict[str, str], list[str]]:
    raw = session.connection().connection.driver_connection
    columns = ", ".join(COPY_COLUMNS)
    updates = ", ".join(f"{c} = excluded.{c}" for c in COPY_COLUMNS if c != "id")
    with raw.cursor() as cur:  # type: ignore[union-attr]
        cur.execute(f"CREATE TEMPORARY TABLE incoming_products ON COMMIT DROP AS SELECT {columns} FROM products "
                    "WITH NO DATA")
        with cur.copy(f"COPY incoming_products ({columns}) FROM STDIN") as copy:
            for v in values:
                copy.write_row([v[c] for c in COPY_COLUMNS])
        cur.execute("SELECT p.id, p.content_hash FROM products p JOIN incoming_products i ON i.id = p.id "
                    "WHERE NOT p.deleted")
        old = dict(cur.fetchall())
        cur.execute(
            f"INSERT INTO products ({columns}, seq, deleted, updated_at) "
            f"SELECT {columns}, %s, false, now() FROM incoming_products "
            f"ON CONFLICT (id) DO UPDATE SET {updates}, seq = excluded.seq, deleted = false, updated_at = now() "
            "WHERE products.content_hash <> excluded.content_hash OR products.deleted RETURNING id", (seq,))
        changed = [r[0] for r in cur.fetchall()]
        cur.execute("DROP TABLE incoming_products")
    return old, changed


def tombstone_products(session: Session, seq: int, *, ids: Sequence[str] | None = None,
                       keep: Sequence[str] | None = None) -> int:
    """Tombstone the live products among `ids` (or, with `keep`, every live product not in it) under `seq`."""
    stmt = update(Product).where(Product.deleted.is_(False))
    if ids is not None:
        stmt = stmt.where(Product.id == func.any(bindparam("ids", list(ids), type_=ARRAY(String))))
    if keep:
        stmt = stmt.where(Product.id != all_(bindparam("keep", list(keep), type_=ARRAY(String))))
    rows = session.execute(stmt.values(deleted=True, seq=seq, updated_at=func.now())
                           .returning(Product.id, Product.content_hash)
                           .execution_options(synchronize_session=False)).all()
    _fold(session, removed=rows)
    return len(rows)


def compact(session: Session, retention_days: int) -> tuple[int, int]:
    """Purge tombstones older than the retention horizon; clients behind it must refetch the snapshot.

    Returns (tombstones removed, new horizon seq). The horizon is the highest seq among the purged rows:
    a client whose cursor is below it could have missed one of those deletions. Tombstones are not in the
    checksum, so purging them leaves the signed digest as it is.
    """
    state = lock_catalog(session)
    cutoff = datetime.now(UTC) - timedelta(days=retention_days)
    old = select(Product.seq).where(Product.deleted.is_(True), Product.updated_at < cutoff)
    horizon = session.execute(select(func.max(old.subquery().c.seq))).scalar() or 0
    removed = session.execute(delete(Product).where(Product.deleted.is_(True), Product.updated_at < cutoff))
    if horizon > state.horizon_seq:
        state.horizon_seq = horizon
    session.execute(delete(CatalogDigest).where(CatalogDigest.seq < state.horizon_seq))
    return removed.rowcount or 0, state.horizon_seq  # type: ignore[attr-defined]

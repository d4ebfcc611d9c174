"""canonical products and an incremental digest: stored rows brought to the canonical form, the LtHash16 checksum
of the live catalog kept in catalog_state, version-2 digests

Rows written before the canonical form could be hashed differently from what is stored (a price rounded
half-even, then stored half-up) or stored in a form clients cannot keep (a tag holding ';', an id longer than
the feed's cursor accepts). This migration rehashes every live row from its stored values, rewrites the rows the
canonical form changes (lists split at ';', text trimmed), tombstones live rows no door accepts any more (an
unsafe link), and deletes rows whose id clients cannot page past, raising the horizon so that every client that
could have held one refetches the snapshot. Everything it changes is stamped with one new sequence number.

Revision ID: 0003
Revises: 0002
"""

import logging
from dataclasses import replace

import sqlalchemy as sa
from alembic import op

from catalog_format import LIST_FIELDS, PRODUCT_FIELDS, CatalogChecksum, CatalogRow, url_problem
from catalog_format.canonical import id_problem

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None
log = logging.getLogger("skinlens.migrate")
COLUMNS = ", ".join(PRODUCT_FIELDS)


def _canonical(row: dict) -> dict | None:  # type: ignore[type-arg]
    """The canonical values of a stored live row (with its affiliate link), or None when no door accepts it."""
    raw = dict(row) | {name: ";".join(row[name] or []) for name in LIST_FIELDS}
    try:
        product = CatalogRow.canonical(raw)
    except ValueError as exc:
        log.warning("product %r tombstoned: %s", row["id"][:80], exc)
        return None
    affiliate = (row["affiliate_url"] or "").strip()
    if url_problem(affiliate, schemes=("https",)):
        log.warning("product %r tombstoned: its affiliate link %s", row["id"][:80], url_problem(affiliate))
        return None
    product = replace(product, affiliate_url=affiliate)
    return product.values() | {"content_hash": product.content_hash()}


def upgrade() -> None:
    op.add_column("catalog_state", sa.Column("checksum", sa.LargeBinary, nullable=True))
    op.add_column("catalog_state", sa.Column("live_count", sa.BigInteger, nullable=False, server_default="0"))
    conn = op.get_bind()
    seq, horizon = conn.execute(sa.text("SELECT seq, horizon_seq FROM catalog_state WHERE id = 1 FOR UPDATE")).one()
    new_seq, changed, checksum, live = seq + 1, False, CatalogChecksum(), 0
    rows = conn.execute(sa.text(f"SELECT {COLUMNS}, content_hash, deleted, seq FROM products")).mappings().all()
    for row in rows:
        if id_problem(row["id"]):
            log.warning("product %r removed: its id cannot be paged past", row["id"][:80])
            conn.execute(sa.text("DELETE FROM products WHERE id = :id"), {"id": row["id"]})
            horizon, changed = max(horizon, new_seq if not row["deleted"] else row["seq"]), True
            continue
        if row["deleted"]:
            continue
        values = _canonical(dict(row))
        if values is None:
            conn.execute(sa.text("UPDATE products SET deleted = true, seq = :seq, updated_at = now() WHERE id = :id"),
                         {"seq": new_seq, "id": row["id"]})
            changed = True
            continue
        if any(values[k] != (list(row[k] or []) if k in LIST_FIELDS else row[k]) for k in values):
            sets = ", ".join(f"{k} = :{k}" for k in values if k != "id")
            conn.execute(sa.text(f"UPDATE products SET {sets}, seq = :seq, updated_at = now() WHERE id = :id"),
                         values | {"seq": new_seq})
            changed = True
        checksum.update(added=[(values["id"], values["content_hash"])])
        live += 1
    conn.execute(sa.text("UPDATE catalog_state SET seq = :seq, horizon_seq = :horizon, checksum = :checksum, "
                         "live_count = :live WHERE id = 1"),
                 {"seq": new_seq if changed else seq, "horizon": horizon, "checksum": checksum.to_bytes(),
                  "live": live})
    # the stored digests are version 1; the server signs the current state in version 2 when it next starts
    conn.execute(sa.text("DELETE FROM catalog_digests"))
    op.alter_column("catalog_state", "checksum", nullable=False)


def downgrade() -> None:
    conn = op.get_bind()
    conn.execute(sa.text("DELETE FROM catalog_digests"))  # version-2 digests; version 1 signs again on start
    op.drop_column("catalog_state", "live_count")
    op.drop_column("catalog_state", "checksum")

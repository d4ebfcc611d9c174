"""integrity and retailers: product content hashes, signed catalog digests, retailer rules, horizon

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

from catalog_format import product_hash

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("products", sa.Column("content_hash", sa.String(64), nullable=False, server_default=""))
    op.add_column("catalog_state", sa.Column("horizon_seq", sa.BigInteger, nullable=False, server_default="0"))
    op.create_table(
        "catalog_digests",
        sa.Column("seq", sa.BigInteger, primary_key=True),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("signature", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    )
    op.create_table(
        "retailers",
        sa.Column("host", sa.String, primary_key=True),
        sa.Column("name", sa.String, nullable=False),
        sa.Column("affiliate_template", sa.String, nullable=False),
    )
    op.execute("INSERT INTO retailers (host, name, affiliate_template) VALUES "
               "('www.lookfantastic.com', 'LOOKFANTASTIC', '{url}?affil=skinlens'), "
               "('lookfantastic.com', 'LOOKFANTASTIC', '{url}?affil=skinlens')")
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, brand, name, category, price, currency, size, ingredients, url, "
                                "affiliate_url, image_url, skin_types, tags FROM products")).mappings().all()
    for row in rows:
        conn.execute(sa.text("UPDATE products SET content_hash = :h WHERE id = :id"),
                     {"h": product_hash(dict(row)), "id": row["id"]})
    # the digest of the current state is signed by the server on its next write (it needs the signing key)


def downgrade() -> None:
    op.drop_table("retailers")
    op.drop_table("catalog_digests")
    op.drop_column("catalog_state", "horizon_seq")
    op.drop_column("products", "content_hash")

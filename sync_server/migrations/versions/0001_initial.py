"""initial schema: catalog state, products with sequence and tombstones, device tokens

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "catalog_state",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("seq", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    )
    op.execute("INSERT INTO catalog_state (id, seq) VALUES (1, 0)")
    op.create_table(
        "products",
        sa.Column("id", sa.String, primary_key=True),
        sa.Column("brand", sa.String, nullable=False),
        sa.Column("name", sa.String, nullable=False),
        sa.Column("category", sa.String, nullable=False),
        sa.Column("price", sa.Numeric(12, 2), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("size", sa.String, nullable=False, server_default=""),
        sa.Column("ingredients", sa.Text, nullable=False),
        sa.Column("url", sa.String, nullable=False),
        sa.Column("affiliate_url", sa.String, nullable=False),
        sa.Column("image_url", sa.String, nullable=False, server_default=""),
        sa.Column("skin_types", postgresql.ARRAY(sa.String), nullable=False, server_default="{}"),
        sa.Column("tags", postgresql.ARRAY(sa.String), nullable=False, server_default="{}"),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("deleted", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    )
    op.create_index("ix_products_seq_id", "products", ["seq", "id"])
    op.create_table(
        "device_tokens",
        sa.Column("name", sa.String, primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("revoked", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("device_tokens")
    op.drop_index("ix_products_seq_id", table_name="products")
    op.drop_table("products")
    op.drop_table("catalog_state")

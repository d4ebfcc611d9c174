"""NOTIFY skinlens_catalog whenever the catalog's state row changes (a write took a new sequence number, or a
compaction raised the horizon)

PostgreSQL delivers the notification when the writing transaction commits, to every connection listening on
the channel: each server worker keeps the catalog's head in memory and re-reads it then (sync_server.cache).
A trigger rather than a call in the write path, so that every writer (the API, the CLI, a migration, a
hand-run statement) notifies.

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
        CREATE FUNCTION skinlens_notify_catalog() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('skinlens_catalog', NEW.seq::text);
            RETURN NULL;
        END $$""")
    op.execute("""
        CREATE TRIGGER catalog_state_notify AFTER INSERT OR UPDATE ON catalog_state
        FOR EACH ROW EXECUTE FUNCTION skinlens_notify_catalog()""")


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS catalog_state_notify ON catalog_state")
    op.execute("DROP FUNCTION IF EXISTS skinlens_notify_catalog()")

"""Alembic environment: the URL comes from the caller (sync_server.migrate), never from a file."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from sync_server.models import Base

url = context.config.get_main_option("sqlalchemy.url")
assert url, "sqlalchemy.url must be set by sync_server.migrate"
engine = create_engine(url)
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata)
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()

"""Engine and sessions. The server keeps no state of its own: every worker or host shares one PostgreSQL."""

from __future__ import annotations

import anyio.to_thread
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

PREPARE_THRESHOLD = 1  # psycopg prepares a statement server-side from its first repeat on a connection


def make_engine(url: str, pool_size: int | None = None) -> Engine:
    """With `pool_size` (the server), a pool that keeps that many connections open and never opens more: a
    connection opened for a burst and closed after it costs more than the request it served. Without it (the CLI,
    scripts), a small pool. Hot statements are prepared on each connection."""
    sizes = {"pool_size": pool_size, "max_overflow": 0} if pool_size else {"pool_size": 5, "max_overflow": 10}
    return create_engine(url, pool_pre_ping=True, pool_timeout=30, future=True,
                         connect_args={"prepare_threshold": PREPARE_THRESHOLD}, **sizes)


def libpq_url(sqlalchemy_url: str) -> str:
    """The same database as a plain libpq URL (for a raw psycopg connection)."""
    return make_url(sqlalchemy_url).set(drivername="postgresql").render_as_string(hide_password=False)


def size_thread_pool(threads: int) -> None:
    """Run at most `threads` sync routes at once (call inside the event loop)."""
    anyio.to_thread.current_default_thread_limiter().total_tokens = threads


def make_sessions(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def make_read_sessions(engine: Engine) -> sessionmaker[Session]:
    """Sessions whose transactions are REPEATABLE READ and read-only (same pool as the engine's)."""
    return sessionmaker(engine.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True),
                        expire_on_commit=False)

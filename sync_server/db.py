"""Engine and sessions. The server keeps no state of its own: every worker or host shares one PostgreSQL."""

from __future__ import annotations

from sqlalchemy import create_engine
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker


def make_engine(url: str) -> Engine:
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10, future=True)


def make_sessions(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def make_read_sessions(engine: Engine) -> sessionmaker[Session]:
    """Sessions whose transactions are REPEATABLE READ and read-only (same pool as the engine's)."""
    return sessionmaker(engine.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True),
                        expire_on_commit=False)

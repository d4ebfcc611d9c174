"""SkinLens catalog sync server (FastAPI, SQLAlchemy 2, PostgreSQL, Alembic)."""

__version__ = "0.1.0"

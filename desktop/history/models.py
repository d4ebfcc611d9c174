"""Tables of the personal history file (SQLAlchemy 2, SQLite), schema 2: everything personal is sealed.

A row keeps in the clear only what says nothing about the person: its id and, for a scan, the random name of
its sealed photo file. The time of a scan, its report and the answers are inside the sealed values
(`desktop.history.crypto`), so the file shows how many scans there are and little else.
"""

from __future__ import annotations

from sqlalchemy import Integer, LargeBinary, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class HistoryBase(DeclarativeBase):
    pass


class Meta(HistoryBase):
    """Which key seals this file (its id and where it lives, never the key) and a sealed check value."""

    __tablename__ = "meta"

    name: Mapped[str] = mapped_column(String, primary_key=True)
    value: Mapped[bytes] = mapped_column(LargeBinary)


class Analysis(HistoryBase):
    """One saved analysis: time and report sealed together; the photo (only when the user keeps photos) is a
    sealed file of its own in the photos folder."""

    __tablename__ = "analyses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
    photo: Mapped[str | None] = mapped_column(String, nullable=True)


class UserProfile(HistoryBase):
    """The questionnaire's answers and preferences (the recommender's profile), sealed; one row."""

    __tablename__ = "user_profile"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sealed: Mapped[bytes] = mapped_column(LargeBinary)


class ExportedFile(HistoryBase):
    """A file SkinLens wrote out for the user (a PDF report, a JSON export): its path and content hash,
    sealed, so that "delete all my data" can remove it too while it is still what SkinLens wrote."""

    __tablename__ = "exported_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sealed: Mapped[bytes] = mapped_column(LargeBinary)

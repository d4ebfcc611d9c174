"""Tables of the personal history file (SQLAlchemy 2, SQLite)."""

from __future__ import annotations

from sqlalchemy import Float, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class HistoryBase(DeclarativeBase):
    pass


class Analysis(HistoryBase):
    """One saved analysis. The photo is kept only when the user opted in."""

    __tablename__ = "analyses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[float] = mapped_column(Float, index=True)
    report_json: Mapped[str] = mapped_column(Text)
    photo_path: Mapped[str | None] = mapped_column(String, nullable=True)


class UserProfile(HistoryBase):
    """The questionnaire's answers and preferences (the recommender's profile), as JSON; one row."""

    __tablename__ = "user_profile"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    profile_json: Mapped[str] = mapped_column(Text)

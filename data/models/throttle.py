"""Failed attempts that rate limits count (unknown activation links, failed sign-ins)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index
from sqlmodel import Field, SQLModel

from data.models.types import UTCDateTime, utcnow


class FailedAttempt(SQLModel, table=True):
    """One failed attempt of a kind (``link``, ``sign_in``) by a key (a client address, an account)."""

    __tablename__ = "failed_attempt"
    __table_args__ = (Index("ix_failed_attempt_kind_key_at", "kind", "key", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20)
    key: str = Field(max_length=100)
    at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))

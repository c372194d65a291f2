"""The append-only audit log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from data.models.types import UTCDateTime, utcnow


class AuditEvent(SQLModel, table=True):
    """Who did what to which object, and when. Rows are only ever inserted."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    actor: str = Field(max_length=200)
    action: str = Field(max_length=100, index=True)
    object_type: str = Field(max_length=50)
    object_id: str = Field(max_length=50, index=True)
    client_address: str | None = None
    details: str | None = None

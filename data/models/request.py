"""Requests already done, by the key their dialog generated: a repeated request is not done twice."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from data.models.types import UTCDateTime, utcnow


class CompletedRequest(SQLModel, table=True):
    """A state-changing request that was done. A dialog generates one random key when it opens and sends it with
    every press of its button; the service records the key in the action's transaction, so a double click, a
    retry or a replayed message finds it and does nothing (the primary key refuses a second row)."""

    __tablename__ = "completed_request"

    key: str = Field(primary_key=True, max_length=64)
    action: str = Field(max_length=50)
    actor: str = Field(max_length=50)
    object_id: str = Field(max_length=50)  # what the request made (an invitation, an agreement version)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))

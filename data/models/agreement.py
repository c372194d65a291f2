"""A distributor's service agreement and its versions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from data.ids import readable_id
from data.models.types import UTCDateTime, utcnow

SYNDICATION_PREFIX = "SYN"  # a syndication agreement's ID: SYN-123-456-789 (a service agreement's: AGR-…)


class Agreement(SQLModel, table=True):
    """An agreement owned by a distributor: a service agreement (``AGR-…``, signed to activate a reseller's portal)
    or a syndication agreement (``SYN-…``, accepted to enroll a product); both are versioned the same way. The
    kind is in the ID, which never changes, so that telling them apart needs no other table."""

    id: str = Field(default_factory=lambda: readable_id("AGR"), primary_key=True)
    distributor_id: str = Field(foreign_key="account.id", index=True)
    title: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


class AgreementVersion(SQLModel, table=True):
    """One version of an agreement's text (Markdown) with the SHA-256 of that text.
    At most one version of an agreement is active."""

    __tablename__ = "agreement_version"
    __table_args__ = (
        UniqueConstraint("agreement_id", "version", name="ux_agreement_version_number"),
        Index(
            "ux_agreement_version_active",
            "agreement_id",
            unique=True,
            sqlite_where=text("is_active = 1"),
            postgresql_where=text("is_active"),
        ),
    )

    id: str = Field(default_factory=lambda: readable_id("AGV"), primary_key=True)
    agreement_id: str = Field(foreign_key="agreement.id", index=True)
    version: int
    text: str
    text_sha256: str = Field(max_length=64)
    is_active: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))

"""Accounts (organisations) and their users."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Index, func, text
from sqlmodel import Field, SQLModel

from data.ids import readable_id
from data.models.types import UTCDateTime, stored, utcnow


class AccountKind(StrEnum):
    DISTRIBUTOR = "distributor"
    RESELLER = "reseller"


class Account(SQLModel, table=True):
    """An organisation: a distributor or a reseller, with its legal name."""

    __table_args__ = (
        # A distributor is found by name on the command line, so distributor names are unique.
        Index(
            "ux_account_distributor_name",
            "name",
            unique=True,
            sqlite_where=text(f"kind = '{stored(AccountKind.DISTRIBUTOR)}'"),
            postgresql_where=text(f"kind = '{stored(AccountKind.DISTRIBUTOR)}'"),
        ),
    )

    id: str = Field(default_factory=lambda: readable_id("PA"), primary_key=True)
    kind: AccountKind = Field(index=True)
    name: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


class UserStatus(StrEnum):
    INVITED = "invited"  # a representative created by a distributor, who has not set a password yet
    ACTIVE = "active"
    DISABLED = "disabled"


class User(SQLModel, table=True):
    """A person in one account. The email is stored lower-cased, so uniqueness is case-insensitive."""

    id: str = Field(default_factory=lambda: readable_id("UR", 4), primary_key=True)
    account_id: str = Field(foreign_key="account.id", index=True)
    email: str = Field(unique=True, max_length=320)
    full_name: str = Field(max_length=200)
    password_hash: str | None = None  # None until an invited representative sets a password
    status: UserStatus = UserStatus.ACTIVE
    # Raised when the password changes: a session that signed in under an older one is signed out.
    session_version: int = Field(default=0, sa_column_kwargs={"server_default": text("0")})
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


# One user per email whatever its case (services store emails lower-cased; this makes the database hold to it).
# sqlmodel's table classes do not declare SQLAlchemy's __table__, which every one of them has.
Index("ux_user_email_lower", func.lower(User.__table__.c.email), unique=True)  # type: ignore[attr-defined]


class SetPasswordLink(SQLModel, table=True):
    """A one-time link for a representative to set a password (a directly created reseller account).
    Same token rules as invitations: random, only its hash stored, expiring, single use. The representative's
    user is created when the link is used (``user_id`` is set then): until that moment the email reserves
    nothing, and the distributor that typed it learns nothing about other tenants' users. (Links made by
    schema 4 point at a user created up front, status ``invited``.)"""

    __tablename__ = "set_password_link"

    id: str = Field(default_factory=lambda: readable_id("SPL", 4), primary_key=True)
    user_id: str | None = Field(default=None, foreign_key="user.id", index=True)
    contract_id: str = Field(foreign_key="contract.id", index=True)
    email: str | None = Field(default=None, max_length=320)
    full_name: str | None = Field(default=None, max_length=200)
    token_hash: str = Field(unique=True, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    used_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    revoked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))

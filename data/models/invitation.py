"""Invitations (activation links) and the reseller's activation draft."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Index, column, table, text
from sqlmodel import Field, SQLModel

from data.ids import readable_id
from data.models.types import UTCDateTime, stored, utcnow


class InvitationStatus(StrEnum):
    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    ACTIVATED = "activated"
    EXPIRED = "expired"
    REVOKED = "revoked"


# The rows of ux_invitation_one_open_successor: reissues whose link is open, as stored (enum members' names).
OPEN_SUCCESSOR = (
    "reissued_from_id IS NOT NULL AND status IN "
    f"('{stored(InvitationStatus.PENDING)}', '{stored(InvitationStatus.IN_PROGRESS)}')"
)


class Invitation(SQLModel, table=True):
    """The activation link of a pending contract. Only the SHA-256 of the URL token is stored."""

    __table_args__ = (
        Index("ix_invitation_distributor_created", "distributor_id", "created_at"),
        # A reissued invitation has at most one open successor (an expired one is still stored open: the
        # service reissues the newest link of a chain, never an older one).
        Index(
            "ux_invitation_one_open_successor",
            "reissued_from_id",
            unique=True,
            sqlite_where=text(OPEN_SUCCESSOR),
            postgresql_where=text(OPEN_SUCCESSOR),
        ),
    )

    id: str = Field(default_factory=lambda: readable_id("IN", 4), primary_key=True)
    distributor_id: str = Field(foreign_key="account.id", index=True)
    contract_id: str = Field(foreign_key="contract.id", unique=True)
    agreement_version_id: str = Field(foreign_key="agreement_version.id")
    token_hash: str = Field(unique=True, max_length=64)
    invitee_email: str | None = Field(default=None, max_length=320)
    company_name: str | None = Field(default=None, max_length=200)
    note_to_signee: str | None = Field(default=None, max_length=2000)
    status: InvitationStatus = Field(default=InvitationStatus.PENDING, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    first_opened_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    activated_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    # Set at activation; set at creation for an offer of a new contract to an existing reseller account.
    reseller_account_id: str | None = Field(default=None, foreign_key="account.id")
    reissued_from_id: str | None = Field(default=None, foreign_key="invitation.id", index=True)

    def effective_status(self, now: datetime) -> InvitationStatus:
        """The status as the reseller sees it: an open invitation past its expiry is expired."""
        open_statuses = {InvitationStatus.PENDING, InvitationStatus.IN_PROGRESS}
        if self.status in open_statuses and now >= self.expires_at:
            return InvitationStatus.EXPIRED
        return self.status


class ActivationDraft(SQLModel, table=True):
    """What the reseller has entered so far, saved at each step. Holds a password hash, never a password."""

    __tablename__ = "activation_draft"

    invitation_id: str = Field(foreign_key="invitation.id", primary_key=True)
    furthest_step: int = 1  # the step the reseller may work on next (1..4)
    email: str | None = None
    accepted_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    accepted_text_sha256: str | None = Field(default=None, max_length=64)
    accepted_client_address: str | None = None
    accepted_user_agent: str | None = None
    full_name: str | None = None
    password_hash: str | None = None
    company_name: str | None = None
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    # Raised by every save: a page sends the revision it showed, and a save from a page that no longer shows
    # what is saved (another window saved meanwhile) is refused instead of signing what the signee never saw.
    revision: int = Field(default=0, sa_column_kwargs={"server_default": text("0")})


# Substring search over invitations: the ``invitation_search`` table that the schema keeps current with triggers
# (SQLite: an FTS5 trigram index; PostgreSQL: a table with a pg_trgm GIN index; see data/migrations/versions).
invitation_search = table(
    "invitation_search", column("reference"), column("email"), column("company"), column("reseller")
)

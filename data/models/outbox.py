"""The outbox: every email the portal sends, written in the same transaction as the action that causes it, then
delivered by the sender (services/mail/sender.py), and the links and switches that go with email."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Text, text
from sqlmodel import Field, SQLModel

from data.ids import readable_id
from data.models.types import UTCDateTime, utcnow

# An email's statuses (plain strings, so that adding one needs no enum change on PostgreSQL).
QUEUED = "queued"  # waiting for the sender (also between retries)
SENT = "sent"  # handed to the SMTP server (or written as a .eml file)
FAILED = "failed"  # given up: refused by the server, or out of retries; ``last_error`` says why


class OutboxEmail(SQLModel, table=True):
    """One email. Its text is sealed (encrypted with a key derived from the portal's secret, never stored in
    clear, since it may carry a link) and forgotten once the email is sent or given up. ``about_id`` is the
    object it is about (an invitation, a user), for the histories that show its status."""

    __tablename__ = "outbox_email"
    __table_args__ = (
        # The sender's question: the queued emails that are due, oldest first.
        Index("ix_outbox_email_due", "status", "next_attempt_at"),
    )

    id: str = Field(default_factory=lambda: readable_id("EM", 4), primary_key=True)
    kind: str = Field(max_length=50)  # what the email is for (services/mail/messages.py)
    about_id: str | None = Field(default=None, max_length=50, index=True)
    recipient: str = Field(max_length=320)
    subject: str = Field(max_length=300)  # never holds a link or token
    sealed: str | None = Field(default=None, sa_column=Column(Text))  # the MIME parts, encrypted; None once done
    status: str = Field(default=QUEUED, max_length=10)
    attempts: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    # A sender that claimed the row holds it until then; a sender killed mid-delivery lets it lapse.
    lease_until: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    lease_owner: str | None = Field(default=None, max_length=80)
    sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    last_error: str | None = Field(default=None, max_length=500)


class AccountLink(SQLModel, table=True):
    """A single-use link sent by email to a user: a password reset, or the confirmation of a new email address.
    Only the SHA-256 of its token is stored."""

    __tablename__ = "account_link"

    id: str = Field(default_factory=lambda: readable_id("AL", 4), primary_key=True)
    user_id: str = Field(foreign_key="user.id", index=True)
    purpose: str = Field(max_length=20)  # "reset_password" or "confirm_email"
    token_hash: str = Field(unique=True, max_length=64)
    new_email: str | None = Field(default=None, max_length=320)  # for "confirm_email"
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    used_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))


class NotificationSetting(SQLModel, table=True):
    """A user's switch for one kind of notification; without a row, the notification's default holds
    (services/mail/notifications.py lists them)."""

    __tablename__ = "notification_setting"

    user_id: str = Field(foreign_key="user.id", primary_key=True)
    topic: str = Field(primary_key=True, max_length=50)
    enabled: bool = Field(sa_column_kwargs={"server_default": text("true")}, default=True)

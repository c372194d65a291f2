"""Writing an email into the outbox, within the caller's write transaction: it is sent if and only if the action
commits. Its text is sealed (Fernet: AES-128-CBC and HMAC-SHA256) so that the database never holds a link in
clear; the sender opens it, delivers it and forgets it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from cryptography.fernet import Fernet
from sqlmodel import Session, col, select

from data.models import OutboxEmail
from services.mail import config
from services.mail.messages import Message


def seal(parts: dict[str, str], key: bytes | None = None) -> str:
    return Fernet(key or config.current().sealing_key).encrypt(json.dumps(parts).encode()).decode()


def unseal(sealed: str, key: bytes | None = None) -> dict[str, str]:
    parts: dict[str, str] = json.loads(Fernet(key or config.current().sealing_key).decrypt(sealed.encode()))
    return parts


def enqueue(session: Session, message: Message) -> OutboxEmail:
    """Add ``message`` to the outbox in the caller's transaction."""
    email = OutboxEmail(
        kind=message.kind,
        about_id=message.about_id,
        recipient=message.recipient,
        subject=message.subject,
        sealed=seal({"text": message.text, "html": message.html}),
    )
    session.add(email)
    return email


@dataclass(frozen=True)
class EmailStatus:
    """What a history shows of an email: to whom, what for, and whether it went out."""

    email_id: str
    kind: str
    recipient: str
    status: str  # queued, sent, failed
    created_at: datetime
    sent_at: datetime | None
    attempts: int
    last_error: str | None


def statuses_about(session: Session, about_id: str) -> list[EmailStatus]:
    """The emails about one object (an invitation, a user), oldest first."""
    rows = session.exec(
        select(OutboxEmail).where(OutboxEmail.about_id == about_id).order_by(col(OutboxEmail.created_at))
    ).all()
    return [
        EmailStatus(r.id, r.kind, r.recipient, r.status, r.created_at, r.sent_at, r.attempts, r.last_error)
        for r in rows
    ]

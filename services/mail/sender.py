"""Delivering the outbox: claim due emails with a lease, send each, mark it sent; retry with backoff.

Delivery guarantee: **at least once, with one stable Message-ID per email** (``<EM-…@domain>``, the outbox row's
ID). A sender claims rows in a short transaction (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, its write lock on
SQLite) by writing a lease (``lease_until``) into them, so two senders (two instances, or a restarted one) never
hold one row at once. Sending happens outside any transaction; then a second transaction marks the row sent and
forgets its text. A sender killed between the SMTP server's "250 OK" and that mark (``kill -9``, power loss)
leaves the row leased; once the lease lapses, a sender sends it again, with the same Message-ID, so the receiver
gets at most two copies that a mail client or a receiving server can tell are one. A sender killed before
sending leaves the row to be sent once, when the lease lapses. Nothing is lost: a row leaves the queue only when
sent or given up (``failed``, with the reason).

Runs in the server process on a thread of its own (``start``), never on the event loop; its database work is a
few short statements and the rest is waiting on the network.
"""

from __future__ import annotations

import contextlib
import logging
import os
import smtplib
import socket
import ssl
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit

from sqlmodel import col, or_, select

from data.models import OutboxEmail
from data.models.outbox import FAILED, QUEUED, SENT
from data.models.types import utcnow
from services.mail import config
from services.mail.outbox import unseal
from services.unit_of_work import UnitOfWork

log = logging.getLogger("portal.mail")
LEASE = timedelta(minutes=2)  # longer than one delivery can take (the SMTP timeout is 30 s)
MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(seconds=30)  # then doubling: 30 s, 1 min, 2 min, … up to an hour
LAST_RETRY = timedelta(hours=1)
BATCH = 20
POLL_SECONDS = 1.0
SMTP_TIMEOUT_S = 30


class PermanentFailure(Exception):
    """The server refused the email for good (a 5xx answer): retrying would not help."""


class Transport(Protocol):
    def deliver(self, message: EmailMessage, email_id: str) -> None: ...


@dataclass(frozen=True)
class Claimed:
    """An email a sender holds the lease on, with its text opened."""

    id: str
    recipient: str
    subject: str
    created_at: datetime
    attempts: int
    parts: dict[str, str]


def build(claimed: Claimed, mail: config.MailConfig) -> EmailMessage:
    """The MIME message: plain text and HTML alternatives, and a Message-ID that is the same at every attempt."""
    message = EmailMessage()
    message["From"] = mail.sender
    message["To"] = claimed.recipient
    message["Subject"] = claimed.subject
    message["Date"] = format_datetime(claimed.created_at)
    message["Message-ID"] = f"<{claimed.id}@{mail.domain}>"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(claimed.parts["text"])
    message.add_alternative(claimed.parts["html"], subtype="html")
    return message


class SmtpTransport:
    """SMTP: ``smtp://`` with STARTTLS (required, unless ``?tls=none`` for a relay on this host), ``smtps://`` with
    implicit TLS; ``USER:PASSWORD@`` logs in (only ever over TLS). One connection per batch would be faster; one
    per email keeps a failure to that email."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.implicit_tls = parts.scheme.lower() == "smtps"
        self.host = parts.hostname or "localhost"
        self.port = parts.port or (465 if self.implicit_tls else 587)
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        query = parse_qs(parts.query)
        self.starttls = not self.implicit_tls and query.get("tls", ["starttls"])[0] != "none"
        if not self.starttls and not self.implicit_tls and self.username:
            raise ValueError("PORTAL_SMTP_URL: a password is never sent without TLS (drop ?tls=none)")
        self.context = ssl.create_default_context()
        cafile = query.get("cafile", [None])[0]
        if cafile:
            self.context.load_verify_locations(cafile)

    def __repr__(self) -> str:  # never the password
        return f"SmtpTransport({'smtps' if self.implicit_tls else 'smtp'}://{self.host}:{self.port})"

    def deliver(self, message: EmailMessage, email_id: str) -> None:
        try:
            if self.implicit_tls:
                client: smtplib.SMTP = smtplib.SMTP_SSL(
                    self.host, self.port, timeout=SMTP_TIMEOUT_S, context=self.context
                )
            else:
                client = smtplib.SMTP(self.host, self.port, timeout=SMTP_TIMEOUT_S)
            with client:
                if self.starttls:
                    client.starttls(context=self.context)
                if self.username:
                    client.login(self.username, self.password or "")
                client.send_message(message)
        except smtplib.SMTPRecipientsRefused as refused:
            raise PermanentFailure(_describe(refused)) from None
        except smtplib.SMTPResponseException as answer:
            if 500 <= answer.smtp_code < 600:
                raise PermanentFailure(_describe(answer)) from None
            raise


def _describe(error: Exception) -> str:
    """An SMTP failure in a few words, for the history (the server's own text, never the email's)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [f"{code} {text.decode(errors='replace')}" for code, text in error.recipients.values()]
        return "The recipient was refused: " + "; ".join(codes)
    if isinstance(error, smtplib.SMTPResponseException):
        text = error.smtp_error.decode(errors="replace") if isinstance(error.smtp_error, bytes) else error.smtp_error
        return f"The mail server answered {error.smtp_code} {text}"
    if isinstance(error, socket.timeout | TimeoutError):
        return "The mail server did not answer in time"
    if isinstance(error, ConnectionRefusedError):
        return "The mail server refused the connection"
    if isinstance(error, ssl.SSLError):
        return f"TLS with the mail server failed ({error.reason or type(error).__name__})"
    if isinstance(error, OSError):
        return f"The mail server could not be reached ({error.strerror or type(error).__name__})"
    return type(error).__name__


class FileTransport:
    """No SMTP server (the demo): each email becomes ``<directory>/<EM-…>.eml``, readable by this user only
    (0600). Writing the same email again replaces the file, so a retry never makes a second one."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def __repr__(self) -> str:
        return f"FileTransport({self.directory})"

    def deliver(self, message: EmailMessage, email_id: str) -> None:
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        final = self.directory / f"{email_id}.eml"
        temporary = self.directory / f".{email_id}.{uuid.uuid4().hex}.tmp"
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(message.as_bytes())
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, final)
        finally:
            with contextlib.suppress(FileNotFoundError):
                temporary.unlink()


def retry_delay(attempts: int) -> timedelta:
    """The wait before attempt ``attempts + 1``: 30 s, then doubling, at most an hour."""
    return min(LAST_RETRY, FIRST_RETRY * (1 << max(0, min(attempts, 32) - 1)))


class Sender:
    """Claims due emails, delivers them and records the outcome. Several senders (threads, processes,
    instances) can run on one database."""

    def __init__(
        self,
        transport: Transport,
        *,
        uow_factory: Callable[[], UnitOfWork] = UnitOfWork,
        mail: config.MailConfig | None = None,
        lease: timedelta = LEASE,
        owner: str | None = None,
    ) -> None:
        self.transport = transport
        self.uow_factory = uow_factory
        self.mail = mail
        self.lease = lease
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"

    def _due(self, now: datetime):  # type: ignore[no-untyped-def]
        return (
            select(OutboxEmail)
            .where(
                OutboxEmail.status == QUEUED,
                col(OutboxEmail.next_attempt_at) <= now,
                or_(col(OutboxEmail.lease_until).is_(None), col(OutboxEmail.lease_until) < now),
            )
            .order_by(col(OutboxEmail.next_attempt_at), col(OutboxEmail.id))
            .limit(BATCH)
        )

    def claim(self) -> list[Claimed]:
        """Take the lease on up to :data:`BATCH` due emails (none that another sender holds)."""
        now = utcnow()
        uow = self.uow_factory()
        with uow.read():  # a cheap look first: SQLite's write lock is taken only when there is work
            if uow.session.exec(self._due(now).limit(1)).first() is None:
                return []
        claimed: list[Claimed] = []
        with uow.write():
            statement = self._due(now)
            if uow.dialect == "postgresql":
                statement = statement.with_for_update(skip_locked=True)
            rows = uow.session.exec(statement).all()
            for row in rows:
                row.lease_until = now + self.lease
                row.lease_owner = self.owner
                row.attempts += 1
                uow.session.add(row)
                claimed.append(
                    Claimed(row.id, row.recipient, row.subject, row.created_at, row.attempts, _opened(row.sealed))
                )
            uow.commit()
        return claimed

    def deliver_due(self) -> int:
        """Claim and deliver what is due now; the number of emails sent."""
        sent = 0
        for claimed in self.claim():
            sent += self._deliver(claimed)
        return sent

    def _deliver(self, claimed: Claimed) -> int:
        if not claimed.parts:
            self._record(claimed, FAILED, "The email could not be opened (the portal's secret changed)")
            return 0
        try:
            self.transport.deliver(build(claimed, self.mail or config.current()), claimed.id)
        except PermanentFailure as refused:
            log.warning("email %s was refused: %s", claimed.id, refused)
            self._record(claimed, FAILED, str(refused))
            return 0
        except Exception as error:  # a network or server problem: try again later
            reason = _describe(error)
            log.warning("email %s not sent (attempt %s): %s", claimed.id, claimed.attempts, reason)
            self._record(claimed, QUEUED if claimed.attempts < MAX_ATTEMPTS else FAILED, reason)
            return 0
        self._record(claimed, SENT, None)
        log.info("email %s sent", claimed.id)
        return 1

    def _record(self, claimed: Claimed, status: str, reason: str | None) -> None:
        now = utcnow()
        uow = self.uow_factory()
        with uow.write():
            row = uow.get_for_update(OutboxEmail, claimed.id)
            if row is None or row.status != QUEUED:
                return  # another sender finished it after this one's lease lapsed
            if status != SENT and row.lease_owner != self.owner:
                return  # another sender holds it now (this one's lease lapsed): its outcome is the one to keep
            row.status = status
            row.lease_until = None
            row.lease_owner = None
            row.last_error = reason[:500] if reason else None
            if status == SENT:
                row.sent_at = now
            if status == QUEUED:
                row.next_attempt_at = now + retry_delay(claimed.attempts)
            else:
                row.sealed = None  # sent or given up: the text (and any link in it) is forgotten
            uow.session.add(row)
            uow.commit()

    def run(self, stop: threading.Event, wake: threading.Event | None = None, poll: float = POLL_SECONDS) -> None:
        """Deliver until ``stop`` is set, looking for due emails every ``poll`` seconds or when woken."""
        wake = wake or threading.Event()
        while not stop.is_set():
            try:
                self.deliver_due()
            except Exception as error:  # the database is unavailable now; the next round retries
                log.warning("the mail sender could not reach the outbox: %s", type(error).__name__)
            wake.wait(poll)
            wake.clear()


def _opened(sealed: str | None) -> dict[str, str]:
    if sealed is None:
        return {}
    try:
        return unseal(sealed)
    except Exception:  # sealed with another secret
        return {}


def transport_for(smtp_url: str | None, mail_dir: Path) -> Transport:
    return SmtpTransport(smtp_url) if smtp_url else FileTransport(mail_dir)


_thread: threading.Thread | None = None
_stop = threading.Event()
_wake = threading.Event()


def start(transport: Transport) -> None:
    """Run a sender on a thread of this process (the server), until :func:`stop`."""
    global _thread
    if _thread is not None and _thread.is_alive():
        return
    _stop.clear()
    sender = Sender(transport)
    _thread = threading.Thread(target=sender.run, args=(_stop, _wake), name="mail sender", daemon=True)
    _thread.start()
    log.info("mail sender started (%r)", transport)


def wake() -> None:
    """Look for due emails now (after an action that queued one)."""
    _wake.set()


def stop() -> None:
    global _thread
    _stop.set()
    _wake.set()
    if _thread is not None:
        _thread.join(timeout=SMTP_TIMEOUT_S + 5)
    _thread = None

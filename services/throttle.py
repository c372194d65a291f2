"""Rate limits on guessing: unknown activation links per client address, and failed sign-ins per account
and per client address. Past a limit, each further attempt waits longer (doubling, capped), and the
count only covers a sliding window, so nobody is locked out for good."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from sqlmodel import Session, col, delete, func, select

from data.db import begin_write
from data.models import FailedAttempt
from data.models.types import utcnow
from services.errors import DomainError

T = TypeVar("T")
LINK = "link"
SIGN_IN = "sign_in"


@dataclass(frozen=True)
class Limits:
    """How many failures are tolerated in the window before delays start, and how long those delays are."""

    link_guesses_per_address: int = 20
    sign_in_failures_per_account: int = 5
    sign_in_failures_per_address: int = 20
    window: timedelta = timedelta(minutes=15)
    first_delay: timedelta = timedelta(minutes=1)
    longest_delay: timedelta = timedelta(hours=1)


_limits = Limits()


def configure(limits: Limits) -> None:
    """Set the limits the running app enforces (from the settings, at start-up)."""
    global _limits
    _limits = limits


def current_limits() -> Limits:
    return _limits


class TooManyAttempts(DomainError):
    """Too many failed attempts: try again after ``retry_after``."""

    def __init__(self, retry_after: timedelta) -> None:
        self.retry_after = retry_after
        minutes = max(1, math.ceil(retry_after.total_seconds() / 60))
        super().__init__(f"Too many attempts. Try again in {minutes} minute{'s' if minutes != 1 else ''}.")


def address_key(client_address: str | None) -> str:
    return f"address:{client_address or 'unknown'}"


def account_key(email: str) -> str:
    """A key for an email without storing the email itself."""
    return "account:" + hashlib.sha256(email.strip().lower().encode("utf-8", "surrogatepass")).hexdigest()[:32]


def check(
    session: Session,
    kind: str,
    limits_by_key: dict[str, int],
    *,
    limits: Limits | None = None,
    now: datetime | None = None,
) -> None:
    """Raise :class:`TooManyAttempts` when any key is past its limit and still in its waiting time."""
    limits = limits or _limits
    now = now or utcnow()
    since = now - limits.window
    for key, allowed in limits_by_key.items():
        count, last = session.exec(
            select(func.count(), func.max(FailedAttempt.at)).where(
                FailedAttempt.kind == kind, FailedAttempt.key == key, col(FailedAttempt.at) > since
            )
        ).one()
        if count < allowed or last is None:
            continue
        last = _aware(last)
        delay = min(limits.first_delay * (2 ** (count - allowed)), limits.longest_delay)
        if now < last + delay:
            raise TooManyAttempts(last + delay - now)


def record_failure(session: Session, kind: str, keys: list[str]) -> None:
    """Count a failed attempt against each key (within the caller's transaction)."""
    now = utcnow()
    for key in keys:
        session.add(FailedAttempt(kind=kind, key=key, at=now))


def clear(session: Session, kind: str, key: str) -> None:
    """Forget a key's failures (after the account's owner signed in successfully)."""
    session.exec(delete(FailedAttempt).where(FailedAttempt.kind == kind, FailedAttempt.key == key))  # type: ignore[call-overload]


def _aware(moment: datetime | str) -> datetime:
    """SQL ``max()`` returns the stored text; read it back as UTC."""

    value = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def look_up_link(
    session: Session,
    client_address: str | None,
    find: Callable[[], T],
    unknown: type[Exception],
    *,
    limits: Limits | None = None,
) -> T:
    """Find a link by its token for a client: refused with :class:`TooManyAttempts` once the client has tried
    too many unknown links; an ``unknown`` error from ``find`` is counted against the client, then re-raised."""
    guesser = address_key(client_address)
    limits = limits or _limits
    check(session, LINK, {guesser: limits.link_guesses_per_address}, limits=limits)
    try:
        return find()
    except unknown:
        session.rollback()
        begin_write(session)
        record_failure(session, LINK, [guesser])
        session.commit()
        raise

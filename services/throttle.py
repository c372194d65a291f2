"""Rate limits on guessing: unknown links per client address, and failed sign-ins per account and per client
address. The count only covers a sliding window, so nobody is locked out for good.

Sign-in: past a limit, each further attempt waits longer (doubling, capped). An account's failures count per
address it is tried from (a few), and from everywhere together (many more): a stranger who knows an email can
no longer keep its owner out with six wrong passwords every quarter hour, while guessing one account's password
from many addresses is still slowed. Failures per address (across accounts) stay limited too; many people behind
one proxy address share that limit, which is why it is higher (and the proxy must be in PORTAL_TRUSTED_PROXIES).

Links (activation and set-password): a token is 256 random bits, so guessing one is hopeless whatever the limit;
the limit keeps guessing from costing the portal work, and must never lock anyone out of a valid link (a page on
another site can make its visitors' browsers open links, and behind a proxy many people share one address). So:
only well-formed tokens (exactly what ``secrets.token_urlsafe(32)`` makes) are looked up or counted at all; a
malformed one gets the not-valid page without touching the database. Past the limit, every link opened from
that address is answered only after a pause (:class:`SlowDown`), valid or not, and an unknown one gets
*Too many attempts* (HTTP 429); a valid link always opens."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from sqlmodel import Session, col, delete, func, select

from data.models import FailedAttempt
from data.models.types import utcnow
from services.errors import DomainError
from services.unit_of_work import UnitOfWork

T = TypeVar("T")
LINK = "link"
SIGN_IN = "sign_in"


@dataclass(frozen=True)
class Limits:
    """How many failures are tolerated in the window before delays start, and how long those delays are."""

    link_guesses_per_address: int = 20
    sign_in_failures_per_account: int = 5  # from one address
    sign_in_failures_per_account_everywhere: int = 100
    sign_in_failures_per_address: int = 20
    window: timedelta = timedelta(minutes=15)
    first_delay: timedelta = timedelta(minutes=1)
    longest_delay: timedelta = timedelta(hours=1)
    link_slowdown: timedelta = timedelta(seconds=2)


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


class SlowDown(DomainError):
    """This address has opened too many unknown links: wait ``seconds`` (off the worker), then look up again
    with ``slowed=True``."""

    def __init__(self, seconds: float) -> None:
        super().__init__("Too many attempts from this address; slowing down.")
        self.seconds = seconds


TOKEN_LENGTH = 43  # secrets.token_urlsafe(32): 32 bytes in unpadded URL-safe Base64
_TOKEN_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def well_formed(token: object) -> bool:
    """Whether ``token`` could be one of our link tokens (its length and alphabet), checked without any work."""
    return isinstance(token, str) and len(token) == TOKEN_LENGTH and _TOKEN_ALPHABET.issuperset(token)


def address_key(client_address: str | None) -> str:
    return f"address:{client_address or 'unknown'}"


def account_key(email: str) -> str:
    """A key for an email without storing the email itself."""
    return "account:" + hashlib.sha256(email.strip().lower().encode("utf-8", "surrogatepass")).hexdigest()[:32]


def account_address_key(email: str, client_address: str | None) -> str:
    """A key for an email tried from one address, without storing either."""
    tried = f"{email.strip().lower()}\n{client_address or 'unknown'}"
    return "account-address:" + hashlib.sha256(tried.encode("utf-8", "surrogatepass")).hexdigest()[:32]


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
    session.exec(delete(FailedAttempt).where(col(FailedAttempt.kind) == kind, col(FailedAttempt.key) == key))


def _aware(moment: datetime | str) -> datetime:
    """SQL ``max()`` returns the stored text; read it back as UTC."""

    value = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def look_up_link(
    uow: UnitOfWork,
    client_address: str | None,
    token: object,
    find: Callable[[], T],
    unknown: type[Exception],
    *,
    limits: Limits | None = None,
    slowed: bool = False,
) -> T:
    """Find a link by its token for a client (see the module's docstring), in a read block of ``uow`` (``find``
    reads through ``uow.session``). ``find`` raises ``unknown`` for a token that opens nothing. A malformed token
    is neither looked up nor counted. Past the limit, :class:`SlowDown` first (unless this is the lookup after
    the pause, ``slowed``), then an unknown token raises :class:`TooManyAttempts` and is not counted again (the
    count stays bounded). Failures are counted in the shared database, so every instance sees them."""
    limits = limits or _limits
    guesser = address_key(client_address)
    now = utcnow()
    with uow.read():
        if not well_formed(token):
            return find()  # the callers' lookups refuse a malformed token before any query
        count, oldest = uow.session.exec(
            select(func.count(), func.min(FailedAttempt.at)).where(
                FailedAttempt.kind == LINK, FailedAttempt.key == guesser, col(FailedAttempt.at) > now - limits.window
            )
        ).one()
        throttled = count >= limits.link_guesses_per_address
        if throttled and not slowed:
            raise SlowDown(limits.link_slowdown.total_seconds())
        try:
            return find()
        except unknown as error:
            if throttled:
                raise TooManyAttempts(_aware(oldest) + limits.window - now) from None
            failure = error
    with uow.write():
        uow.session.exec(
            delete(FailedAttempt).where(
                col(FailedAttempt.kind) == LINK,
                col(FailedAttempt.key) == guesser,
                col(FailedAttempt.at) <= now - limits.window,
            )
        )
        record_failure(uow.session, LINK, [guesser])
        uow.commit()
    raise failure

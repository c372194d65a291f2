"""Single-use links emailed to a user (a password reset, a new email's confirmation): 256 random bits, only
their SHA-256 stored, expiring, used once, looked up through the link-guessing limits."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, col, select, update

from data.models import AccountLink, User
from data.models.types import utcnow
from services import throttle
from services.errors import DomainError
from services.security import new_token, token_hash
from services.unit_of_work import UnitOfWork

RESET_PASSWORD = "reset_password"  # noqa: S105 - a purpose, not a password
CONFIRM_EMAIL = "confirm_email"
LIFETIMES = {RESET_PASSWORD: timedelta(minutes=30), CONFIRM_EMAIL: timedelta(hours=24)}
COLLEAGUE_LIFETIME = timedelta(days=7)  # a new distributor user's first "choose your password" link


class AccountLinkInvalid(DomainError):
    """A link that is unknown, used, replaced or past its time: one answer for all (it tells nothing)."""

    def __init__(self) -> None:
        super().__init__("This link is not valid any more: links work once, for a limited time. Ask for a new one.")


def issue(
    session: Session, user: User, purpose: str, *, new_email: str | None = None, lifetime: timedelta | None = None
) -> tuple[AccountLink, str]:
    """Within the caller's write transaction: a new link for the user, and its token (never stored). Earlier
    unused links of the same purpose stop working: only the newest email's link works."""
    now = utcnow()
    session.exec(
        update(AccountLink)
        .where(
            col(AccountLink.user_id) == user.id,
            col(AccountLink.purpose) == purpose,
            col(AccountLink.used_at).is_(None),
        )
        .values(used_at=now)
    )
    token, hashed = new_token()
    link = AccountLink(
        user_id=user.id,
        purpose=purpose,
        token_hash=hashed,
        new_email=new_email,
        created_at=now,
        expires_at=now + (lifetime or LIFETIMES[purpose]),
    )
    session.add(link)
    return link, token


def usable(uow: UnitOfWork, token: object, purpose: str) -> AccountLink:
    """The unused, unexpired link of ``purpose`` for ``token`` (locked in a write block), else
    :class:`AccountLinkInvalid`."""
    if not throttle.well_formed(token):
        raise AccountLinkInvalid()
    assert isinstance(token, str)
    link = uow.session.exec(uow.lock(select(AccountLink).where(AccountLink.token_hash == token_hash(token)))).first()
    if link is None or link.purpose != purpose or link.used_at is not None or link.expires_at <= utcnow():
        raise AccountLinkInvalid()
    return link


def look_up(uow: UnitOfWork, token: object, purpose: str, client_address: str | None, slowed: bool) -> AccountLink:
    """:func:`usable` through the link-guessing limits of the client's address (SECURITY.md row 3)."""
    return throttle.look_up_link(
        uow, client_address, token, lambda: usable(uow, token, purpose), AccountLinkInvalid, slowed=slowed
    )

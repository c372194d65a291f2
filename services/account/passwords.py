"""Forgotten passwords (a link by email), changed passwords, and the sign-out of every other session.

A password set here raises the user's ``session_version``: every session signed in under an older one is
signed out on its next page or action, on whichever instance (the version is in the database, not in a
process's memory), and the user is told by email."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import select

from data.models import Account, AccountLink, Contract, User, UserStatus
from data.models.types import utcnow
from services import audit, throttle
from services.access import distributor_of
from services.account import links
from services.actors import SignedInUser
from services.errors import FieldErrors, NotFound, ValidationFailed
from services.mail import messages, outbox
from services.rules import check_password, clean_email, is_storable, text_value
from services.security import hash_password, verify_password
from services.unit_of_work import UnitOfWork

RESET_ANSWER = "If an account exists for that email, we sent a link to it. The link works for 30 minutes."
RESETS_PER_HOUR = 3  # reset emails to one user per hour: "Forgot password?" is not a way to flood a mailbox
WRONG_CURRENT = "This is not your current password."


def request_password_reset(uow: UnitOfWork, email: object, *, client_address: str | None = None) -> str:
    """**Forgot password?**: email a reset link to the active user with this email, if there is one. The answer
    is the same either way, and so is the work that can be timed: one write transaction with one audit event;
    the email itself is sent later by the outbox's sender."""
    value = text_value(email, "email").strip()
    if not value:
        raise ValidationFailed({"email": "Enter your email address."})
    try:
        key = clean_email(value)
    except ValidationFailed:
        key = value.lower() if is_storable(value) else ""  # cannot be anyone's; answered the same
    now = utcnow()
    with uow.write():
        session = uow.session
        user = session.exec(select(User).where(User.email == key)).first() if key else None
        if user is not None and user.status != UserStatus.ACTIVE:
            user = None
        if user is not None:
            recent = session.exec(
                select(AccountLink.id).where(
                    AccountLink.user_id == user.id,
                    AccountLink.purpose == links.RESET_PASSWORD,
                    AccountLink.created_at > now - links.LIFETIMES[links.RESET_PASSWORD] * 2,
                )
            ).all()
            if len(recent) >= RESETS_PER_HOUR:
                user = None  # enough links are on their way; say the same
        if user is not None:
            link, token = links.issue(session, user, links.RESET_PASSWORD)
            outbox.enqueue(
                session,
                messages.password_reset(
                    recipient=user.email,
                    full_name=user.full_name,
                    token=token,
                    expires_at=link.expires_at,
                    user_id=user.id,
                ),
            )
        audit.record(
            session,
            actor="anonymous",
            action="auth.password_reset_requested",
            object_type="user",
            object_id=user.id if user is not None else "-",
            client_address=client_address,
        )
        uow.commit()
    return RESET_ANSWER


@dataclass(frozen=True)
class ResetView:
    """What the reset page shows: whose password it sets."""

    email: str
    full_name: str


def open_reset_link(
    uow: UnitOfWork, token: str, *, client_address: str | None = None, slowed: bool = False
) -> ResetView:
    """The reset page's link: :class:`~services.account.links.AccountLinkInvalid` unless it can still be used."""
    link = links.look_up(uow, token, links.RESET_PASSWORD, client_address, slowed)
    with uow.read():
        user = uow.session.get(User, link.user_id)
    if user is None or user.status == UserStatus.DISABLED:
        raise links.AccountLinkInvalid()
    return ResetView(user.email, user.full_name)


@dataclass(frozen=True)
class PasswordChanged:
    user_id: str
    session_version: int


def _set_password(uow: UnitOfWork, user: User, password_hash: str, *, actor: str, action: str) -> PasswordChanged:
    """Within the caller's write block: the new hash, every other session signed out, the notice queued."""
    session = uow.session
    user.password_hash = password_hash
    user.session_version += 1
    if user.status == UserStatus.INVITED:  # a colleague choosing a first password
        user.status = UserStatus.ACTIVE
    session.add(user)
    throttle.clear(session, throttle.SIGN_IN, throttle.account_key(user.email))
    outbox.enqueue(session, messages.password_changed(recipient=user.email, full_name=user.full_name, user_id=user.id))
    audit.record(session, actor=actor, action=action, object_type="user", object_id=user.id)
    return PasswordChanged(user.id, user.session_version)


def reset_password(
    uow: UnitOfWork, token: str, *, password: object, client_address: str | None = None
) -> PasswordChanged:
    """Set a new password with a reset link. The link works once; every session of the user is signed out."""
    with uow.read():
        link = links.usable(uow, token, links.RESET_PASSWORD)
        user = uow.session.get(User, link.user_id)
        if user is None or user.status == UserStatus.DISABLED:
            raise links.AccountLinkInvalid()
        check_password(password, user.email)  # type: ignore[arg-type]
    password_hash = hash_password(str(password))  # outside any transaction
    with uow.write():
        link = links.usable(uow, token, links.RESET_PASSWORD)  # again, locked: single use even when racing
        user = uow.get_for_update(User, link.user_id)
        assert user is not None
        link.used_at = utcnow()
        uow.session.add(link)
        changed = _set_password(uow, user, password_hash, actor=user.id, action="user.password_reset")
        uow.commit()
    return changed


def change_password(
    uow: UnitOfWork, actor: SignedInUser, *, current_password: object, new_password: object
) -> PasswordChanged:
    """Account settings: a new password, given the current one. Every other session is signed out (the page
    that asked keeps its session with the new version)."""
    current = current_password if isinstance(current_password, str) else ""
    with uow.read():
        user = uow.session.get(User, actor.user_id)
    if user is None:
        raise NotFound("No such user.")
    errors = FieldErrors()
    if not current:
        errors.add("current_password", "Enter your current password.")
    elif not verify_password(current, user.password_hash):
        errors.add("current_password", WRONG_CURRENT)
    errors.check(check_password, new_password, user.email)
    errors.raise_if_any()
    password_hash = hash_password(str(new_password))
    with uow.write():
        locked = uow.get_for_update(User, actor.user_id)
        assert locked is not None
        changed = _set_password(uow, locked, password_hash, actor=actor.user_id, action="user.password_changed")
        uow.commit()
    return changed


def send_reset_link_to_reseller_user(uow: UnitOfWork, actor: SignedInUser, contract_id: str) -> str:
    """From a partner's page: email a password-reset link to the signee of the partner's contract (a reseller
    user of one of the distributor's own partners). Returns the address it was sent to."""
    distributor_id = distributor_of(actor)
    with uow.write():
        session = uow.session
        contract = session.get(Contract, contract_id) if is_storable(contract_id) else None
        if contract is None or contract.distributor_id != distributor_id or contract.reseller_account_id is None:
            raise NotFound("No such partner.")
        user = session.get(User, contract.signee_user_id) if contract.signee_user_id else None
        account = session.get(Account, contract.reseller_account_id)
        if user is None or account is None or user.account_id != account.id or user.status != UserStatus.ACTIVE:
            raise ValidationFailed({"user": "This partner has no active user to send a link to."})
        link, token = links.issue(session, user, links.RESET_PASSWORD)
        outbox.enqueue(
            session,
            messages.password_reset(
                recipient=user.email, full_name=user.full_name, token=token, expires_at=link.expires_at, user_id=user.id
            ),
        )
        audit.record(
            session,
            actor=actor.user_id,
            action="user.password_reset_sent",
            object_type="user",
            object_id=user.id,
            contract=contract.id,
        )
        uow.commit()
    return user.email

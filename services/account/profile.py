"""Account settings: the user's name, email (changed only through a link sent to the new address, the old one
told) and notification switches."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col, select

from data.models import AccountLink, User
from data.models.types import utcnow
from services import audit
from services.account import links
from services.actors import SignedInUser
from services.errors import FieldErrors, NotFound, ValidationFailed
from services.mail import messages, notifications, outbox
from services.rules import clean_email, clean_full_name
from services.security import verify_password
from services.unit_of_work import EMAIL_TAKEN, UnitOfWork

EMAIL_CHANGE_SENT = "We sent a link to the new address; your email changes when you open it."


@dataclass(frozen=True)
class Switch:
    topic: str
    label: str
    enabled: bool


@dataclass(frozen=True)
class AccountSettings:
    email: str
    full_name: str
    pending_email: str | None  # a new address waiting for its confirmation
    switches: list[Switch]


def account_settings(uow: UnitOfWork, actor: SignedInUser) -> AccountSettings:
    with uow.read():
        session = uow.session
        user = session.get(User, actor.user_id)
        if user is None:
            raise NotFound("No such user.")
        pending = session.exec(
            select(AccountLink.new_email).where(
                AccountLink.user_id == user.id,
                AccountLink.purpose == links.CONFIRM_EMAIL,
                col(AccountLink.used_at).is_(None),
                AccountLink.expires_at > utcnow(),
            )
        ).first()
        chosen = notifications.switches(session, user.id, actor.account_kind)
    return AccountSettings(
        user.email,
        user.full_name,
        pending,
        [Switch(t.key, t.label, chosen[t.key]) for t in notifications.topics_for(actor.account_kind)],
    )


def change_full_name(uow: UnitOfWork, actor: SignedInUser, *, full_name: object) -> str:
    name = clean_full_name(full_name)  # type: ignore[arg-type]
    with uow.write():
        user = uow.get_for_update(User, actor.user_id)
        if user is None:
            raise NotFound("No such user.")
        user.full_name = name
        uow.session.add(user)
        audit.record(uow.session, actor=actor.user_id, action="user.renamed", object_type="user", object_id=user.id)
        uow.commit()
    return name


def request_email_change(uow: UnitOfWork, actor: SignedInUser, *, new_email: object, password: object) -> str:
    """Send a confirmation link to the new address and tell the old one. The current password is asked for:
    whoever finds a signed-in browser cannot take the account over by changing its email."""
    errors = FieldErrors()
    email = errors.check(clean_email, new_email, "new_email")
    with uow.read():
        user = uow.session.get(User, actor.user_id)
    if user is None:
        raise NotFound("No such user.")
    if not isinstance(password, str) or not password:
        errors.add("password", "Enter your current password.")
    elif not verify_password(password, user.password_hash):
        errors.add("password", "This is not your current password.")
    if email is not None and email == user.email:
        errors.add("new_email", "This is your email address already.")
    errors.raise_if_any()
    assert email is not None
    with uow.write():
        session = uow.session
        locked = uow.get_for_update(User, actor.user_id)
        assert locked is not None
        if session.exec(select(User.id).where(User.email == email)).first() is not None:
            raise ValidationFailed({"new_email": EMAIL_TAKEN})
        link, token = links.issue(session, locked, links.CONFIRM_EMAIL, new_email=email)
        outbox.enqueue(
            session,
            messages.confirm_new_email(
                recipient=email, full_name=locked.full_name, token=token, expires_at=link.expires_at, user_id=locked.id
            ),
        )
        outbox.enqueue(
            session,
            messages.email_change_notice(
                recipient=locked.email, full_name=locked.full_name, new_email=email, user_id=locked.id
            ),
        )
        audit.record(
            session, actor=actor.user_id, action="user.email_change_requested", object_type="user", object_id=locked.id
        )
        uow.commit()
    return EMAIL_CHANGE_SENT


def open_email_confirmation(
    uow: UnitOfWork, token: str, *, client_address: str | None = None, slowed: bool = False
) -> str:
    """The confirmation page's link, through the link-guessing limits: the address it confirms."""
    link = links.look_up(uow, token, links.CONFIRM_EMAIL, client_address, slowed)
    return link.new_email or ""


def confirm_email_change(uow: UnitOfWork, token: str, *, client_address: str | None = None) -> str:
    """**Confirm** on the confirmation link's page: the new address becomes the user's email (and sign-in).
    Works once."""
    with uow.write(conflicts={"user.email": ValidationFailed({"new_email": EMAIL_TAKEN})}):
        session = uow.session
        link = links.usable(uow, token, links.CONFIRM_EMAIL)
        user = uow.get_for_update(User, link.user_id)
        if user is None or link.new_email is None:
            raise links.AccountLinkInvalid()
        if session.exec(select(User.id).where(User.email == link.new_email)).first() is not None:
            raise ValidationFailed({"new_email": EMAIL_TAKEN})
        user.email = link.new_email
        link.used_at = utcnow()
        session.add_all([user, link])
        audit.record(
            session,
            actor=user.id,
            action="user.email_changed",
            object_type="user",
            object_id=user.id,
            client_address=client_address,
        )
        uow.commit()
    return link.new_email


def switch_notification(uow: UnitOfWork, actor: SignedInUser, *, topic: object, enabled: object) -> bool:
    if not isinstance(topic, str) or topic not in {t.key for t in notifications.topics_for(actor.account_kind)}:
        raise ValidationFailed({"topic": "No such notification."})
    if not isinstance(enabled, bool):
        raise ValidationFailed({"topic": "Choose on or off."})
    with uow.write():
        notifications.switch(uow.session, actor.user_id, topic, enabled)
        audit.record(
            uow.session,
            actor=actor.user_id,
            action="user.notification_switched",
            object_type="user",
            object_id=actor.user_id,
            topic=topic,
            enabled=int(enabled),
        )
        uow.commit()
    return enabled

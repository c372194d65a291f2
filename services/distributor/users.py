"""The distributor's own users: list them, invite a colleague by email, deactivate one. Every user of a
distributor is one of its administrators (the portal has no other role yet), so the last active one cannot be
deactivated: someone must always be able to sign in for the distributor."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col, func, select

from data.models import Account, User, UserStatus
from services import audit
from services.access import distributor_of, own
from services.account import links
from services.actors import SignedInUser
from services.errors import FieldErrors, InvalidState, NotFound, ValidationFailed
from services.mail import messages, outbox
from services.requests import check_not_done, record_done
from services.rules import clean_email, clean_full_name, is_storable
from services.unit_of_work import EMAIL_TAKEN, UnitOfWork

LAST_ADMIN = "The last administrator cannot be deactivated: invite a colleague first."


@dataclass(frozen=True)
class DistributorUser:
    user_id: str
    full_name: str
    email: str
    status: str  # invited (has not chosen a password yet), active, disabled
    is_you: bool


def list_users(uow: UnitOfWork, actor: SignedInUser) -> list[DistributorUser]:
    distributor_id = distributor_of(actor)
    with uow.read():
        users = uow.session.exec(
            select(User).where(User.account_id == distributor_id).order_by(col(User.full_name), col(User.email))
        ).all()
    return [DistributorUser(u.id, u.full_name, u.email, u.status.value, u.id == actor.user_id) for u in users]


def invite_colleague(
    uow: UnitOfWork,
    actor: SignedInUser,
    *,
    full_name: object,
    email: object,
    request_key: str | None = None,
) -> DistributorUser:
    """A new user of the actor's distributor, who chooses a password through the link emailed to them (valid
    7 days; the same single-use link as a password reset)."""
    distributor_id = distributor_of(actor)
    errors = FieldErrors()
    name = errors.check(clean_full_name, full_name)
    address = errors.check(clean_email, email)
    errors.raise_if_any()
    assert name is not None and address is not None
    with uow.write(conflicts={"user.email": ValidationFailed({"email": EMAIL_TAKEN})}):
        session = uow.session
        check_not_done(session, request_key)
        if session.exec(select(User.id).where(User.email == address)).first() is not None:
            raise ValidationFailed({"email": EMAIL_TAKEN})
        distributor = session.get(Account, distributor_id)
        assert distributor is not None
        user = User(account_id=distributor_id, email=address, full_name=name, status=UserStatus.INVITED)
        session.add(user)
        session.flush()
        link, token = links.issue(session, user, links.RESET_PASSWORD, lifetime=links.COLLEAGUE_LIFETIME)
        outbox.enqueue(
            session,
            messages.colleague_invited(
                recipient=address,
                full_name=name,
                distributor=distributor.name,
                inviter=actor.full_name,
                token=token,
                expires_at=link.expires_at,
                user_id=user.id,
            ),
        )
        audit.record(session, actor=actor.user_id, action="user.invited", object_type="user", object_id=user.id)
        record_done(session, request_key, action="user.invited", actor=actor.user_id, object_id=user.id)
        uow.commit()
    return DistributorUser(user.id, user.full_name, user.email, user.status.value, False)


def deactivate_user(uow: UnitOfWork, actor: SignedInUser, user_id: str) -> DistributorUser:
    """The user can no longer sign in (every session of theirs ends at its next page or action)."""
    distributor_id = distributor_of(actor)
    with uow.write():
        session = uow.session
        uow.get_for_update(Account, distributor_id)  # one deactivation at a time per distributor (PostgreSQL)
        user = uow.get_for_update(User, user_id) if isinstance(user_id, str) and is_storable(user_id) else None
        if user is None:
            raise NotFound("No such user.")
        own(distributor_id, user.account_id, "user")
        if user.status == UserStatus.DISABLED:
            raise InvalidState("This user is deactivated already.")
        active = session.exec(
            select(func.count())
            .select_from(User)
            .where(User.account_id == distributor_id, User.status == UserStatus.ACTIVE, User.id != user.id)
        ).one()
        if active == 0:
            raise InvalidState(LAST_ADMIN)
        user.status = UserStatus.DISABLED
        user.session_version += 1
        session.add(user)
        audit.record(session, actor=actor.user_id, action="user.deactivated", object_type="user", object_id=user.id)
        uow.commit()
    return DistributorUser(user.id, user.full_name, user.email, user.status.value, user.id == actor.user_id)

"""Who may do what: the checks every distributor action starts with."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Concatenate, TypeVar

from data.models import Account, User, UserStatus
from services.actors import Actor, Operator, SignedInUser
from services.errors import Forbidden, NotFound, SignedOut
from services.rules import is_storable
from services.unit_of_work import UnitOfWork

R = TypeVar("R")


def signed_in_user(uow: UnitOfWork, user_id: str, session_version: int | None = None) -> SignedInUser | None:
    """The user behind a session's user ID, if that user still exists and is active, and (given the version the
    session signed in under) its password has not changed since."""
    with uow.read():
        user = uow.session.get(User, user_id) if isinstance(user_id, str) and is_storable(user_id) else None
        if user is None or user.status != UserStatus.ACTIVE:
            return None
        if session_version is not None and session_version != user.session_version:
            return None  # signed out by a newer password
        account = uow.session.get(Account, user.account_id)
    assert account is not None
    return SignedInUser(user.id, account.id, account.kind, user.full_name, user.session_version)


def as_signed_in(
    uow: UnitOfWork,
    user_id: str | tuple[str, int],
    action: Callable[Concatenate[UnitOfWork, SignedInUser, ...], R],
    *args: Any,
    **kwargs: Any,
) -> R:
    """``action(uow, actor, ...)`` as the user ``user_id``, read again now: a user that no longer exists or
    is no longer active (disabled, or never activated) cannot act, whatever a page remembered about it. Given
    as ``(user_id, session_version)``, a session signed in before the user's password changed cannot act either."""
    user, version = user_id if isinstance(user_id, tuple) else (user_id, None)
    actor = signed_in_user(uow, user, version)  # its own read block; the action opens its own
    if actor is None:
        raise SignedOut()
    return action(uow, actor, *args, **kwargs)


def distributor_of(actor: Actor) -> str:
    """The distributor account the actor acts for; :class:`Forbidden` for anyone else (a reseller, or the
    operator when it acts over every distributor)."""
    scope = scope_of(actor)
    if scope is None:
        raise Forbidden("Name the distributor to act for.")
    return scope


def scope_of(actor: Actor) -> str | None:
    """The distributor whose objects the actor may touch; None for the operator over every distributor.
    :class:`Forbidden` for a user of any other kind of account."""
    if isinstance(actor, Operator):
        return actor.distributor_id
    if actor.account_kind != "distributor":
        raise Forbidden("This page is for distributors.")
    return actor.account_id


def own(distributor_id: str | None, owner_id: str | None, what: str) -> None:
    """Raise :class:`NotFound` when an object belongs to another distributor, so that its existence is not
    revealed either. ``distributor_id`` None (the operator over every distributor) owns every object that
    exists."""
    if owner_id is None or (distributor_id is not None and owner_id != distributor_id):
        raise NotFound(f"No such {what}.")

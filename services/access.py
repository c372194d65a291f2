"""Who may do what: the checks every distributor action starts with."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Concatenate, TypeVar

from services.accounts import SignedInUser, signed_in_user
from services.errors import Forbidden, NotFound, SignedOut
from services.unit_of_work import UnitOfWork

R = TypeVar("R")


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


def distributor_of(actor: SignedInUser) -> str:
    """The distributor account the actor acts for; :class:`Forbidden` for anyone else."""
    if actor.account_kind != "distributor":
        raise Forbidden("This page is for distributors.")
    return actor.account_id


def own(distributor_id: str, owner_id: str | None, what: str) -> None:
    """Raise :class:`NotFound` when an object belongs to another distributor, so that its existence is not
    revealed either."""
    if owner_id != distributor_id:
        raise NotFound(f"No such {what}.")

"""Who may do what: the checks every distributor action starts with."""

from __future__ import annotations

from services.accounts import SignedInUser
from services.errors import Forbidden, NotFound


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

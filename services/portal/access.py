"""Who may use the reseller portal: a reseller user whose account has an active service contract. Every portal
service starts with :func:`reseller_of`, and reaches only its own account's objects (another account's object
is "not found", so that its existence is not revealed either)."""

from __future__ import annotations

from sqlmodel import col, select

from data.models import Contract, ContractStatus
from services.actors import SignedInUser
from services.errors import Forbidden
from services.unit_of_work import UnitOfWork

CONTRACT_NOT_ACTIVE = (
    "Your service contract is not active, so the reseller portal is closed to your company. "
    "Your contract page says why; contact your distributor to be contracted again."
)


class ContractNotActive(Forbidden):
    """The reseller's account has no active service contract (it was terminated): nothing of the portal but the
    contract page."""

    def __init__(self) -> None:
        super().__init__(CONTRACT_NOT_ACTIVE)


def reseller_account(actor: SignedInUser) -> str:
    """The reseller account the actor acts for; :class:`Forbidden` for a distributor's user."""
    if actor.account_kind != "reseller":
        raise Forbidden("This page is for resellers.")
    return actor.account_id


def reseller_of(uow: UnitOfWork, actor: SignedInUser) -> str:
    """Within the open block: the actor's reseller account, if it has an active service contract (else
    :class:`ContractNotActive`). In a write block the contract's row is locked (PostgreSQL), so an action and a
    termination never cross: the action sees the contract as the termination left it, or finishes first."""
    account_id = reseller_account(actor)
    statement = select(Contract.id).where(
        col(Contract.reseller_account_id) == account_id, col(Contract.status) == ContractStatus.ACTIVE
    )
    if uow.session.exec(uow.lock(statement)).first() is None:
        raise ContractNotActive()
    return account_id


def portal_open(uow: UnitOfWork, actor: SignedInUser) -> bool:
    """Whether the actor's account may use the portal now (an active service contract), for pages deciding
    between the portal and the contract page."""
    with uow.read():
        try:
            reseller_of(uow, actor)
        except ContractNotActive:
            return False
    return True

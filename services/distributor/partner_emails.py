"""The emails about one of the distributor's partners (its set-password link), for the partner's page."""

from __future__ import annotations

from data.models import Contract
from services.access import distributor_of, own
from services.actors import SignedInUser
from services.errors import NotFound
from services.mail.outbox import EmailStatus, statuses_about
from services.rules import is_storable
from services.unit_of_work import UnitOfWork


def partner_emails(uow: UnitOfWork, actor: SignedInUser, contract_id: str) -> list[EmailStatus]:
    """The emails sent about this partner's contract (the representative's set-password link), oldest first."""
    distributor_id = distributor_of(actor)
    with uow.read():
        contract = uow.session.get(Contract, contract_id) if is_storable(contract_id) else None
        if contract is None:
            raise NotFound("No such partner.")
        own(distributor_id, contract.distributor_id, "partner")
        return [e for e in statuses_about(uow.session, contract.id) if e.kind == "set_password"]

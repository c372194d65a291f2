"""A new service contract for a removed partner. The distributor offers it from the partner's page: an invitation
bound to the reseller's existing account, on the agreement version that is active now. A user of that account,
signed in, reviews and signs it; the partner is active again, and the old contract stays terminated with its
evidence."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col, select

from data.models import (
    Account,
    AgreementVersion,
    Contract,
    ContractStatus,
    Invitation,
    InvitationStatus,
    User,
    UserStatus,
)
from data.models.types import utcnow
from data.settings import DEFAULT_INVITATION_DAYS
from services import audit
from services.access import distributor_of, own
from services.activation import contracts
from services.activation.invitations import (
    MAX_EXPIRY_DAYS,
    InvitationTerms,
    IssuedInvitation,
    add_invitation,
    usable_invitation,
)
from services.actors import SignedInUser
from services.distributor.partners import CONTRACT_ACTIONS, PartnerAction
from services.errors import FieldErrors, Forbidden, InvalidState, NotFound
from services.requests import check_not_done, record_done
from services.rules import ACCEPTANCE_REQUIRED, is_storable
from services.unit_of_work import UnitOfWork

OPEN = (InvitationStatus.PENDING, InvitationStatus.IN_PROGRESS)
SIGNATURE_REQUIRED = "Tick the box to sign the contract."


@dataclass(frozen=True)
class SignedAgain:
    """What :func:`sign_new_contract` signed."""

    contract_id: str
    account_id: str
    user_id: str


def offer_new_contract(
    uow: UnitOfWork,
    actor: SignedInUser,
    contract_id: str,
    *,
    expires_in_days: int = DEFAULT_INVITATION_DAYS,
    request_key: str | None = None,
) -> IssuedInvitation:
    """Offer a removed partner (``contract_id`` is its terminated contract) a new contract; the URL token is
    returned once. Refused, with the reason, when it could never be signed: the partner is active again or
    has an offer out already, or nobody in its account can sign in."""
    distributor_id = distributor_of(actor)
    errors = FieldErrors()
    if not 1 <= expires_in_days <= MAX_EXPIRY_DAYS:
        errors.add("expires_in_days", f"An invitation expires in 1 to {MAX_EXPIRY_DAYS} days.")
    errors.raise_if_any()
    with uow.write():
        issued = _offer(uow, actor, distributor_id, contract_id, expires_in_days, request_key)
        uow.commit()
    return issued


def _offer(
    uow: UnitOfWork,
    actor: SignedInUser,
    distributor_id: str,
    contract_id: str,
    expires_in_days: int,
    request_key: str | None,
) -> IssuedInvitation:
    session = uow.session
    check_not_done(session, request_key)
    old = session.get(Contract, contract_id.strip()) if is_storable(contract_id) else None
    own(distributor_id, old.distributor_id if old else None, "partner")
    assert old is not None
    if PartnerAction.OFFER_NEW_CONTRACT not in CONTRACT_ACTIONS[old.status] or old.reseller_account_id is None:
        raise InvalidState("Only a removed partner can be offered a new contract.")
    # Locked until the block ends (PostgreSQL): two offers to one account take turns, and the second sees the first.
    account = uow.get_for_update(Account, old.reseller_account_id)
    assert account is not None  # guaranteed by the foreign key
    now = utcnow()
    for other, invitation in session.exec(
        select(Contract, Invitation)
        .outerjoin(Invitation, col(Invitation.contract_id) == col(Contract.id))
        .where(Contract.distributor_id == distributor_id, Contract.reseller_account_id == account.id)
    ):
        if other.status == ContractStatus.ACTIVE:
            raise InvalidState(f"{account.name} is your partner again already (contract {other.id}).")
        if invitation is not None and invitation.effective_status(now) in OPEN:
            raise InvalidState(
                f"{account.name} has a new contract offered already ({invitation.id}). Its link is the one to "
                "use; revoke it first to offer another."
            )
    signees = session.exec(
        select(User).where(User.account_id == account.id, User.status == UserStatus.ACTIVE).order_by(col(User.id))
    ).all()
    if not signees:
        raise InvalidState(f"Nobody at {account.name} can sign in, so a new contract could never be signed.")
    signee = next((user for user in signees if user.id == old.signee_user_id), signees[0])
    terms = InvitationTerms(signee.email, account.name, None, expires_in_days)
    issued = add_invitation(session, distributor_id, terms, actor=actor.user_id, reseller_account_id=account.id)
    audit.record(
        session,
        actor=actor.user_id,
        action="contract.new_contract_offered",
        object_type="contract",
        object_id=old.id,
        invitation=issued.invitation.id,
    )
    record_done(session, request_key, action="contract.offered", actor=actor.user_id, object_id=issued.invitation.id)
    return issued


def sign_new_contract(
    uow: UnitOfWork,
    token: str,
    *,
    user_id: str,
    accepted: bool,
    signed: bool,
    client_address: str | None = None,
    user_agent: str | None = None,
) -> SignedAgain:
    """The signed-in ``user_id`` accepts the agreement and signs the contract offered to its account, with the
    same evidence as an activation; the invitation is used up (once: racing signatures of one link take turns on
    its lock, and the second finds it used)."""
    with uow.write():
        signed_again = _sign(uow, token, user_id, accepted, signed, client_address, user_agent)
        uow.commit()
    return signed_again


def _sign(
    uow: UnitOfWork,
    token: str,
    user_id: str,
    accepted: bool,
    signed: bool,
    client_address: str | None,
    user_agent: str | None,
) -> SignedAgain:
    session = uow.session
    invitation = usable_invitation(uow, token)
    if invitation.reseller_account_id is None:
        raise InvalidState("This invitation is for a new reseller: walk the activation steps instead.")
    user = session.get(User, user_id) if is_storable(user_id) else None
    account = session.get(Account, invitation.reseller_account_id)
    assert account is not None  # guaranteed by the foreign key
    if user is None or user.status != UserStatus.ACTIVE or user.account_id != account.id:
        raise Forbidden(f"This contract is offered to {account.name}: sign in as one of its users to sign it.")
    errors = FieldErrors()
    if not accepted:
        errors.add("accepted", ACCEPTANCE_REQUIRED)
    if not signed:
        errors.add("signed", SIGNATURE_REQUIRED)
    errors.raise_if_any()
    contract = session.get(Contract, invitation.contract_id)
    version = session.get(AgreementVersion, invitation.agreement_version_id)
    if contract is None or version is None:
        raise NotFound("No such contract.")
    now = utcnow()
    contracts.sign(
        session,
        contract,
        signee=user,
        text_sha256=version.text_sha256,
        accepted_at=now,
        signed_at=now,
        client_address=client_address,
        user_agent=user_agent,
    )
    invitation.status = InvitationStatus.ACTIVATED
    invitation.activated_at = now
    session.add(invitation)
    audit.record(
        session,
        actor=user.id,
        action="invitation.activated",
        object_type="invitation",
        object_id=invitation.id,
        client_address=client_address,
    )
    return SignedAgain(contract_id=contract.id, account_id=account.id, user_id=user.id)

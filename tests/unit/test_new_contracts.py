"""Termination is not a dead end: a removed partner can be offered a new contract and sign it from its existing
account, and an invitation that could never be completed is refused when it is created, with the reason."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from data.models import Account, AccountKind, Contract, ContractStatus, Invitation, InvitationStatus, User
from portal_testing.factories import EMAIL, RESELLER, Portal
from services import accounts
from services.activation import steps as activation
from services.actors import SignedInUser
from services.distributor import invitations as distributor_invitations
from services.distributor import new_contracts, partners
from services.errors import Forbidden, InvalidState, InvitationForExistingAccount, ValidationFailed

OTHER = "Other Distribution GmbH"


def removed_partner(portal: Portal) -> tuple[SignedInUser, str]:
    """A distributor user and the terminated contract of its removed partner (Champions Corp, Jane Doe)."""
    actor = portal.distributor_user()
    token = distributor_invitations.invite(portal.uow(), actor, company_name=RESELLER).token
    created = portal.activate(token)
    partners.terminate_contract(portal.uow(), actor, created.contract_id, reason="Ended in a test.")
    return actor, created.contract_id


def resellers(portal: Portal) -> int:
    with portal.session() as session:
        return session.exec(select(func.count()).select_from(Account).where(Account.kind == AccountKind.RESELLER)).one()


def test_a_removed_partner_signs_a_new_contract_and_the_old_one_stays_terminated(portal: Portal) -> None:
    actor, old_id = removed_partner(portal)
    with portal.session() as session:
        old_before = session.get(Contract, old_id)
    offer = new_contracts.offer_new_contract(portal.uow(), actor, old_id)
    view = activation.open_invitation(portal.uow(), offer.token)
    assert (view.existing_account_name, view.email, view.agreement_version) == (RESELLER, EMAIL, 1)
    with pytest.raises(InvitationForExistingAccount):
        activation.accept_agreement(portal.uow(), offer.token, email="new@x.example", accepted=True, revision=0)
    with pytest.raises(InvalidState, match="offered already"):
        new_contracts.offer_new_contract(portal.uow(), actor, old_id)

    with portal.session() as session:
        jane = session.exec(select(User).where(User.email == EMAIL)).one()
    with pytest.raises(ValidationFailed) as unticked:
        new_contracts.sign_new_contract(portal.uow(), offer.token, user_id=jane.id, accepted=False, signed=False)
    assert set(unticked.value.errors) == {"accepted", "signed"}
    signed = new_contracts.sign_new_contract(
        portal.uow(), offer.token, user_id=jane.id, accepted=True, signed=True, client_address="198.51.100.8"
    )

    with portal.session() as session:
        new = session.get(Contract, signed.contract_id)
        old_after = session.get(Contract, old_id)
    rows = partners.list_partners(portal.uow(), actor)
    portal_home = accounts.portal_view(portal.uow(), jane.id)
    assert new is not None and new.status == ContractStatus.ACTIVE
    assert (new.reseller_account_id, new.signee_user_id, new.evidence_email) == (jane.account_id, jane.id, EMAIL)
    assert new.evidence_client_address == "198.51.100.8" and new.evidence_text_sha256 is not None
    assert old_after == old_before  # still terminated, with its evidence
    assert [(row.contract_id, row.status) for row in rows] == [
        (new.id, partners.PartnerStatus.ACTIVE),
        (old_id, partners.PartnerStatus.REMOVED),
    ]
    assert portal_home.has_active_contract and len(portal_home.contracts) == 2
    assert resellers(portal) == 1
    assert portal.invitation_for(offer.token).status == InvitationStatus.ACTIVATED
    detail = partners.partner_detail(portal.uow(), actor, old_id)
    assert detail.next_contract is not None and detail.next_contract.contract_id == new.id
    with pytest.raises(InvalidState, match="partner again already"):
        new_contracts.offer_new_contract(portal.uow(), actor, old_id)


def test_only_a_user_of_the_account_signs_its_offer(portal: Portal) -> None:
    actor, old_id = removed_partner(portal)
    offer = new_contracts.offer_new_contract(portal.uow(), actor, old_id)
    stranger = portal.activate(portal.invite(), email="stranger@x.example", company="Stranger Ltd")
    with pytest.raises(Forbidden, match="offered to Champions Corp"):
        new_contracts.sign_new_contract(portal.uow(), offer.token, user_id=stranger.user_id, accepted=True, signed=True)
    with pytest.raises(Forbidden):
        new_contracts.sign_new_contract(portal.uow(), offer.token, user_id=actor.user_id, accepted=True, signed=True)
    assert portal.invitation_for(offer.token).status == InvitationStatus.PENDING


def test_a_revoked_offer_is_reissued_bound_to_the_same_account(portal: Portal) -> None:
    actor, old_id = removed_partner(portal)
    offer = new_contracts.offer_new_contract(portal.uow(), actor, old_id)
    distributor_invitations.revoke_invitation(portal.uow(), actor, offer.invitation.id)
    again = distributor_invitations.reissue_invitation(portal.uow(), actor, offer.invitation.id)
    view = activation.open_invitation(portal.uow(), again.token)
    with portal.session() as session:
        contract = session.get(Contract, again.invitation.contract_id)
    assert view.existing_account_name == RESELLER
    assert contract is not None and contract.reseller_account_id == view.existing_account_id


def test_an_invitation_that_could_never_be_completed_is_refused_with_the_reason(portal: Portal) -> None:
    actor, old_id = removed_partner(portal)
    with pytest.raises(ValidationFailed) as removed:
        distributor_invitations.invite(portal.uow(), actor, invitee_email=EMAIL.upper())
    assert removed.value.errors["email"] == (
        f"{EMAIL} belongs to a user of Champions Corp, a partner you removed, so a new invitation could never be "
        "completed. Offer them a new contract from their page in Partners."
    )
    with pytest.raises(ValidationFailed, match="a partner you removed"):
        partners.create_reseller_account(
            portal.uow(), actor, legal_name="Champions Corp", representative_name="Jane", representative_email=EMAIL
        )
    new_contracts.offer_new_contract(portal.uow(), actor, old_id)
    with pytest.raises(ValidationFailed, match="waiting to be signed"):
        distributor_invitations.invite(portal.uow(), actor, invitee_email=EMAIL)

    other = portal.distributor_user(OTHER)  # another distributor learns nothing about another tenant's users:
    distributor_invitations.invite(portal.uow(), other, invitee_email=EMAIL)
    with portal.session() as session:
        assert session.exec(select(func.count()).select_from(Invitation)).one() == 3  # first, offer, other's


def test_an_offer_to_an_account_nobody_can_sign_in_to_is_refused(portal: Portal) -> None:
    actor, old_id = removed_partner(portal)
    with portal.session() as session:
        for user in session.exec(select(User).where(User.email == EMAIL)):
            user.status = "disabled"  # type: ignore[assignment]  # the stored value, as the database holds it
            session.add(user)
        session.commit()
    with pytest.raises(InvalidState, match="Nobody at Champions Corp can sign in"):
        new_contracts.offer_new_contract(portal.uow(), actor, old_id)


def test_only_a_removed_partner_is_offered_a_new_contract(portal: Portal) -> None:
    actor = portal.distributor_user()
    created = portal.activate(portal.invite())
    with pytest.raises(InvalidState, match="Only a removed partner"):
        new_contracts.offer_new_contract(portal.uow(), actor, created.contract_id)
    other = portal.distributor_user(OTHER)
    with pytest.raises(Exception, match="No such partner"):
        new_contracts.offer_new_contract(portal.uow(), other, created.contract_id)

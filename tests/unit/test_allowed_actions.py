"""Each status machine is decided once, in its service: the actions a view object allows (``allowed_actions``,
all the pages show) are exactly the actions its service then accepts; every other one is refused."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from data.models import InvitationStatus
from portal_testing.factories import Portal
from services.actors import SignedInUser
from services.distributor import agreements, invitation_emails, new_contracts, partners
from services.distributor import invitations as distributor_invitations
from services.distributor.invitations import InvitationAction
from services.distributor.partners import PartnerAction
from services.errors import InvalidState

INVITATION_STATES: dict[str, Callable[[Portal, str, str], object]] = {
    "not opened": lambda portal, token, name: None,
    "in progress": lambda portal, token, name: portal.walk_to(token, 3, email=f"{name}@acme.example"),
    "activated": lambda portal, token, name: portal.activate(
        token, email=f"{name}@acme.example", company=f"{name.title()} Inc"
    ),
    "expired": lambda portal, token, name: portal.set_invitation(token, expired=True),
    "revoked": lambda portal, token, name: portal.set_invitation(token, status=InvitationStatus.REVOKED),
}
INVITATION_ACTIONS: dict[InvitationAction, Callable[..., object]] = {
    InvitationAction.REVOKE: distributor_invitations.revoke_invitation,
    InvitationAction.REISSUE: distributor_invitations.reissue_invitation,
    InvitationAction.RESEND: invitation_emails.resend_invitation,
}


def row_of(portal: Portal, actor: SignedInUser, token: str) -> distributor_invitations.InvitationRow:
    invitation_id = portal.invitation_for(token).id
    return distributor_invitations.invitation_detail(portal.uow(), actor, invitation_id).row


@pytest.mark.parametrize("state", INVITATION_STATES)
def test_an_invitation_allows_exactly_what_its_service_accepts(portal: Portal, state: str) -> None:
    actor = portal.distributor_user()
    for action, act in INVITATION_ACTIONS.items():
        token = portal.invite(company_name=f"{action} Inc", invitee_email=f"{action}@invited.example")
        INVITATION_STATES[state](portal, token, str(action))
        row = row_of(portal, actor, token)
        assert row.allowed_actions <= set(INVITATION_ACTIONS)
        if action in row.allowed_actions:
            act(portal.uow(), actor, row.invitation_id)
        else:
            with pytest.raises(InvalidState):
                act(portal.uow(), actor, row.invitation_id)
    expected = {
        "not opened": {InvitationAction.REVOKE, InvitationAction.RESEND},
        "in progress": {InvitationAction.REVOKE, InvitationAction.RESEND},
        "activated": set(),
        "expired": {InvitationAction.REISSUE},
        "revoked": {InvitationAction.REISSUE},
    }[state]
    token = portal.invite(company_name="Check Inc")
    INVITATION_STATES[state](portal, token, "check")
    assert row_of(portal, actor, token).allowed_actions == expected


def test_a_reissued_invitation_is_no_longer_offered_for_reissue(portal: Portal) -> None:
    actor = portal.distributor_user()
    token = portal.invite(company_name="Again Inc")
    portal.set_invitation(token, expired=True)
    row = row_of(portal, actor, token)
    distributor_invitations.reissue_invitation(portal.uow(), actor, row.invitation_id)
    assert row_of(portal, actor, token).allowed_actions == set()
    with pytest.raises(InvalidState):
        distributor_invitations.reissue_invitation(portal.uow(), actor, row.invitation_id)


PARTNER_ACTIONS: dict[PartnerAction, Callable[[Portal, SignedInUser, str], object]] = {
    PartnerAction.TERMINATE_CONTRACT: lambda portal, actor, contract: partners.terminate_contract(
        portal.uow(), actor, contract, reason="Unpaid invoices."
    ),
    PartnerAction.OFFER_NEW_CONTRACT: lambda portal, actor, contract: new_contracts.offer_new_contract(
        portal.uow(), actor, contract
    ),
    PartnerAction.REMOVE_ACCOUNT: lambda portal, actor, contract: partners.remove_reseller_account(
        portal.uow(), actor, contract
    ),
}


def _partner_in(portal: Portal, actor: SignedInUser, state: str, name: str) -> str:
    """A partner of ``actor``'s distributor in ``state``; its contract ID."""
    if state == "created directly":
        return partners.create_reseller_account(
            portal.uow(),
            actor,
            legal_name=f"{name.title()} Inc",
            representative_name="Rita Rep",
            representative_email=f"rita-{name}@acme.example",
        ).contract_id
    token = portal.invite(company_name=f"{name.title()} Inc")
    if state == "invited":
        return portal.invitation_for(token).contract_id
    contract_id = portal.activate(token, email=f"{name}@acme.example", company=f"{name.title()} Inc").contract_id
    if state == "removed":
        partners.terminate_contract(portal.uow(), actor, contract_id, reason="Unpaid invoices.")
    return contract_id


@pytest.mark.parametrize("state", ["created directly", "invited", "active", "removed"])
def test_a_partner_allows_exactly_what_its_services_accept(portal: Portal, state: str) -> None:
    actor = portal.distributor_user()
    for action, act in PARTNER_ACTIONS.items():
        contract_id = _partner_in(portal, actor, state, f"{state.split()[0]}-{action.value}".replace("_", "-"))
        allowed = partners.partner_detail(portal.uow(), actor, contract_id).allowed_actions
        if action in allowed:
            act(portal, actor, contract_id)
        else:
            with pytest.raises(InvalidState):
                act(portal, actor, contract_id)
    expected = {
        "created directly": {PartnerAction.REMOVE_ACCOUNT},
        "invited": set(),  # its link is revoked on the invitations page
        "active": {PartnerAction.TERMINATE_CONTRACT},
        "removed": {PartnerAction.OFFER_NEW_CONTRACT},
    }[state]
    contract_id = _partner_in(portal, actor, state, "check")
    assert partners.partner_detail(portal.uow(), actor, contract_id).allowed_actions == expected


def test_a_removed_partner_with_a_new_contract_out_is_not_offered_another(portal: Portal) -> None:
    actor = portal.distributor_user()
    contract_id = _partner_in(portal, actor, "removed", "twice")
    new_contracts.offer_new_contract(portal.uow(), actor, contract_id)
    assert partners.partner_detail(portal.uow(), actor, contract_id).allowed_actions == set()
    with pytest.raises(InvalidState):
        new_contracts.offer_new_contract(portal.uow(), actor, contract_id)


def test_every_agreement_can_get_a_new_version(portal: Portal) -> None:
    actor = portal.distributor_user()
    [summary] = agreements.list_agreements(portal.uow(), actor)
    assert summary.allowed_actions == {agreements.AgreementAction.PUBLISH_VERSION}
    agreements.publish_version(portal.uow(), actor, summary.agreement_id, text="# Terms\n\nVersion two.")

"""The distributor's pages through NiceGUI's simulated user: access rules and the invitation desk."""

from __future__ import annotations

import pytest
from nicegui import ui
from nicegui.testing import User
from sqlmodel import select

from data.models import InvitationStatus
from portal_testing.factories import EMAIL, PASSWORD, Portal
from tests.ui.test_activation_stepper import until


async def sign_in(user: User, email: str, path: str = "/login") -> None:
    await user.open(path)
    user.find("Email").type(email)
    user.find("Password").type(PASSWORD)
    user.find("Sign in").trigger("click")


async def open_create_invitation(user: User, app_portal: Portal) -> None:
    """A distributor user signed in, with the Create invitation dialog open."""
    app_portal.distributor_user(email="mick@mighty.example")
    await sign_in(user, "mick@mighty.example")
    await user.should_see("Create invitation", retries=30)
    user.find(marker="create-invitation").click()
    await user.should_see(marker="invite-expiry", retries=30)


async def test_signed_out_visitor_is_sent_to_sign_in_and_back(user: User, app_portal: Portal) -> None:
    app_portal.distributor_user(email="mick@mighty.example")
    await sign_in(user, "mick@mighty.example", "/distributor/partners")
    await user.should_see("Resellers you invited or created, and resellers with a signed service contract.", retries=30)


async def test_a_reseller_never_reaches_distributor_pages(user: User, app_portal: Portal) -> None:
    app_portal.activate(app_portal.invite())
    await sign_in(user, EMAIL)
    await user.should_see(marker="next-step", retries=30)
    for path in ["/distributor", "/distributor/invitations", "/distributor/agreements", "/distributor/partners"]:
        await user.open(path)
        await user.should_see(marker="next-step", retries=30)
        await user.should_not_see("Create invitation")


async def test_a_distributor_lands_on_invitations_and_is_kept_out_of_the_reseller_portal(
    user: User, app_portal: Portal
) -> None:
    app_portal.distributor_user(email="mick@mighty.example")
    await sign_in(user, "mick@mighty.example")
    await user.should_see("Create invitation", retries=30)
    await user.open("/portal")
    await user.should_see("Create invitation", retries=30)


async def test_create_invitation_shows_the_link_once(user: User, app_portal: Portal) -> None:
    await open_create_invitation(user, app_portal)
    user.find(marker="invite-email").type("bad email")
    user.find(marker="create-invitation-submit").click()
    email_input = user.find(marker="invite-email").elements.pop()
    assert isinstance(email_input, ui.input)
    await until(lambda: email_input.error)
    user.find(marker="invite-email").clear().type("bob@acme.example")
    user.find(marker="invite-company").type("Acme Inc.")
    user.find(marker="create-invitation-submit").click()
    await user.should_see("Invitation created", retries=30)
    link = user.find(marker="new-link").elements.pop()
    assert isinstance(link, ui.input) and "/activate/" in (link.value or "")
    token = (link.value or "").rsplit("/", 1)[1]
    assert app_portal.invitation_for(token).company_name == "Acme Inc."
    await user.should_see("bob@acme.example")


@pytest.fixture
def thirty_day_links(monkeypatch: pytest.MonkeyPatch) -> None:
    """PORTAL_INVITATION_DAYS=30 for the app the ``user`` fixture starts after this one."""
    monkeypatch.setenv("PORTAL_INVITATION_DAYS", "30")


async def test_the_create_dialog_offers_the_configured_link_validity(
    thirty_day_links: None, user: User, app_portal: Portal
) -> None:
    await open_create_invitation(user, app_portal)
    expiry = user.find(marker="invite-expiry").elements.pop()
    assert isinstance(expiry, ui.input) and expiry.value == "30"
    user.find(marker="invite-company").type("Thirty Days Inc.")
    user.find(marker="create-invitation-submit").click()
    await user.should_see("Invitation created", retries=30)
    link = user.find(marker="new-link").elements.pop()
    assert isinstance(link, ui.input)
    invitation = app_portal.invitation_for((link.value or "").rsplit("/", 1)[1])
    assert (invitation.expires_at - invitation.created_at).days == 30


async def test_revoke_asks_first(user: User, app_portal: Portal) -> None:
    actor = app_portal.distributor_user(email="mick@mighty.example")
    from services.distributor import invitations as distributor_invitations

    issued = distributor_invitations.invite(app_portal.uow(), actor, company_name="Revoke Me Inc")
    await sign_in(user, "mick@mighty.example")
    await user.should_see("Revoke Me Inc", retries=30)
    user.find(marker=f"revoke-{issued.invitation.id}").click()
    await user.should_see("Revoke the invitation for Revoke Me Inc?", retries=30)
    user.find("Cancel").click()
    await user.should_not_see("Revoke the invitation for Revoke Me Inc?", retries=30)
    assert app_portal.invitation_for(issued.token).status == InvitationStatus.PENDING
    user.find(marker=f"revoke-{issued.invitation.id}").click()
    await user.should_see("Revoke the invitation for Revoke Me Inc?", retries=30)
    user.find(marker="confirm").click()
    await user.should_see(marker=f"reissue-{issued.invitation.id}", retries=30)
    assert app_portal.invitation_for(issued.token).status == InvitationStatus.REVOKED


async def test_a_page_left_open_after_signing_out_can_do_nothing(user: User, app_portal: Portal) -> None:
    """Signing out in one tab ends the session for every tab: a page still open re-checks it at each action."""
    actor = app_portal.distributor_user(email="mick@mighty.example")
    from services.distributor import invitations as distributor_invitations

    issued = distributor_invitations.invite(app_portal.uow(), actor, company_name="Still Pending Inc")
    await sign_in(user, "mick@mighty.example")
    await user.should_see("Still Pending Inc", retries=30)
    user.find(marker=f"revoke-{issued.invitation.id}").click()
    await user.should_see("Revoke the invitation for Still Pending Inc?", retries=30)
    open_page = user.client
    signed_out = await user.http_client.post("/logout", headers={"Origin": "http://test"})  # in another tab
    assert signed_out.status_code == 303
    await user.should_see("Sign in to your reseller portal.", retries=30)  # open pages are sent to sign-in
    user.client = open_page  # one that missed that (asleep, offline) and comes back
    user.find(marker="confirm").click()
    await until(lambda: user.client is not open_page)
    await user.should_see("Sign in to your reseller portal.", retries=30)
    assert app_portal.invitation_for(issued.token).status == InvitationStatus.PENDING


async def test_double_click_on_create_issues_one_invitation(user: User, app_portal: Portal) -> None:
    from data.models import Invitation

    await open_create_invitation(user, app_portal)
    user.find(marker="invite-company").type("Clicked Twice Inc.")
    submit = user.find(marker="create-invitation-submit")
    submit.click()
    submit.click()  # both presses go out before the first one is answered
    await user.should_see("Invitation created", retries=30)
    await user.should_see("Clicked Twice Inc.", retries=30)
    with app_portal.session() as session:
        made = session.exec(select(Invitation).where(Invitation.company_name == "Clicked Twice Inc.")).all()
    assert len(made) == 1


async def test_double_click_on_publish_publishes_one_version(user: User, app_portal: Portal) -> None:
    from data.models import AgreementVersion

    app_portal.distributor_user(email="mick@mighty.example")
    await sign_in(user, "mick@mighty.example", "/distributor/agreements")
    await user.should_see("Publish new version", retries=30)
    user.find("Publish new version").click()
    await user.should_see(marker="agreement-text", retries=30)
    user.find(marker="agreement-text").clear().type("# Terms\n\nVersion two.")
    submit = user.find(marker="publish-submit")
    submit.click()
    submit.click()
    await user.should_see("Version 2", retries=30)
    await user.should_not_see(marker="publish-submit", retries=30)
    with app_portal.session() as session:
        versions = session.exec(select(AgreementVersion.version)).all()
    assert sorted(versions) == [1, 2]


async def test_a_removed_partner_is_offered_a_new_contract_and_signs_it_from_its_account(
    user: User, app_portal: Portal
) -> None:
    from services.distributor import partners

    actor = app_portal.distributor_user(email="mick@mighty.example")
    created = app_portal.activate(app_portal.invite(company_name="Champions Corp"))
    partners.terminate_contract(app_portal.uow(), actor, created.contract_id, reason="Ended in a test.")
    await sign_in(user, "mick@mighty.example", f"/distributor/partners/{created.contract_id}")
    await user.should_see(marker="offer-new-contract", retries=30)
    user.find(marker="offer-new-contract").click()
    await user.should_see("New contract offered", retries=30)
    link = user.find(marker="new-link").elements.pop()
    assert isinstance(link, ui.input)
    token = (link.value or "").rsplit("/", 1)[1]
    await user.should_see(marker="next-contract", retries=30)

    signed_out = await user.http_client.post("/logout", headers={"Origin": "http://test"})
    assert signed_out.status_code == 303
    await user.open(f"/activate/{token}")
    await user.should_see("A new service contract for Champions Corp")
    await user.should_see("Sign in with your Champions Corp account to review and sign it.")
    user.find(marker="sign-in").click()
    await user.should_see("Sign in to your reseller portal.", retries=30)
    user.find("Email").type(EMAIL)
    user.find("Password").type(PASSWORD)
    user.find("Sign in").trigger("click")
    await user.should_see("I sign this service contract on behalf of Champions Corp", retries=30)
    user.find(marker="accepted").click()
    user.find(marker="signed").click()
    user.find(marker="sign-new-contract").click()
    await user.should_see(marker="next-step", retries=30)
    await user.should_see("Terminated")
    rows = partners.list_partners(app_portal.uow(), actor)
    ours = [row.status for row in rows if row.reseller_account_id == created.account_id]
    assert ours == [partners.PartnerStatus.ACTIVE, partners.PartnerStatus.REMOVED]

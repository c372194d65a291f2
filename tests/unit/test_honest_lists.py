"""Lists that tell the truth (issue #12, items 9–12): what happened to an invitation as soon as it is true, its
history in words, every opening of a link, the partners directory with search, filter and pages, signed contracts
only counted as contracts, input refused instead of changed, and bad links that name the distributor."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import col, select

from data.models import AuditEvent
from portal_testing.factories import DISTRIBUTOR, FULL_NAME, Portal
from services.activation import steps as activation
from services.actors import SignedInUser
from services.distributor import agreements, partners
from services.distributor import invitations as distributor_invitations
from services.distributor.invitations import InvitationProgress
from services.distributor.partners import PartnerStatus
from services.errors import InvitationAlreadyActivated, InvitationExpired, InvitationRevoked, ValidationFailed


def row_of(portal: Portal, actor: SignedInUser, token: str) -> distributor_invitations.InvitationRow:
    invitation_id = portal.invitation_for(token).id
    page = distributor_invitations.list_invitations(portal.uow(), actor, search=invitation_id)
    [row] = page.rows
    return row


def open_link(portal: Portal, token: str, browser: str | None) -> None:
    activation.open_invitation(portal.uow(), token, client_address="198.51.100.9", browser=browser)


def test_the_list_says_not_opened_opened_and_in_progress_at_the_step_reached(portal: Portal) -> None:
    actor = portal.distributor_user()
    token = portal.invite(company_name="Progress Corp")
    row = row_of(portal, actor, token)
    assert row.progress == InvitationProgress.NOT_OPENED and row.opened_at is None and row.step_reached is None
    open_link(portal, token, "browser-a")
    row = row_of(portal, actor, token)
    assert row.progress == InvitationProgress.OPENED and row.opened_at is not None
    portal.walk_to(token, activation.STEP_COMPANY)  # steps 1 and 2 saved: at step 3
    row = row_of(portal, actor, token)
    assert row.progress == InvitationProgress.IN_PROGRESS and row.step_reached == activation.STEP_COMPANY
    opened = distributor_invitations.list_invitations(portal.uow(), actor, status="opened").rows
    in_progress = distributor_invitations.list_invitations(portal.uow(), actor, status="in_progress").rows
    not_opened = distributor_invitations.list_invitations(portal.uow(), actor, status="not_opened").rows
    assert [r.company_name for r in in_progress] == ["Progress Corp"]
    assert opened == [] and not_opened == []
    with pytest.raises(ValidationFailed) as failure:
        distributor_invitations.list_invitations(portal.uow(), actor, status="<b>bogus</b>")
    assert "bogus" not in failure.value.errors["status"]  # the message never echoes what was sent


def test_every_opening_is_recorded_once_per_browser_in_its_window(
    portal: Portal, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = portal.invite()
    invitation_id = portal.invitation_for(token).id
    for browser in ["browser-a", "browser-a", "browser-b", "browser-a", "browser-b"]:
        open_link(portal, token, browser)

    def openings() -> list[AuditEvent]:
        with portal.session() as session:
            return list(
                session.exec(
                    select(AuditEvent)
                    .where(AuditEvent.object_id == invitation_id, AuditEvent.action == "invitation.opened")
                    .order_by(col(AuditEvent.id))
                ).all()
            )

    assert [event.details for event in openings()] == ['{"browser": "browser-a"}', '{"browser": "browser-b"}']
    monkeypatch.setattr(activation, "OPENING_RECORDED_EVERY", timedelta(0))  # as if half an hour had passed
    open_link(portal, token, "browser-a")
    assert len(openings()) == 3
    assert portal.invitation_for(token).first_opened_at is not None


def test_history_names_people_and_steps_in_words(portal: Portal) -> None:
    actor = portal.distributor_user()
    token = distributor_invitations.invite(portal.uow(), actor, company_name="History Corp").token
    open_link(portal, token, "browser-a")
    portal.activate(token, company="History Corp")
    detail = distributor_invitations.invitation_detail(portal.uow(), actor, portal.invitation_for(token).id)
    lines = [f"{entry.who} {entry.what}" for entry in detail.history]
    assert lines == [
        f"{actor.full_name} created the invitation",
        f"{FULL_NAME} opened the activation link",
        f"{FULL_NAME} saved Review the contract",
        f"{FULL_NAME} saved User properties",
        f"{FULL_NAME} saved Company properties",
        f"{FULL_NAME} activated the reseller portal of History Corp",
    ]
    assert all("US-" not in line and "IN-" not in line for line in lines)  # no raw IDs


def test_partners_search_filter_and_pages(portal: Portal) -> None:
    actor = portal.distributor_user()
    for number in range(3):
        distributor_invitations.invite(portal.uow(), actor, company_name=f"Paged {number} Ltd")
    distributor_invitations.invite(portal.uow(), actor, invitee_email="only-an-email@paged.example")
    distributor_invitations.invite(portal.uow(), actor)  # a bare link: no company yet, not a partner
    active = portal.invite(company_name="Activated Paged GmbH")
    portal.activate(active, company="Activated Paged GmbH", email="casey@paged.example")
    everyone = partners.find_partners(portal.uow(), actor, page_size=2)
    second = partners.find_partners(portal.uow(), actor, page=2, page_size=2)
    third = partners.find_partners(portal.uow(), actor, page=3, page_size=2)
    invited = partners.find_partners(portal.uow(), actor, status="invited")
    found = partners.find_partners(portal.uow(), actor, search="CASEY@paged")
    by_company = partners.find_partners(portal.uow(), actor, search="paged 1")
    with pytest.raises(ValidationFailed):
        partners.find_partners(portal.uow(), actor, status="nonsense")
    with pytest.raises(ValidationFailed):
        partners.find_partners(portal.uow(), actor, search="x" * 201)
    assert everyone.total == 5 and everyone.pages == 3 and len(everyone.rows) == 2
    assert [len(second.rows), len(third.rows)] == [2, 1]
    names = {row.company_name for page in (everyone, second, third) for row in page.rows}
    assert names == {
        "Paged 0 Ltd",
        "Paged 1 Ltd",
        "Paged 2 Ltd",
        "(company name not given yet)",
        "Activated Paged GmbH",
    }
    assert invited.total == 4 and all(row.status == PartnerStatus.INVITED for row in invited.rows)
    assert [row.company_name for row in found.rows] == ["Activated Paged GmbH"]
    assert [row.company_name for row in by_company.rows] == ["Paged 1 Ltd"]
    assert len(partners.list_partners(portal.uow(), actor)) == 5


def test_only_signed_contracts_count_as_contracts(portal: Portal) -> None:
    actor = portal.distributor_user()
    portal.invite()
    portal.invite()
    portal.activate(portal.invite())
    [summary] = agreements.list_agreements(portal.uow(), actor)
    assert summary.versions[0].contracts == 1


@pytest.mark.parametrize(
    ("days", "message"),
    [
        (120, "An invitation expires in 1 to 90 days."),
        (0, "An invitation expires in 1 to 90 days."),
        (0.5, "Enter a whole number of days, from 1 to 90."),
        ("2.5", "Enter a whole number of days, from 1 to 90."),
        (None, "Enter a whole number of days, from 1 to 90."),
    ],
)
def test_expiry_beyond_its_bounds_is_refused_never_changed(portal: Portal, days: object, message: str) -> None:
    actor = portal.distributor_user()
    with pytest.raises(ValidationFailed) as failure:
        distributor_invitations.invite(portal.uow(), actor, expires_in_days=days)  # type: ignore[arg-type]  # deliberately wrong input: the service refuses it
    assert failure.value.errors == {"expires_in_days": message}


def test_a_name_over_the_limit_is_refused_not_cut(portal: Portal) -> None:
    actor = portal.distributor_user()
    long_name = "A" * 190 + " Holdings GmbH"  # 204 characters: cut at 200 it would lose its entity type
    with pytest.raises(ValidationFailed) as failure:
        partners.create_reseller_account(
            portal.uow(), actor, legal_name=long_name, representative_name="Rita", representative_email="r@x.example"
        )
    assert failure.value.errors == {"company_name": "A company name has at most 200 characters."}


def test_create_reseller_account_speaks_of_the_reseller(portal: Portal) -> None:
    actor = portal.distributor_user()
    with pytest.raises(ValidationFailed) as failure:
        partners.create_reseller_account(
            portal.uow(), actor, legal_name="", representative_name="", representative_email=""
        )
    assert failure.value.errors == {
        "company_name": "Enter the reseller's legal name.",
        "full_name": "Enter the representative's full name.",
        "email": "Enter the representative's email address.",
    }
    assert all("your" not in message.lower() for message in failure.value.errors.values())


@pytest.mark.parametrize("problem", ["expired", "revoked", "activated"])
def test_a_dead_link_names_its_distributor(portal: Portal, problem: str) -> None:
    from data.models import InvitationStatus

    token = portal.invite()
    if problem == "expired":
        portal.set_invitation(token, expired=True)
    elif problem == "revoked":
        portal.set_invitation(token, status=InvitationStatus.REVOKED)
    else:
        portal.activate(token)
    expected = {"expired": InvitationExpired, "revoked": InvitationRevoked, "activated": InvitationAlreadyActivated}
    with pytest.raises(expected[problem]) as failure:
        activation.open_invitation(portal.uow(), token)
    assert failure.value.distributor_name == DISTRIBUTOR


@pytest.mark.parametrize("page", [10**9, 10**30])
def test_a_page_far_past_the_end_is_an_empty_page_on_every_list(portal: Portal, page: int) -> None:
    actor = portal.distributor_user()
    distributor_invitations.invite(portal.uow(), actor, company_name="Far Away Ltd")
    invitations = distributor_invitations.list_invitations(portal.uow(), actor, page=page)
    directory = partners.find_partners(portal.uow(), actor, page=page)
    assert (invitations.rows, invitations.total, directory.rows, directory.total) == ([], 1, [], 1)

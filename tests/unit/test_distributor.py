"""The distributor's side: invitations desk, agreements, partners, direct accounts, and access rules."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlmodel import select

from data.models import Contract, ContractStatus, InvitationStatus, User
from data.models.types import utcnow
from portal_testing.factories import EMAIL, PASSWORD, Portal
from services import access, accounts
from services.activation import steps as activation
from services.actors import SignedInUser
from services.distributor import agreements, partners
from services.distributor import invitations as distributor_invitations
from services.distributor.partners import PartnerAction, PartnerStatus
from services.errors import (
    AuthenticationFailed,
    Forbidden,
    InvalidState,
    InvitationRevoked,
    NotFound,
    SetPasswordLinkProblem,
    ValidationFailed,
)

OTHER = "Other Distribution GmbH"


def invite(portal: Portal, actor: SignedInUser, **options: object) -> str:
    return distributor_invitations.invite(portal.uow(), actor, **options).token  # type: ignore[arg-type]  # options are the service's own keywords


def test_distributor_user_signs_in_and_lands_as_distributor(portal: Portal) -> None:
    actor = portal.distributor_user(email="mick@mighty.example")
    signed = accounts.authenticate(portal.uow(), "MICK@mighty.example", PASSWORD)
    assert signed.account_kind == "distributor" and signed.account_id == actor.account_id


def test_distributor_user_rules(portal: Portal) -> None:
    portal.distributor_user(email="mick@mighty.example")
    with pytest.raises(ValidationFailed) as failure:
        accounts.create_distributor_user(portal.uow(), "X Ltd", email="mick@mighty.example", password=PASSWORD)
    assert "email" in failure.value.errors
    with pytest.raises(ValidationFailed) as failure:
        accounts.create_distributor_user(portal.uow(), "X Ltd", email="new@x.example", password="short")
    assert "password" in failure.value.errors


def test_invitation_list_filters_searches_and_pages_newest_first(portal: Portal) -> None:
    actor = portal.distributor_user()
    tokens = [
        invite(portal, actor, company_name=f"Reseller {n:02d} Inc", invitee_email=f"r{n}@x.example") for n in range(30)
    ]
    portal.set_invitation(tokens[0], expired=True)
    portal.set_invitation(tokens[1], status=InvitationStatus.REVOKED)
    portal.walk_to(tokens[2], activation.STEP_USER)
    portal.activate(tokens[3], email="winner@x.example", company="Winner Ltd")
    first = distributor_invitations.list_invitations(portal.uow(), actor, page=1)
    second = distributor_invitations.list_invitations(portal.uow(), actor, page=2)
    counts = {
        status.value: distributor_invitations.list_invitations(portal.uow(), actor, status=status.value).total
        for status in InvitationStatus
    }
    found = distributor_invitations.list_invitations(portal.uow(), actor, search="reseller 29")
    by_account = distributor_invitations.list_invitations(portal.uow(), actor, search="winner ltd")
    wildcard = distributor_invitations.list_invitations(portal.uow(), actor, search="%")
    assert first.total == 30 and len(first.rows) == 25 and len(second.rows) == 5 and first.pages == 2
    assert first.rows[0].company_name == "Reseller 29 Inc"  # newest first
    assert counts == {"pending": 26, "in_progress": 1, "activated": 1, "expired": 1, "revoked": 1}
    assert [row.company_name for row in found.rows] == ["Reseller 29 Inc"]
    assert by_account.rows[0].reseller_name == "Winner Ltd"
    assert wildcard.total == 0  # search text is matched literally


@pytest.mark.parametrize("path", ["index", "reading in order"])
def test_search_finds_substrings_of_every_searched_field_literally(
    portal: Portal, path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if path == "reading in order":  # what a search matching very many invitations does
        monkeypatch.setattr(distributor_invitations, "INDEXED_SEARCH_MAX_MATCHES", 0)
    actor = portal.distributor_user()
    invite(portal, actor, company_name='Quote "Co" Ltd', invitee_email="anna@quote.example")
    invite(portal, actor, company_name="Star*Power OR NEAR(x) Inc", invitee_email="bob@star.example")
    invite(portal, actor, company_name="ÉCOLE Verte SARL", invitee_email="carla@ecole.example")
    activated = invite(portal, actor, company_name="Before Ltd", invitee_email="dan@before.example")
    portal.activate(activated, email="dan@before.example", company="Renamed Legal Name Ltd")
    invitation_id = portal.invitation_for(activated).id

    def companies(search: str) -> list[str | None]:
        return [
            row.company_name
            for row in distributor_invitations.list_invitations(portal.uow(), actor, search=search).rows
        ]

    assert companies('"co"') == ['Quote "Co" Ltd']
    assert companies("r*p") == ["Star*Power OR NEAR(x) Inc"]
    assert companies("OR NEAR(") == ["Star*Power OR NEAR(x) Inc"]
    assert companies("QUOTE.EXAMPLE") == ['Quote "Co" Ltd']
    assert companies("legal name") == ["Before Ltd"]  # the reseller account's name, once activated
    assert companies(invitation_id[3:].lower()) == ["Before Ltd"]
    assert companies("verte sarl") == ["ÉCOLE Verte SARL"]
    assert companies("ca") == ["ÉCOLE Verte SARL"]  # shorter than a trigram: every row is read
    assert companies("no such thing") == []
    if path == "index":  # the index folds case beyond ASCII; SQLite's LIKE folds ASCII only
        assert companies("école") == ["ÉCOLE Verte SARL"]


def test_search_follows_a_renamed_reseller_account(portal: Portal) -> None:
    actor = portal.distributor_user()
    token = invite(portal, actor, company_name="Old Name Ltd")
    account_id = portal.activate(token, company="Old Name Ltd").account_id
    # nothing renames an account yet: the database keeps the search right when something does
    with portal.engine.begin() as connection:
        connection.execute(text("UPDATE account SET name = 'Brand New Corp' WHERE id = :id"), {"id": account_id})
    found = distributor_invitations.list_invitations(portal.uow(), actor, search="brand new")
    assert [row.reseller_name for row in found.rows] == ["Brand New Corp"]


def test_revoke_and_reissue(portal: Portal) -> None:
    actor = portal.distributor_user()
    token = invite(portal, actor, company_name="Acme Inc", note_to_signee="Hi", expires_in_days=7)
    invitation_id = portal.invitation_for(token).id
    with pytest.raises(InvalidState):
        distributor_invitations.reissue_invitation(portal.uow(), actor, invitation_id)
    distributor_invitations.revoke_invitation(portal.uow(), actor, invitation_id)
    with pytest.raises(InvitationRevoked):
        activation.open_invitation(portal.uow(), token)
    with pytest.raises(InvalidState):
        distributor_invitations.revoke_invitation(portal.uow(), actor, invitation_id)
    issued = distributor_invitations.reissue_invitation(portal.uow(), actor, invitation_id)
    assert issued.token != token
    new = portal.invitation_for(issued.token)
    assert (new.company_name, new.note_to_signee, new.reissued_from_id) == ("Acme Inc", "Hi", invitation_id)
    assert (new.expires_at - new.created_at).days == 7
    with pytest.raises(InvitationRevoked):
        activation.open_invitation(portal.uow(), token)  # the old one stays dead
    detail = distributor_invitations.invitation_detail(portal.uow(), actor, invitation_id)
    assert [entry.action for entry in detail.history] == [
        "invitation.created",
        "invitation.revoked",
        "invitation.reissued",
    ]


def test_history_shows_each_step_and_activation(portal: Portal) -> None:
    actor = portal.distributor_user()
    token = invite(portal, actor)
    portal.activate(token)
    detail = distributor_invitations.invitation_detail(portal.uow(), actor, portal.invitation_for(token).id)
    actions = [(entry.action, entry.details.get("step")) for entry in detail.history]
    assert actions == [
        ("invitation.created", None),
        ("activation.step_saved", 1),
        ("activation.step_saved", 2),
        ("activation.step_saved", 3),
        ("invitation.activated", None),
    ]
    assert detail.row.status == InvitationStatus.ACTIVATED and detail.row.reseller_name == "Champions Corp"


def test_publishing_a_version_changes_new_invitations_only(portal: Portal) -> None:
    actor = portal.distributor_user()
    old_token = invite(portal, actor)
    signed = portal.activate(invite(portal, actor), email="early@x.example")
    [summary] = agreements.list_agreements(portal.uow(), actor)
    version = agreements.publish_version(portal.uow(), actor, summary.agreement_id, text="# Version two\n\nNew terms.")
    assert version.version == 2 and version.is_active
    new_token = invite(portal, actor)
    assert activation.open_invitation(portal.uow(), new_token).agreement_text.startswith("# Version two")
    assert activation.open_invitation(portal.uow(), old_token).agreement_version == 1
    with portal.session() as session:
        contract = session.get(Contract, signed.contract_id)
    [summary] = agreements.list_agreements(portal.uow(), actor)
    assert contract is not None and contract.agreement_version_id == summary.versions[1].version_id
    assert [(v.version, v.is_active) for v in summary.versions] == [(2, True), (1, False)]
    with pytest.raises(ValidationFailed):
        agreements.publish_version(portal.uow(), actor, summary.agreement_id, text="   ")


def test_create_agreement_and_invite_with_a_chosen_version(portal: Portal) -> None:
    actor = portal.distributor_user()
    agreement = agreements.create_agreement(portal.uow(), actor, title="Cloud Addendum", text="Cloud terms.")
    summaries = agreements.list_agreements(portal.uow(), actor)
    chosen = next(s for s in summaries if s.agreement_id == agreement.id).versions[0].version_id
    token = invite(portal, actor, agreement_version_id=chosen)
    view = activation.open_invitation(portal.uow(), token)
    assert view.agreement_title == "Cloud Addendum" and view.agreement_text == "Cloud terms."


def test_partners_directory_and_termination(portal: Portal) -> None:
    actor = portal.distributor_user()
    invited = invite(portal, actor, company_name="Invited Inc", invitee_email="inv@x.example")
    dead = invite(portal, actor, company_name="Dead Link Ltd")
    portal.set_invitation(dead, status=InvitationStatus.REVOKED)
    created = portal.activate(invite(portal, actor), email="active@x.example", company="Active Corp")
    rows = {row.company_name: row for row in partners.list_partners(portal.uow(), actor)}
    assert set(rows) == {"Invited Inc", "Active Corp", "Champions Corp"} - {"Champions Corp"}
    assert rows["Invited Inc"].status == PartnerStatus.INVITED
    assert rows["Invited Inc"].invitation_id == portal.invitation_for(invited).id
    assert rows["Active Corp"].status == PartnerStatus.ACTIVE and rows["Active Corp"].signed_at is not None
    detail = partners.partner_detail(portal.uow(), actor, created.contract_id)
    assert detail.evidence_email == "active@x.example" and detail.evidence_client_address == "203.0.113.7"
    partners.terminate_contract(portal.uow(), actor, created.contract_id, reason="Ended in a test.")
    with pytest.raises(InvalidState):
        partners.terminate_contract(portal.uow(), actor, created.contract_id, reason="Ended in a test.")
    row = next(r for r in partners.list_partners(portal.uow(), actor) if r.contract_id == created.contract_id)
    view = accounts.portal_view(portal.uow(), created.user_id)
    assert row.status == PartnerStatus.REMOVED
    assert not view.has_active_contract and view.contracts[0].status == ContractStatus.TERMINATED


def test_direct_reseller_account_and_set_password_link(portal: Portal) -> None:
    actor = portal.distributor_user()
    direct = partners.create_reseller_account(
        portal.uow(),
        actor,
        legal_name="Direct Sales Ltd",
        representative_name="Rita Rep",
        representative_email="rita@d.example",
    )
    [row] = [r for r in partners.list_partners(portal.uow(), actor) if r.contract_id == direct.contract_id]
    with portal.session() as session:
        user = session.exec(select(User).where(User.email == "rita@d.example")).first()
    assert row.status == PartnerStatus.INVITED and row.representative_email == "rita@d.example"
    assert row.representative_name == "Rita Rep"
    assert row.allowed_actions == {PartnerAction.REMOVE_ACCOUNT}
    assert user is None  # created when the link is used: until then the email reserves nothing
    with pytest.raises(AuthenticationFailed):
        accounts.authenticate(portal.uow(), "rita@d.example", PASSWORD)
    view = partners.open_set_password_link(portal.uow(), direct.token)
    assert (view.company_name, view.full_name, view.email) == ("Direct Sales Ltd", "Rita Rep", "rita@d.example")
    with pytest.raises(ValidationFailed) as failure:
        partners.set_password(portal.uow(), direct.token, password="short", accepted=False)
    assert set(failure.value.errors) == {"password", "accepted"}
    done = partners.set_password(
        portal.uow(), direct.token, password=PASSWORD, accepted=True, client_address="198.51.100.4", user_agent="UA"
    )
    assert accounts.authenticate(portal.uow(), "rita@d.example", PASSWORD).user_id == done.user_id
    with portal.session() as session:
        contract = session.get(Contract, direct.contract_id)
    assert contract is not None and contract.status == ContractStatus.ACTIVE
    assert contract.evidence_client_address == "198.51.100.4"
    with pytest.raises(SetPasswordLinkProblem, match="already been used"):
        partners.open_set_password_link(portal.uow(), direct.token)
    raw = portal.stored_bytes()
    assert direct.token.encode() not in raw


def test_set_password_link_rules(portal: Portal) -> None:
    actor = portal.distributor_user()
    with pytest.raises(ValidationFailed) as failure:
        partners.create_reseller_account(
            portal.uow(), actor, legal_name="No Entity", representative_name="", representative_email="bad"
        )
    assert set(failure.value.errors) == {"company_name", "full_name", "email"}
    direct = partners.create_reseller_account(
        portal.uow(),
        actor,
        legal_name="Late Ltd",
        representative_name="Lee",
        representative_email="lee@late.example",
        expires_in_days=1,
    )
    with portal.session() as session:
        from data.models import SetPasswordLink

        link = session.exec(select(SetPasswordLink)).one()
        link.expires_at = utcnow() - timedelta(seconds=1)
        session.add(link)
        session.commit()
    with pytest.raises(SetPasswordLinkProblem, match="expired"):
        partners.open_set_password_link(portal.uow(), direct.token)
    with pytest.raises(SetPasswordLinkProblem, match="not valid"):
        partners.open_set_password_link(portal.uow(), "nope")


def test_a_distributor_sees_only_its_own_data(portal: Portal) -> None:
    mine = portal.distributor_user()
    theirs = portal.distributor_user(OTHER)
    token = invite(portal, theirs, company_name="Their Reseller Inc")
    their_invitation = portal.invitation_for(token).id
    created = portal.activate(invite(portal, theirs), email="theirs@x.example")
    assert distributor_invitations.list_invitations(portal.uow(), mine).total == 0
    assert partners.list_partners(portal.uow(), mine) == []
    assert all(s.title.startswith("Mighty") for s in agreements.list_agreements(portal.uow(), mine))
    [their_agreement] = agreements.list_agreements(portal.uow(), theirs)
    for action in (
        lambda s: distributor_invitations.invitation_detail(s, mine, their_invitation),
        lambda s: distributor_invitations.revoke_invitation(s, mine, their_invitation),
        lambda s: partners.partner_detail(s, mine, created.contract_id),
        lambda s: partners.terminate_contract(s, mine, created.contract_id, reason="Ended in a test."),
        lambda s: agreements.publish_version(s, mine, their_agreement.agreement_id, text="Mine now"),
        lambda s: agreements.version_text(s, mine, their_agreement.versions[0].version_id),
        lambda s: distributor_invitations.invite(s, mine, agreement_version_id=their_agreement.versions[0].version_id),
    ):
        with pytest.raises(NotFound):
            action(portal.uow())
    assert portal.invitation_for(token).status == InvitationStatus.PENDING


def test_resellers_cannot_use_distributor_actions(portal: Portal) -> None:
    created = portal.activate(portal.invite())
    reseller = access.signed_in_user(portal.uow(), created.user_id)
    assert reseller is not None
    for action in (
        lambda s: distributor_invitations.list_invitations(s, reseller),
        lambda s: partners.list_partners(s, reseller),
        lambda s: agreements.list_agreements(s, reseller),
        lambda s: distributor_invitations.invite(s, reseller),
    ):
        with pytest.raises(Forbidden):
            action(portal.uow())


def test_a_representative_not_yet_activated_reserves_no_email(portal: Portal) -> None:
    """No squatting: an email typed into Create reseller account stops nobody from activating with it; the
    representative's link then says the email is taken."""
    actor = portal.distributor_user()
    direct = partners.create_reseller_account(
        portal.uow(), actor, legal_name="Direct Ltd", representative_name="Jane", representative_email=EMAIL
    )
    assert portal.activate(portal.invite(OTHER)).user_id
    with pytest.raises(ValidationFailed) as failure:
        partners.set_password(portal.uow(), direct.token, password=PASSWORD, accepted=True)
    assert failure.value.errors == {"email": partners.REPRESENTATIVE_EMAIL_TAKEN}


def test_every_state_change_is_audited_with_actor_time_address_and_object(portal: Portal) -> None:
    from data.models import AuditEvent
    from services.audit import acting_from

    with acting_from("198.51.100.23"):
        actor = portal.distributor_user()
        token = invite(portal, actor, company_name="Audited Inc")
        invitation_id = portal.invitation_for(token).id
        activation.open_invitation(portal.uow(), token)
        created = portal.activate(token)
        accounts.authenticate(portal.uow(), EMAIL, PASSWORD)
        with pytest.raises(AuthenticationFailed):
            accounts.authenticate(portal.uow(), EMAIL, "wrong wrong wrong wrong")
        other = invite(portal, actor)
        other_id = portal.invitation_for(other).id
        distributor_invitations.revoke_invitation(portal.uow(), actor, other_id)
        distributor_invitations.reissue_invitation(portal.uow(), actor, other_id)
        partners.terminate_contract(portal.uow(), actor, created.contract_id, reason="Ended in a test.")
        [summary] = agreements.list_agreements(portal.uow(), actor)
        agreements.publish_version(portal.uow(), actor, summary.agreement_id, text="v2")
    with portal.session() as session:
        events = session.exec(select(AuditEvent)).all()
    actions = {event.action for event in events}
    for expected in [
        "invitation.created",
        "invitation.opened",
        "activation.step_saved",
        "invitation.activated",
        "contract.signed",
        "account.created",
        "user.created",
        "auth.sign_in",
        "auth.sign_in_failed",
        "invitation.revoked",
        "invitation.reissued",
        "contract.terminated",
        "agreement.published",
    ]:
        assert expected in actions, expected
    for event in events:
        assert event.actor and event.at and event.object_type and event.object_id
        assert event.client_address in {"198.51.100.23", "203.0.113.7"}  # the helper's walk names its own
    assert {e.object_id for e in events if e.action == "invitation.revoked"} == {other_id}
    assert invitation_id in {e.object_id for e in events if e.action == "invitation.activated"}


def test_create_reseller_account_tells_nothing_about_other_tenants_users(portal: Portal) -> None:
    """Whether an email belongs to another distributor's user or partner is not this distributor's to learn."""
    portal.distributor_user(OTHER, email="ops@other-tenant.example")
    other_partner = portal.activate(portal.invite(OTHER), email="owner@their-reseller.example")
    assert other_partner.user_id
    mine = portal.distributor_user(email="me@mine.example")
    for taken_elsewhere, fresh in (
        ("ops@other-tenant.example", "nobody@nowhere.example"),
        ("owner@their-reseller.example", "nobody-else@nowhere.example"),
    ):
        answers = []
        for email in (taken_elsewhere, fresh):
            answers.append(
                partners.create_reseller_account(
                    portal.uow(),
                    mine,
                    legal_name="Probe Ltd",
                    representative_name="Pat",
                    representative_email=email,
                )
            )
        assert all(answer.token and answer.contract_id for answer in answers)  # the same answer for both
    with pytest.raises(ValidationFailed, match="your users or your partners"):
        partners.create_reseller_account(
            portal.uow(), mine, legal_name="Self Ltd", representative_name="Me", representative_email="me@mine.example"
        )


def test_a_taken_email_is_told_to_its_owner_at_set_password_and_saves_nothing(portal: Portal) -> None:
    portal.activate(portal.invite(OTHER), email="owner@their-reseller.example")
    mine = portal.distributor_user()
    direct = partners.create_reseller_account(
        portal.uow(),
        mine,
        legal_name="Clash Ltd",
        representative_name="Cy",
        representative_email="owner@their-reseller.example",
    )
    with pytest.raises(ValidationFailed) as failure:
        partners.set_password(portal.uow(), direct.token, password=PASSWORD, accepted=True)
    assert "email" in failure.value.errors
    with portal.session() as session:
        contract = session.get(Contract, direct.contract_id)
        users = session.exec(select(User).where(User.email == "owner@their-reseller.example")).all()
    assert contract is not None and contract.status == ContractStatus.PENDING and len(users) == 1


def test_an_unactivated_representative_can_be_removed_and_its_link_dies(portal: Portal) -> None:
    mine = portal.distributor_user()
    direct = partners.create_reseller_account(
        portal.uow(),
        mine,
        legal_name="Gone Ltd",
        representative_name="Gil",
        representative_email="gil@gone.example",
    )
    with pytest.raises(ValidationFailed, match="still waiting"):
        partners.create_reseller_account(
            portal.uow(),
            mine,
            legal_name="Again Ltd",
            representative_name="Gil",
            representative_email="gil@gone.example",
        )
    theirs = portal.distributor_user(OTHER)
    with pytest.raises(NotFound):
        partners.remove_reseller_account(portal.uow(), theirs, direct.contract_id)
    partners.remove_reseller_account(portal.uow(), mine, direct.contract_id)
    with pytest.raises(SetPasswordLinkProblem, match="withdrawn"):
        partners.open_set_password_link(portal.uow(), direct.token)
    assert all(row.contract_id != direct.contract_id for row in partners.list_partners(portal.uow(), mine))
    again = partners.create_reseller_account(
        portal.uow(),
        mine,
        legal_name="Again Ltd",
        representative_name="Gil",
        representative_email="gil@gone.example",
    )
    with pytest.raises(InvalidState):
        partners.remove_reseller_account(portal.uow(), mine, direct.contract_id)
    partners.set_password(portal.uow(), again.token, password=PASSWORD, accepted=True)
    with pytest.raises(InvalidState):  # signed: terminate it instead
        partners.remove_reseller_account(portal.uow(), mine, again.contract_id)

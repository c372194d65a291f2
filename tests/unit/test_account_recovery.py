"""Forgot password?, reset links, password and email changes, notifications and Resend, as services on a real
database (SQLite, or PostgreSQL with --db postgresql)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from data.models import AccountLink, AuditEvent, OutboxEmail, User
from data.models.types import utcnow
from portal_testing.factories import EMAIL, PASSWORD, Portal
from services import access, accounts
from services.account import passwords, profile
from services.account.links import AccountLinkInvalid
from services.activation.invitations import usable_invitation
from services.actors import SignedInUser
from services.distributor import invitation_emails, partners
from services.distributor.invitations import invitation_detail, invite
from services.distributor.partner_emails import partner_emails
from services.errors import AuthenticationFailed, InvalidState, InvitationNotFound, NotFound, ValidationFailed
from services.mail.outbox import unseal

NEW_PASSWORD = "seven green turtles dancing at noon"


def queued(portal: Portal, kind: str) -> list[OutboxEmail]:
    with portal.session() as session:
        return list(session.exec(select(OutboxEmail).where(OutboxEmail.kind == kind)).all())


def link_in(email: OutboxEmail, path: str) -> str:
    text = unseal(email.sealed or "")["text"]
    start = text.index(f"http://portal.test/{path}/") + len(f"http://portal.test/{path}/")
    return text[start : start + 43]


def reseller(portal: Portal) -> SignedInUser:
    activated = portal.activate(portal.invite())
    user = access.signed_in_user(portal.uow(), activated.user_id)
    assert user is not None
    return user


def test_forgot_password_answers_the_same_whether_or_not_the_account_exists(portal: Portal) -> None:
    reseller(portal)
    known = passwords.request_password_reset(portal.uow(), EMAIL.upper(), client_address="192.0.2.1")
    unknown = passwords.request_password_reset(portal.uow(), "nobody@nowhere.example", client_address="192.0.2.1")
    malformed = passwords.request_password_reset(portal.uow(), "not an email", client_address="192.0.2.1")
    assert known == unknown == malformed == passwords.RESET_ANSWER
    [email] = queued(portal, "password_reset")
    assert email.recipient == EMAIL
    with portal.session() as session:  # the same work either way: one audit event each
        events = session.exec(select(AuditEvent).where(AuditEvent.action == "auth.password_reset_requested")).all()
    assert len(events) == 3
    with pytest.raises(ValidationFailed):
        passwords.request_password_reset(portal.uow(), "  ")


def test_a_reset_link_is_single_use_stored_as_a_hash_and_signs_out_every_session(portal: Portal) -> None:
    user = reseller(portal)
    passwords.request_password_reset(portal.uow(), EMAIL)
    [email] = queued(portal, "password_reset")
    token = link_in(email, "reset-password")
    assert token.encode() not in portal.stored_bytes()
    view = passwords.open_reset_link(portal.uow(), token)
    assert view.email == EMAIL
    with pytest.raises(ValidationFailed):  # the password rules hold
        passwords.reset_password(portal.uow(), token, password="short")

    changed = passwords.reset_password(portal.uow(), token, password=NEW_PASSWORD)
    assert changed.session_version == user.session_version + 1
    assert access.signed_in_user(portal.uow(), user.user_id, user.session_version) is None  # signed out
    assert access.signed_in_user(portal.uow(), user.user_id, changed.session_version) is not None
    with pytest.raises(AuthenticationFailed):
        accounts.authenticate(portal.uow(), EMAIL, PASSWORD)
    assert accounts.authenticate(portal.uow(), EMAIL, NEW_PASSWORD).user_id == user.user_id
    with pytest.raises(AccountLinkInvalid):  # used
        passwords.reset_password(portal.uow(), token, password="another long passphrase here")
    [notice] = queued(portal, "password_changed")
    assert notice.recipient == EMAIL and "http" not in unseal(notice.sealed or "")["text"].split("--")[0]


def test_a_reset_link_expires_after_30_minutes_and_a_newer_one_replaces_it(portal: Portal) -> None:
    reseller(portal)
    passwords.request_password_reset(portal.uow(), EMAIL)
    passwords.request_password_reset(portal.uow(), EMAIL)
    first, second = (link_in(e, "reset-password") for e in queued(portal, "password_reset"))
    with pytest.raises(AccountLinkInvalid):  # replaced by the newer email's link
        passwords.open_reset_link(portal.uow(), first)
    with portal.session() as session:
        links = session.exec(select(AccountLink)).all()
        assert all(timedelta(minutes=29) < link.expires_at - link.created_at <= timedelta(minutes=30) for link in links)
        for link in links:
            link.expires_at = utcnow() - timedelta(seconds=1)
            session.add(link)
        session.commit()
    with pytest.raises(AccountLinkInvalid):
        passwords.open_reset_link(portal.uow(), second)


def test_reset_emails_to_one_user_are_limited(portal: Portal) -> None:
    reseller(portal)
    for _ in range(passwords.RESETS_PER_HOUR + 2):
        assert passwords.request_password_reset(portal.uow(), EMAIL) == passwords.RESET_ANSWER
    assert len(queued(portal, "password_reset")) == passwords.RESETS_PER_HOUR


def test_changing_the_password_needs_the_current_one_and_signs_out_the_other_sessions(portal: Portal) -> None:
    user = reseller(portal)
    with pytest.raises(ValidationFailed) as refused:
        passwords.change_password(portal.uow(), user, current_password="wrong one", new_password=NEW_PASSWORD)
    assert refused.value.errors == {"current_password": passwords.WRONG_CURRENT}
    changed = passwords.change_password(portal.uow(), user, current_password=PASSWORD, new_password=NEW_PASSWORD)
    assert access.signed_in_user(portal.uow(), user.user_id, user.session_version) is None
    assert access.signed_in_user(portal.uow(), user.user_id, changed.session_version) is not None
    assert len(queued(portal, "password_changed")) == 1


def test_an_email_change_is_confirmed_by_the_new_address_and_told_to_the_old(portal: Portal) -> None:
    user = reseller(portal)
    with pytest.raises(ValidationFailed) as refused:
        profile.request_email_change(portal.uow(), user, new_email="new@champions.example", password="wrong")
    assert "password" in refused.value.errors
    profile.request_email_change(portal.uow(), user, new_email="New@Champions.example", password=PASSWORD)
    [confirm] = queued(portal, "confirm_email")
    [notice] = queued(portal, "email_change_notice")
    assert confirm.recipient == "new@champions.example" and notice.recipient == EMAIL
    assert "/confirm-email/" not in unseal(notice.sealed or "")["text"]  # the old address gets no link
    assert profile.account_settings(portal.uow(), user).pending_email == "new@champions.example"
    assert accounts.authenticate(portal.uow(), EMAIL, PASSWORD)  # unchanged until confirmed
    profile.confirm_email_change(portal.uow(), link_in(confirm, "confirm-email"))
    assert accounts.authenticate(portal.uow(), "new@champions.example", PASSWORD).user_id == user.user_id
    with pytest.raises(AccountLinkInvalid):
        profile.confirm_email_change(portal.uow(), link_in(confirm, "confirm-email"))


def test_a_name_change_is_validated_and_saved(portal: Portal) -> None:
    user = reseller(portal)
    with pytest.raises(ValidationFailed):
        profile.change_full_name(portal.uow(), user, full_name="Bad\u202ename")
    profile.change_full_name(portal.uow(), user, full_name="  Jane   Q. Doe ")
    assert profile.account_settings(portal.uow(), user).full_name == "Jane Q. Doe"


def test_distributor_users_are_told_of_an_activation_unless_they_switched_it_off(portal: Portal) -> None:
    first = portal.distributor_user(email="first@mighty.example")
    second = portal.distributor_user(email="second@mighty.example")
    profile.switch_notification(portal.uow(), second, topic="reseller_activated", enabled=False)
    assert [s.enabled for s in profile.account_settings(portal.uow(), second).switches] == [False]
    portal.activate(portal.invite())
    told = queued(portal, "reseller_activated")
    assert [e.recipient for e in told] == ["first@mighty.example"]
    assert first.user_id
    with pytest.raises(ValidationFailed):
        profile.switch_notification(portal.uow(), second, topic="no_such_topic", enabled=True)


def test_resend_issues_a_fresh_link_kills_the_old_one_and_is_rate_limited(portal: Portal) -> None:
    actor = portal.distributor_user()
    issued = invite(portal.uow(), actor, invitee_email="owner@acme.example", send_email=True)
    invitation_emails.resend_invitation(portal.uow(), actor, issued.invitation.id)
    first, second = queued(portal, "invitation")
    assert link_in(first, "activate") == issued.token
    fresh = link_in(second, "activate")
    assert fresh != issued.token
    with pytest.raises(InvitationNotFound):  # the old link opens nothing
        usable(portal, issued.token)
    assert portal.invitation_for(fresh).id == issued.invitation.id
    for _ in range(invitation_emails.RESEND_LIMIT - 1):
        invitation_emails.resend_invitation(portal.uow(), actor, issued.invitation.id)
    with pytest.raises(InvalidState, match="wait"):
        invitation_emails.resend_invitation(portal.uow(), actor, issued.invitation.id)
    detail = invitation_detail(portal.uow(), actor, issued.invitation.id)
    assert [e.status for e in detail.emails] == ["queued"] * (invitation_emails.RESEND_LIMIT + 1)
    other = portal.distributor_user("Other Distributor LLC")
    with pytest.raises(NotFound):
        invitation_emails.resend_invitation(portal.uow(), other, issued.invitation.id)


def usable(portal: Portal, token: str) -> object:
    uow = portal.uow()
    with uow.read():
        return usable_invitation(uow, token)


def test_a_distributor_sends_a_reset_link_to_its_partners_user_only(portal: Portal) -> None:
    actor = portal.distributor_user()
    activated = portal.activate(portal.invite())
    assert passwords.send_reset_link_to_reseller_user(portal.uow(), actor, activated.contract_id) == EMAIL
    [email] = queued(portal, "password_reset")
    assert email.recipient == EMAIL
    other = portal.distributor_user("Other Distributor LLC")
    with pytest.raises(NotFound):
        passwords.send_reset_link_to_reseller_user(portal.uow(), other, activated.contract_id)


def test_a_set_password_link_is_emailed_to_the_representative(portal: Portal) -> None:
    actor = portal.distributor_user()
    created = partners.create_reseller_account(
        portal.uow(),
        actor,
        legal_name="Direct Corp",
        representative_name="Rita Rep",
        representative_email="rita@direct.example",
        send_email=True,
    )
    [email] = queued(portal, "set_password")
    assert email.recipient == "rita@direct.example" and link_in(email, "set-password") == created.token
    [status] = partner_emails(portal.uow(), actor, created.contract_id)  # shown on the partner's page
    assert (status.recipient, status.status) == ("rita@direct.example", "queued")
    with pytest.raises(NotFound):
        partner_emails(portal.uow(), portal.distributor_user("Other Distributor LLC"), created.contract_id)
    with portal.session() as session:
        assert session.exec(select(User).where(User.email == "rita@direct.example")).first() is None

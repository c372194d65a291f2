"""Signing in and the reseller portal's view."""

from __future__ import annotations

import pytest
from sqlmodel import select

from data.models import AuditEvent
from portal_testing.factories import DISTRIBUTOR, EMAIL, FULL_NAME, PASSWORD, RESELLER, Portal
from services import access, accounts
from services.errors import AuthenticationFailed, ValidationFailed


def test_sign_in_with_any_case_email(portal: Portal) -> None:
    created = portal.activate(portal.invite())
    user = accounts.authenticate(portal.uow(), EMAIL.upper(), PASSWORD, client_address="192.0.2.1")
    assert user.user_id == created.user_id and user.account_kind == "reseller" and user.full_name == FULL_NAME


@pytest.mark.parametrize(("email", "password"), [(EMAIL, PASSWORD + "x"), ("nobody@x.example", PASSWORD)])
def test_failed_sign_in_says_the_same_thing_whatever_was_wrong(portal: Portal, email: str, password: str) -> None:
    portal.activate(portal.invite())
    with pytest.raises(AuthenticationFailed) as failure:
        accounts.authenticate(portal.uow(), email, password, client_address="192.0.2.1")
    assert failure.value.message == "The email or password is incorrect."
    with portal.session() as session:
        failed = session.exec(select(AuditEvent).where(AuditEvent.action == "auth.sign_in_failed")).all()
    assert len(failed) == 1 and failed[0].client_address == "192.0.2.1"


@pytest.mark.parametrize(
    ("email", "password", "missing"),
    [("", "", {"email", "password"}), (EMAIL, "", {"password"}), ("  ", PASSWORD, {"email"})],
)
def test_sign_in_with_an_empty_field_says_what_is_missing_and_is_not_counted(
    portal: Portal, email: str, password: str, missing: set[str]
) -> None:
    portal.activate(portal.invite())
    with pytest.raises(ValidationFailed) as failure:
        accounts.authenticate(portal.uow(), email, password, client_address="192.0.2.1")
    assert set(failure.value.errors) == missing
    assert failure.value.errors.get("email", "Enter your email address.") == "Enter your email address."
    assert failure.value.errors.get("password", "Enter your password.") == "Enter your password."
    with portal.session() as session:
        assert session.exec(select(AuditEvent).where(AuditEvent.action == "auth.sign_in_failed")).all() == []


def test_portal_view_shows_company_and_signed_contract(portal: Portal) -> None:
    created = portal.activate(portal.invite())
    view = accounts.portal_view(portal.uow(), created.user_id)
    assert view.company_name == RESELLER and view.user_email == EMAIL
    [contract] = view.contracts
    assert contract.contract_id == created.contract_id and contract.status == "active"
    assert contract.distributor_name == DISTRIBUTOR and contract.agreement_version == 1
    assert contract.signed_at is not None


def test_signed_in_user_is_gone_for_unknown_ids(portal: Portal) -> None:
    assert access.signed_in_user(portal.uow(), "UR-000-000-000-000") is None


def test_every_action_reads_the_user_again_and_a_disabled_one_cannot_act(portal: Portal) -> None:
    from data.models import User, UserStatus
    from services.access import as_signed_in
    from services.distributor.agreements import list_agreements
    from services.errors import SignedOut

    actor = portal.distributor_user()
    assert as_signed_in(portal.uow(), actor.user_id, list_agreements)
    with portal.session() as session:
        user = session.get(User, actor.user_id)
        assert user is not None
        user.status = UserStatus.DISABLED
        session.add(user)
        session.commit()
    for user_id in (actor.user_id, "UR-no-such-user", "\udc80"):
        with pytest.raises(SignedOut):
            as_signed_in(portal.uow(), user_id, list_agreements)


@pytest.mark.parametrize(
    ("activated_as", "signs_in_as"),
    [
        ("anna@bücher.example", "anna@bücher.example"),
        ("anna@bücher.example", "anna@xn--bcher-kva.example"),  # what a browser's email field sends
        ("anna@xn--bcher-kva.example", "ANNA@BÜCHER.EXAMPLE"),
        ("re\u0301ne\u0301e@x.example", "re\u0301ne\u0301e@x.example"),  # decomposed accents, as some keyboards type
        ("r\u00e9n\u00e9e@x.example", "re\u0301ne\u0301e@x.example"),
    ],
)
def test_whoever_could_activate_can_sign_in_with_the_email_as_typed_or_as_sent(
    portal: Portal, activated_as: str, signs_in_as: str
) -> None:
    created = portal.activate(portal.invite(), email=activated_as)
    user = accounts.authenticate(portal.uow(), signs_in_as, PASSWORD, client_address="192.0.2.1")
    assert user.user_id == created.user_id

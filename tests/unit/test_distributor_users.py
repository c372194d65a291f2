"""The distributor's own users: a colleague invited by email chooses a password through the link; deactivating
one signs it out; the last administrator stays."""

from __future__ import annotations

import pytest
from sqlmodel import select

from data.models import OutboxEmail
from portal_testing.factories import Portal
from services import access, accounts
from services.account import passwords
from services.distributor import users
from services.errors import AlreadyDone, InvalidState, NotFound, ValidationFailed
from services.mail.outbox import unseal

PASSWORD_OF_COLLEAGUE = "seven green turtles dancing at noon"


def invitation_token(portal: Portal, address: str) -> str:
    with portal.session() as session:
        email = session.exec(
            select(OutboxEmail).where(OutboxEmail.recipient == address, OutboxEmail.kind == "colleague_invited")
        ).one()
    text = unseal(email.sealed or "")["text"]
    start = text.index("/reset-password/") + len("/reset-password/")
    return text[start : start + 43]


def test_a_colleague_is_invited_by_email_and_signs_in_with_the_password_they_chose(portal: Portal) -> None:
    admin = portal.distributor_user()
    key = "c" * 22
    invited = users.invite_colleague(
        portal.uow(), admin, full_name="Carla Colleague", email="Carla@Mighty.example", request_key=key
    )
    with pytest.raises(AlreadyDone):
        users.invite_colleague(portal.uow(), admin, full_name="Carla Colleague", email="x@y.example", request_key=key)
    assert invited.status == "invited"
    assert [u.email for u in users.list_users(portal.uow(), admin) if not u.is_you] == ["carla@mighty.example"]
    token = invitation_token(portal, "carla@mighty.example")
    assert token.encode() not in portal.stored_bytes()
    passwords.reset_password(portal.uow(), token, password=PASSWORD_OF_COLLEAGUE)
    signed = accounts.authenticate(portal.uow(), "carla@mighty.example", PASSWORD_OF_COLLEAGUE)
    assert signed.account_id == admin.account_id and signed.account_kind == "distributor"
    with pytest.raises(ValidationFailed):  # an email that is a user's already
        users.invite_colleague(portal.uow(), admin, full_name="Again", email="carla@mighty.example")


def test_deactivating_signs_the_user_out_and_the_last_admin_stays(portal: Portal) -> None:
    admin = portal.distributor_user(email="admin@mighty.example")
    other = portal.distributor_user(email="other@mighty.example")
    users.deactivate_user(portal.uow(), admin, other.user_id)
    assert access.signed_in_user(portal.uow(), other.user_id) is None
    with pytest.raises(InvalidState, match="last administrator"):
        users.deactivate_user(portal.uow(), admin, admin.user_id)
    stranger = portal.distributor_user("Other Distributor LLC")
    with pytest.raises(NotFound):
        users.deactivate_user(portal.uow(), stranger, admin.user_id)
    with pytest.raises(InvalidState):
        users.deactivate_user(portal.uow(), admin, other.user_id)

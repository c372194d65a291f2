"""Issuing and opening activation links."""

from __future__ import annotations

import sqlite3

import pytest
from sqlmodel import select

from data.models import AuditEvent, Contract, ContractStatus, Invitation, InvitationStatus
from portal_testing.factories import DISTRIBUTOR, Portal
from services.activation import steps as activation
from services.activation.invitations import create_invitation
from services.distributor.agreements import ensure_distributor
from services.errors import (
    InvitationAlreadyActivated,
    InvitationExpired,
    InvitationNotFound,
    InvitationRevoked,
    ValidationFailed,
)
from services.security import token_hash


def test_token_is_random_long_and_only_its_hash_is_stored(portal: Portal) -> None:
    tokens = {portal.invite() for _ in range(5)}
    assert len(tokens) == 5
    assert all(len(token) >= 43 for token in tokens)  # 32 random bytes, URL-safe base64
    raw = portal.stored_bytes()
    for token in tokens:
        assert token.encode() not in raw
        assert token_hash(token).encode() in raw


def test_invitation_creates_a_pending_contract_on_the_active_agreement_version(portal: Portal) -> None:
    token = portal.invite(
        invitee_email="Jane@Champions.example", company_name=" Champions Corp ", note_to_signee="Welcome!"
    )
    invitation = portal.invitation_for(token)
    assert invitation.status == InvitationStatus.PENDING
    assert invitation.invitee_email == "jane@champions.example"
    assert invitation.company_name == "Champions Corp"
    with portal.session() as session:
        contract = session.get(Contract, invitation.contract_id)
        assert contract is not None and contract.status == ContractStatus.PENDING
        assert contract.agreement_version_id == invitation.agreement_version_id
        assert contract.note_to_signee == "Welcome!"
    assert (invitation.expires_at - invitation.created_at).days == 14


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"expires_in_days": 0}, "expires_in_days"),
        ({"expires_in_days": 91}, "expires_in_days"),
        ({"invitee_email": "not an email"}, "email"),
        ({"note_to_signee": "x" * 2001}, "note_to_signee"),
        ({"company_name": "C" * 201}, "company_name"),
    ],
)
def test_invalid_invitation_options(portal: Portal, options: dict[str, object], field: str) -> None:
    distributor_id = ensure_distributor(portal.uow(), DISTRIBUTOR).distributor.id
    with pytest.raises(ValidationFailed) as failure:
        create_invitation(portal.uow(), distributor_id, **options)  # type: ignore[arg-type]  # deliberately loose test input
    assert field in failure.value.errors
    with portal.session() as session:
        assert session.exec(select(Invitation)).all() == []


def test_ensure_distributor_is_idempotent_and_publishes_the_stock_agreement(portal: Portal) -> None:
    first = ensure_distributor(portal.uow(), DISTRIBUTOR)
    second = ensure_distributor(portal.uow(), f"  {DISTRIBUTOR} ")
    assert first.created and not second.created
    assert first.distributor.id == second.distributor.id
    token = portal.invite()
    view = activation.open_invitation(portal.uow(), token)
    assert view.agreement_version == 1
    assert DISTRIBUTOR in view.agreement_text


def test_unknown_token(portal: Portal) -> None:
    portal.invite()
    for token in ["nope", "", "x" * 10_000, "\x00", "../../etc/passwd"]:
        with pytest.raises(InvitationNotFound):
            activation.open_invitation(portal.uow(), token)


@pytest.mark.parametrize(
    ("change", "error"),
    [({"expired": True}, InvitationExpired), ({"status": InvitationStatus.REVOKED}, InvitationRevoked)],
)
def test_expired_and_revoked_links(portal: Portal, change: dict[str, object], error: type[Exception]) -> None:
    token = portal.invite()
    portal.set_invitation(token, **change)  # type: ignore[arg-type]  # deliberately loose test input
    with pytest.raises(error):
        activation.open_invitation(portal.uow(), token)


def test_used_link_says_already_activated(portal: Portal) -> None:
    token = portal.invite()
    portal.activate(token)
    with pytest.raises(InvitationAlreadyActivated):
        activation.open_invitation(portal.uow(), token)


def test_opening_many_times_never_uses_the_link_up_and_is_recorded_once(portal: Portal) -> None:
    token = portal.invite()
    for _ in range(5):
        view = activation.open_invitation(portal.uow(), token, client_address="198.51.100.1")
        assert view.furthest_step == activation.STEP_AGREEMENT
    invitation = portal.invitation_for(token)
    assert invitation.status == InvitationStatus.PENDING
    assert invitation.first_opened_at is not None
    with portal.session() as session:
        opened = session.exec(select(AuditEvent).where(AuditEvent.action == "invitation.opened")).all()
    assert len(opened) == 1 and opened[0].client_address == "198.51.100.1"


@pytest.mark.sqlite_only
def test_database_runs_in_wal_mode_with_foreign_keys(portal: Portal) -> None:
    with portal.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    portal.invite()
    raw = sqlite3.connect(portal.path)
    assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    raw.close()


def test_demo_is_seeded_once(portal: Portal) -> None:
    from services.demo import DEMO_DISTRIBUTOR, seed_demo

    first = seed_demo(portal.uow())
    second = seed_demo(portal.uow())
    assert first.seeded and first.token and not second.seeded and second.token is None
    view = activation.open_invitation(portal.uow(), first.token)
    assert view.distributor_name == DEMO_DISTRIBUTOR and view.company_name == "Champions Corp"

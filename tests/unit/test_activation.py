"""The activation flow's services: each step's rules, resume, and Activate happening exactly once."""

from __future__ import annotations

import pickle
import threading

import pytest
from sqlmodel import func, select

from data.models import (
    Account,
    AccountKind,
    ActivationDraft,
    AgreementVersion,
    AuditEvent,
    Contract,
    ContractStatus,
    InvitationStatus,
    User,
)
from portal_testing.factories import EMAIL, FULL_NAME, PASSWORD, RESELLER, Portal
from services.activation import steps as activation
from services.errors import (
    InvitationAlreadyActivated,
    InvitationExpired,
    InvitationProblem,
    InvitationRevoked,
    StepIncomplete,
    ValidationFailed,
)
from services.security import verify_password


def count(portal: Portal, model: type) -> int:
    with portal.session() as session:
        return session.exec(select(func.count()).select_from(model)).one()


def test_step_one_saves_email_and_acceptance_evidence(portal: Portal) -> None:
    token = portal.invite()
    view = activation.accept_agreement(
        portal.uow(),
        token,
        revision=portal.revision(token),
        email=" Jane.Doe@Champions.EXAMPLE ",
        accepted=True,
        client_address="203.0.113.9",
        user_agent="Firefox/1",
    )
    assert view.email == EMAIL and view.accepted and view.furthest_step == activation.STEP_USER
    invitation = portal.invitation_for(token)
    assert invitation.status == InvitationStatus.IN_PROGRESS
    with portal.session() as session:
        draft = session.get(ActivationDraft, invitation.id)
        version = session.get(AgreementVersion, invitation.agreement_version_id)
    assert draft is not None and version is not None
    assert draft.accepted_text_sha256 == version.text_sha256
    assert draft.accepted_client_address == "203.0.113.9"
    assert draft.accepted_user_agent == "Firefox/1"
    assert draft.accepted_at is not None


def test_step_one_reports_every_wrong_field_at_once_and_saves_nothing(portal: Portal) -> None:
    token = portal.invite()
    with pytest.raises(ValidationFailed) as failure:
        activation.accept_agreement(portal.uow(), token, revision=portal.revision(token), email="nope", accepted=False)
    assert set(failure.value.errors) == {"email", "accepted"}
    assert portal.invitation_for(token).status == InvitationStatus.PENDING
    assert count(portal, ActivationDraft) == 0


def test_email_of_an_existing_user_cannot_be_used_in_any_case(portal: Portal) -> None:
    portal.activate(portal.invite())
    token = portal.invite()
    with pytest.raises(ValidationFailed) as failure:
        activation.accept_agreement(
            portal.uow(), token, revision=portal.revision(token), email=EMAIL.upper(), accepted=True
        )
    assert "cannot be used" in failure.value.errors["email"]


def test_steps_cannot_be_skipped(portal: Portal) -> None:
    token = portal.invite()
    with pytest.raises(StepIncomplete) as incomplete:
        activation.save_user_properties(
            portal.uow(), token, revision=portal.revision(token), full_name=FULL_NAME, password=PASSWORD
        )
    assert incomplete.value.step == activation.STEP_AGREEMENT
    portal.walk_to(token, activation.STEP_USER)
    with pytest.raises(StepIncomplete):
        activation.save_company_properties(portal.uow(), token, revision=portal.revision(token), company_name=RESELLER)
    with pytest.raises(StepIncomplete):
        activation.activate(portal.uow(), token, revision=portal.revision(token), signed=True)


def test_step_two_keeps_only_an_argon2id_hash(portal: Portal) -> None:
    token = portal.invite()
    portal.walk_to(token, activation.STEP_COMPANY)
    with portal.session() as session:
        draft = session.get(ActivationDraft, portal.invitation_for(token).id)
    assert draft is not None and draft.password_hash is not None
    assert draft.password_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert verify_password(PASSWORD, draft.password_hash)
    raw = portal.stored_bytes()
    assert PASSWORD.encode() not in raw


def test_step_two_errors(portal: Portal) -> None:
    token = portal.invite()
    portal.walk_to(token, activation.STEP_USER)
    with pytest.raises(ValidationFailed) as failure:
        activation.save_user_properties(
            portal.uow(), token, revision=portal.revision(token), full_name="  ", password="jane.doe is my name ok"
        )
    assert "Enter your full name" in failure.value.errors["full_name"]
    assert "email" in failure.value.errors["password"]
    with pytest.raises(ValidationFailed) as failure:
        activation.save_user_properties(
            portal.uow(), token, revision=portal.revision(token), full_name=FULL_NAME, password=None
        )
    assert "Enter a password" in failure.value.errors["password"]


def test_step_two_without_a_new_password_keeps_the_one_set(portal: Portal) -> None:
    token = portal.invite()
    portal.walk_to(token, activation.STEP_COMPANY)
    view = activation.save_user_properties(
        portal.uow(), token, revision=portal.revision(token), full_name="Jane Q. Doe", password=None
    )
    assert view.password_set and view.full_name == "Jane Q. Doe"
    portal.walk_to(token, activation.STEP_ACTIVATE)
    portal_created = activation.activate(portal.uow(), token, revision=portal.revision(token), signed=True)
    with portal.session() as session:
        user = session.get(User, portal_created.user_id)
    assert user is not None and verify_password(PASSWORD, user.password_hash)


def test_step_three_requires_a_legal_entity_type(portal: Portal) -> None:
    token = portal.invite()
    portal.walk_to(token, activation.STEP_COMPANY)
    with pytest.raises(ValidationFailed) as failure:
        activation.save_company_properties(
            portal.uow(), token, revision=portal.revision(token), company_name="Champions"
        )
    assert "legal entity type" in failure.value.errors["company_name"]
    view = activation.save_company_properties(
        portal.uow(), token, revision=portal.revision(token), company_name="  Champions   Corp. "
    )
    assert view.company_name == "Champions Corp." and view.furthest_step == activation.STEP_ACTIVATE


def test_resume_shows_the_furthest_step_and_everything_saved(portal: Portal) -> None:
    token = portal.invite(company_name="Prefilled Inc")
    portal.walk_to(token, activation.STEP_COMPANY)
    view = activation.open_invitation(portal.uow(), token)
    assert view.furthest_step == activation.STEP_COMPANY
    assert (view.email, view.full_name, view.password_set, view.company_name) == (
        EMAIL,
        FULL_NAME,
        True,
        "Prefilled Inc",
    )
    # Going back to step 1 and saving it again does not lose the later steps.
    portal.walk_to(token, activation.STEP_USER, email="other@champions.example")
    view = activation.open_invitation(portal.uow(), token)
    assert view.furthest_step == activation.STEP_COMPANY and view.email == "other@champions.example"
    assert view.full_name == FULL_NAME


def test_activate_creates_account_user_and_signed_contract_with_evidence(portal: Portal) -> None:
    token = portal.invite(note_to_signee="Hello")
    created = portal.activate(token)
    with portal.session() as session:
        account = session.get(Account, created.account_id)
        user = session.get(User, created.user_id)
        contract = session.get(Contract, created.contract_id)
        assert account is not None and user is not None and contract is not None
        version = session.get(AgreementVersion, contract.agreement_version_id)
        actions = [e.action for e in session.exec(select(AuditEvent).order_by(AuditEvent.id))]  # type: ignore[arg-type]  # deliberately loose test input or sqlmodel column
    assert account.kind == AccountKind.RESELLER and account.name == RESELLER
    assert user.email == EMAIL and user.full_name == FULL_NAME and user.account_id == account.id
    assert contract.status == ContractStatus.ACTIVE and contract.signee_user_id == user.id
    assert contract.reseller_account_id == account.id and contract.signed_at is not None
    assert version is not None and contract.evidence_text_sha256 == version.text_sha256
    assert contract.evidence_email == EMAIL and contract.evidence_name == FULL_NAME
    assert contract.evidence_client_address == "203.0.113.7" and contract.evidence_user_agent == "pytest"
    assert contract.evidence_accepted_at is not None and contract.note_to_signee == "Hello"
    invitation = portal.invitation_for(token)
    assert invitation.status == InvitationStatus.ACTIVATED
    assert invitation.reseller_account_id == account.id
    for action in [
        "invitation.created",
        "activation.step_saved",
        "account.created",
        "user.created",
        "contract.signed",
        "invitation.activated",
    ]:
        assert action in actions


def test_activate_requires_the_signature(portal: Portal) -> None:
    token = portal.invite()
    portal.walk_to(token, activation.STEP_ACTIVATE)
    with pytest.raises(ValidationFailed) as failure:
        activation.activate(portal.uow(), token, revision=portal.revision(token), signed=False)
    assert "signed" in failure.value.errors
    assert count(portal, User) == 0


def test_activate_rolls_back_entirely_when_the_email_was_taken_meanwhile(portal: Portal) -> None:
    first, second = portal.invite(), portal.invite()
    portal.walk_to(second, activation.STEP_ACTIVATE)  # same email as the first
    portal.activate(first)
    accounts_before = count(portal, Account)
    with pytest.raises(ValidationFailed) as failure:
        activation.activate(portal.uow(), second, revision=portal.revision(second), signed=True)
    assert "email" in failure.value.errors
    assert count(portal, Account) == accounts_before and count(portal, User) == 1
    assert portal.invitation_for(second).status == InvitationStatus.IN_PROGRESS


def test_activate_happens_once(portal: Portal) -> None:
    token = portal.invite()
    portal.activate(token)
    with pytest.raises(InvitationAlreadyActivated):
        activation.activate(portal.uow(), token, revision=portal.revision(token), signed=True)
    assert count(portal, User) == 1


def test_twenty_racing_activations_make_exactly_one_account(portal: Portal) -> None:
    token = portal.invite()
    revision = portal.walk_to(token, activation.STEP_ACTIVATE)
    resellers_before = count(portal, Account)
    barrier = threading.Barrier(20)
    outcomes: list[str] = []

    def attempt() -> None:
        barrier.wait()
        try:
            activation.activate(portal.uow(), token, revision=revision, signed=True)
            outcomes.append("activated")
        except InvitationAlreadyActivated:
            outcomes.append("already")

    threads = [threading.Thread(target=attempt) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["activated"] + ["already"] * 19
    assert count(portal, Account) == resellers_before + 1
    assert count(portal, User) == 1


@pytest.mark.parametrize("step", [1, 2, 3, 4])
@pytest.mark.parametrize(
    ("change", "error"),
    [({"expired": True}, InvitationExpired), ({"status": InvitationStatus.REVOKED}, InvitationRevoked)],
)
def test_expiry_and_revocation_are_checked_at_every_step(
    portal: Portal, step: int, change: dict[str, object], error: type[InvitationProblem]
) -> None:
    token = portal.invite()
    portal.walk_to(token, step)
    portal.set_invitation(token, **change)  # type: ignore[arg-type]  # deliberately loose test input or sqlmodel column
    with pytest.raises(error):
        if step == activation.STEP_AGREEMENT:
            activation.accept_agreement(
                portal.uow(), token, revision=portal.revision(token), email=EMAIL, accepted=True
            )
        elif step == activation.STEP_USER:
            activation.save_user_properties(
                portal.uow(), token, revision=portal.revision(token), full_name=FULL_NAME, password=PASSWORD
            )
        elif step == activation.STEP_COMPANY:
            activation.save_company_properties(
                portal.uow(), token, revision=portal.revision(token), company_name=RESELLER
            )
        else:
            activation.activate(portal.uow(), token, revision=portal.revision(token), signed=True)
    assert count(portal, User) == 0


# ---------------------------------------------------------------- what you sign is what you saw


def save_step(portal: Portal, token: str, step: int, revision: int) -> activation.ActivationView:
    """Save ``step`` as a page showing ``revision`` would (with other details than the walk's)."""
    if step == activation.STEP_AGREEMENT:
        return activation.accept_agreement(
            portal.uow(), token, email="clubber@lang.example", accepted=True, revision=revision
        )
    if step == activation.STEP_USER:
        return activation.save_user_properties(
            portal.uow(), token, full_name="Clubber Lang", password=None, revision=revision
        )
    return activation.save_company_properties(portal.uow(), token, company_name="Lang Holdings LLC", revision=revision)


@pytest.mark.parametrize("step", [activation.STEP_AGREEMENT, activation.STEP_USER, activation.STEP_COMPANY])
def test_a_step_saved_from_a_stale_page_is_refused_and_says_what_is_saved(portal: Portal, step: int) -> None:
    token = portal.invite()
    shown = portal.walk_to(token, activation.STEP_ACTIVATE)  # two tabs show the review at this revision
    other_tab = save_step(portal, token, activation.STEP_USER, shown)  # tab B saves a new full name
    with portal.session() as session:
        saved_before = session.get(ActivationDraft, portal.invitation_for(token).id)
    with pytest.raises(activation.StaleDraft) as stale:
        save_step(portal, token, step, shown)  # tab A, still showing the old details, saves a step
    assert stale.value.message == "The details changed in another window; check them again."
    assert stale.value.view == other_tab  # what is saved now, for tab A to show
    with portal.session() as session:
        assert session.get(ActivationDraft, portal.invitation_for(token).id) == saved_before  # nothing saved


def test_activate_signs_only_the_details_the_review_showed(portal: Portal) -> None:
    token = portal.invite()
    tab_a = portal.walk_to(token, activation.STEP_ACTIVATE, company="Test5 Inc.")  # Jane Doe, Test5 Inc.
    tab_b = save_step(portal, token, activation.STEP_USER, tab_a)
    tab_b = save_step(portal, token, activation.STEP_COMPANY, tab_b.revision)  # Clubber Lang, Lang Holdings LLC
    with pytest.raises(activation.StaleDraft) as stale:
        activation.activate(portal.uow(), token, signed=True, revision=tab_a)
    assert (stale.value.view.full_name, stale.value.view.company_name) == ("Clubber Lang", "Lang Holdings LLC")
    assert stale.value.view == tab_b
    assert count(portal, User) == 0 and count(portal, Account) == 1  # the distributor only: no reseller account
    assert portal.invitation_for(token).status == InvitationStatus.IN_PROGRESS
    copy = pickle.loads(pickle.dumps(stale.value))  # noqa: S301 - it crosses from a service worker to the page
    assert copy.view == stale.value.view and copy.message == stale.value.message

    # tab A, now showing what is saved, signs that
    created = activation.activate(portal.uow(), token, signed=True, revision=stale.value.view.revision)
    with portal.session() as session:
        contract = session.get(Contract, created.contract_id)
        account = session.get(Account, created.account_id)
    assert contract is not None and account is not None
    assert (contract.evidence_name, account.name) == ("Clubber Lang", "Lang Holdings LLC")

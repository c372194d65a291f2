"""The reseller's activation flow: one business action per step of the stepper, then :func:`activate`.

Every step re-checks the link (unknown, expired, revoked, already activated), validates, and saves the
draft in one short write transaction before the UI moves on. Every step and :func:`activate` take the draft's
``revision`` that the page showed: when another window saved meanwhile, they refuse with :class:`StaleDraft`
(carrying what is saved now), so that nobody saves or signs details they never saw.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from data.db import add_in_order
from data.models import (
    Account,
    AccountKind,
    ActivationDraft,
    Agreement,
    AgreementVersion,
    AuditEvent,
    Contract,
    Invitation,
    InvitationStatus,
    User,
)
from data.models.types import utcnow
from services import audit, throttle
from services.activation import contracts
from services.activation.invitations import usable_invitation
from services.errors import (
    DomainError,
    FieldErrors,
    InvitationForExistingAccount,
    InvitationNotFound,
    StepIncomplete,
    ValidationFailed,
)
from services.mail import notifications
from services.rules import ACCEPTANCE_REQUIRED, check_password, clean_company_name, clean_email, clean_full_name
from services.security import hash_password
from services.unit_of_work import UnitOfWork

STEP_AGREEMENT = 1
STEP_USER = 2
STEP_COMPANY = 3
STEP_ACTIVATE = 4
STEP_TITLES = {
    STEP_AGREEMENT: "Review the contract",
    STEP_USER: "User properties",
    STEP_COMPANY: "Company properties",
    STEP_ACTIVATE: "Activate the contract",
}
EMAIL_UNUSABLE = (
    "This email cannot be used. If you already have an account, sign in instead; otherwise use another address."
)
STALE_DRAFT = "The details changed in another window; check them again."


@dataclass(frozen=True)
class ActivationView:
    """Everything the stepper shows: the link's context and what the reseller has saved so far."""

    invitation_id: str
    status: InvitationStatus
    distributor_name: str
    agreement_title: str
    agreement_version: int
    agreement_text: str
    note_to_signee: str | None
    expires_at: datetime
    furthest_step: int
    email: str
    accepted: bool
    full_name: str
    password_set: bool
    company_name: str
    revision: int  # send it back with the next save: it says which saved details this view shows
    # A new contract offered to an existing reseller account (signed by a user of it, signed in; no stepper).
    existing_account_id: str | None = None
    existing_account_name: str | None = None


class StaleDraft(DomainError):
    """The page that asked showed an older revision of the draft than the saved one (another window saved
    meanwhile). Nothing was saved; ``view`` is what is saved now, for the page to show before anything else."""

    def __init__(self, view: ActivationView) -> None:
        super().__init__(STALE_DRAFT)
        self.view = view


@dataclass(frozen=True)
class ActivatedPortal:
    """What :func:`activate` created."""

    account_id: str
    user_id: str
    contract_id: str
    company_name: str


def _actor(invitation: Invitation) -> str:
    return f"invitee of {invitation.id}"


def _draft(session: Session, invitation: Invitation) -> ActivationDraft:
    draft = session.get(ActivationDraft, invitation.id)
    if draft is None:
        draft = ActivationDraft(invitation_id=invitation.id)
        session.add(draft)
    return draft


@dataclass(frozen=True)
class _AgreementContext:
    """What a link shows that never changes once issued: who invites, and the agreement version's text."""

    distributor_name: str
    title: str
    version: int
    text: str
    text_sha256: str


_contexts: dict[tuple[str, str], _AgreementContext] = {}
_CONTEXTS_KEPT = 256


def _agreement_context(session: Session, invitation: Invitation) -> _AgreementContext:
    """The link's distributor and agreement version, read once per process: names, titles and published
    versions are never changed, and every step shows them."""
    key = (invitation.distributor_id, invitation.agreement_version_id)
    context = _contexts.get(key)
    if context is None:
        distributor = session.get(Account, invitation.distributor_id)
        version = session.get(AgreementVersion, invitation.agreement_version_id)
        assert distributor is not None and version is not None  # guaranteed by foreign keys
        agreement = session.get(Agreement, version.agreement_id)
        assert agreement is not None
        if len(_contexts) >= _CONTEXTS_KEPT:
            _contexts.clear()
        context = _contexts[key] = _AgreementContext(
            distributor.name, agreement.title, version.version, version.text, version.text_sha256
        )
    return context


def _view(session: Session, invitation: Invitation, draft: ActivationDraft | None = None) -> ActivationView:
    context = _agreement_context(session, invitation)
    if draft is None:
        draft = session.get(ActivationDraft, invitation.id) or ActivationDraft(invitation_id=invitation.id)
    existing = None
    if invitation.reseller_account_id is not None and invitation.status != InvitationStatus.ACTIVATED:
        existing = session.get(Account, invitation.reseller_account_id)
    return ActivationView(
        invitation_id=invitation.id,
        status=invitation.effective_status(utcnow()),
        distributor_name=context.distributor_name,
        agreement_title=context.title,
        agreement_version=context.version,
        agreement_text=context.text,
        note_to_signee=invitation.note_to_signee,
        expires_at=invitation.expires_at,
        furthest_step=draft.furthest_step,
        email=draft.email or invitation.invitee_email or "",
        accepted=draft.accepted_at is not None,
        full_name=draft.full_name or "",
        password_set=draft.password_hash is not None,
        company_name=draft.company_name or invitation.company_name or "",
        revision=draft.revision,
        existing_account_id=existing.id if existing else None,
        existing_account_name=existing.name if existing else None,
    )


def _for_a_new_account(invitation: Invitation) -> Invitation:
    """The stepper makes a new account: an invitation bound to an existing one is signed another way."""
    if invitation.reseller_account_id is not None:
        raise InvitationForExistingAccount()
    return invitation


def _require_revision(session: Session, invitation: Invitation, draft: ActivationDraft | None, revision: int) -> None:
    """Refuse a save from a page that showed another revision of the draft than the saved one."""
    if (draft.revision if draft is not None else 0) != revision:
        raise StaleDraft(_view(session, invitation, draft))


def _save_step(
    session: Session, invitation: Invitation, draft: ActivationDraft, step: int, client_address: str | None
) -> None:
    """Common bookkeeping when a step is saved; the caller commits."""
    draft.furthest_step = max(draft.furthest_step, step + 1)
    draft.revision += 1
    draft.updated_at = utcnow()
    if invitation.status == InvitationStatus.PENDING:
        invitation.status = InvitationStatus.IN_PROGRESS
        session.add(invitation)
    session.add(draft)
    audit.record(
        session,
        actor=_actor(invitation),
        action="activation.step_saved",
        object_type="invitation",
        object_id=invitation.id,
        client_address=client_address,
        step=step,
    )


def _require_step(draft: ActivationDraft | None, step: int) -> ActivationDraft:
    furthest = draft.furthest_step if draft else STEP_AGREEMENT
    if draft is None or furthest < step:
        raise StepIncomplete(furthest)
    return draft


def _email_in_use(session: Session, email: str) -> bool:
    return session.exec(select(User.id).where(User.email == email)).first() is not None


OPENING_RECORDED_EVERY = timedelta(minutes=30)  # per browser: a reload is not news, a return the next hour is


def open_invitation(
    uow: UnitOfWork,
    token: str,
    *,
    client_address: str | None = None,
    browser: str | None = None,
    limits: throttle.Limits | None = None,
    slowed: bool = False,
) -> ActivationView:
    """Open an activation link: its state, or the error saying why it cannot be used. Opening never uses
    the link up. Every opening is recorded in the invitation's history, at most once per browser (``browser``: a
    pseudonymous key of the browser's session, never the session itself) in :data:`OPENING_RECORDED_EVERY`.
    Unknown links count against the client address, and a client that guessed too many gets
    :class:`~services.throttle.TooManyAttempts`."""

    def look() -> tuple[Invitation, ActivationView, bool]:
        invitation = usable_invitation(uow, token)
        return invitation, _view(uow.session, invitation), _opened_lately(uow.session, invitation.id, browser)

    invitation, view, opened_lately = throttle.look_up_link(
        uow, client_address, token, look, InvitationNotFound, limits=limits, slowed=slowed
    )
    if not opened_lately:  # record the opening in a short write
        with uow.write():
            invitation = usable_invitation(uow, token)
            if not _opened_lately(uow.session, invitation.id, browser):
                invitation.first_opened_at = invitation.first_opened_at or utcnow()
                uow.session.add(invitation)
                audit.record(
                    uow.session,
                    actor=_actor(invitation),
                    action="invitation.opened",
                    object_type="invitation",
                    object_id=invitation.id,
                    client_address=client_address,
                    **({"browser": browser} if browser else {}),
                )
                uow.commit()
    return view


def _opened_lately(session: Session, invitation_id: str, browser: str | None) -> bool:
    """Whether this browser's opening of the invitation was recorded within :data:`OPENING_RECORDED_EVERY`."""
    same_browser = (
        col(AuditEvent.details) == json.dumps({"browser": browser}, sort_keys=True)
        if browser
        else col(AuditEvent.details).is_(None)
    )
    recent = select(AuditEvent.id).where(
        AuditEvent.object_id == invitation_id,
        AuditEvent.action == "invitation.opened",
        same_browser,
        col(AuditEvent.at) > utcnow() - OPENING_RECORDED_EVERY,
    )
    return session.exec(recent.limit(1)).first() is not None


def accept_agreement(
    uow: UnitOfWork,
    token: str,
    *,
    email: str | None,
    accepted: bool,
    revision: int,
    client_address: str | None = None,
    user_agent: str | None = None,
) -> ActivationView:
    """Step 1, *Review the contract*: the signee's email and the acceptance of the agreement, recorded with
    its evidence (agreement version, SHA-256 of its text, time, client address, user agent)."""
    with uow.write():
        session = uow.session
        invitation = _for_a_new_account(usable_invitation(uow, token))  # a dead link says so before any field error
        _require_revision(session, invitation, session.get(ActivationDraft, invitation.id), revision)
        errors = FieldErrors()
        cleaned_email = errors.check(clean_email, email) or ""
        if not accepted:
            errors.add("accepted", ACCEPTANCE_REQUIRED)
        errors.raise_if_any()
        if _email_in_use(session, cleaned_email):
            raise ValidationFailed({"email": EMAIL_UNUSABLE})
        draft = _draft(session, invitation)
        draft.email = cleaned_email
        draft.accepted_at = utcnow()
        draft.accepted_text_sha256 = _agreement_context(session, invitation).text_sha256
        draft.accepted_client_address = client_address
        draft.accepted_user_agent = contracts.clip_user_agent(user_agent)
        _save_step(session, invitation, draft, STEP_AGREEMENT, client_address)
        uow.commit()
        return _view(session, invitation, draft)


def save_user_properties(
    uow: UnitOfWork,
    token: str,
    *,
    full_name: str | None,
    password: str | None,
    revision: int,
    client_address: str | None = None,
) -> ActivationView:
    """Step 2, *User properties*: full name and password. An empty password keeps the one already set.
    The password is hashed (argon2id) between a read and the short write, outside any transaction, and only
    the hash is kept."""
    with uow.read():
        invitation = _for_a_new_account(usable_invitation(uow, token))
        draft = _require_step(uow.session.get(ActivationDraft, invitation.id), STEP_USER)
        _require_revision(uow.session, invitation, draft, revision)  # before hashing: a stale page is told at once
        errors = FieldErrors()
        cleaned_name = errors.check(clean_full_name, full_name) or ""
        if password or draft.password_hash is None:
            errors.check(check_password, password, draft.email)
        errors.raise_if_any()
    new_hash = hash_password(password) if password else None

    with uow.write():
        session = uow.session
        invitation = _for_a_new_account(usable_invitation(uow, token))
        draft = _require_step(session.get(ActivationDraft, invitation.id), STEP_USER)
        _require_revision(session, invitation, draft, revision)  # again, with the invitation locked
        draft.full_name = cleaned_name
        if new_hash is not None:
            draft.password_hash = new_hash
        _save_step(session, invitation, draft, STEP_USER, client_address)
        uow.commit()
        return _view(session, invitation, draft)


def save_company_properties(
    uow: UnitOfWork, token: str, *, company_name: str | None, revision: int, client_address: str | None = None
) -> ActivationView:
    """Step 3, *Company properties*: the company's legal name, including its legal entity type."""
    with uow.write():
        session = uow.session
        invitation = _for_a_new_account(usable_invitation(uow, token))
        draft = _require_step(session.get(ActivationDraft, invitation.id), STEP_COMPANY)
        _require_revision(session, invitation, draft, revision)
        cleaned = clean_company_name(company_name)
        draft.company_name = cleaned
        _save_step(session, invitation, draft, STEP_COMPANY, client_address)
        uow.commit()
        return _view(session, invitation, draft)


def activate(
    uow: UnitOfWork,
    token: str,
    *,
    signed: bool,
    revision: int,
    client_address: str | None = None,
    user_agent: str | None = None,
) -> ActivatedPortal:
    """Step 4, *Activate the contract*: in one transaction, create the reseller account and its first user,
    sign the contract with its evidence, and mark the invitation activated. It happens once: a second
    attempt, however close and through whichever instance, gets
    :class:`~services.errors.InvitationAlreadyActivated` (it waits on the invitation's lock, then sees it
    activated); an email taken meanwhile by another activation is a field error, not a database error. It signs
    only the details the review showed: ``revision`` must be the saved draft's, else :class:`StaleDraft`."""
    with uow.write(conflicts={"user.email": ValidationFailed({"email": EMAIL_UNUSABLE})}):
        session = uow.session
        invitation = _for_a_new_account(usable_invitation(uow, token))  # locked: racing activations take turns
        draft = _require_step(session.get(ActivationDraft, invitation.id), STEP_ACTIVATE)
        _require_revision(session, invitation, draft, revision)
        if not signed:
            raise ValidationFailed({"signed": "Tick the box to sign the contract."})
        if not (draft.email and draft.accepted_at and draft.full_name and draft.password_hash and draft.company_name):
            raise StepIncomplete(STEP_AGREEMENT)
        if _email_in_use(session, draft.email):
            raise ValidationFailed({"email": EMAIL_UNUSABLE})
        contract = session.get(Contract, invitation.contract_id)
        assert contract is not None
        now = utcnow()
        account = Account(kind=AccountKind.RESELLER, name=draft.company_name)
        user = User(
            account_id=account.id, email=draft.email, full_name=draft.full_name, password_hash=draft.password_hash
        )
        add_in_order(session, account, user)  # before the contract refers to them
        contracts.sign(
            session,
            contract,
            signee=user,
            text_sha256=draft.accepted_text_sha256,
            accepted_at=draft.accepted_at,
            signed_at=now,
            client_address=client_address,
            user_agent=user_agent,
        )
        invitation.status = InvitationStatus.ACTIVATED
        invitation.activated_at = now
        invitation.reseller_account_id = account.id
        session.add(invitation)
        actor = _actor(invitation)
        audit.record(
            session,
            actor=actor,
            action="account.created",
            object_type="account",
            object_id=account.id,
            client_address=client_address,
        )
        audit.record(
            session,
            actor=actor,
            action="user.created",
            object_type="user",
            object_id=user.id,
            client_address=client_address,
        )
        audit.record(
            session,
            actor=user.id,
            action="invitation.activated",
            object_type="invitation",
            object_id=invitation.id,
            client_address=client_address,
        )
        notifications.tell_reseller_activated(
            session,
            distributor_id=invitation.distributor_id,
            about_id=invitation.id,
            page=f"/distributor/invitations/{invitation.id}",
            reseller=account.name,
            signee=user.full_name,
        )
        uow.commit()
    return ActivatedPortal(account_id=account.id, user_id=user.id, contract_id=contract.id, company_name=account.name)

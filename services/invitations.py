"""Issuing activation links (invitations) and looking them up by token."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, select

from data.db import begin_write
from data.models import Contract, Invitation, InvitationStatus
from data.models.types import utcnow
from services import audit
from services.agreements import active_version_for
from services.errors import (
    InvitationAlreadyActivated,
    InvitationExpired,
    InvitationNotFound,
    InvitationRevoked,
    ValidationFailed,
)
from services.rules import NAME_MAX, NOTE_MAX, clean_email, clean_optional_text
from services.security import MAX_TOKEN_LENGTH, new_token, token_hash

MAX_EXPIRY_DAYS = 90


@dataclass(frozen=True)
class IssuedInvitation:
    """A new invitation and its URL token. The token exists only here: the database keeps its hash."""

    invitation: Invitation
    token: str


def create_invitation(
    session: Session,
    distributor_id: str,
    *,
    invitee_email: str | None = None,
    company_name: str | None = None,
    note_to_signee: str | None = None,
    expires_in_days: int = 14,
    actor: str = "operator",
) -> IssuedInvitation:
    """Issue an activation link for one reseller: a pending contract on the distributor's active agreement
    version and its invitation."""
    errors: dict[str, str] = {}
    email = None
    if invitee_email and invitee_email.strip():
        try:
            email = clean_email(invitee_email)
        except ValidationFailed as failure:
            errors.update(failure.errors)
    try:
        company = clean_optional_text(company_name, "company_name", NAME_MAX)
    except ValidationFailed as failure:
        errors.update(failure.errors)
    try:
        note = clean_optional_text(note_to_signee, "note_to_signee", NOTE_MAX)
    except ValidationFailed as failure:
        errors.update(failure.errors)
    if not 1 <= expires_in_days <= MAX_EXPIRY_DAYS:
        errors["expires_in_days"] = f"An invitation expires in 1 to {MAX_EXPIRY_DAYS} days."
    if errors:
        raise ValidationFailed(errors)

    begin_write(session)
    version = active_version_for(session, distributor_id)
    token, hashed = new_token()
    now = utcnow()
    contract = Contract(distributor_id=distributor_id, agreement_version_id=version.id, note_to_signee=note)
    invitation = Invitation(
        distributor_id=distributor_id,
        contract_id=contract.id,
        agreement_version_id=version.id,
        token_hash=hashed,
        invitee_email=email,
        company_name=company,
        note_to_signee=note,
        created_at=now,
        expires_at=now + timedelta(days=expires_in_days),
    )
    session.add(contract)
    session.add(invitation)
    audit.record(
        session,
        actor=actor,
        action="invitation.created",
        object_type="invitation",
        object_id=invitation.id,
        contract=contract.id,
    )
    session.commit()
    return IssuedInvitation(invitation, token)


def find_by_token(session: Session, token: str) -> Invitation | None:
    """The invitation whose token hashes to the stored hash. The lookup is by hash, so its timing tells
    nothing about how close a guess is."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    return session.exec(select(Invitation).where(Invitation.token_hash == token_hash(token))).first()


def usable_invitation(session: Session, token: str) -> Invitation:
    """The invitation for ``token`` if the reseller may still work on it; otherwise raise the error that
    says why (unknown, expired, revoked, already activated)."""
    invitation = find_by_token(session, token)
    if invitation is None:
        raise InvitationNotFound()
    status = invitation.effective_status(utcnow())
    if status == InvitationStatus.ACTIVATED:
        raise InvitationAlreadyActivated()
    if status == InvitationStatus.REVOKED:
        raise InvitationRevoked()
    if status == InvitationStatus.EXPIRED:
        raise InvitationExpired()
    return invitation

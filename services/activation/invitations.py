"""Issuing activation links (invitations) and looking them up by token."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, select

from data.db import add_in_order
from data.models import Account, Agreement, AgreementVersion, Contract, Invitation, InvitationStatus
from data.models.types import utcnow
from data.settings import DEFAULT_INVITATION_DAYS, MAX_INVITATION_DAYS
from services import audit
from services.access import own
from services.distributor.agreements import active_version_for
from services.errors import (
    FieldErrors,
    InvitationAlreadyActivated,
    InvitationExpired,
    InvitationNotFound,
    InvitationRevoked,
    ValidationFailed,
)
from services.existing_users import email_problem
from services.requests import check_not_done, record_done
from services.rules import NAME_MAX, NOTE_MAX, clean_email, clean_optional_text, is_storable, text_value
from services.security import new_token, token_hash
from services.throttle import well_formed
from services.unit_of_work import UnitOfWork

MAX_EXPIRY_DAYS = MAX_INVITATION_DAYS


@dataclass(frozen=True)
class IssuedInvitation:
    """A new invitation and its URL token. The token exists only here: the database keeps its hash."""

    invitation: Invitation
    token: str


def clean_note(raw: object) -> str | None:
    """An optional note to the signee: several lines, at most 2,000 characters."""
    return clean_optional_text(raw, "note_to_signee", NOTE_MAX, multiline=True)


def clean_optional_email(raw: object) -> str | None:
    """An optional invitee email: ``None`` when blank, else a valid one."""
    value = text_value(raw, "email")
    return clean_email(value) if value.strip() else None


@dataclass(frozen=True)
class InvitationTerms:
    """What an invitation carries besides its link, validated."""

    invitee_email: str | None
    company_name: str | None
    note_to_signee: str | None
    expires_in_days: int

    @classmethod
    def clean(
        cls, *, invitee_email: str | None, company_name: str | None, note_to_signee: str | None, expires_in_days: int
    ) -> InvitationTerms:
        """Validate every field at once; :class:`ValidationFailed` names each wrong one."""
        errors = FieldErrors()
        email = errors.check(clean_optional_email, invitee_email)
        company = errors.check(clean_optional_text, company_name, "company_name", NAME_MAX)
        note = errors.check(clean_note, note_to_signee)
        if type(expires_in_days) is not int:  # nothing typed, 0.5, "two": refused, never rounded
            errors.add("expires_in_days", f"Enter a whole number of days, from 1 to {MAX_EXPIRY_DAYS}.")
        elif not 1 <= expires_in_days <= MAX_EXPIRY_DAYS:  # 120 is refused, never cut to 90
            errors.add("expires_in_days", f"An invitation expires in 1 to {MAX_EXPIRY_DAYS} days.")
        errors.raise_if_any()
        return cls(email, company, note, expires_in_days)


def create_invitation(
    uow: UnitOfWork,
    distributor_id: str,
    *,
    invitee_email: str | None = None,
    company_name: str | None = None,
    note_to_signee: str | None = None,
    expires_in_days: int = DEFAULT_INVITATION_DAYS,
    agreement_version_id: str | None = None,
    actor: str = "operator",
    request_key: str | None = None,
    send_email: bool = False,
) -> IssuedInvitation:
    """Issue an activation link for one reseller: a pending contract on the distributor's active agreement
    version (or the chosen one of its versions) and its invitation. Done once per ``request_key``. With
    ``send_email``, the link is emailed to the invitee (queued in the same transaction)."""
    terms = InvitationTerms.clean(
        invitee_email=invitee_email,
        company_name=company_name,
        note_to_signee=note_to_signee,
        expires_in_days=expires_in_days,
    )
    if send_email is True and not terms.invitee_email:
        raise ValidationFailed({"email": "Enter the invitee's email to send the link by email."})
    with uow.write():
        check_not_done(uow.session, request_key)
        issued = add_invitation(
            uow.session, distributor_id, terms, agreement_version_id=agreement_version_id, actor=actor
        )
        if send_email is True:
            email_invitation(uow.session, issued.invitation, issued.token)
        record_done(uow.session, request_key, action="invitation.created", actor=actor, object_id=issued.invitation.id)
        uow.commit()
    return issued


def add_invitation(
    session: Session,
    distributor_id: str,
    terms: InvitationTerms,
    *,
    agreement_version_id: str | None = None,
    actor: str,
    reissued_from_id: str | None = None,
    reseller_account_id: str | None = None,
) -> IssuedInvitation:
    """Within the caller's write transaction: the pending contract and its invitation. With
    ``reseller_account_id``, both are bound to that existing reseller account (a new contract for a removed
    partner, signed by one of its users); otherwise an invitee email that belongs to a user already is refused
    now, with the reason, since the invitation could never be completed."""
    if reseller_account_id is None and terms.invitee_email:
        problem = email_problem(session, distributor_id, terms.invitee_email)
        if problem:
            raise ValidationFailed({"email": problem})
    if agreement_version_id is None:
        version = active_version_for(session, distributor_id)
    else:
        if not isinstance(agreement_version_id, str) or not is_storable(agreement_version_id):
            raise ValidationFailed({"agreement_version_id": "Choose one of your agreement versions."})
        chosen = session.get(AgreementVersion, agreement_version_id)
        agreement = session.get(Agreement, chosen.agreement_id) if chosen else None
        own(distributor_id, agreement.distributor_id if agreement else None, "agreement version")
        assert chosen is not None
        version = chosen
    token, hashed = new_token()
    now = utcnow()
    contract = Contract(
        distributor_id=distributor_id,
        agreement_version_id=version.id,
        note_to_signee=terms.note_to_signee,
        reseller_account_id=reseller_account_id,
    )
    invitation = Invitation(
        distributor_id=distributor_id,
        contract_id=contract.id,
        agreement_version_id=version.id,
        token_hash=hashed,
        invitee_email=terms.invitee_email,
        company_name=terms.company_name,
        note_to_signee=terms.note_to_signee,
        reissued_from_id=reissued_from_id,
        reseller_account_id=reseller_account_id,
        created_at=now,
        expires_at=now + timedelta(days=terms.expires_in_days),
    )
    add_in_order(session, contract, invitation)
    audit.record(
        session,
        actor=actor,
        action="invitation.created",
        object_type="invitation",
        object_id=invitation.id,
        contract=contract.id,
    )
    return IssuedInvitation(invitation, token)


def email_invitation(session: Session, invitation: Invitation, token: str) -> None:
    """Within the caller's write transaction: queue the email that carries the invitation's link."""
    from services.mail import messages, outbox

    distributor = session.get(Account, invitation.distributor_id)
    assert distributor is not None and invitation.invitee_email
    outbox.enqueue(
        session,
        messages.invitation(
            recipient=invitation.invitee_email,
            invitation_id=invitation.id,
            distributor=distributor.name,
            company=invitation.company_name,
            note=invitation.note_to_signee,
            expires_at=invitation.expires_at,
            token=token,
        ),
    )


def find_by_token(uow: UnitOfWork, token: str) -> Invitation | None:
    """The invitation whose token hashes to the stored hash, locked when ``uow`` writes (PostgreSQL). The
    lookup is by hash, so its timing tells nothing about how close a guess is."""
    if not well_formed(token):
        return None
    return uow.session.exec(uow.lock(select(Invitation).where(Invitation.token_hash == token_hash(token)))).first()


def usable_invitation(uow: UnitOfWork, token: str) -> Invitation:
    """The invitation for ``token`` if the reseller may still work on it; otherwise raise the error that
    says why (unknown, expired, revoked, already activated). In a write block the invitation stays locked
    until the block ends, so that racing steps on one link take turns."""
    invitation = find_by_token(uow, token)
    if invitation is None:
        raise InvitationNotFound()
    status = invitation.effective_status(utcnow())
    problem = {
        InvitationStatus.ACTIVATED: InvitationAlreadyActivated,
        InvitationStatus.REVOKED: InvitationRevoked,
        InvitationStatus.EXPIRED: InvitationExpired,
    }.get(status)
    if problem is not None:
        distributor = uow.session.get(Account, invitation.distributor_id)
        raise problem(distributor.name if distributor else None)
    return invitation

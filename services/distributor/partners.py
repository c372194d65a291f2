"""The distributor's partners (resellers): the directory, a partner's contract and evidence, terminating a
contract, and creating a reseller account directly with a one-time set-password link."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from functools import partial
from typing import TypeVar

from sqlalchemy import ColumnElement, and_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, func, or_, select
from sqlmodel.sql.expression import Select, SelectOfScalar

from data.db import add_in_order
from data.models import (
    Account,
    AccountKind,
    Agreement,
    AgreementVersion,
    Contract,
    ContractStatus,
    ContractTermination,
    Invitation,
    InvitationStatus,
    SetPasswordLink,
    User,
    UserStatus,
)
from data.models.contract import TERMINATION_REASON_MAX
from data.models.types import utcnow
from data.settings import DEFAULT_INVITATION_DAYS
from services import audit, throttle
from services.access import distributor_of, own
from services.activation import contracts
from services.activation.invitations import MAX_EXPIRY_DAYS
from services.actors import SignedInUser
from services.distributor import syndication
from services.distributor.agreements import active_version_for
from services.errors import FieldErrors, InvalidState, NotFound, SetPasswordLinkProblem, ValidationFailed
from services.existing_users import email_problem
from services.listing import PAGE_SIZE, Page, contains, page_number, search_text
from services.mail import messages, notifications, outbox
from services.portal.hubs import HubView, hubs_of
from services.portal.marketplaces import MarketplaceView, marketplaces_of
from services.requests import check_not_done, record_done
from services.rules import (
    ACCEPTANCE_REQUIRED,
    check_password,
    clean_company_name,
    clean_email,
    clean_full_name,
    clean_optional_text,
    is_storable,
)
from services.security import hash_password, new_token, token_hash
from services.unit_of_work import UnitOfWork

REPRESENTATIVE_EMAIL_TAKEN = (
    "An account already uses this email. Sign in with it, or ask your distributor to create the account "
    "with another email."
)


RESELLER_NAME_MISSING = "Enter the reseller's legal name."
REPRESENTATIVE_NAME_MISSING = "Enter the representative's full name."
REPRESENTATIVE_EMAIL_MISSING = "Enter the representative's email address."


class UnknownSetPasswordLink(SetPasswordLinkProblem):
    """No set-password link has this token."""


class PartnerStatus(StrEnum):
    INVITED = "invited"  # a link is out, not yet activated
    ACTIVE = "active"  # the service contract is signed
    REMOVED = "removed"  # the contract was terminated


class PartnerAction(StrEnum):
    """What a distributor can do to a partner's contract."""

    TERMINATE_CONTRACT = "terminate_contract"
    OFFER_NEW_CONTRACT = "offer_new_contract"
    REMOVE_ACCOUNT = "remove_account"


# The contract's status machine: what each status allows. The actions (here and in new_contracts) check it;
# the pages show the actions a partner allows and nothing else.
CONTRACT_ACTIONS: dict[ContractStatus, frozenset[PartnerAction]] = {
    ContractStatus.PENDING: frozenset({PartnerAction.REMOVE_ACCOUNT}),  # only one created directly, not invited
    ContractStatus.ACTIVE: frozenset({PartnerAction.TERMINATE_CONTRACT}),
    ContractStatus.TERMINATED: frozenset({PartnerAction.OFFER_NEW_CONTRACT}),  # unless one is out or signed
    ContractStatus.REJECTED: frozenset(),
    ContractStatus.WITHDRAWN: frozenset(),
}


@dataclass(frozen=True)
class PartnerRow:
    contract_id: str
    company_name: str
    status: PartnerStatus
    signed_at: datetime | None
    representative_name: str | None
    representative_email: str | None
    reseller_account_id: str | None
    invitation_id: str | None
    allowed_actions: frozenset[PartnerAction] = frozenset()


@dataclass(frozen=True)
class PartnerDetail:
    row: PartnerRow
    agreement_title: str
    agreement_version: int
    contract_status: ContractStatus
    note_to_signee: str | None
    evidence_text_sha256: str | None
    evidence_email: str | None
    evidence_name: str | None
    evidence_accepted_at: datetime | None
    evidence_client_address: str | None
    evidence_user_agent: str | None
    terminated_at: datetime | None
    # For a removed partner: the newer contract offered to or signed by the same account, if any.
    next_contract: PartnerRow | None = None
    termination_reason: str | None = None  # what the distributor said when it terminated it (since revision 0004)

    @property
    def allowed_actions(self) -> frozenset[PartnerAction]:
        """The contract's actions; a removed partner with a newer contract is followed to it instead."""
        allowed = self.row.allowed_actions
        return allowed - {PartnerAction.OFFER_NEW_CONTRACT} if self.next_contract is not None else allowed


@dataclass(frozen=True)
class DirectAccount:
    """A reseller account created by a distributor, and its representative's one-time link token."""

    account_id: str
    contract_id: str
    token: str
    expires_at: datetime


@dataclass(frozen=True)
class SetPasswordView:
    company_name: str
    full_name: str
    email: str
    distributor_name: str
    agreement_title: str
    agreement_version: int
    agreement_text: str


@dataclass(frozen=True)
class PasswordSet:
    user_id: str
    account_id: str
    contract_id: str


PartnerPage = Page[PartnerRow]


def _shown_as(status: PartnerStatus | None, now: datetime) -> ColumnElement[bool]:
    """Which contracts the directory shows (of one status): signed ones, terminated ones, and those waiting for a
    reseller: a directly created account, or an open invitation that names its invitee (an email or a company).
    An invitation with no invitee detail is a link, not yet a company, and is not listed."""
    invited = and_(
        col(Contract.status) == ContractStatus.PENDING,
        or_(
            col(Invitation.id).is_(None),
            and_(
                col(Invitation.status).in_((InvitationStatus.PENDING, InvitationStatus.IN_PROGRESS)),
                col(Invitation.expires_at) > now,
                or_(
                    col(Invitation.invitee_email).is_not(None),
                    col(Invitation.company_name).is_not(None),
                    col(Contract.reseller_account_id).is_not(None),  # a new contract offered to a partner
                ),
            ),
        ),
    )
    conditions = {
        PartnerStatus.INVITED: invited,
        PartnerStatus.ACTIVE: col(Contract.status) == ContractStatus.ACTIVE,
        PartnerStatus.REMOVED: col(Contract.status) == ContractStatus.TERMINATED,
    }
    return conditions[status] if status is not None else or_(*conditions.values())


# A contract with what the directory shows of it (None where the outer joins find nothing).
PartnerRows = Select[Contract, Invitation | None, Account | None, User | None, SetPasswordLink | None]
Joined = TypeVar("Joined", PartnerRows, SelectOfScalar[int])


def _partner_rows(
    session: Session,
    distributor_id: str,
    contract_id: str | None = None,
    *,
    status: PartnerStatus | None = None,
    search: str = "",
    page: int | None = None,
    page_size: int = PAGE_SIZE,
) -> tuple[Sequence[tuple[Contract, Invitation | None, Account | None, User | None, SetPasswordLink | None]], int]:
    """The directory's rows (newest first), with how many there are in all; one page of them when ``page``."""
    reseller = aliased(Account)
    now = utcnow()
    conditions: list[ColumnElement[bool]] = [col(Contract.distributor_id) == distributor_id]
    if contract_id is not None:
        conditions.append(col(Contract.id) == contract_id)
    else:
        conditions.append(_shown_as(status, now))
    if search:
        conditions.append(
            contains(
                search,
                (
                    reseller.name,
                    Invitation.company_name,
                    Invitation.invitee_email,
                    User.full_name,
                    User.email,
                    SetPasswordLink.full_name,
                    SetPasswordLink.email,
                    Contract.id,
                ),
            )
        )

    def joined(statement: Joined) -> Joined:
        return (
            statement.outerjoin(Invitation, col(Invitation.contract_id) == col(Contract.id))
            .outerjoin(reseller, col(reseller.id) == col(Contract.reseller_account_id))
            .outerjoin(User, col(User.id) == col(Contract.signee_user_id))
            .outerjoin(SetPasswordLink, col(SetPasswordLink.contract_id) == col(Contract.id))
            .where(*conditions)
        )

    # sqlmodel's select() is typed for at most four entities: the statement is built as its Select of five.
    rows_query: PartnerRows = Select(Contract, Invitation, reseller, User, SetPasswordLink)
    statement = joined(rows_query).order_by(col(Contract.created_at).desc(), col(Contract.id).desc())
    if page is None:
        rows = session.exec(statement).all()
        return rows, len(rows)
    total = session.exec(joined(select(func.count()).select_from(Contract))).one()
    return session.exec(statement.offset((page - 1) * page_size).limit(page_size)).all(), total


def _partner(
    contract: Contract,
    invitation: Invitation | None,
    reseller: Account | None,
    signee: User | None,
    link: SetPasswordLink | None,
    now: datetime,
) -> PartnerRow | None:
    """The directory's view of one contract; ``None`` for one it does not show (a link that died before it was
    used, an invitation naming no invitee, a withdrawn or rejected contract)."""
    if contract.status == ContractStatus.ACTIVE:
        status = PartnerStatus.ACTIVE
    elif contract.status == ContractStatus.TERMINATED:
        status = PartnerStatus.REMOVED
    elif contract.status == ContractStatus.PENDING:
        if invitation is not None and (
            invitation.effective_status(now) not in (InvitationStatus.PENDING, InvitationStatus.IN_PROGRESS)
            or not (invitation.invitee_email or invitation.company_name or contract.reseller_account_id)
        ):
            return None
        status = PartnerStatus.INVITED
    else:
        return None
    company = (reseller.name if reseller else None) or (invitation.company_name if invitation else None)
    return PartnerRow(
        contract_id=contract.id,
        company_name=company or "(company name not given yet)",
        status=status,
        signed_at=contract.signed_at,
        representative_name=signee.full_name if signee else (link.full_name if link else None),
        representative_email=(
            signee.email if signee else (link.email if link else (invitation.invitee_email if invitation else None))
        ),
        reseller_account_id=contract.reseller_account_id,
        invitation_id=invitation.id if invitation else None,
        # An invited partner's link is revoked on the invitations page; only a directly created account is removed.
        allowed_actions=CONTRACT_ACTIONS[contract.status] - ({PartnerAction.REMOVE_ACCOUNT} if invitation else set()),
    )


def _status(status: object) -> PartnerStatus | None:
    if status in (None, ""):
        return None
    try:
        return PartnerStatus(status) if isinstance(status, str) else PartnerStatus(str(status))
    except ValueError:
        raise ValidationFailed({"status": "Choose one of the statuses in the list."}) from None


def find_partners(
    uow: UnitOfWork,
    actor: SignedInUser,
    *,
    status: str | None = None,
    search: str | None = None,
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> Page[PartnerRow]:
    """One page of the actor's distributor's partners, newest first: filtered by status, and by text found in
    the company's name, the representative's name or email, or the contract ID."""
    distributor_id = distributor_of(actor)
    page = page_number(page)
    wanted, text = _status(status), search_text(search)
    with uow.read():
        rows, total = _partner_rows(
            uow.session, distributor_id, status=wanted, search=text, page=page, page_size=page_size
        )
    now = utcnow()
    shown = [row for row in (_partner(*row, now) for row in rows) if row is not None]
    return Page(rows=shown, total=total, page=page, page_size=page_size)


def list_partners(uow: UnitOfWork, actor: SignedInUser, *, status: str | None = None) -> list[PartnerRow]:
    """Every partner of the actor's distributor (invited, active, removed), newest first."""
    distributor_id, wanted = distributor_of(actor), _status(status)
    with uow.read():
        rows, _ = _partner_rows(uow.session, distributor_id, status=wanted)
    now = utcnow()
    return [row for row in (_partner(*row, now) for row in rows) if row is not None]


def partner_detail(uow: UnitOfWork, actor: SignedInUser, contract_id: str) -> PartnerDetail:
    """A partner's contract with the evidence recorded when it was signed."""
    distributor_id = distributor_of(actor)
    with uow.read():
        return _partner_detail(uow.session, distributor_id, contract_id)


def _partner_detail(session: Session, distributor_id: str, contract_id: str) -> PartnerDetail:
    rows = _partner_rows(session, distributor_id, contract_id.strip())[0] if is_storable(contract_id) else []
    if not rows:
        raise NotFound("No such partner.")
    contract, invitation, reseller, signee, link = rows[0]
    now = utcnow()
    row = _partner(contract, invitation, reseller, signee, link, now)
    if row is None:
        raise NotFound("No such partner.")
    next_contract = None
    if row.status == PartnerStatus.REMOVED and contract.reseller_account_id is not None:
        newer = [
            _partner(*other, now)
            for other in _partner_rows(session, distributor_id)[0]
            if other[0].reseller_account_id == contract.reseller_account_id
            and other[0].created_at > contract.created_at
        ]
        next_contract = next((other for other in newer if other is not None), None)
    version = session.get(AgreementVersion, contract.agreement_version_id)
    assert version is not None
    agreement = session.get(Agreement, version.agreement_id)
    assert agreement is not None
    termination = session.get(ContractTermination, contract.id)
    return PartnerDetail(
        row=row,
        agreement_title=agreement.title,
        agreement_version=version.version,
        contract_status=contract.status,
        note_to_signee=contract.note_to_signee,
        evidence_text_sha256=contract.evidence_text_sha256,
        evidence_email=contract.evidence_email,
        evidence_name=contract.evidence_name,
        evidence_accepted_at=contract.evidence_accepted_at,
        evidence_client_address=contract.evidence_client_address,
        evidence_user_agent=contract.evidence_user_agent,
        terminated_at=contract.terminated_at,
        next_contract=next_contract,
        termination_reason=termination.reason if termination else None,
    )


TERMINATION_REASON_MISSING = "Say why the contract is terminated: the reseller sees this reason."


def clean_termination_reason(raw: object) -> str:
    """The reason a contract is terminated: required, plain text (line breaks allowed), at most 500 characters."""
    reason = clean_optional_text(raw, "reason", TERMINATION_REASON_MAX, multiline=True)
    if reason is None:
        raise ValidationFailed({"reason": TERMINATION_REASON_MISSING})
    return reason


def terminate_contract(uow: UnitOfWork, actor: SignedInUser, contract_id: str, *, reason: object) -> Contract:
    """End an active service contract, saying why. It stays readable; the reseller's portal closes, and its
    contract page shows the date and the reason."""
    distributor_id = distributor_of(actor)
    cleaned = clean_termination_reason(reason)
    with uow.write():
        contract = uow.get_for_update(Contract, contract_id.strip()) if is_storable(contract_id) else None
        own(distributor_id, contract.distributor_id if contract else None, "contract")
        assert contract is not None
        if PartnerAction.TERMINATE_CONTRACT not in CONTRACT_ACTIONS[contract.status]:
            raise InvalidState(f"Only an active contract can be terminated; this one is {contract.status.value}.")
        contract.status = ContractStatus.TERMINATED
        contract.terminated_at = utcnow()
        uow.session.add(contract)
        uow.session.add(ContractTermination(contract_id=contract.id, reason=cleaned, terminated_by=actor.user_id))
        audit.record(
            uow.session,
            actor=actor.user_id,
            action="contract.terminated",
            object_type="contract",
            object_id=contract.id,
        )
        if contract.reseller_account_id is not None:  # its pending enrolments are rejected with that reason
            syndication.reject_pending_of_reseller(
                uow.session, distributor_id, contract.reseller_account_id, actor=actor.user_id
            )
        uow.commit()
    return contract


@dataclass(frozen=True)
class PartnerCommerce:
    """A partner's hubs and marketplaces, as its distributor sees them (read-only)."""

    hubs: list[HubView]
    marketplaces: list[MarketplaceView]


def partner_commerce(uow: UnitOfWork, actor: SignedInUser, contract_id: str) -> PartnerCommerce:
    """The hubs and marketplaces of the reseller behind one of the actor's partner contracts (none before it
    signed)."""
    distributor_id = distributor_of(actor)
    with uow.read():
        contract = uow.session.get(Contract, contract_id.strip()) if is_storable(contract_id) else None
        if contract is None or contract.distributor_id != distributor_id:
            raise NotFound("No such partner.")
        if contract.reseller_account_id is None:
            return PartnerCommerce([], [])
        account_id = contract.reseller_account_id
        return PartnerCommerce(hubs_of(uow.session, account_id), marketplaces_of(uow.session, account_id))


def create_reseller_account(
    uow: UnitOfWork,
    actor: SignedInUser,
    *,
    legal_name: str | None,
    representative_name: str | None,
    representative_email: str | None,
    expires_in_days: int = DEFAULT_INVITATION_DAYS,
    request_key: str | None = None,
    send_email: bool = False,
) -> DirectAccount:
    """The tutorial's alternative path: a reseller account with its representative, who gets a one-time
    link to set a password and accept the service agreement. Until then the partner shows as invited. With
    ``send_email``, the link is emailed to the representative too (queued in the same transaction)."""
    distributor_id = distributor_of(actor)
    errors = FieldErrors()
    # Said to the distributor: of the reseller and its representative, not "your".
    company_name = errors.check(partial(clean_company_name, missing=RESELLER_NAME_MISSING), legal_name) or ""
    full_name = errors.check(partial(clean_full_name, missing=REPRESENTATIVE_NAME_MISSING), representative_name) or ""
    email = errors.check(partial(clean_email, missing=REPRESENTATIVE_EMAIL_MISSING), representative_email) or ""
    if not 1 <= expires_in_days <= MAX_EXPIRY_DAYS:
        errors.add("expires_in_days", f"A link expires in 1 to {MAX_EXPIRY_DAYS} days.")
    errors.raise_if_any()
    with uow.write():
        account = _add_reseller_account(
            uow, distributor_id, actor, company_name, full_name, email, expires_in_days, request_key
        )
        if send_email is True:
            distributor = uow.session.get(Account, distributor_id)
            assert distributor is not None
            outbox.enqueue(
                uow.session,
                messages.set_password(
                    recipient=email,
                    full_name=full_name,
                    distributor=distributor.name,
                    company=company_name,
                    expires_at=account.expires_at,
                    token=account.token,
                    about_id=account.contract_id,
                ),
            )
        uow.commit()
    return account


def _add_reseller_account(
    uow: UnitOfWork,
    distributor_id: str,
    actor: SignedInUser,
    company_name: str,
    full_name: str,
    email: str,
    expires_in_days: int,
    request_key: str | None,
) -> DirectAccount:
    session = uow.session
    uow.get_for_update(Account, distributor_id)  # one account creation at a time per distributor (PostgreSQL)
    check_not_done(session, request_key)
    now = utcnow()
    conflict = email_problem(session, distributor_id, email) or _known_to(session, distributor_id, email, now)
    if conflict:
        raise ValidationFailed({"email": conflict})
    version = active_version_for(session, distributor_id)
    account = Account(kind=AccountKind.RESELLER, name=company_name)
    contract = Contract(distributor_id=distributor_id, agreement_version_id=version.id, reseller_account_id=account.id)
    token, hashed = new_token()
    link = SetPasswordLink(
        contract_id=contract.id,
        email=email,
        full_name=full_name,
        token_hash=hashed,
        created_at=now,
        expires_at=now + timedelta(days=expires_in_days),
    )
    add_in_order(session, account, contract, link)
    for action, object_type, object_id in (
        ("account.created", "account", account.id),
        ("set_password_link.created", "set_password_link", link.id),
    ):
        audit.record(session, actor=actor.user_id, action=action, object_type=object_type, object_id=object_id)
    record_done(session, request_key, action="reseller_account.created", actor=actor.user_id, object_id=account.id)
    return DirectAccount(account.id, contract.id, token, link.expires_at)


def _known_to(session: Session, distributor_id: str, email: str, now: datetime) -> str | None:
    """Why ``email`` cannot be the representative of a new account, judged only from what this distributor may
    know (its own users, its partners' users, its own open links). Whether the email belongs to another tenant's
    user is never asked: that is settled when the link is used, with the email's owner."""
    partner_accounts = select(Contract.reseller_account_id).where(
        Contract.distributor_id == distributor_id, col(Contract.reseller_account_id).is_not(None)
    )
    known_user = session.exec(
        select(User.id).where(
            User.email == email,
            or_(col(User.account_id) == distributor_id, col(User.account_id).in_(partner_accounts)),
        )
    ).first()
    if known_user is not None:
        return "This email already belongs to one of your users or your partners' users."
    open_link = session.exec(
        select(SetPasswordLink.id)
        .join(Contract, col(Contract.id) == col(SetPasswordLink.contract_id))
        .where(
            Contract.distributor_id == distributor_id,
            Contract.status == ContractStatus.PENDING,
            SetPasswordLink.email == email,
            col(SetPasswordLink.used_at).is_(None),
            col(SetPasswordLink.revoked_at).is_(None),
            col(SetPasswordLink.expires_at) > now,
        )
    ).first()
    if open_link is not None:
        return "An account you created for this email is still waiting for its representative."
    return None


def remove_reseller_account(uow: UnitOfWork, actor: SignedInUser, contract_id: str) -> Contract:
    """Remove a directly created reseller account before its representative set a password: the set-password
    link stops working at once and the email is free again. The contract stays on record, withdrawn."""
    distributor_id = distributor_of(actor)
    with uow.write():
        contract = _withdraw(uow, distributor_id, actor, contract_id)
        uow.commit()
    return contract


def _withdraw(uow: UnitOfWork, distributor_id: str, actor: SignedInUser, contract_id: str) -> Contract:
    session = uow.session
    contract = (
        uow.get_for_update(Contract, contract_id.strip())
        if isinstance(contract_id, str) and is_storable(contract_id)
        else None
    )
    own(distributor_id, contract.distributor_id if contract else None, "partner")
    assert contract is not None
    invited = session.exec(select(Invitation.id).where(Invitation.contract_id == contract.id)).first()
    if PartnerAction.REMOVE_ACCOUNT not in CONTRACT_ACTIONS[contract.status] or invited is not None:
        raise InvalidState("Only an account whose representative has not set a password yet can be removed.")
    now = utcnow()
    for link in session.exec(select(SetPasswordLink).where(SetPasswordLink.contract_id == contract.id)).all():
        link.revoked_at = link.revoked_at or now
        legacy = session.get(User, link.user_id) if link.user_id else None
        if legacy is not None and legacy.status == UserStatus.INVITED:  # made by schema 4: it held the email
            link.user_id = None
            contract.signee_user_id = None
            session.add_all([link, contract])
            session.flush()
            session.delete(legacy)
        session.add(link)
    contract.status = ContractStatus.WITHDRAWN
    session.add(contract)
    audit.record(session, actor=actor.user_id, action="partner.removed", object_type="contract", object_id=contract.id)
    return contract


def _usable_link(uow: UnitOfWork, token: str) -> SetPasswordLink:
    """The set-password link for ``token`` (locked in a write block), or the error saying why it is unusable."""
    session = uow.session
    link = None
    if throttle.well_formed(token):
        statement = select(SetPasswordLink).where(SetPasswordLink.token_hash == token_hash(token))
        link = session.exec(uow.lock(statement)).first()
    if link is None:
        raise UnknownSetPasswordLink("This link is not valid. Ask your distributor for a new one.")
    if link.used_at is None and link.revoked_at is None and utcnow() < link.expires_at:
        return link
    contract = session.get(Contract, link.contract_id)
    distributor = session.get(Account, contract.distributor_id) if contract else None
    name = distributor.name if distributor else None
    if link.used_at is not None:
        raise SetPasswordLinkProblem("This link has already been used. Sign in with the password you set.", name)
    if link.revoked_at is not None:
        who = name or "Your distributor"
        raise SetPasswordLinkProblem(f"{who} has withdrawn this link. Ask them for a new one if you need it.", name)
    raise SetPasswordLinkProblem(f"This link has expired. Ask {name or 'your distributor'} for a new one.", name)


def open_set_password_link(
    uow: UnitOfWork,
    token: str,
    *,
    client_address: str | None = None,
    limits: throttle.Limits | None = None,
    slowed: bool = False,
) -> SetPasswordView:
    """What the representative sees on the set-password page; raises when the link cannot be used.
    Unknown links count against the client address, like unknown activation links."""
    return throttle.look_up_link(
        uow,
        client_address,
        token,
        lambda: _set_password_view(uow, token),
        UnknownSetPasswordLink,
        limits=limits,
        slowed=slowed,
    )


def _set_password_view(uow: UnitOfWork, token: str) -> SetPasswordView:
    session = uow.session
    link = _usable_link(uow, token)
    contract = session.get(Contract, link.contract_id)
    assert contract is not None and contract.reseller_account_id is not None
    account = session.get(Account, contract.reseller_account_id)
    distributor = session.get(Account, contract.distributor_id)
    version = session.get(AgreementVersion, contract.agreement_version_id)
    assert account is not None and distributor is not None and version is not None
    agreement = session.get(Agreement, version.agreement_id)
    assert agreement is not None
    return SetPasswordView(
        account.name,
        link.full_name or "",
        link.email or "",
        distributor.name,
        agreement.title,
        version.version,
        version.text,
    )


def set_password(
    uow: UnitOfWork,
    token: str,
    *,
    password: str | None,
    accepted: bool,
    client_address: str | None = None,
    user_agent: str | None = None,
) -> PasswordSet:
    """The representative sets a password and accepts the service agreement: the user becomes active and
    the contract is signed, with its evidence. The link works once."""
    with uow.read():
        link = _usable_link(uow, token)
        errors = FieldErrors()
        errors.check(check_password, password, link.email)
        if not accepted:
            errors.add("accepted", ACCEPTANCE_REQUIRED)
        errors.raise_if_any()
    password_hash = hash_password(password or "")  # outside any transaction

    with uow.write(conflicts={"user.email": ValidationFailed({"email": REPRESENTATIVE_EMAIL_TAKEN})}):
        done = _use_link(uow, token, password_hash, client_address, user_agent)
        uow.commit()
    return done


def _use_link(
    uow: UnitOfWork, token: str, password_hash: str, client_address: str | None, user_agent: str | None
) -> PasswordSet:
    session = uow.session
    link = _usable_link(uow, token)  # again, locked: single use even when racing
    contract = session.get(Contract, link.contract_id)
    assert contract is not None and contract.reseller_account_id is not None
    version = session.get(AgreementVersion, contract.agreement_version_id)
    assert version is not None
    now = utcnow()
    user = session.get(User, link.user_id) if link.user_id else None  # a link made by schema 4
    if user is None:
        if session.exec(select(User.id).where(User.email == link.email)).first() is not None:
            raise ValidationFailed({"email": REPRESENTATIVE_EMAIL_TAKEN})
        user = User(account_id=contract.reseller_account_id, email=link.email or "", full_name=link.full_name or "")
        add_in_order(session, user)
        link.user_id = user.id
    user.password_hash = password_hash
    user.status = UserStatus.ACTIVE
    link.used_at = now
    session.add_all([user, link])
    contracts.sign(
        session,
        contract,
        signee=user,
        text_sha256=version.text_sha256,
        accepted_at=now,
        signed_at=now,
        client_address=client_address,
        user_agent=user_agent,
    )
    audit.record(
        session,
        actor=user.id,
        action="user.password_set",
        object_type="user",
        object_id=user.id,
        client_address=client_address,
    )
    account = session.get(Account, user.account_id)
    notifications.tell_reseller_activated(
        session,
        distributor_id=contract.distributor_id,
        about_id=contract.id,
        page=f"/distributor/partners/{contract.id}",
        reseller=account.name if account else "A reseller",
        signee=user.full_name,
    )
    return PasswordSet(user.id, user.account_id, contract.id)

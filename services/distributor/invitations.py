"""The distributor's invitations: issue, list, look into, revoke, reissue.

Each action takes its actor: a signed-in distributor user touches only its distributor's data; the command
line's :class:`~services.actors.Operator` acts through the same functions over every distributor, or for one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TypeVar

from sqlalchemy import ColumnElement, and_, literal_column
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, func, select
from sqlmodel.sql.expression import Select, SelectOfScalar

from data import db
from data.models import Account, ActivationDraft, AgreementVersion, AuditEvent, Invitation, InvitationStatus, User
from data.models.invitation import invitation_search
from data.models.types import utcnow
from data.settings import DEFAULT_INVITATION_DAYS
from services import audit
from services.access import distributor_of, own, scope_of
from services.activation.invitations import (
    MAX_EXPIRY_DAYS,
    InvitationTerms,
    IssuedInvitation,
    add_invitation,
    create_invitation,
)
from services.activation.steps import STEP_TITLES
from services.actors import OPERATOR_NAME, Actor
from services.errors import InvalidState, ValidationFailed
from services.listing import Page, contains, page_number, search_text
from services.mail.outbox import EmailStatus, statuses_about
from services.rules import is_storable
from services.unit_of_work import UnitOfWork

PAGE_SIZE = 25
# Searches of 3 characters or more start from the trigram index, unless they match so many invitations that
# reading the invitations newest first is faster. `python -m bench.search` on 100,000 invitations: through the
# index, 11 matches take 8 ms, 1,111 take 22 ms, 11,111 take 164 ms and 100,000 take 1.5 s; reading newest first
# takes 100-370 ms whatever the matches (the less a search matches, the more it reads before a page is full).
INDEXED_SEARCH_MIN = 3
INDEXED_SEARCH_MAX_MATCHES = 20_000
OPEN_STATUSES = (InvitationStatus.PENDING, InvitationStatus.IN_PROGRESS)


class InvitationAction(StrEnum):
    """What a distributor can do to an invitation."""

    REVOKE = "revoke"
    REISSUE = "reissue"
    RESEND = "resend"  # email a fresh link (the invitation must have an invitee email)


# The invitation's status machine: what each status (as people see it: an open link past expiry is expired)
# allows. The actions below check it; the pages show the actions a row allows and nothing else.
ALLOWED_ACTIONS: dict[InvitationStatus, frozenset[InvitationAction]] = {
    InvitationStatus.PENDING: frozenset({InvitationAction.REVOKE, InvitationAction.RESEND}),
    InvitationStatus.IN_PROGRESS: frozenset({InvitationAction.REVOKE, InvitationAction.RESEND}),
    InvitationStatus.ACTIVATED: frozenset(),
    InvitationStatus.EXPIRED: frozenset({InvitationAction.REISSUE}),
    InvitationStatus.REVOKED: frozenset({InvitationAction.REISSUE}),
}


class InvitationProgress(StrEnum):
    """What has happened to an invitation, as the list shows it: a pending link is *not opened* until someone
    opens it, then *opened*; once a step is saved it is *in progress* (at some step)."""

    NOT_OPENED = "not_opened"
    OPENED = "opened"
    IN_PROGRESS = "in_progress"
    ACTIVATED = "activated"
    EXPIRED = "expired"
    REVOKED = "revoked"


@dataclass(frozen=True)
class InvitationRow:
    """One line of the invitations table."""

    invitation_id: str
    invitee_email: str | None
    company_name: str | None
    status: InvitationStatus
    created_at: datetime
    expires_at: datetime
    agreement_version: int
    reseller_account_id: str | None
    reseller_name: str | None
    distributor_name: str
    replaced_by: str | None = None  # the invitation that reissued this one
    opened_at: datetime | None = None  # first opened
    step_reached: int | None = None  # the step an invitation in progress is at (1..4)

    @property
    def allowed_actions(self) -> frozenset[InvitationAction]:
        """What its status allows now; an invitation reissued already is followed to its successor instead."""
        allowed = ALLOWED_ACTIONS[self.status]
        return allowed - {InvitationAction.REISSUE} if self.replaced_by else allowed

    @property
    def progress(self) -> InvitationProgress:
        if self.status == InvitationStatus.PENDING:
            return InvitationProgress.OPENED if self.opened_at else InvitationProgress.NOT_OPENED
        return InvitationProgress(self.status.value)


InvitationPage = Page[InvitationRow]


@dataclass(frozen=True)
class HistoryEntry:
    """One event in an invitation's history, with who did it and what, in words ("Casey Champion" "saved User
    properties"); ``details`` keeps the event's own data (the step, the new invitation's ID)."""

    at: datetime
    action: str
    actor: str
    client_address: str | None
    details: dict[str, object]
    who: str = ""
    what: str = ""


@dataclass(frozen=True)
class InvitationDetail:
    row: InvitationRow
    note_to_signee: str | None
    contract_id: str
    reissued_from_id: str | None
    history: list[HistoryEntry]
    emails: list[EmailStatus] = field(default_factory=list)  # the emails that carried its link, oldest first


_PROGRESS_ONLY = (InvitationProgress.NOT_OPENED.value, InvitationProgress.OPENED.value)


def _status_condition(status: InvitationStatus | InvitationProgress, now: datetime) -> ColumnElement[bool]:
    """The SQL condition for an invitation's status as people see it (an open link past expiry is expired; a
    pending one is not opened or opened)."""
    if status in (InvitationProgress.NOT_OPENED, InvitationProgress.OPENED):
        opened = col(Invitation.first_opened_at).is_not(None)
        return and_(
            col(Invitation.status) == InvitationStatus.PENDING,
            col(Invitation.expires_at) > now,
            opened if status == InvitationProgress.OPENED else ~opened,
        )
    if status == InvitationStatus.EXPIRED:
        return and_(col(Invitation.status).in_(OPEN_STATUSES), col(Invitation.expires_at) <= now)
    if status in OPEN_STATUSES:
        return and_(col(Invitation.status) == status, col(Invitation.expires_at) > now)
    return col(Invitation.status) == status


# An invitation with its agreement version's number, its reseller's name, its distributor's name, the step its
# draft reached and the invitation that reissued it (None where the outer joins find nothing).
RowsQuery = Select[Invitation, int, str | None, str, int | None, str | None]


Filtered = TypeVar("Filtered", RowsQuery, SelectOfScalar[int])


def _rows_query(reseller: type[Account]) -> RowsQuery:
    """Invitations with what a row shows of them: agreement version, reseller name (``reseller``), distributor,
    the step reached, and the invitation that reissued it (the newest, for one reissued several times before
    schema 5)."""
    distributor = aliased(Account)
    successor = aliased(Invitation)
    replaced_by = (
        select(successor.id)
        .where(col(successor.reissued_from_id) == col(Invitation.id))
        .order_by(col(successor.created_at).desc())
        .limit(1)
        .scalar_subquery()
    )
    # sqlmodel's select() is typed for at most four columns: the statement is built as its Select of six.
    statement: RowsQuery = Select(
        Invitation,
        col(AgreementVersion.version),
        col(reseller.name),
        col(distributor.name),
        col(ActivationDraft.furthest_step),
        replaced_by,
    )
    return (
        statement.join(AgreementVersion, col(AgreementVersion.id) == col(Invitation.agreement_version_id))
        .join(distributor, col(distributor.id) == col(Invitation.distributor_id))
        .outerjoin(reseller, col(reseller.id) == col(Invitation.reseller_account_id))
        .outerjoin(ActivationDraft, col(ActivationDraft.invitation_id) == col(Invitation.id))
    )


def _row(
    invitation: Invitation,
    version: int,
    reseller_name: str | None,
    distributor_name: str,
    furthest_step: int | None,
    replaced_by: str | None,
    now: datetime,
) -> InvitationRow:
    status = invitation.effective_status(now)
    return InvitationRow(
        invitation_id=invitation.id,
        invitee_email=invitation.invitee_email,
        company_name=invitation.company_name,
        status=status,
        created_at=invitation.created_at,
        expires_at=invitation.expires_at,
        agreement_version=version,
        reseller_account_id=invitation.reseller_account_id,
        reseller_name=reseller_name,
        distributor_name=distributor_name,
        opened_at=invitation.first_opened_at,
        step_reached=furthest_step if status == InvitationStatus.IN_PROGRESS else None,
        replaced_by=replaced_by,
    )


def _search_match(dialect: str, text: str) -> ColumnElement[bool]:
    """The search index's condition for ``text`` as a substring of any searched column. SQLite: an FTS5
    phrase query on the trigram index; PostgreSQL: ILIKE, which pg_trgm answers from the GIN indexes."""
    if dialect == db.POSTGRESQL:
        return contains(text, invitation_search.c)
    phrase = '"' + text.replace('"', '""') + '"'
    return literal_column("invitation_search").op("MATCH")(phrase)


def _indexed_matches(session: Session, dialect: str, text: str) -> int:
    """How many invitations (of any distributor) the search matches, counted up to one past the limit."""
    matches = (
        select(invitation_search.c.reference).where(_search_match(dialect, text)).limit(INDEXED_SEARCH_MAX_MATCHES + 1)
    )
    return session.exec(select(func.count()).select_from(matches.subquery())).one()


def _list(
    session: Session, distributor_id: str | None, *, status: str | None, search: str | None, page: int, page_size: int
) -> InvitationPage:
    now = utcnow()
    reseller = aliased(Account)
    conditions: list[ColumnElement[bool]] = []
    if distributor_id is not None:
        conditions.append(col(Invitation.distributor_id) == distributor_id)
    if status:
        try:
            wanted = InvitationProgress(status) if status in _PROGRESS_ONLY else InvitationStatus(status)
        except ValueError:
            raise ValidationFailed({"status": "Choose one of the statuses in the list."}) from None
        conditions.append(_status_condition(wanted, now))
    text = search_text(search)
    # The trigram index matches the text literally, as a substring of the ID, email, company name or reseller
    # name. Joining from the index's matches lets the database start from them.
    dialect = session.get_bind().dialect.name
    if "\x00" in text and dialect == db.POSTGRESQL:
        # PostgreSQL text cannot hold NUL, so no invitation contains it (nor can a query carry it).
        return InvitationPage(rows=[], total=0, page=page_number(page), page_size=page_size)
    # SQLite's planner cannot tell a search that matches a few invitations from one that matches most, so the
    # index's matches are counted first (bounded); PostgreSQL's planner estimates it from pg_trgm's statistics
    # and picks the index or the newest-first walk by itself (counting first made it scan the whole table).
    indexed = (
        len(text) >= INDEXED_SEARCH_MIN
        and "\x00" not in text  # FTS5 reads its query as a C string, which ends at NUL
        and (dialect == db.POSTGRESQL or _indexed_matches(session, dialect, text) <= INDEXED_SEARCH_MAX_MATCHES)
    )
    if indexed:
        conditions.append(_search_match(dialect, text))
    elif text:
        conditions.append(
            contains(text, (Invitation.invitee_email, Invitation.company_name, Invitation.id, reseller.name))
        )

    def filtered(statement: Filtered) -> Filtered:
        if indexed:
            statement = statement.join(invitation_search, invitation_search.c.reference == col(Invitation.id))
        return statement.where(*conditions)

    # The count needs the reseller's name only to search it, and none of what a row shows.
    counted = select(func.count()).select_from(Invitation)
    if text and not indexed:
        counted = counted.outerjoin(reseller, col(reseller.id) == col(Invitation.reseller_account_id))
    total = session.exec(filtered(counted)).one()
    page = page_number(page)
    rows = session.exec(
        filtered(_rows_query(reseller))
        .order_by(col(Invitation.created_at).desc(), col(Invitation.id).desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    return InvitationPage(
        rows=[_row(*row, now) for row in rows],
        total=total,
        page=page,
        page_size=page_size,
    )


def list_invitations(
    uow: UnitOfWork,
    actor: Actor,
    *,
    status: str | None = None,
    search: str | None = None,
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> InvitationPage:
    """The actor's distributor's invitations (every distributor's for the operator over all of them), newest
    first, filtered by status and text, one page at a time."""
    distributor_id = scope_of(actor)
    with uow.read():
        return _list(uow.session, distributor_id, status=status, search=search, page=page, page_size=page_size)


def _load(uow: UnitOfWork, distributor_id: str | None, invitation_id: str) -> Invitation:
    """One invitation of the distributor (any, for the operator over every distributor); locked in a write
    block."""
    invitation = uow.get_for_update(Invitation, invitation_id.strip()) if is_storable(invitation_id) else None
    own(distributor_id, invitation.distributor_id if invitation else None, "invitation")
    assert invitation is not None
    return invitation


def invite(
    uow: UnitOfWork,
    actor: Actor,
    *,
    invitee_email: str | None = None,
    company_name: str | None = None,
    note_to_signee: str | None = None,
    expires_in_days: int = DEFAULT_INVITATION_DAYS,
    agreement_version_id: str | None = None,
    request_key: str | None = None,
    send_email: bool = False,
) -> IssuedInvitation:
    """Issue an invitation for the actor's distributor. The URL token is returned once, never stored. A request
    key (one per opening of the dialog) makes a double click or a retry issue it once. ``send_email``: email the
    link to the invitee too."""
    return create_invitation(
        uow,
        distributor_of(actor),
        invitee_email=invitee_email,
        company_name=company_name,
        note_to_signee=note_to_signee,
        expires_in_days=expires_in_days,
        agreement_version_id=agreement_version_id,
        actor=actor.audit_name,
        request_key=request_key,
        send_email=send_email,
    )


HISTORY_WHAT = {
    "invitation.created": "created the invitation",
    "invitation.opened": "opened the activation link",
    "invitation.activated": "activated the reseller portal",
    "invitation.revoked": "revoked the invitation",
    "invitation.reissued": "reissued the invitation with a new link",
    "invitation.resent": "sent a new link by email (the previous link stopped working)",
}


def _history(session: Session, invitation: Invitation, reseller_name: str | None) -> list[HistoryEntry]:
    """The invitation's audit events, each with who did it and what, in words."""
    events = session.exec(
        select(AuditEvent).where(AuditEvent.object_id == invitation.id).order_by(col(AuditEvent.id))
    ).all()
    user_ids = {event.actor for event in events}
    names = dict(session.exec(select(User.id, User.full_name).where(col(User.id).in_(user_ids))).all())
    draft = session.get(ActivationDraft, invitation.id)
    invitee = (draft.full_name or draft.email if draft else None) or invitation.invitee_email or "The invitee"

    def who(actor: str) -> str:
        if actor in names:
            return names[actor]
        if actor.startswith("invitee of "):
            return invitee
        if actor == OPERATOR_NAME:
            return "An operator (command line)"
        return "Someone"

    history = []
    for event in events:
        details: dict[str, object] = json.loads(event.details) if event.details else {}
        what = HISTORY_WHAT.get(event.action, event.action.replace("_", " ").replace(".", ": "))
        if event.action == "activation.step_saved":
            step = details.get("step")
            what = f"saved {STEP_TITLES.get(step, 'a step') if isinstance(step, int) else 'a step'}"
        elif event.action == "invitation.activated" and reseller_name:
            what = f"activated the reseller portal of {reseller_name}"
        history.append(
            HistoryEntry(event.at, event.action, event.actor, event.client_address, details, who(event.actor), what)
        )
    return history


def invitation_detail(uow: UnitOfWork, actor: Actor, invitation_id: str) -> InvitationDetail:
    """One invitation with its history (created, each opening, each step saved, activated, revoked, reissued)."""
    distributor_id = scope_of(actor)
    with uow.read():
        session = uow.session
        invitation = _load(uow, distributor_id, invitation_id)
        row = session.exec(_rows_query(aliased(Account)).where(Invitation.id == invitation.id)).one()
        reseller_name = row[2]
        return InvitationDetail(
            row=_row(*row, utcnow()),
            note_to_signee=invitation.note_to_signee,
            contract_id=invitation.contract_id,
            reissued_from_id=invitation.reissued_from_id,
            history=_history(session, invitation, reseller_name),
            emails=[e for e in statuses_about(session, invitation.id) if e.kind == "invitation"],
        )


def _revoke(uow: UnitOfWork, distributor_id: str | None, invitation_id: str, actor: str) -> Invitation:
    with uow.write():
        invitation = _load(uow, distributor_id, invitation_id)
        status = invitation.effective_status(utcnow())
        if InvitationAction.REVOKE not in ALLOWED_ACTIONS[status]:
            raise InvalidState(f"Only a pending or in-progress invitation can be revoked; this one is {status.value}.")
        invitation.status = InvitationStatus.REVOKED
        uow.session.add(invitation)
        audit.record(
            uow.session, actor=actor, action="invitation.revoked", object_type="invitation", object_id=invitation.id
        )
        uow.commit()
    return invitation


def revoke_invitation(uow: UnitOfWork, actor: Actor, invitation_id: str) -> Invitation:
    """Revoke a pending or in-progress invitation: its link shows the revoked page from now on."""
    return _revoke(uow, scope_of(actor), invitation_id, actor.audit_name)


def _reissue(uow: UnitOfWork, distributor_id: str | None, invitation_id: str, actor: str) -> IssuedInvitation:
    with uow.write():
        issued = _add_reissue(uow, distributor_id, invitation_id, actor)
        uow.commit()
    return issued


def _add_reissue(uow: UnitOfWork, distributor_id: str | None, invitation_id: str, actor: str) -> IssuedInvitation:
    """Within the caller's write block: the successor of an expired or revoked invitation, which stays locked
    (PostgreSQL) until the block ends, so that two reissues of one invitation take turns."""
    session = uow.session
    old = _load(uow, distributor_id, invitation_id)
    status = old.effective_status(utcnow())
    if InvitationAction.REISSUE not in ALLOWED_ACTIONS[status]:
        raise InvalidState(f"Only an expired or revoked invitation can be reissued; this one is {status.value}.")
    successor = session.exec(
        select(Invitation).where(Invitation.reissued_from_id == old.id).order_by(col(Invitation.created_at).desc())
    ).first()
    if successor is not None:  # one successor per invitation: a chain, never two live links for one invitation
        raise InvalidState(
            f"This invitation was reissued already, as {successor.id}. "
            + (
                "Its link is the one to use."
                if successor.effective_status(utcnow()) in OPEN_STATUSES
                else f"Reissue {successor.id} if a new link is needed."
            )
        )
    lifetime_days = max(1, min(MAX_EXPIRY_DAYS, round((old.expires_at - old.created_at).total_seconds() / 86400)))
    terms = InvitationTerms(old.invitee_email, old.company_name, old.note_to_signee, lifetime_days)
    issued = add_invitation(
        session,
        old.distributor_id,
        terms,
        actor=actor,
        reissued_from_id=old.id,
        reseller_account_id=old.reseller_account_id,  # an offer to an existing account stays bound to it
    )
    audit.record(
        session,
        actor=actor,
        action="invitation.reissued",
        object_type="invitation",
        object_id=old.id,
        new_invitation=issued.invitation.id,
    )
    return issued


def reissue_invitation(uow: UnitOfWork, actor: Actor, invitation_id: str) -> IssuedInvitation:
    """A new link with the same details for an expired or revoked invitation; the old link stays dead.
    The new link carries the agreement version that is active now."""
    return _reissue(uow, scope_of(actor), invitation_id, actor.audit_name)

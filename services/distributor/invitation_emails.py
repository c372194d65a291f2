"""Emailing an invitation's link again: **Resend** issues a fresh link (links are stored only as hashes, so the
old one cannot be sent again) and the previous link stops working at once."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, func, select

from data.models import AuditEvent, Invitation
from data.models.types import utcnow
from services import audit
from services.access import distributor_of, own
from services.activation.invitations import email_invitation
from services.actors import SignedInUser
from services.distributor.invitations import ALLOWED_ACTIONS, InvitationAction
from services.errors import InvalidState, NotFound
from services.requests import check_not_done, record_done
from services.rules import is_storable
from services.security import new_token
from services.unit_of_work import UnitOfWork

RESEND_LIMIT = 3  # resends of one invitation …
RESEND_WINDOW = timedelta(hours=1)  # … in this window


def resend_invitation(
    uow: UnitOfWork, actor: SignedInUser, invitation_id: str, *, request_key: str | None = None
) -> Invitation:
    """Email a pending or in-progress invitation's link again, as a fresh link: the reseller's progress is
    kept (the draft belongs to the invitation), the previous link stops working. At most
    :data:`RESEND_LIMIT` per invitation in :data:`RESEND_WINDOW`, so that a distributor's button cannot be
    turned into a mail bomb."""
    distributor_id = distributor_of(actor)
    with uow.write():
        session = uow.session
        invitation = uow.get_for_update(Invitation, invitation_id) if is_storable(invitation_id) else None
        if invitation is None:
            raise NotFound("No such invitation.")
        own(distributor_id, invitation.distributor_id, "invitation")
        check_not_done(session, request_key)
        now = utcnow()
        status = invitation.effective_status(now)
        if InvitationAction.RESEND not in ALLOWED_ACTIONS[status]:
            raise InvalidState(f"Only a pending or in-progress invitation can be resent; this one is {status.value}.")
        if not invitation.invitee_email:
            raise InvalidState("This invitation has no email address to send it to.")
        recent = session.exec(
            select(func.count())
            .select_from(AuditEvent)
            .where(
                AuditEvent.object_id == invitation.id,
                AuditEvent.action == "invitation.resent",
                col(AuditEvent.at) > now - RESEND_WINDOW,
            )
        ).one()
        if recent >= RESEND_LIMIT:
            raise InvalidState(
                f"This invitation was resent {RESEND_LIMIT} times in the last hour; wait before resending it again."
            )
        token, hashed = new_token()
        invitation.token_hash = hashed
        session.add(invitation)
        email_invitation(session, invitation, token)
        audit.record(
            session, actor=actor.user_id, action="invitation.resent", object_type="invitation", object_id=invitation.id
        )
        record_done(session, request_key, action="invitation.resent", actor=actor.user_id, object_id=invitation.id)
        uow.commit()
    return invitation

"""Signing a service contract: one place for the status, the signee and the acceptance evidence."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from data.models import Contract, ContractStatus, User
from services import audit

USER_AGENT_MAX = 500


def clip_user_agent(user_agent: str | None) -> str | None:
    """A user agent as kept in evidence: at most 500 characters, ``None`` when empty."""
    return (user_agent or "")[:USER_AGENT_MAX] or None


def sign(
    session: Session,
    contract: Contract,
    *,
    signee: User,
    text_sha256: str | None,
    accepted_at: datetime | None,
    signed_at: datetime,
    client_address: str | None,
    user_agent: str | None,
) -> None:
    """Make a pending contract active, signed by ``signee`` for the signee's account, with the acceptance
    evidence (agreement text hash, email, name, time, client address, user agent); audited. The caller
    commits."""
    contract.reseller_account_id = signee.account_id
    contract.signee_user_id = signee.id
    contract.status = ContractStatus.ACTIVE
    contract.signed_at = signed_at
    contract.evidence_text_sha256 = text_sha256
    contract.evidence_email = signee.email
    contract.evidence_name = signee.full_name
    contract.evidence_accepted_at = accepted_at
    contract.evidence_client_address = client_address
    contract.evidence_user_agent = clip_user_agent(user_agent)
    session.add(contract)
    audit.record(
        session,
        actor=signee.id,
        action="contract.signed",
        object_type="contract",
        object_id=contract.id,
        client_address=client_address,
    )

"""The demo data a fresh database is seeded with."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from data.models import Account
from services.agreements import ensure_distributor
from services.invitations import create_invitation

DEMO_DISTRIBUTOR = "Mighty Mick's LLC"
DEMO_RESELLER = "Champions Corp"


@dataclass(frozen=True)
class DemoSeed:
    """What seeding did: ``token`` is the demo invitation's URL token when it was just created."""

    seeded: bool
    token: str | None = None


def seed_demo(session: Session) -> DemoSeed:
    """On an empty database: the demo distributor with its published service agreement, and a pending
    invitation for the demo reseller. Does nothing when any account exists (it runs once)."""
    if session.exec(select(Account.id)).first() is not None:
        return DemoSeed(seeded=False)
    session.rollback()
    distributor = ensure_distributor(session, DEMO_DISTRIBUTOR, actor="demo seed").distributor
    issued = create_invitation(
        session,
        distributor.id,
        company_name=DEMO_RESELLER,
        note_to_signee="Welcome aboard, Champions! Activate your portal to start selling our catalog.",
        actor="demo seed",
    )
    return DemoSeed(seeded=True, token=issued.token)

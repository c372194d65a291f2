"""The demo data a fresh database is seeded with."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import select

from data.models import Account
from services.accounts import create_distributor_user
from services.activation.invitations import create_invitation
from services.errors import Conflict, ValidationFailed
from services.security import new_password
from services.unit_of_work import UnitOfWork

DEMO_DISTRIBUTOR = "Mighty Mick's LLC"
DEMO_DISTRIBUTOR_EMAIL = "admin@mightymicks.example"
DEMO_RESELLER = "Champions Corp"


@dataclass(frozen=True)
class DemoSeed:
    """What seeding did. When it just happened: the demo invitation's URL token and the distributor user's
    generated password, both shown once and stored nowhere in clear."""

    seeded: bool
    token: str | None = None
    distributor_email: str | None = None
    distributor_password: str | None = None


def seed_demo(uow: UnitOfWork) -> DemoSeed:
    """On an empty database: the demo distributor with its published service agreement and a user with a
    generated password, and a pending invitation for the demo reseller. Runs once: it does nothing when
    any account exists, or when another instance seeds the same database at the same moment."""
    with uow.read():
        if uow.session.exec(select(Account.id)).first() is not None:
            return DemoSeed(seeded=False)
    password = new_password()
    try:
        admin = create_distributor_user(
            uow,
            DEMO_DISTRIBUTOR,
            email=DEMO_DISTRIBUTOR_EMAIL,
            password=password,
            full_name="Mick Mighty",
            actor="demo seed",
        )
    except (Conflict, ValidationFailed):  # another instance seeded it first
        return DemoSeed(seeded=False)
    issued = create_invitation(
        uow,
        admin.distributor_id,
        company_name=DEMO_RESELLER,
        note_to_signee="Welcome aboard, Champions! Activate your portal to start selling our catalog.",
        actor="demo seed",
    )
    return DemoSeed(seeded=True, token=issued.token, distributor_email=admin.email, distributor_password=password)

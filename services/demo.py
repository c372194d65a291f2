"""The demo data a fresh database is seeded with."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from importlib import resources

from sqlmodel import select

from data.models import Account
from services.accounts import create_distributor_user
from services.activation.invitations import create_invitation
from services.distributor.agreements import publish_version_as_operator, stock_agreement_text
from services.distributor.catalog_csv import import_catalog_as_operator
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
    seed_catalog(uow, DEMO_DISTRIBUTOR)
    issued = create_invitation(
        uow,
        admin.distributor_id,
        company_name=DEMO_RESELLER,
        note_to_signee="Welcome aboard, Champions! Activate your portal to start selling our catalog.",
        actor="demo seed",
    )
    return DemoSeed(seeded=True, token=issued.token, distributor_email=admin.email, distributor_password=password)


FULL_DEMO_RESELLER = "Apollo Creed Inc"


@dataclass(frozen=True)
class FullDemo:
    """A reseller that has finished chapters 1 and 2, made by :func:`seed_full_reseller`; its user's generated
    password is shown once and stored nowhere in clear. ``seed``: the demo seeded on the way (an empty database)."""

    company_name: str
    email: str
    password: str
    hub_id: str
    marketplace_id: str
    seed: DemoSeed


def seed_full_reseller(uow: UnitOfWork) -> FullDemo:
    """A reseller of the demo distributor that has activated its portal (chapter 1) and set up a hub and a
    marketplace (chapter 2), for trying later chapters at once. On an empty database the demo is seeded first.
    Each call makes another such reseller (its user's email is new each time)."""
    from services.access import signed_in_user
    from services.activation import steps
    from services.distributor.agreements import get_distributor
    from services.portal import hubs, marketplaces

    seed = seed_demo(uow)
    distributor = get_distributor(uow, DEMO_DISTRIBUTOR)
    issued = create_invitation(uow, distributor.id, company_name=FULL_DEMO_RESELLER, actor="demo seed")
    token, email, password = issued.token, f"apollo-{secrets.token_hex(3)}@creed.example", new_password()
    where = {"client_address": "127.0.0.1"}
    revision = steps.accept_agreement(
        uow, token, email=email, accepted=True, revision=0, user_agent="python main.py demo --full", **where
    ).revision
    revision = steps.save_user_properties(
        uow, token, full_name="Apollo Creed", password=password, revision=revision, **where
    ).revision
    revision = steps.save_company_properties(
        uow, token, company_name=FULL_DEMO_RESELLER, revision=revision, **where
    ).revision
    portal = steps.activate(
        uow, token, signed=True, revision=revision, user_agent="python main.py demo --full", **where
    )
    actor = signed_in_user(uow, portal.user_id)
    assert actor is not None
    hub = hubs.register_hub(
        uow,
        actor,
        name="Apollo web shop",
        type="commerce_platform",
        instance_id=f"apollo-shop-{secrets.token_hex(3)}",
        description="The demo reseller's storefront.",
    )
    marketplace = marketplaces.create_marketplace(
        uow,
        actor,
        name="North America",
        description="Customers in the United States and Canada.",
        currency="USD",
        countries=["US", "CA"],
        hubs={hub.hub_id: "APOLLO-0001"},
    )
    return FullDemo(FULL_DEMO_RESELLER, email, password, hub.hub_id, marketplace.marketplace_id, seed)


def seed_catalog(uow: UnitOfWork, distributor_name: str) -> None:
    """The demo distributor's catalog (services/demo_catalog.csv: 9 published products of invented vendors in
    3 categories, 2-4 items each, priced in USD and EUR) and its syndication agreement."""
    catalog = resources.files("services").joinpath("demo_catalog.csv").read_bytes()
    import_catalog_as_operator(uow, distributor_name, catalog)
    publish_version_as_operator(
        uow, distributor_name, stock_agreement_text(distributor_name, "syndication"), kind="syndication"
    )

"""The reseller's **Overview**: the tutorial's four chapters as a *Getting started* checklist, each marked done
from what the account really has, with the company and its service contract."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Table, func
from sqlmodel import Session, SQLModel, col, select

from data.models import Hub, Marketplace
from services.accounts import PortalView, _portal_view
from services.actors import SignedInUser
from services.portal.access import reseller_of
from services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Chapter:
    """One chapter of the tutorial: done, or where to do it next."""

    number: int
    title: str
    done: bool
    summary: str  # what is there ("1 hub, 1 marketplace"), or what to do
    path: str  # where to do it (or see it)
    action: str  # the button's text when it is not done


@dataclass(frozen=True)
class Overview:
    portal: PortalView
    chapters: tuple[Chapter, ...]
    hubs: int
    marketplaces: int


def _count(session: Session, table: Table | None, column: str, values: list[str]) -> int:
    """Rows of a table of a later chapter (``listing`` from issue 15, ``subscription`` from issue 16) that belong
    to ``values`` (the account's marketplaces); 0 until that table exists."""
    if table is None or column not in table.c or not values:
        return 0
    return int(session.execute(select(func.count()).select_from(table).where(table.c[column].in_(values))).scalar_one())


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def overview(uow: UnitOfWork, actor: SignedInUser) -> Overview:
    """The overview of the actor's account (an active service contract)."""
    with uow.read():
        account_id = reseller_of(uow, actor)
        session = uow.session
        portal = _portal_view(session, actor.user_id)
        hubs = session.exec(select(func.count()).select_from(Hub).where(col(Hub.account_id) == account_id)).one()
        marketplace_ids = list(session.exec(select(Marketplace.id).where(col(Marketplace.account_id) == account_id)))
        listings = _count(session, SQLModel.metadata.tables.get("listing"), "marketplace_id", marketplace_ids)
        subscriptions = _count(session, SQLModel.metadata.tables.get("subscription"), "marketplace_id", marketplace_ids)
    marketplaces = len(marketplace_ids)
    chapters = (
        Chapter(1, "Connect Portal Activation", True, "Your portal is active.", "/portal/contract", "See contract"),
        Chapter(
            2,
            "Hub and Marketplace Creation",
            hubs > 0 and marketplaces > 0,
            f"{_plural(hubs, 'hub')}, {_plural(marketplaces, 'marketplace')}."
            if hubs or marketplaces
            else "Register a hub (the commerce system you sell from) and create a marketplace.",
            "/marketplace",
            "Register a hub" if not hubs else "Create a marketplace",
        ),
        Chapter(
            3,
            "Catalog Operations",
            listings > 0,
            f"{_plural(listings, 'listing')}." if listings else "Enroll in your distributor's products.",
            "/catalog",
            "Go to the catalog",
        ),
        Chapter(
            4,
            "Subscription Management",
            subscriptions > 0,
            f"{_plural(subscriptions, 'subscription')}." if subscriptions else "Order a subscription for a customer.",
            "/subscriptions",
            "Go to subscriptions",
        ),
    )
    return Overview(portal=portal, chapters=chapters, hubs=hubs, marketplaces=marketplaces)

"""``/catalog``, ``/customers``, ``/subscriptions``: the portal's next chapters, real pages that say what is coming
and what to do meanwhile, until issues 15 and 16 build them (never a dead link)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi.responses import RedirectResponse
from nicegui import ui

from ui.portal.shell import (
    CATALOG_PATH,
    CUSTOMERS_PATH,
    MARKETPLACE_PATH,
    SUBSCRIPTIONS_PATH,
    portal_frame,
    portal_user,
)
from ui.theme import Heading, card

COMING = {
    CATALOG_PATH: (
        "Catalog",
        "Catalog Operations",
        "Here you will browse your distributor's published products, enroll in them on your marketplaces and see "
        "your listings.",
    ),
    CUSTOMERS_PATH: (
        "Customers",
        "Subscription Management",
        "Here you will keep your customers (tier accounts): their company details, address and technical contact.",
    ),
    SUBSCRIPTIONS_PATH: (
        "Subscriptions",
        "Subscription Management",
        "Here you will order subscriptions of your listed products for your customers and follow their "
        "fulfilment requests.",
    ),
}


def coming_next_page(path: str) -> Callable[[], Awaitable[RedirectResponse | None]]:
    """The page at ``path``: its heading, what it will hold, and where to go meanwhile."""
    title, chapter, text = COMING[path]

    async def page() -> RedirectResponse | None:
        user = await portal_user(path)
        if isinstance(user, RedirectResponse):
            return user
        with portal_frame(title, path), card():
            Heading(title).mark("coming-next")
            ui.label(f"Coming next: {chapter}").classes("text-slate-700 font-medium")
            ui.label(text).classes("text-slate-700")
            ui.label("Meanwhile, set up your hubs and marketplaces: every later chapter builds on them.").classes(
                "text-slate-700"
            )
            ui.link("Go to Marketplace", MARKETPLACE_PATH).classes(
                "self-start bg-primary text-white no-underline rounded px-4 py-2 font-medium"
            )
        return None

    return page

"""The portal's shell with NiceGUI's simulated user: who reaches which page (a reseller with an active contract
every portal page; a terminated one only its contract page; a distributor none), and no dead link in the
navigation."""

from __future__ import annotations

from nicegui.testing import User

from portal_testing.factories import EMAIL, Portal
from services.distributor import partners
from tests.ui.test_distributor_pages import sign_in

PORTAL_PAGES = {
    "/portal": "Getting started",
    "/marketplace": "Hubs and marketplaces",
    "/catalog": "Your distributor's products, by category.",
    "/catalog/listings": "Products your distributor approved on your marketplaces.",
    "/customers": "Your customers (tier accounts), for whom you order subscriptions.",
    "/subscriptions": "Your customers' subscriptions, and the requests your distributor is fulfilling.",
    "/portal/contract": "Your contract",
}


async def test_every_portal_page_and_navigation_link_is_real(user: User, app_portal: Portal) -> None:
    app_portal.activate(app_portal.invite())
    await sign_in(user, EMAIL)
    await user.should_see(marker="next-step", retries=30)
    for label in ("Overview", "Marketplace", "Catalog", "Customers", "Subscriptions"):
        user.find(label)  # every navigation link is there
    for path, text in PORTAL_PAGES.items():
        await user.open(path)
        await user.should_see(text, retries=30)


async def test_a_terminated_reseller_sees_only_its_contract_with_the_reason(user: User, app_portal: Portal) -> None:
    created = app_portal.activate(app_portal.invite())
    partners.terminate_contract(
        app_portal.uow(), app_portal.distributor_user(), created.contract_id, reason="The pilot ended in May."
    )
    await sign_in(user, EMAIL)
    for path in PORTAL_PAGES:
        await user.open(path)
        await user.should_see("Your service contract was terminated", retries=30)
        await user.should_see("The pilot ended in May.")
        await user.should_not_see("Getting started")
        await user.should_not_see("Marketplace")


async def test_a_distributor_never_reaches_the_portal(user: User, app_portal: Portal) -> None:
    app_portal.distributor_user(email="mick@mighty.example")
    await sign_in(user, "mick@mighty.example")
    await user.should_see("Create invitation", retries=30)
    for path in PORTAL_PAGES:
        await user.open(path)
        await user.should_see("Create invitation", retries=30)
        await user.should_not_see("Getting started")

"""Chapter 4 walked in real Chromium by visible labels, as issue 16 says: the reseller (activated, with a hub, a
marketplace and a product listed on it: chapters 1-3) creates a customer, places an order for the listed product
(2 units of one item); the distributor approves it; the reseller sees it *active* and changes the quantity to 5;
the distributor inquires and the reseller answers; the distributor approves and the subscription shows 5; then
suspend → resume → cancel, each approved, ending *terminated*; the overview marks chapter 4 done."""

from __future__ import annotations

import uuid

from playwright.sync_api import Browser, Page, expect

from portal_testing import chapter4
from portal_testing.launch import Server, sign_in
from tests.e2e.portal import dialog


def listed_product(server: Server, tag: str) -> tuple[str, str, str, str]:
    """Chapters 1-3 arranged through the services: an activated reseller with a marketplace (USD) and a published
    product of the demo distributor listed on it. Returns (reseller email, distributor email, product, item)."""
    portal = server.portal()
    try:
        reseller = chapter4.reseller(portal, f"Walker {tag} Corp", f"walker-{tag}@champions.example")
        desk_email = f"desk-{tag}@mightymicks.example"
        distributor = portal.distributor_user(email=desk_email)
        chapter4.listed_product(portal, reseller, distributor, f" {tag}")
    finally:
        portal.engine.dispose()
    return f"walker-{tag}@champions.example", desk_email, f"Ledgerly Books {tag}", "Monthly seat"


def decide(desk: Page, server: Server, request_label: str, button: str, text: str | None = None) -> None:
    """The distributor opens the newest request of the queue and decides it."""
    desk.goto(f"{server.base_url}/distributor/fulfilment?status=pending")
    desk.get_by_role("link", name=request_label).click()
    desk.get_by_role("button", name=button, exact=True).click()
    box = dialog(desk)
    if text is not None:
        box.get_by_role("textbox").fill(text)
    box.get_by_role("button", name=button, exact=True).click()
    expect(desk.get_by_role("dialog")).to_have_count(0)


def test_the_chapter_walked_by_visible_labels(server: Server, browser: Browser) -> None:
    tag = uuid.uuid4().hex[:6]
    reseller_email, desk_email, product, item = listed_product(server, tag)
    shop = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US").new_page()
    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US").new_page()
    sign_in(shop, server.base_url, reseller_email)
    expect(shop.get_by_role("heading", name="Getting started")).to_be_visible()
    sign_in(desk, server.base_url, desk_email)
    expect(desk.get_by_role("button", name="Create invitation")).to_be_visible()

    # The reseller creates a customer.
    shop.get_by_role("link", name="Customers", exact=True).click()
    shop.get_by_role("button", name="Create customer").click()
    box = dialog(shop)
    box.get_by_label("Company name").fill(f"Globex {tag} GmbH")
    box.get_by_label("External ID (optional)").fill(f"GLOBEX-{tag}")
    box.get_by_label("Address line 1").fill("Unter den Linden 1")
    box.get_by_label("City").fill("Berlin")
    box.get_by_label("Postal code").fill("10117")
    box.get_by_label("Country", exact=True).click()
    box.get_by_label("Country", exact=True).fill("Germany")
    shop.get_by_role("option", name="Germany", exact=True).click()
    box.get_by_label("Email").fill(f"it-{tag}@globex.example")
    box.get_by_label("Phone (optional)").fill("030 1234567")
    box.get_by_role("button", name="Create", exact=True).click()
    expect(shop.get_by_role("heading", name=f"Globex {tag} GmbH")).to_be_visible()

    # ... places an order for the listed product: 2 units of one item.
    shop.get_by_role("link", name="Create subscription").click()
    box = dialog(shop)
    expect(box.get_by_role("heading", name="Step 1 of 2 — Order")).to_be_visible()
    box.get_by_label("Marketplace").click()
    shop.get_by_role("option").filter(has_text="(USD)").first.click()
    box.get_by_label("Product").click()
    shop.get_by_role("option", name=product, exact=True).click()
    box.get_by_label(f"Quantity of {item}").fill("2")
    box.get_by_role("button", name="Review order").click()
    expect(box.get_by_role("heading", name="Step 2 of 2 — Summary")).to_be_visible()
    expect(box.get_by_text("Per period: cost")).to_be_visible()
    place = box.get_by_role("button", name="Place order")
    place.dblclick()  # a double click places one order
    heading = shop.get_by_role("heading", name="Subscription AS-")
    expect(heading).to_be_visible()
    subscription = (heading.text_content() or "").removeprefix("Subscription ").strip()
    expect(shop.get_by_text("Processing", exact=True).first).to_be_visible()
    shop.goto(f"{server.base_url}/subscriptions?q=GLOBEX-{tag}")
    expect(shop.locator("tbody tr")).to_have_count(1)

    # The distributor approves it; the reseller sees it active.
    number = subscription.removeprefix("AS-")
    decide(desk, server, f"PR-{number}-001", "Approve")
    shop.goto(f"{server.base_url}/subscriptions/{subscription}")
    expect(shop.get_by_text("Active", exact=True).first).to_be_visible()

    # ... changes the quantity to 5; the distributor inquires, the reseller answers, the distributor approves.
    shop.get_by_role("button", name="Change quantities").click()
    dialog(shop).get_by_label(f"Quantity of {item}").fill("5")
    dialog(shop).get_by_role("button", name="Request change").click()
    expect(shop.get_by_text("is in progress")).to_be_visible()
    decide(desk, server, f"PR-{number}-002", "Inquire", "Which team are the five seats for?")
    shop.reload()
    expect(shop.get_by_text("Which team are the five seats for?", exact=True)).to_be_visible()
    shop.get_by_label("Your answer").fill("The new support team.")
    shop.get_by_role("button", name="Send answer").click()
    expect(shop.get_by_role("heading", name="Your distributor asks")).to_have_count(0)
    decide(desk, server, f"PR-{number}-002", "Approve", "Five seats are yours.")
    shop.reload()
    expect(shop.get_by_role("cell", name="5", exact=True)).to_be_visible()

    # Suspend → resume → cancel, each approved, ending terminated.
    for action, confirm, sequence, status in (
        ("Suspend", "Request suspension", 3, "Suspended"),
        ("Resume", "Request resumption", 4, "Active"),
        ("Cancel", "Request cancellation", 5, "Terminated"),
    ):
        shop.get_by_role("button", name=action, exact=True).click()
        shop.get_by_role("alertdialog").get_by_role("button", name=confirm).click()
        expect(shop.get_by_text("is in progress")).to_be_visible()
        decide(desk, server, f"PR-{number}-{sequence:03d}", "Approve")
        shop.reload()
        expect(shop.get_by_text(status, exact=True).first).to_be_visible()

    # The overview marks chapter 4 done.
    shop.get_by_role("link", name="Overview", exact=True).click()
    expect(shop.get_by_text("1 subscription.")).to_be_visible()

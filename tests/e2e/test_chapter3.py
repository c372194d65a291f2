"""Chapter 3, Catalog Operations, in real Chromium by visible labels: the demo distributor's catalog is seeded;
the reseller finds a product by search and enrolls it on its marketplace, the distributor approves (once: a
second tab is told), the reseller sees it under My listings and the overview marks chapter 3 done, a second
product is rejected with a reason the reseller sees, terminating unlists; the distributor creates a product with
an item and prices, publishes it, ends its sale; imports a CSV (a bad file lists every wrong line and imports
nothing) and exports it; the syndication agreement is under Agreements with its type."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from portal_testing.launch import Server, sign_in
from tests.e2e.distributor import unique_email
from tests.e2e.portal import activate, choose_hubs, dialog, fill_general, next_step, register_hub
from tests.e2e.test_chapter2 import chapter


def distributor_page(server: Server, browser: Browser) -> tuple[BrowserContext, Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    sign_in(page, server.base_url, server.distributor_user(unique_email("mick")))
    expect(page.get_by_role("heading", name="Invitations")).to_be_visible()
    page.get_by_role("link", name="Products").click()
    expect(page.get_by_role("heading", name="Products", exact=True)).to_be_visible()
    return context, page


def test_the_demo_catalog_is_seeded_and_searchable(server: Server, browser: Browser) -> None:
    context, page = distributor_page(server, browser)
    try:
        expect(page.get_by_text(re.compile(r"^Showing 1–9 of 9$"))).to_be_visible()
        for category in ("Cloud Infrastructure", "Productivity", "Security"):
            expect(page.get_by_role("cell", name=category, exact=True).first).to_be_visible()
        page.get_by_label("Search").fill("keyhaven")
        page.get_by_role("button", name="Search").click()
        expect(page.locator("tbody tr")).to_have_count(1)
        page.get_by_role("link", name="Keyhaven Passwords").click()
        expect(page.get_by_role("heading", name="Keyhaven Passwords")).to_be_visible()
        expect(page.get_by_text("Published", exact=True)).to_be_visible()
        expect(page.get_by_role("region", name="Product description")).to_contain_text("Shared vaults")
        prices = page.get_by_role("table", name="Prices of Keyhaven Passwords's items")
        expect(prices.get_by_role("row")).to_have_count(1 + 4)  # 2 items × USD and EUR
        expect(prices.get_by_role("row", name=re.compile(r"KHP-BUS-M.*USD.*3\.60.*5\.00"))).to_be_visible()
    finally:
        context.close()


def test_create_price_publish_and_end_the_sale_of_a_product(server: Server, browser: Browser) -> None:
    context, page = distributor_page(server, browser)
    try:
        page.get_by_role("button", name="Create product").click()
        dialog = page.get_by_role("dialog")
        dialog.get_by_label("Name").fill("Orbitdesk Helpdesk")
        dialog.get_by_label("Category").fill("Productivity")
        dialog.get_by_label("Short description").fill("Tickets and a knowledge base.")
        dialog.get_by_role("button", name="Create", exact=True).click()
        expect(dialog.get_by_text("Write the description.")).to_be_visible()  # next to the field
        dialog.get_by_label("Description (Markdown)").fill("# Orbitdesk\n\n- Tickets\n- **Knowledge base**")
        dialog.get_by_role("button", name="Create", exact=True).click()
        expect(page.get_by_role("heading", name="Orbitdesk Helpdesk")).to_be_visible()
        expect(page.get_by_text("Draft", exact=True)).to_be_visible()
        expect(page.get_by_role("region", name="Product description").locator("strong")).to_have_text("Knowledge base")

        page.get_by_role("button", name="Publish").click()
        page.get_by_role("alertdialog").get_by_role("button", name="Publish").click()
        expect(page.get_by_text("Add at least one item before publishing this product.").first).to_be_visible()

        page.get_by_role("button", name="Add item").click()
        dialog = page.get_by_role("dialog")
        dialog.get_by_label("MPN").fill("ODH-AG-M")
        dialog.get_by_label("Item name").fill("Agent seat")
        dialog.get_by_label("Unit", exact=True).fill("Agents")
        dialog.get_by_label("Currency").fill("USD")
        dialog.get_by_label("Cost").fill("20.12345")
        dialog.get_by_label("MSRP").fill("19")
        dialog.get_by_role("button", name="Add item").click()
        expect(dialog.get_by_text("Give the cost with at most 4 decimal places.")).to_be_visible()
        dialog.get_by_label("Cost").fill("20")
        dialog.get_by_role("button", name="Add item").click()
        expect(dialog.get_by_text("cannot be higher than the MSRP")).to_be_visible()
        dialog.get_by_label("MSRP").fill("29.9")
        dialog.get_by_role("button", name="Add item").click()
        expect(page.get_by_role("dialog")).to_have_count(0)
        items = page.get_by_role("table", name="Items of Orbitdesk Helpdesk")
        expect(
            items.get_by_role("row", name=re.compile(r"PRD-\d{3}-\d{3}-\d{3}-0001 ODH-AG-M Agent seat Monthly"))
        ).to_be_visible()

        page.get_by_role("button", name="Add a price to item ODH-AG-M").click()
        dialog = page.get_by_role("dialog")
        dialog.get_by_label("Currency").fill("USD")
        dialog.get_by_label("Cost").fill("1")
        dialog.get_by_label("MSRP").fill("2")
        dialog.get_by_role("button", name="Add price").click()
        expect(dialog.get_by_text("has a price in this currency already")).to_be_visible()
        dialog.get_by_label("Currency").fill("EUR")
        dialog.get_by_label("Cost").fill("18.4")
        dialog.get_by_label("MSRP").fill("27.5")
        dialog.get_by_role("button", name="Add price").click()
        prices = page.get_by_role("table", name="Prices of Orbitdesk Helpdesk's items")
        expect(prices.get_by_role("row", name=re.compile(r"EUR 18\.40 27\.50"))).to_be_visible()

        page.get_by_role("button", name="Publish").click()
        page.get_by_role("alertdialog").get_by_role("button", name="Publish").click()
        expect(page.get_by_text("Published", exact=True)).to_be_visible()
        expect(page.get_by_role("button", name="Publish")).to_have_count(0)

        page.get_by_role("button", name="End sale").click()
        page.get_by_role("alertdialog").get_by_role("button", name="End sale").click()
        expect(page.get_by_text("End of sale", exact=True)).to_be_visible()
        expect(page.get_by_role("button", name="Edit product")).to_have_count(0)
        expect(page.get_by_role("button", name="Add item")).to_have_count(0)
    finally:
        context.close()


def test_import_lists_every_wrong_line_then_imports_and_exports(
    server: Server, browser: Browser, tmp_path: Path
) -> None:
    context, page = distributor_page(server, browser)
    header = "product_name,category,short_description,description,mpn,item_name,billing_period,unit,currency,cost,msrp"
    bad = tmp_path / "bad.csv"
    bad.write_text(
        f"{header}\nVelaform Forms,Productivity,Online forms,Plain,VF-1,Seat,Monthly,Users,USD,5,4\n"
        "Velaform Forms,Productivity,Online forms,Plain,VF-2,Seat,Fortnightly,Users,USD,1,2\n",
        encoding="utf-8",
    )
    good = tmp_path / "good.csv"
    good.write_text(
        f"{header}\nVelaform Forms,Productivity,Online forms,Plain,VF-1,Seat,Monthly,Users,USD,4,5\n"
        "Velaform Forms,Productivity,Online forms,Plain,VF-1,Seat,Monthly,Users,EUR,3.5,4.6\n",
        encoding="utf-8",
    )
    try:
        page.get_by_role("button", name="Import CSV").click()
        dialog = page.get_by_role("dialog")
        dialog.get_by_label("CSV file").set_input_files(bad)
        expect(dialog.get_by_text("Chosen: bad.csv")).to_be_visible()
        dialog.get_by_role("button", name="Import", exact=True).click()
        expect(dialog.get_by_role("heading", name="Nothing was imported: 2 problems in the file.")).to_be_visible()
        expect(dialog.get_by_text(re.compile(r"^Line 2: cost: .*higher than the MSRP"))).to_be_visible()
        expect(dialog.get_by_text(re.compile(r"^Line 3: billing_period:"))).to_be_visible()
        dialog.get_by_label("CSV file").set_input_files(good)
        expect(dialog.get_by_text("Chosen: good.csv")).to_be_visible()
        dialog.get_by_role("button", name="Import", exact=True).click()
        expect(page.get_by_role("dialog")).to_have_count(0)
        expect(page.get_by_role("link", name="Velaform Forms")).to_be_visible()
        expect(page.get_by_role("row", name=re.compile("Velaform Forms.*Draft.*EUR, USD"))).to_be_visible()

        with page.expect_download() as download:
            page.get_by_role("button", name="Export CSV").click()
        exported = Path(download.value.path()).read_bytes()
        assert exported.startswith(b"\xef\xbb\xbfproduct_id,product_name,")
        assert b"Velaform Forms" in exported and b"Keyhaven Passwords" in exported
    finally:
        context.close()


def test_the_syndication_agreement_is_under_agreements_with_its_type(server: Server, browser: Browser) -> None:
    context, page = distributor_page(server, browser)
    try:
        page.get_by_role("link", name="Agreements").click()
        expect(page.get_by_role("heading", name="Mighty Mick's LLC Syndication Agreement")).to_be_visible()
        expect(page.get_by_text("Syndication agreement", exact=True)).to_be_visible()
        expect(page.get_by_text("Service agreement", exact=True)).to_be_visible()
        page.get_by_role("button", name="Create agreement").click()
        dialog = page.get_by_role("dialog")
        dialog.get_by_label("Title").fill("Cloud resale terms")
        dialog.get_by_label("Type").click()
        page.get_by_role("option", name="Syndication agreement").click()
        dialog.get_by_label("Agreement text (Markdown)").fill("# Cloud resale\n\nTerms.")
        dialog.get_by_role("button", name="Publish").click()
        card = page.locator(".q-card", has=page.get_by_role("heading", name="Cloud resale terms"))
        expect(card.get_by_text("Syndication agreement", exact=True)).to_be_visible()
        # invitations still offer service agreement versions only
        page.get_by_role("link", name="Invitations").click()
        page.get_by_role("button", name="Create invitation").click()
        page.get_by_role("dialog").get_by_label("Agreement version").click()
        expect(page.get_by_role("option", name=re.compile("Syndication|Cloud resale"))).to_have_count(0)
    finally:
        context.close()


def activated_reseller(server: Server, browser: Browser, company: str) -> tuple[BrowserContext, Page]:
    """A reseller of the demo distributor, activated through its link, signed in at its portal."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    activate(page, server.invite("--company", company), unique_email("reseller"), company)
    return context, page


def create_marketplace(page: Page, name: str, currency: tuple[str, str], country: tuple[str, str]) -> None:
    """Chapter 2 by the reseller, in its Marketplace page: a hub and a marketplace using it."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Marketplace").click()
    register_hub(page, name=f"{name} shop", instance_id=f"{name.lower()}-shop")
    page.get_by_role("button", name="Create marketplace").click()
    fill_general(page, name=name, currency=currency, countries=[country])
    next_step(page, "Step 2 of 3 — Hubs")
    choose_hubs(page, {f"{name} shop": "TA-0001"})
    next_step(page, "Step 3 of 3 — Summary")
    dialog(page).get_by_role("button", name="Create", exact=True).click()
    expect(page.get_by_role("dialog")).to_have_count(0)


def open_product(page: Page, search: str, name: str) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Catalog").click()
    page.get_by_label("Search").fill(search)
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name=name).click()
    expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible()


def standing(page: Page, marketplace: str) -> Locator:
    return (
        page.get_by_role("table", name=re.compile("on your marketplaces$"))
        .get_by_role("row")
        .filter(has_text=marketplace)
    )


def enroll(page: Page, marketplace: str) -> None:
    page.get_by_role("button", name="Enroll").click()
    box = page.get_by_role("dialog")
    # the distributor's newest syndication agreement (another test of this module may have created one)
    expect(box.get_by_role("heading", name=re.compile(r"\(version \d+\)$"))).to_be_visible()
    expect(box.get_by_role("region", name="Agreement text")).to_be_visible()
    box.get_by_label("Marketplace").click()
    page.get_by_role("option", name=re.compile(f"^{marketplace}")).click()
    box.get_by_role("button", name="Enroll").click()
    expect(box.get_by_text("Tick the box to confirm you have read and accepted the agreement.")).to_be_visible()
    box.get_by_role("checkbox", name="I have read and accepted the agreement").click()
    box.get_by_role("button", name="Enroll").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(standing(page, marketplace)).to_contain_text("Pending")


def test_the_chapter_walk_enroll_approve_list_and_reject(server: Server, browser: Browser) -> None:
    """The issue's walk: the reseller finds a product by search and enrolls it for its marketplace; the
    distributor approves; the reseller sees it under My listings and the overview marks chapter 3 done; a
    second product is rejected with a reason the reseller sees. Approve is done once: a second tab is told."""
    reseller_context, page = activated_reseller(server, browser, "Walking Champions Corp")
    desk_context, desk = distributor_page(server, browser)
    try:
        create_marketplace(page, "North America", ("dollar", "USD — US Dollar"), ("United States", "United States"))
        open_product(page, "keyhaven", "Keyhaven Passwords")
        expect(standing(page, "North America")).to_contain_text("Not enrolled")
        enroll(page, "North America")
        expect(page.get_by_role("button", name="Enroll")).to_have_count(0)  # nothing left to enroll it on
        open_product(page, "harborline", "Harborline DNS")
        enroll(page, "North America")

        desk.get_by_role("link", name="Contracts").click()
        expect(desk.get_by_role("heading", name="Contracts")).to_be_visible()
        row = desk.get_by_role("row").filter(has_text="Walking Champions Corp").filter(has_text="Keyhaven Passwords")
        expect(row).to_contain_text("Pending")
        second_tab = desk_context.new_page()
        second_tab.goto(f"{server.base_url}/distributor/contracts")
        row.get_by_role("button", name="Approve").click()
        expect(row).to_contain_text(re.compile(r"Active.*Listing LST-\d{3}-\d{3}-\d{3}"))
        stale = second_tab.get_by_role("row").filter(has_text="Walking Champions Corp").filter(has_text="Keyhaven")
        stale.get_by_role("button", name="Approve").click()
        expect(second_tab.get_by_text(re.compile("approved already")).first).to_be_visible()
        rejected = desk.get_by_role("row").filter(has_text="Walking Champions Corp").filter(has_text="Harborline DNS")
        rejected.get_by_role("button", name="Reject").click()
        box = desk.get_by_role("dialog")
        box.get_by_role("button", name="Reject").click()
        expect(box.get_by_text("Give the reason; the reseller sees it.")).to_be_visible()
        box.get_by_label("Reason").fill("DNS is sold only to hosting partners.")
        box.get_by_role("button", name="Reject").click()
        expect(rejected).to_contain_text("Rejected")

        page.reload()
        expect(standing(page, "North America")).to_contain_text("Rejected")
        expect(standing(page, "North America")).to_contain_text("Reason: DNS is sold only to hosting partners.")
        page.get_by_role("link", name="← Catalog").click()
        page.get_by_role("link", name="My listings").click()
        listing = page.get_by_role("row").filter(has_text="Keyhaven Passwords")
        expect(listing).to_contain_text("North America")
        expect(listing).to_contain_text("Listed")
        expect(listing).to_contain_text(re.compile(r"CRS-\d{3}-\d{3}-\d{3}-\d{3}"))
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Overview").click()
        expect(page.get_by_role("heading", name="Getting started")).to_be_visible()
        assert chapter(page, "Catalog Operations") == "Done"

        # Terminating later unlists it.
        terminated = desk.get_by_role("row").filter(has_text="Walking Champions Corp").filter(has_text="Keyhaven")
        terminated.get_by_role("button", name="Terminate").click()
        desk.get_by_role("alertdialog").get_by_role("button", name="Terminate").click()
        expect(terminated).to_contain_text("Terminated")
        page.goto(f"{server.base_url}/catalog/listings")
        expect(page.get_by_role("row").filter(has_text="Keyhaven Passwords")).to_contain_text("Unlisted")
    finally:
        desk_context.close()
        reseller_context.close()


def test_the_reseller_finds_a_product_by_search_and_sees_its_items_and_prices(server: Server, browser: Browser) -> None:
    context, page = activated_reseller(server, browser, "Catalog Readers Inc")
    try:
        page.goto(f"{server.base_url}/catalog")
        expect(page.get_by_role("heading", name="Catalog", exact=True)).to_be_visible()
        for category in ("Cloud Infrastructure", "Productivity", "Security"):
            expect(page.get_by_role("heading", name=category, exact=True)).to_be_visible()
        expect(page.get_by_role("link", name="Orbitdesk Helpdesk")).to_have_count(0)  # ended, or a draft: unseen
        page.get_by_label("Search").fill("ransomware")  # in a description
        page.get_by_role("button", name="Search").click()
        expect(page.locator("tbody tr")).to_have_count(2)  # Ferrowall Endpoint and Driftvault Backup
        page.get_by_role("link", name="Ferrowall Endpoint").click()
        expect(page.get_by_role("heading", name="Ferrowall Endpoint")).to_be_visible()
        expect(page.get_by_text("Security · from Mighty Mick's LLC")).to_be_visible()
        expect(page.get_by_role("region", name="Product description").locator("em")).to_have_text("Rollback")
        prices = page.get_by_role("table", name="Items and prices of Ferrowall Endpoint")
        expect(prices.get_by_role("row")).to_have_count(1 + 6)
        expect(
            prices.get_by_role("row", name=re.compile(r"^Server FWE-SRV-Y Yearly Devices EUR 44\.16 66\.24$"))
        ).to_be_visible()
        page.goto(f"{server.base_url}/catalog/PRD-000-000-000")
        expect(page.get_by_role("heading", name="Product not found")).to_be_visible()
    finally:
        context.close()

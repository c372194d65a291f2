"""Chapter 2 done, in real Chromium, by visible labels only: a reseller activates from a link, registers a hub,
creates a marketplace with two countries and that hub, sees the overview mark chapter 2 done, edits the
marketplace, and is refused deleting the hub in use."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from portal_testing.launch import Server
from tests.e2e.portal import activated_page, choose_hubs, dialog, fill_general, fill_hub, next_step, register_hub


def chapter(page: Page, title: str) -> str:
    """A chapter's state on the overview's checklist, as read ("Done" or "Not done yet")."""
    item = page.get_by_role("listitem").filter(has=page.get_by_role("heading", name=title, exact=True))
    return item.get_by_text("Done", exact=True).or_(item.get_by_text("Not done yet", exact=True)).inner_text()


def test_a_reseller_walks_chapter_two(server: Server, browser: Browser) -> None:
    email = f"chapter2-{uuid.uuid4().hex[:8]}@champions.example"
    page = activated_page(browser, server.invite("--company", "Champions Corp"), email, "Champions Corp")
    try:
        assert chapter(page, "Hub and Marketplace Creation") == "Not done yet"
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Marketplace").click()
        expect(page.get_by_role("heading", name="Hubs", exact=True)).to_be_visible()

        register_hub(page, name="Web shop", instance_id="shop-01", description="Our storefront")
        hub_row = page.get_by_role("table", name="Your hubs").get_by_role("row").filter(has_text="shop-01")
        expect(hub_row).to_contain_text("Web shop")
        expect(hub_row).to_contain_text("Commerce platform")

        # The same instance ID again is refused at the field.
        page.get_by_role("button", name="Register hub").click()
        fill_hub(page, name="Another shop", instance_id="shop-01")
        dialog(page).get_by_role("button", name="Register", exact=True).click()
        expect(dialog(page).get_by_text("Another of your hubs has this instance ID.").first).to_be_visible()
        dialog(page).get_by_role("button", name="Cancel").click()
        expect(page.get_by_role("dialog")).to_have_count(0)

        page.get_by_role("button", name="Create marketplace").click()
        expect(dialog(page).get_by_role("heading", name="Step 1 of 3 — General")).to_be_visible()
        expect(dialog(page).get_by_label("Name", exact=True)).to_be_focused()
        fill_general(
            page,
            name="Europe",
            description="Our EU customers",
            currency=("euro", "EUR — Euro"),
            countries=[("Germany", "Germany"), ("France", "France")],
        )
        next_step(page, "Step 2 of 3 — Hubs")
        expect(dialog(page).get_by_role("heading", name="Step 2 of 3 — Hubs")).to_be_focused()  # a new step
        dialog(page).get_by_role("button", name="Next", exact=True).click()
        expect(dialog(page).get_by_text("Choose at least one of your hubs.")).to_be_visible()
        choose_hubs(page, {"Web shop": "TA-0001"})
        next_step(page, "Step 3 of 3 — Summary")
        summary = dialog(page)
        for shown in ("Europe", "EUR — Euro", "France, Germany", "Web shop: tier account TA-0001"):
            expect(summary.get_by_text(shown, exact=True)).to_be_visible()
        summary.get_by_role("button", name="Create", exact=True).click()
        expect(page.get_by_role("dialog")).to_have_count(0)
        marketplaces = page.get_by_role("table", name="Your marketplaces")
        marketplace_row = marketplaces.get_by_role("row").filter(has_text="Europe")
        expect(marketplace_row).to_contain_text("EUR")
        expect(marketplace_row).to_contain_text("France, Germany (2)")
        expect(marketplace_row).to_contain_text("Web shop")
        expect(hub_row).to_contain_text("1: Europe")

        page.get_by_role("navigation", name="Main").get_by_role("link", name="Overview").click()
        expect(page.get_by_role("heading", name="Getting started")).to_be_visible()
        assert chapter(page, "Hub and Marketplace Creation") == "Done"
        expect(page.get_by_text("1 hub, 1 marketplace.")).to_be_visible()

        page.get_by_role("navigation", name="Main").get_by_role("link", name="Marketplace").click()
        page.get_by_role("button", name="Edit marketplace Europe").click()
        box = dialog(page)
        expect(box.get_by_label("Name", exact=True)).to_have_value("Europe")
        box.get_by_label("Name", exact=True).fill("Europe and Switzerland")
        next_step(page, "Step 2 of 3 — Hubs")
        next_step(page, "Step 3 of 3 — Summary")
        dialog(page).get_by_role("button", name="Save", exact=True).click()
        expect(page.get_by_role("dialog")).to_have_count(0)
        expect(marketplaces.get_by_role("row").filter(has_text="Europe and Switzerland")).to_be_visible()

        page.get_by_role("button", name="Delete hub Web shop").click()
        expect(page.get_by_role("alert").filter(has_text="Web shop cannot be deleted")).to_contain_text(
            "it is used by Europe and Switzerland"
        )
        expect(hub_row).to_be_visible()
    finally:
        page.context.close()


def test_your_contract_shows_the_signed_text_and_downloads_it_with_evidence(server: Server, browser: Browser) -> None:
    email = f"contract-{uuid.uuid4().hex[:8]}@champions.example"
    page = activated_page(browser, server.invite("--company", "Contract Reader Ltd"), email, "Contract Reader Ltd")
    try:
        page.get_by_role("link", name="Your contract").click()
        expect(page.get_by_role("heading", name="Your contract")).to_be_visible()
        sha256 = page.get_by_text(re.compile(r"^[0-9a-f]{64}$")).first.inner_text()
        expect(page.get_by_text(email, exact=False)).to_be_visible()  # who signed
        with page.expect_download() as started:
            page.get_by_role("button", name="Download signed contract").click()
        download = started.value
        assert re.fullmatch(r"CRD-[\d-]+-service-contract\.md", download.suggested_filename)
        document = Path(download.path()).read_text(encoding="utf-8")
        for shown in (sha256, email, "Contract Reader Ltd", "Mighty Mick's LLC", "## The agreement as signed"):
            assert shown in document
    finally:
        page.context.close()

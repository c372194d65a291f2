"""The distributor's workspace in real Chromium, with a second browser context as the reseller."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from portal_testing.launch import Server, sign_in
from tests.e2e.distributor import close_link_dialog, create_invitation, unique_email
from tests.e2e.wizard import Wizard


def distributor_page(server: Server, browser: Browser) -> tuple[BrowserContext, Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.base_url)
    page = context.new_page()
    sign_in(page, server.base_url, server.distributor_user(unique_email("mick")))
    expect(page.get_by_role("heading", name="Invitations")).to_be_visible()
    return context, page


def activate_in_new_browser(browser: Browser, url: str, company: str) -> Page:
    context = browser.new_context()
    page = context.new_page()
    page.goto(url)
    wizard = Wizard(page)
    wizard.agree(unique_email("reseller"))
    wizard.user_properties()
    wizard.company(company)
    wizard.sign_and_activate(company)
    expect(page.get_by_role("heading", name="Hub and Marketplace Creation")).to_be_visible()
    return page


def test_invite_copy_activate_and_see_the_partner_active(server: Server, browser: Browser) -> None:
    context, page = distributor_page(server, browser)
    try:
        url = create_invitation(
            page, email=unique_email("bob"), company="Copied Link Inc", note="Welcome to our programme"
        )
        page.get_by_role("button", name="Copy link").click()
        expect(page.get_by_text("Link copied.")).to_be_visible()
        assert page.evaluate("navigator.clipboard.readText()") == url
        close_link_dialog(page, copied=True)
        row = page.locator("tr", has_text="Copied Link Inc")
        expect(row.get_by_text("Not opened", exact=True)).to_be_visible()

        reseller = activate_in_new_browser(browser, url, "Copied Link Inc")
        reseller.context.close()

        page.reload()
        expect(page.locator("tr", has_text="Copied Link Inc").get_by_text("Activated", exact=True)).to_be_visible()
        page.get_by_role("link", name="Partners").click()
        partner_row = page.locator("tr", has_text="Copied Link Inc")
        expect(partner_row.get_by_text("Active", exact=True)).to_be_visible()
        # The invitation's history, from the audit log.
        page.get_by_role("link", name="Invitations").click()
        page.locator("tr", has_text="Copied Link Inc").get_by_role("link", name=re.compile("Details")).click()
        for entry in [
            "created the invitation",
            "opened the activation link",
            "saved Review the contract",
            "saved Company properties",
            "activated the reseller portal of Copied Link Inc",
        ]:
            expect(page.get_by_text(re.compile(f" {entry}$")).first).to_be_visible()
    finally:
        context.close()


def test_search_finds_invitations_by_part_of_a_name_through_the_index(server: Server, browser: Browser) -> None:
    context, page = distributor_page(server, browser)
    tag = uuid.uuid4().hex[:8]
    try:
        url = create_invitation(page, company=f"Searchable {tag} Inc")
        close_link_dialog(page)
        create_invitation(page, company=f"Other {tag} Ltd")
        close_link_dialog(page)
        search = page.get_by_role("searchbox", name="Search")
        search.fill(f"ABLE {tag}")  # any part of the company name, in any case
        search.press("Enter")
        expect(page.locator("tr", has_text=tag)).to_have_count(1)
        expect(page.locator("tr", has_text=f"Searchable {tag} Inc")).to_be_visible()

        reseller = activate_in_new_browser(browser, url, f"Legal Name {tag} GmbH")
        reseller.context.close()
        search.fill(f"legal name {tag}")  # the reseller account's name, once activated
        search.press("Enter")
        expect(page.locator("tr", has_text=tag)).to_have_count(1)
        activated = page.locator("tr", has_text=f"Searchable {tag} Inc").get_by_text("Activated", exact=True)
        expect(activated).to_be_visible()
    finally:
        context.close()


def test_note_to_signee_appears_on_the_first_step(server: Server, browser: Browser, page: Page) -> None:
    context, desk = distributor_page(server, browser)
    try:
        url = create_invitation(desk, note="Please activate before Friday <b>now</b>")
    finally:
        context.close()
    page.goto(url)
    expect(page.get_by_text("Please activate before Friday <b>now</b>")).to_be_visible()


def test_revoke_then_reissue(server: Server, browser: Browser, page: Page) -> None:
    context, desk = distributor_page(server, browser)
    try:
        url = create_invitation(desk, company="Revoked Then Reissued Ltd")
        close_link_dialog(desk)
        row = desk.locator("tr", has_text="Revoked Then Reissued Ltd")
        row.get_by_role("button", name=re.compile("Revoke")).click()
        desk.get_by_role("alertdialog").get_by_role("button", name="Revoke").click()
        expect(row.get_by_text("Revoked", exact=True)).to_be_visible()
        page.goto(url)
        expect(page.get_by_role("heading", name="Activation link revoked")).to_be_visible()

        row.get_by_role("button", name=re.compile("Reissue")).click()
        new_link = desk.get_by_role("dialog").get_by_label("Link")
        expect(new_link).to_have_value(re.compile("/activate/"))
        new_url = new_link.input_value()
        assert new_url != url
        close_link_dialog(desk)
        page.goto(new_url)
        expect(Wizard(page).email).to_be_visible()
        page.goto(url)
        expect(page.get_by_role("heading", name="Activation link revoked")).to_be_visible()
    finally:
        context.close()


def test_publish_a_new_agreement_version(tmp_path_factory: pytest.TempPathFactory, browser: Browser) -> None:
    server = Server(tmp_path_factory.mktemp("publish"))
    server.start()
    context, desk = distributor_page(server, browser)
    try:
        earlier = activate_in_new_browser(
            browser, create_invitation(desk, company="Early Signer Inc"), "Early Signer Inc"
        )
        earlier.context.close()
        close_link_dialog(desk)
        desk.get_by_role("link", name="Agreements").click()
        desk.get_by_role("button", name=re.compile(r"^Publish new version of .* Service Agreement$")).click()
        editor = desk.get_by_label("Agreement text (Markdown)")
        editor.fill("# Reseller Service Agreement, 2027 edition\n\nThe **new** terms.")
        desk.get_by_role("tab", name="Preview").click()
        expect(desk.get_by_role("heading", name="Reseller Service Agreement, 2027 edition")).to_be_visible()
        desk.get_by_role("button", name="Publish", exact=True).click()
        expect(desk.get_by_text("Version 2", exact=True)).to_be_visible()

        desk.get_by_role("link", name="Invitations").click()
        url = create_invitation(desk, company="Late Signer Inc")
        close_link_dialog(desk)
        reseller = desk.context.browser.new_page()  # type: ignore[union-attr]  # a launched browser's context has it
        reseller.goto(url)
        expect(reseller.get_by_role("heading", name="Reseller Service Agreement, 2027 edition")).to_be_visible()
        expect(reseller.get_by_text("(version 2)")).to_be_visible()
        reseller.close()

        desk.get_by_role("link", name="Partners").click()
        desk.get_by_role("link", name="Early Signer Inc").click()
        expect(desk.get_by_text(re.compile(r"Reseller Service Agreement, version 1$"))).to_be_visible()
    finally:
        context.close()
        server.stop()


def test_direct_reseller_account_through_the_set_password_link(server: Server, browser: Browser) -> None:
    context, desk = distributor_page(server, browser)
    reseller_context = browser.new_context()
    try:
        desk.get_by_role("link", name="Partners").click()
        desk.get_by_role("button", name="Create reseller account").click()
        dialog = desk.get_by_role("dialog")
        dialog.get_by_label("Reseller's legal name").fill("Direct Path")
        dialog.get_by_label("Representative's full name").fill("Rita Rep")
        email = unique_email("rita")
        dialog.get_by_label("Representative's email").fill(email)
        dialog.get_by_role("button", name="Create", exact=True).click()
        expect(dialog.get_by_text("Include the legal entity type")).to_be_visible()
        dialog.get_by_label("Reseller's legal name").fill("Direct Path GmbH")
        dialog.get_by_role("button", name="Create", exact=True).click()
        link = desk.get_by_role("dialog").get_by_label("Link")
        expect(link).to_have_value(re.compile("/set-password/"))
        url = link.input_value()
        close_link_dialog(desk)
        expect(desk.locator("tr", has_text="Direct Path GmbH").get_by_text("Invited", exact=True)).to_be_visible()

        reseller = reseller_context.new_page()
        reseller.goto(url)
        expect(reseller.get_by_role("heading", name="Welcome, Rita Rep")).to_be_visible()
        reseller.get_by_label("Password", exact=True).fill("too short")
        reseller.get_by_role("button", name="Set password and activate").click()
        errors = reseller.locator(".portal-field-error")
        expect(errors.filter(has_text="Use at least 15 characters")).to_be_visible()
        expect(errors.filter(has_text="Tick the box to confirm")).to_be_visible()
        reseller.get_by_label("Password", exact=True).fill("a representative's long passphrase")
        reseller.get_by_role("checkbox", name="I have read and accepted the agreement").click()
        reseller.get_by_role("button", name="Set password and activate").click()
        expect(reseller.get_by_role("heading", name="Direct Path GmbH")).to_be_visible()
        expect(reseller.get_by_role("heading", name="Hub and Marketplace Creation")).to_be_visible()
        reseller.goto(url)
        expect(reseller.get_by_text("This link has already been used.")).to_be_visible()

        desk.reload()
        expect(desk.locator("tr", has_text="Direct Path GmbH").get_by_text("Active", exact=True)).to_be_visible()
    finally:
        reseller_context.close()
        context.close()


def test_terminate_a_contract(server: Server, browser: Browser) -> None:
    context, desk = distributor_page(server, browser)
    try:
        url = create_invitation(desk, company="Soon Terminated Ltd")
        close_link_dialog(desk)
        reseller = activate_in_new_browser(browser, url, "Soon Terminated Ltd")
        desk.get_by_role("link", name="Partners").click()
        desk.get_by_role("link", name="Soon Terminated Ltd").click()
        expect(desk.get_by_text("Evidence recorded at signing")).to_be_visible()
        desk.get_by_role("button", name="Terminate contract").click()
        desk.get_by_role("alertdialog").get_by_label("Reason for termination").fill("Unpaid invoices since May.")
        desk.get_by_role("alertdialog").get_by_role("button", name="Terminate").click()
        expect(desk.get_by_text("Terminated", exact=True)).to_be_visible()
        expect(desk.get_by_text("Removed", exact=True)).to_be_visible()
        reseller.reload()
        expect(reseller.get_by_role("heading", name="Your service contract was terminated")).to_be_visible()
        expect(reseller.get_by_role("heading", name="Hub and Marketplace Creation")).to_have_count(0)
        # The reseller sees when and why, and nothing else of the portal: every portal page leads here.
        expect(reseller).to_have_url(re.compile(r"/portal/contract$"))
        expect(reseller.get_by_text("Unpaid invoices since May.", exact=True)).to_be_visible()
        expect(reseller.get_by_role("navigation", name="Main")).to_have_count(0)
        for path in ("/portal", "/marketplace", "/catalog", "/customers", "/subscriptions"):
            reseller.goto(f"{server.base_url}{path}")
            expect(reseller).to_have_url(re.compile(r"/portal/contract$"))
        expect(desk.get_by_text("Unpaid invoices since May.", exact=True)).to_be_visible()
        reseller.context.close()
    finally:
        context.close()

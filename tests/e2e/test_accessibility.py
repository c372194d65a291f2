"""Accessibility: axe-core finds no violation at all (of any impact, best practices included) on every page, step and
dialog, at 1280 px and at 375 px; the whole flow works with the keyboard alone; a phone-width screen needs no
sideways scrolling."""

from __future__ import annotations

import re
import secrets
import uuid
from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, FilePayload, Locator, Page, ViewportSize, expect

from data.models import InvitationStatus
from data.models.subscription import request_id
from portal_testing.factories import FULL_NAME, PASSWORD
from portal_testing.launch import Server, sign_in
from services.distributor import fulfilment as queue
from services.portal import customers, subscriptions
from tests.e2e.distributor import close_link_dialog, create_invitation, emailed_link
from tests.e2e.distributor import unique_email as distributor_email
from tests.e2e.portal import activate, choose_hubs, dialog, fill_general, fill_hub, next_step, register_hub
from tests.e2e.wizard import Wizard

AXE = Axe()
WIDTHS: dict[str, ViewportSize] = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 375, "height": 740}}


def violations(page: Page) -> list[str]:
    """Every violation axe-core finds on the page as it is now: the whole page, also with a dialog open (the page
    behind a dialog is inert and must not count against it, nor hide anything wrong)."""
    results = AXE.run(page)
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at {[n['target'] for n in violation['nodes']]}"
        for violation in results.response["violations"]
    ]


class Audit:
    """Every state of one walk, checked; the test fails at the end with every finding listed."""

    def __init__(self, width: str) -> None:
        self.width = width
        self.findings: list[str] = []
        self.checked = 0

    def check(self, page: Page, where: str) -> None:
        page.wait_for_load_state()
        self.checked += 1
        self.findings += [f"{self.width} · {where}: {finding}" for finding in violations(page)]

    def assert_clean(self) -> None:
        assert self.findings == [], "\n".join(self.findings)


def test_the_audit_reports_what_axe_finds(browser: Browser) -> None:
    """The audit can fail: an image without a text alternative and a field without a label are reported."""
    page = browser.new_page()
    try:
        page.set_content('<html lang="en"><title>t</title><main><h1>x</h1><img src="x.png"><input></main></html>')
        found = violations(page)
    finally:
        page.close()
    assert any(finding.startswith("image-alt") for finding in found), found
    assert any(finding.startswith("label") for finding in found), found


def unique_email() -> str:
    return f"a11y-{uuid.uuid4().hex[:8]}@champions.example"


@pytest.fixture(params=list(WIDTHS))
def audit(request: pytest.FixtureRequest) -> Iterator[Audit]:
    yield Audit(request.param)


def test_axe_finds_nothing_on_any_page_or_step_of_the_reseller(server: Server, browser: Browser, audit: Audit) -> None:
    context = browser.new_context(viewport=WIDTHS[audit.width], locale="en-US")
    page = context.new_page()
    try:
        page.goto(f"{server.base_url}/")
        expect(page.get_by_role("heading", name="Welcome to the Reseller Portal")).to_be_visible()
        audit.check(page, "home")
        page.goto(f"{server.base_url}/login")
        page.get_by_role("button", name="Sign in").click()
        expect(page.locator(".portal-field-error").first).to_be_visible()
        audit.check(page, "sign-in with empty fields")
        page.get_by_label("Email", exact=True).fill("nobody@example.com")
        page.get_by_label("Password", exact=True).fill("not the password at all")
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_text("The email or password is incorrect.")).to_be_visible()
        audit.check(page, "sign-in failed")
        page.goto(f"{server.base_url}/logout")
        expect(page.get_by_role("heading", name="Sign out")).to_be_visible()
        audit.check(page, "sign out")
        page.goto(f"{server.base_url}/no-such-page")
        expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
        audit.check(page, "page not found")

        page.goto(server.invite("--company", "Champions Corp", "--note", "Welcome aboard!"))
        wizard = Wizard(page)
        expect(wizard.email).to_be_visible()
        audit.check(page, "step 1")
        wizard.button("Next").click()
        expect(wizard.field_error("Enter your email address.")).to_be_visible()
        audit.check(page, "step 1 with errors")
        wizard.agree(unique_email())
        audit.check(page, "step 2")
        wizard.button("Next").click()
        expect(wizard.field_error("Enter your full name.")).to_be_visible()
        audit.check(page, "step 2 with errors")
        wizard.user_properties()
        wizard.company_name.fill("Champions")
        wizard.button("Next").click()
        expect(wizard.field_error("Include the legal entity type")).to_be_visible()
        audit.check(page, "step 3 with an error")
        wizard.company("Champions Corp")
        audit.check(page, "step 4")
        wizard.button("Activate").click()
        expect(wizard.field_error("Tick the box to sign the contract.")).to_be_visible()
        audit.check(page, "step 4 with an error")
        wizard.sign_and_activate("Champions Corp")
        expect(page.get_by_role("heading", name="Hub and Marketplace Creation")).to_be_visible()
        audit.check(page, "portal")

        portal = server.portal()
        for problem in ["unknown", "expired", "revoked", "activated"]:
            token = "A" * 43
            if problem != "unknown":
                token = server.invite().rsplit("/", 1)[1]
                if problem == "expired":
                    portal.set_invitation(token, expired=True)
                elif problem == "revoked":
                    portal.set_invitation(token, status=InvitationStatus.REVOKED)
                else:
                    portal.activate(token, email=unique_email())
            page.goto(f"{server.base_url}/activate/{token}")
            expect(page.get_by_role("heading", level=1)).to_be_visible()
            audit.check(page, f"{problem} activation link")

        from services.distributor.partners import create_reseller_account

        created = create_reseller_account(
            portal.uow(),
            portal.distributor_user(),
            legal_name="Set Password Ltd",
            representative_name="Sam",
            representative_email=unique_email(),
        )
        page.goto(f"{server.base_url}/set-password/{created.token}")
        expect(page.get_by_role("heading", name="Welcome, Sam")).to_be_visible()
        audit.check(page, "set-password")
        page.get_by_role("button", name="Set password and activate").click()
        expect(page.locator(".portal-field-error").filter(has_text="Enter a password.")).to_be_visible()
        audit.check(page, "set-password with errors")
        page.goto(f"{server.base_url}/set-password/{'B' * 43}")
        expect(page.get_by_role("heading", name="Set-password link not usable")).to_be_visible()
        audit.check(page, "set-password bad link")
    finally:
        context.close()
    audit.assert_clean()


def test_axe_finds_nothing_on_any_page_or_dialog_of_the_distributor(
    server: Server, browser: Browser, audit: Audit
) -> None:
    context = browser.new_context(viewport=WIDTHS[audit.width], locale="en-US")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.base_url)
    page = context.new_page()
    company = f"Accessible {uuid.uuid4().hex[:6]} Inc"
    try:
        sign_in(page, server.base_url, server.distributor_user(distributor_email("a11y")))
        expect(page.get_by_role("heading", name="Invitations")).to_be_visible()
        page.get_by_role("button", name="Create invitation").click()
        dialog = page.get_by_role("dialog")
        expect(dialog.get_by_label("Invitee email (optional)")).to_be_focused()
        audit.check(page, "create invitation dialog")
        dialog.get_by_label("Invitee email (optional)").fill("not an email")
        dialog.get_by_label("Expires in (days)").fill("120")
        dialog.get_by_role("button", name="Create", exact=True).click()
        expect(dialog.locator(".portal-error-summary")).to_be_visible()
        audit.check(page, "create invitation dialog with errors")
        page.keyboard.press("Escape")
        expect(page.get_by_role("alertdialog")).to_be_visible()
        audit.check(page, "discard what you typed?")
        page.get_by_role("alertdialog").get_by_role("button", name="Discard").click()
        expect(page.get_by_role("dialog")).to_have_count(0)

        url = create_invitation(page, company=company)
        audit.check(page, "new link dialog")
        page.get_by_role("button", name="Done").click()
        expect(page.get_by_role("alertdialog")).to_be_visible()
        audit.check(page, "close without copying the link?")
        page.get_by_role("alertdialog").get_by_role("button", name="Go back to the link").click()
        page.get_by_role("button", name="Copy link").click()
        expect(page.get_by_text("Link copied.")).to_be_visible()
        audit.check(page, "new link dialog, copied")
        close_link_dialog(page, copied=True)
        audit.check(page, "invitations")
        page.locator("tr", has_text=company).get_by_role("button", name=re.compile("Revoke")).click()
        expect(page.get_by_role("alertdialog")).to_be_visible()
        audit.check(page, "revoke confirmation")
        page.keyboard.press("Escape")
        search = page.get_by_role("searchbox", name="Search")
        search.fill("nothing matches this")
        search.press("Enter")
        expect(page.get_by_text("No invitations match.")).to_be_visible()
        audit.check(page, "invitations, nothing found")
        search.fill("")
        search.press("Enter")
        page.locator("tr", has_text=company).get_by_role("link", name=re.compile("Details")).click()
        expect(page.get_by_role("heading", name="History")).to_be_visible()
        audit.check(page, "invitation details")
        page.goto(f"{server.base_url}/distributor/invitations/IN-0000-0000-0000")
        expect(page.get_by_role("heading", name="Invitation not found")).to_be_visible()
        audit.check(page, "invitation not found")

        reseller = browser.new_page()
        reseller.goto(url)
        wizard = Wizard(reseller)
        wizard.agree(unique_email())
        wizard.user_properties(full_name=FULL_NAME, password=PASSWORD)
        wizard.company(company)
        wizard.sign_and_activate(company)
        expect(reseller.get_by_role("heading", name="Hub and Marketplace Creation")).to_be_visible()

        page.get_by_role("link", name="Partners", exact=True).click()
        expect(page.get_by_role("heading", name="Partners")).to_be_visible()
        audit.check(page, "partners")
        page.get_by_role("button", name="Create reseller account").click()
        expect(page.get_by_role("dialog")).to_be_visible()
        audit.check(page, "create reseller account dialog")
        page.get_by_role("dialog").get_by_role("button", name="Create", exact=True).click()
        expect(page.get_by_role("dialog").locator(".portal-error-summary")).to_be_visible()
        audit.check(page, "create reseller account dialog with errors")
        page.get_by_role("dialog").get_by_role("button", name="Cancel").click()
        page.get_by_role("link", name=company).click()
        expect(page.get_by_text("Evidence recorded at signing")).to_be_visible()
        audit.check(page, "partner details")
        page.get_by_role("button", name="Terminate contract").click()
        expect(page.get_by_role("alertdialog")).to_be_visible()
        audit.check(page, "terminate dialog")
        page.get_by_role("alertdialog").get_by_role("button", name="Terminate").click()
        expect(
            page.locator(".portal-field-error").filter(has_text="Say why the contract is terminated")
        ).to_be_visible()
        audit.check(page, "terminate dialog with an error")
        page.get_by_role("alertdialog").get_by_label("Reason for termination").fill("The pilot ended.")
        page.get_by_role("alertdialog").get_by_role("button", name="Terminate").click()
        expect(page.get_by_text("Terminated at")).to_be_visible()
        reseller.reload()
        expect(reseller.get_by_role("heading", name="Your service contract was terminated")).to_be_visible()
        audit.check(reseller, "portal after termination")
        reseller.close()

        page.get_by_role("link", name="Agreements", exact=True).click()
        expect(page.get_by_role("button", name="Publish new version").first).to_be_visible()
        audit.check(page, "agreements")
        page.get_by_role("button", name=re.compile("^View version 1")).first.click()
        expect(page.get_by_role("dialog").locator(".agreement-text")).to_be_visible()
        audit.check(page, "agreement version")
        page.get_by_role("dialog").get_by_role("button", name="Close").click()
        page.get_by_role("button", name="Publish new version").first.click()
        expect(page.get_by_label("Agreement text (Markdown)")).to_be_visible()
        audit.check(page, "agreement editor")
        page.get_by_role("tab", name="Preview").click()
        expect(page.get_by_role("dialog").locator(".agreement-text")).to_be_visible()
        audit.check(page, "agreement editor, preview")
    finally:
        context.close()
    assert audit.checked >= 20
    audit.assert_clean()


def test_axe_finds_nothing_on_a_new_contract_for_a_removed_partner(
    server: Server, browser: Browser, audit: Audit
) -> None:
    from services.accounts import authenticate
    from services.distributor import partners

    email = server.distributor_user(distributor_email("a11y-offer"))
    portal = server.portal()
    actor = authenticate(portal.uow(), email, PASSWORD)
    reseller_email = unique_email()
    company = f"Removed {uuid.uuid4().hex[:6]} Ltd"
    created = portal.activate(server.invite().rsplit("/", 1)[1], email=reseller_email, company=company)
    partners.terminate_contract(portal.uow(), actor, created.contract_id, reason="Ended in a test.")
    context = browser.new_context(viewport=WIDTHS[audit.width], locale="en-US")
    reseller_context = browser.new_context(viewport=WIDTHS[audit.width], locale="en-US")
    try:
        page = context.new_page()
        sign_in(page, server.base_url, email)
        expect(page.get_by_role("heading", name="Invitations")).to_be_visible()
        page.goto(f"{server.base_url}/distributor/partners/{created.contract_id}")
        expect(page.get_by_role("button", name="Offer a new contract")).to_be_visible()
        audit.check(page, "removed partner")
        page.get_by_role("button", name="Offer a new contract").click()
        link = page.get_by_role("dialog").get_by_label("Link")
        expect(link).to_be_visible()
        audit.check(page, "new contract link dialog")
        url = link.input_value()

        reseller = reseller_context.new_page()
        reseller.goto(url)
        expect(reseller.get_by_role("heading", name=f"A new service contract for {company}")).to_be_visible()
        audit.check(reseller, "new contract, signed out")
        reseller.get_by_role("link", name="Sign in").click()  # and back here once signed in
        reseller.get_by_label("Email", exact=True).fill(reseller_email)
        reseller.get_by_label("Password", exact=True).fill(PASSWORD)
        reseller.get_by_role("button", name="Sign in").click()
        expect(reseller.get_by_role("button", name="Sign the contract")).to_be_visible()
        audit.check(reseller, "new contract, signed in")
        reseller.get_by_role("button", name="Sign the contract").click()
        expect(reseller.locator(".portal-field-error").filter(has_text="Tick the box to sign")).to_be_visible()
        audit.check(reseller, "new contract, with errors")
    finally:
        reseller_context.close()
        context.close()
    audit.assert_clean()


def test_axe_finds_nothing_on_the_account_and_email_pages_and_dialogs(
    server: Server, browser: Browser, audit: Audit
) -> None:
    context = browser.new_context(viewport=WIDTHS[audit.width], locale="en-US")
    page = context.new_page()
    email = server.distributor_user(distributor_email("a11y-account"))
    try:
        page.goto(f"{server.base_url}/forgot-password")
        expect(page.get_by_role("heading", name="Forgot your password?")).to_be_visible()
        audit.check(page, "forgot password")
        page.get_by_role("button", name="Send reset link").click()
        expect(page.locator(".portal-field-error").first).to_be_visible()
        audit.check(page, "forgot password with an error")
        page.get_by_label("Email", exact=True).fill(email)
        page.get_by_role("button", name="Send reset link").click()
        expect(page.get_by_role("status").filter(has_text="If an account exists")).to_be_visible()
        audit.check(page, "forgot password, answered")
        page.goto(emailed_link(server.data_dir, email, "reset-password"))
        expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
        audit.check(page, "reset password")
        page.get_by_role("button", name="Set new password").click()
        expect(page.locator(".portal-field-error").first).to_be_visible()
        audit.check(page, "reset password with an error")
        page.goto(f"{server.base_url}/reset-password/{'x' * 43}")
        expect(page.get_by_role("heading", name="This link cannot be used")).to_be_visible()
        audit.check(page, "reset link not usable")

        sign_in(page, server.base_url, email)
        expect(page.get_by_role("heading", name="Invitations")).to_be_visible()
        page.get_by_role("link", name="Account").click()
        expect(page.get_by_role("heading", name="Account settings")).to_be_visible()
        audit.check(page, "account settings")
        page.get_by_role("button", name="Change password").click()
        page.get_by_role("button", name="Send confirmation link").click()
        expect(page.locator(".portal-field-error").first).to_be_visible()
        audit.check(page, "account settings with errors")
        new_address = distributor_email("a11y-new")
        page.get_by_label("New email address", exact=True).fill(new_address)
        page.get_by_label("Current password", exact=True).nth(1).fill(PASSWORD)
        page.get_by_role("button", name="Send confirmation link").click()
        expect(page.get_by_text("We sent a link to the new address").first).to_be_visible()
        confirm_page = context.new_page()
        confirm_page.goto(emailed_link(server.data_dir, new_address, "confirm-email"))
        expect(confirm_page.get_by_role("heading", name="Confirm your new email address")).to_be_visible()
        audit.check(confirm_page, "confirm a new email")
        confirm_page.close()

        page.get_by_role("link", name="Users", exact=True).click()
        expect(page.get_by_role("heading", name="Users")).to_be_visible()
        audit.check(page, "users")
        page.get_by_role("button", name="Invite a colleague").click()
        expect(page.get_by_role("dialog")).to_be_visible()
        audit.check(page, "invite a colleague dialog")
        page.get_by_role("dialog").get_by_role("button", name="Send invitation").click()
        expect(page.get_by_role("dialog").locator(".portal-error-summary")).to_be_visible()
        audit.check(page, "invite a colleague dialog with errors")
        page.get_by_role("dialog").get_by_role("button", name="Cancel").click()
        page.get_by_role("button", name=re.compile("^Deactivate")).first.click()
        expect(page.get_by_role("alertdialog")).to_be_visible()
        audit.check(page, "deactivate confirmation")
        page.keyboard.press("Escape")

        page.get_by_role("link", name="Invitations", exact=True).click()
        company = f"Emailed {uuid.uuid4().hex[:6]} Inc"
        create_invitation(page, email=distributor_email("invitee"), company=company)
        close_link_dialog(page)
        page.locator("tr", has_text=company).get_by_role("link", name=re.compile("Details")).click()
        expect(page.get_by_role("heading", name="Emails")).to_be_visible()
        audit.check(page, "invitation details with its email")
        page.get_by_role("button", name="Resend").click()
        expect(page.get_by_role("alertdialog")).to_be_visible()
        audit.check(page, "resend confirmation")
    finally:
        context.close()
    assert audit.checked >= 15


def tab_to(page: Page, target: Locator, limit: int = 40) -> None:
    """Press Tab until ``target`` has the keyboard focus."""
    for _ in range(limit):
        if target.evaluate("element => element === document.activeElement || element.contains(document.activeElement)"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"could not reach {target} with the Tab key")


def test_the_whole_flow_with_the_keyboard_alone(server: Server, page: Page) -> None:
    page.goto(server.invite())
    wizard = Wizard(page)
    expect(wizard.email).to_be_visible()
    tab_to(page, page.get_by_role("region", name="Agreement text"))
    page.keyboard.press("PageDown")  # the agreement scrolls from the keyboard
    tab_to(page, wizard.email)
    page.keyboard.type(unique_email())
    tab_to(page, wizard.checkbox("I have read and accepted the agreement"))
    page.keyboard.press("Space")
    tab_to(page, wizard.button("Next"))
    page.keyboard.press("Enter")
    expect(wizard.full_name).to_be_visible()
    tab_to(page, wizard.full_name)
    page.keyboard.type(FULL_NAME)
    tab_to(page, wizard.password)
    page.keyboard.type(PASSWORD)
    tab_to(page, page.get_by_role("button", name="Show password"))
    page.keyboard.press("Enter")
    expect(wizard.password).to_have_attribute("type", "text")
    tab_to(page, wizard.button("Next"))
    page.keyboard.press("Enter")
    expect(wizard.company_name).to_be_visible()
    tab_to(page, wizard.company_name)
    page.keyboard.type("Keyboard Ltd")
    page.keyboard.press("Enter")  # Enter in a field submits its step, as in any form
    expect(wizard.button("Activate")).to_be_visible()
    tab_to(page, wizard.checkbox("I sign this service contract on behalf of Keyboard Ltd"))
    page.keyboard.press("Space")
    tab_to(page, wizard.button("Activate"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Hub and Marketplace Creation")).to_be_visible()


def test_readable_on_a_phone_width_screen(server: Server, browser: Browser) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        page.goto(server.invite("--company", "Phone Width GmbH"))
        wizard = Wizard(page)

        def fits() -> None:
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, f"page is {overflow}px wider than the screen"

        expect(wizard.email).to_be_visible()
        fits()
        wizard.agree(unique_email())
        fits()
        wizard.user_properties()
        fits()
        wizard.company("Phone Width GmbH")
        fits()
        wizard.sign_and_activate("Phone Width GmbH")
        expect(page.get_by_role("heading", name="Hub and Marketplace Creation")).to_be_visible()
        fits()
    finally:
        context.close()


def test_axe_finds_nothing_on_the_portal_pages_and_dialogs(server: Server, browser: Browser, audit: Audit) -> None:
    """Chapter 2 and the portal's shell: the overview, the phone menu, /marketplace with every dialog and step of
    the wizard (the hub registered in place from it included), the coming-next pages, the contract page, the
    distributor's view of the partner's hubs and marketplaces, and the contract page after termination."""
    from sqlmodel import select

    from data.models import Contract, User
    from services.accounts import authenticate
    from services.distributor import partners

    email = unique_email()
    company = f"Portal {uuid.uuid4().hex[:6]} Ltd"
    context = browser.new_context(viewport=WIDTHS[audit.width], locale="en-US")
    desk_context = browser.new_context(viewport=WIDTHS[audit.width], locale="en-US")
    page = context.new_page()
    try:
        activate(page, server.invite("--company", company), email, company)
        audit.check(page, "overview")
        if audit.width == "phone":
            menu = page.get_by_role("button", name="Menu")
            expect(page.get_by_role("link", name="Marketplace", exact=True)).to_be_hidden()
            menu.focus()
            page.keyboard.press("Enter")  # the menu works from the keyboard
            expect(menu).to_have_attribute("aria-expanded", "true")
            audit.check(page, "overview, menu open")
            page.keyboard.press("Tab")
            expect(page.get_by_role("link", name="Overview", exact=True)).to_be_focused()
        page.get_by_role("link", name="Marketplace", exact=True).click()
        expect(page.get_by_role("heading", name="Hubs and marketplaces")).to_be_visible()
        audit.check(page, "marketplace, empty")

        page.get_by_role("button", name="Create marketplace").click()
        expect(dialog(page).get_by_role("heading", name="Step 1 of 3 — General")).to_be_visible()
        audit.check(page, "marketplace wizard, general")
        dialog(page).get_by_role("button", name="Next", exact=True).click()
        expect(dialog(page).locator(".portal-error-summary")).to_be_visible()
        audit.check(page, "marketplace wizard, general with errors")
        fill_general(page, name="Europe", currency=("euro", "EUR — Euro"), countries=[("Germany", "Germany")])
        next_step(page, "Step 2 of 3 — Hubs")
        audit.check(page, "marketplace wizard, no hub yet")
        dialog(page).get_by_role("button", name="Register hub").click()
        expect(page.get_by_role("dialog", name="Register hub")).to_be_visible()
        audit.check(page, "register hub dialog over the wizard")
        dialog(page).get_by_role("button", name="Register", exact=True).click()
        expect(dialog(page).locator(".portal-error-summary")).to_be_visible()
        audit.check(page, "register hub dialog with errors")
        fill_hub(page, name="Web shop", instance_id="shop-01")
        dialog(page).get_by_role("button", name="Register", exact=True).click()
        expect(page.get_by_role("dialog", name="Register hub")).to_have_count(0)
        choose_hubs(page, {"Web shop": "TA-1"})
        audit.check(page, "marketplace wizard, hubs")
        next_step(page, "Step 3 of 3 — Summary")
        audit.check(page, "marketplace wizard, summary")
        dialog(page).get_by_role("button", name="Create", exact=True).click()
        expect(page.get_by_role("dialog")).to_have_count(0)
        register_hub(page, name="Spare", instance_id="spare-1", kind="API")
        audit.check(page, "marketplace, with hubs and a marketplace")
        page.get_by_role("button", name="Edit hub Web shop").click()
        expect(dialog(page).get_by_label("Instance ID")).to_have_value("shop-01")
        audit.check(page, "edit hub dialog")
        dialog(page).get_by_role("button", name="Cancel").click()
        page.get_by_role("button", name="Delete hub Spare").click()
        expect(page.get_by_role("alertdialog")).to_be_visible()
        audit.check(page, "delete hub confirmation")
        page.get_by_role("alertdialog").get_by_role("button", name="Cancel").click()
        page.get_by_role("button", name="Delete hub Web shop").click()
        expect(page.get_by_role("alert").filter(has_text="cannot be deleted")).to_be_visible()
        audit.check(page, "hub deletion refused")
        page.get_by_role("button", name="Edit marketplace Europe").click()
        expect(dialog(page).get_by_label("Name", exact=True)).to_have_value("Europe")
        audit.check(page, "edit marketplace wizard")
        dialog(page).get_by_role("button", name="Cancel").click()

        for path, heading in (("/catalog", "Catalog"),):  # chapter 4's pages: their own walk below
            page.goto(f"{server.base_url}{path}")
            expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
            audit.check(page, f"{heading} (coming next)")
        page.goto(f"{server.base_url}/portal")
        expect(page.get_by_text("2 hubs, 1 marketplace.")).to_be_visible()
        audit.check(page, "overview, chapter 2 done")
        page.get_by_role("link", name="Your contract").click()
        expect(page.get_by_role("heading", name="Your contract")).to_be_visible()
        audit.check(page, "your contract")

        portal = server.portal()
        with portal.session() as session:
            account_id = session.exec(select(User.account_id).where(User.email == email)).one()
            contract_id = session.exec(select(Contract.id).where(Contract.reseller_account_id == account_id)).one()
        desk_email = server.distributor_user(distributor_email("a11y-portal"))
        desk = desk_context.new_page()
        sign_in(desk, server.base_url, desk_email)
        expect(desk.get_by_role("heading", name="Invitations")).to_be_visible()
        desk.goto(f"{server.base_url}/distributor/partners/{contract_id}")
        expect(desk.get_by_role("heading", name="Hubs and marketplaces")).to_be_visible()
        audit.check(desk, "partner with hubs and marketplaces")

        partners.terminate_contract(
            portal.uow(), authenticate(portal.uow(), desk_email, PASSWORD), contract_id, reason="The pilot ended."
        )
        page.goto(f"{server.base_url}/marketplace")
        expect(page.get_by_role("heading", name="Your service contract was terminated")).to_be_visible()
        audit.check(page, "contract page after termination")
    finally:
        desk_context.close()
        context.close()


def settled(page: Page) -> None:
    """Wait until the notifications ("Item added") have gone: fading in, or under a dialog's backdrop opened
    meanwhile, their colours are mid-transition or dimmed."""
    expect(page.locator(".q-notification")).to_have_count(0, timeout=15_000)


def test_axe_finds_nothing_on_the_catalog_pages_and_dialogs(server: Server, browser: Browser, audit: Audit) -> None:
    """Chapter 3, the distributor's side: the products list, a product, and every dialog of both."""
    context = browser.new_context(viewport=WIDTHS[audit.width], locale="en-US")
    page = context.new_page()
    name = f"Axe {uuid.uuid4().hex[:6]} Suite"
    try:
        sign_in(page, server.base_url, server.distributor_user(distributor_email("a11y-catalog")))
        expect(page.get_by_role("heading", name="Invitations")).to_be_visible()
        page.get_by_role("link", name="Products", exact=True).click()
        expect(page.get_by_role("link", name="Keyhaven Passwords")).to_be_visible()
        audit.check(page, "products")
        search = page.get_by_role("searchbox", name="Search")
        search.fill("nothing matches this")
        search.press("Enter")
        expect(page.get_by_text("No products match.")).to_be_visible()
        audit.check(page, "products, nothing found")
        search.fill("")
        search.press("Enter")

        page.get_by_role("button", name="Import CSV").click()
        dialog = page.get_by_role("dialog")
        expect(dialog.get_by_role("heading", name="Import products from CSV")).to_be_visible()
        audit.check(page, "import dialog")
        dialog.get_by_label("CSV file").set_input_files(
            files=[FilePayload(name="bad.csv", mimeType="text/csv", buffer=b"product_name,colour\nX,red\n")]
        )
        expect(dialog.get_by_text("Chosen: bad.csv")).to_be_visible()
        dialog.get_by_role("button", name="Import", exact=True).click()
        expect(dialog.get_by_role("heading", name=re.compile("^Nothing was imported"))).to_be_visible()
        audit.check(page, "import dialog with the wrong lines")
        dialog.get_by_role("button", name="Cancel").click()

        page.get_by_role("button", name="Create product").click()
        dialog = page.get_by_role("dialog")
        expect(dialog.get_by_label("Name")).to_be_focused()
        audit.check(page, "create product dialog")
        dialog.get_by_role("button", name="Create", exact=True).click()
        expect(dialog.locator(".portal-error-summary")).to_be_visible()
        audit.check(page, "create product dialog with errors")
        dialog.get_by_label("Name").fill(name)
        dialog.get_by_label("Category").fill("Security")
        dialog.get_by_label("Short description").fill("Checked by axe.")
        dialog.get_by_label("Description (Markdown)").fill(
            "## Features\n\n- One\n- Two\n\n| a | b |\n| - | - |\n| 1 | 2 |"
        )
        dialog.get_by_role("button", name="Create", exact=True).click()
        expect(page.get_by_role("heading", name=name)).to_be_visible()
        audit.check(page, "draft product")

        page.get_by_role("button", name="Add item").click()
        dialog = page.get_by_role("dialog")
        expect(dialog.get_by_label("MPN")).to_be_focused()
        audit.check(page, "add item dialog")
        dialog.get_by_label("Cost").fill("9.99999")
        dialog.get_by_role("button", name="Add item").click()
        expect(dialog.locator(".portal-error-summary")).to_be_visible()
        audit.check(page, "add item dialog with errors")
        dialog.get_by_label("MPN").fill("AX-1")
        dialog.get_by_label("Item name").fill("Seat")
        dialog.get_by_label("Unit", exact=True).fill("Users")
        dialog.get_by_label("Currency").fill("USD")
        dialog.get_by_label("Cost").fill("9")
        dialog.get_by_label("MSRP").fill("12")
        dialog.get_by_role("button", name="Add item").click()
        expect(page.get_by_role("dialog")).to_have_count(0)
        settled(page)
        audit.check(page, "product with an item")
        page.get_by_role("button", name="Add a price to item AX-1").click()
        expect(page.get_by_role("dialog").get_by_label("Currency")).to_be_focused()
        audit.check(page, "add price dialog")
        page.get_by_role("dialog").get_by_role("button", name="Cancel").click()
        page.get_by_role("button", name="Change the USD price of item AX-1").click()
        expect(page.get_by_role("dialog").get_by_label("Cost")).to_be_focused()
        audit.check(page, "change price dialog")
        page.get_by_role("dialog").get_by_role("button", name="Cancel").click()
        page.get_by_role("button", name="Edit item AX-1").click()
        expect(page.get_by_role("dialog").get_by_label("MPN")).to_be_focused()
        audit.check(page, "edit item dialog")
        page.get_by_role("dialog").get_by_role("button", name="Cancel").click()
        page.get_by_role("button", name="Edit product").click()
        expect(page.get_by_role("dialog").get_by_label("Name")).to_be_focused()
        audit.check(page, "edit product dialog")
        page.get_by_role("dialog").get_by_role("button", name="Cancel").click()
        page.get_by_role("button", name="Publish").click()
        expect(page.get_by_role("alertdialog")).to_be_visible()
        audit.check(page, "publish confirmation")
        page.get_by_role("alertdialog").get_by_role("button", name="Publish").click()
        expect(page.get_by_role("button", name="End sale")).to_be_visible()
        settled(page)
        audit.check(page, "published product")
        page.goto(f"{server.base_url}/distributor/products/PRD-000-000-000")
        expect(page.get_by_role("heading", name="Product not found")).to_be_visible()
        audit.check(page, "product not found")

        page.get_by_role("link", name="Agreements", exact=True).click()
        page.get_by_role("button", name="Create agreement").click()
        expect(page.get_by_role("dialog").get_by_label("Type")).to_be_visible()
        audit.check(page, "create agreement dialog with its type")
    finally:
        context.close()
    assert audit.checked >= 18
    audit.assert_clean()


def test_axe_finds_nothing_on_the_resellers_catalog_and_the_distributors_contracts(
    server: Server, browser: Browser, audit: Audit
) -> None:
    """Chapter 3, the reseller's side (the catalog, a search, a product, the Enroll dialog with an error, My
    listings, a product not found) and the distributor's contracts (the list, the reject dialog with an error,
    the terminate confirmation)."""
    context = browser.new_context(viewport=WIDTHS[audit.width], locale="en-US")
    desk_context = browser.new_context(viewport=WIDTHS[audit.width], locale="en-US")
    page = context.new_page()
    company = f"Axe Catalog {uuid.uuid4().hex[:6]} Inc"
    try:
        activate(page, server.invite("--company", company), unique_email(), company)
        page.goto(f"{server.base_url}/marketplace")
        register_hub(page, name="Axe shop", instance_id="axe-shop")
        page.get_by_role("button", name="Create marketplace").click()
        fill_general(page, name="Axe market", currency=("dollar", "USD — US Dollar"), countries=[("Canada", "Canada")])
        next_step(page, "Step 2 of 3 — Hubs")
        choose_hubs(page, {"Axe shop": "TA-1"})
        next_step(page, "Step 3 of 3 — Summary")
        dialog(page).get_by_role("button", name="Create", exact=True).click()
        expect(page.get_by_role("dialog")).to_have_count(0)

        page.goto(f"{server.base_url}/catalog")
        expect(page.get_by_role("heading", name="Security", exact=True)).to_be_visible()
        audit.check(page, "catalog")
        search = page.get_by_role("searchbox", name="Search")
        search.fill("nothing matches this")
        search.press("Enter")
        expect(page.get_by_text("No products match.")).to_be_visible()
        audit.check(page, "catalog, nothing found")
        search.fill("keyhaven")
        search.press("Enter")
        page.get_by_role("link", name="Keyhaven Passwords").click()
        expect(page.get_by_role("heading", name="Items and prices")).to_be_visible()
        audit.check(page, "catalog product")
        page.get_by_role("button", name="Enroll").click()
        expect(page.get_by_role("dialog").get_by_label("Marketplace")).to_be_visible()
        audit.check(page, "enroll dialog")
        page.get_by_role("dialog").get_by_role("button", name="Enroll").click()
        expect(page.get_by_role("dialog").get_by_text("Tick the box to confirm")).to_be_visible()
        audit.check(page, "enroll dialog with errors")
        page.get_by_role("dialog").get_by_role("checkbox", name="I have read and accepted the agreement").click()
        page.get_by_role("dialog").get_by_role("button", name="Enroll").click()
        expect(page.get_by_role("dialog")).to_have_count(0)
        audit.check(page, "catalog product, pending")
        page.goto(f"{server.base_url}/catalog/PRD-000-000-000")
        expect(page.get_by_role("heading", name="Product not found")).to_be_visible()
        audit.check(page, "catalog product not found")

        desk = desk_context.new_page()
        sign_in(desk, server.base_url, server.distributor_user(distributor_email("a11y-contracts")))
        expect(desk.get_by_role("heading", name="Invitations")).to_be_visible()
        desk.goto(f"{server.base_url}/distributor/contracts?q={company.replace(' ', '+')}")
        row = desk.get_by_role("row").filter(has_text=company)
        expect(row.get_by_role("button", name="Approve")).to_be_visible()
        audit.check(desk, "contracts")
        row.get_by_role("button", name="Reject").click()
        desk.get_by_role("dialog").get_by_role("button", name="Reject").click()
        expect(desk.get_by_role("dialog").get_by_text("Give the reason; the reseller sees it.")).to_be_visible()
        audit.check(desk, "reject dialog with an error")
        desk.get_by_role("dialog").get_by_role("button", name="Cancel").click()
        row.get_by_role("button", name="Approve").click()
        expect(row.get_by_role("button", name="Terminate")).to_be_visible()
        settled(desk)
        audit.check(desk, "contracts, approved")
        row.get_by_role("button", name="Terminate").click()
        expect(desk.get_by_role("alertdialog")).to_be_visible()
        audit.check(desk, "terminate confirmation")
        desk.get_by_role("alertdialog").get_by_role("button", name="Cancel").click()

        page.goto(f"{server.base_url}/catalog/listings")
        expect(page.get_by_role("row").filter(has_text="Keyhaven Passwords")).to_contain_text("Listed")
        audit.check(page, "my listings")
    finally:
        desk_context.close()
        context.close()
    assert audit.checked == 12
    audit.assert_clean()


def test_axe_finds_nothing_on_the_chapter_4_pages_and_dialogs(server: Server, browser: Browser, audit: Audit) -> None:
    """Chapter 4: the reseller's customers (list, Create customer with and without errors, a customer's page,
    Edit, Decommission's question), subscriptions (list, a subscription with a question to answer, with actions,
    Change quantities, Cancel's question) and the distributor's fulfilment queue (list, a change request with its
    old and new quantities, Approve, Inquire with an error, Fail)."""
    from portal_testing.chapter4 import ACME, ITEM_A, World, email_of, listed_product
    from tests.e2e.portal import dialog as open_dialog

    portal = server.portal()
    tag = f"-{uuid.uuid4().hex[:6]}"
    world = World(portal, tag)
    asking = world.order()
    queue.approve_request(portal.uow(), world.distributor, request_id(asking, 1))
    change = subscriptions.change_quantities(portal.uow(), world.reseller, asking, quantities={ITEM_A: 5})
    queue.inquire_request(portal.uow(), world.distributor, change, question="Five seats for whom?")
    active = world.order()
    queue.approve_request(portal.uow(), world.distributor, request_id(active, 1))
    customers.create_customer(portal.uow(), world.reseller, **{**ACME, "external_id": "SECOND"})
    listed_product(portal, world.reseller, world.distributor, tag)
    context = browser.new_context(viewport=WIDTHS[audit.width], locale="en-US")
    page = context.new_page()
    try:
        sign_in(page, server.base_url, email_of(portal, world.reseller))
        expect(page.get_by_role("heading", name="Getting started")).to_be_visible()
        page.goto(f"{server.base_url}/customers")
        expect(page.get_by_role("heading", name="Customers", exact=True)).to_be_visible()
        audit.check(page, "customers")
        page.get_by_role("button", name="Create customer").click()
        expect(open_dialog(page).get_by_label("Company name")).to_be_focused()
        audit.check(page, "create customer dialog")
        open_dialog(page).get_by_role("button", name="Create", exact=True).click()
        expect(open_dialog(page).locator(".portal-error-summary")).to_be_visible()
        audit.check(page, "create customer dialog with errors")
        open_dialog(page).get_by_role("button", name="Cancel").click()
        page.get_by_role("link", name="Acme Widgets").first.click()
        expect(page.get_by_role("heading", name="Acme Widgets")).to_be_visible()
        audit.check(page, "a customer")
        page.get_by_role("button", name="Edit").click()
        expect(open_dialog(page).get_by_label("Company name")).to_have_value("Acme Widgets")
        audit.check(page, "edit customer dialog")
        open_dialog(page).get_by_role("button", name="Cancel").click()
        page.get_by_role("button", name="Decommission").click()
        expect(page.get_by_role("alertdialog")).to_be_visible()
        audit.check(page, "decommission question")
        page.get_by_role("alertdialog").get_by_role("button", name="Cancel").click()

        page.goto(f"{server.base_url}/subscriptions")
        expect(page.get_by_role("heading", name="Subscriptions", exact=True)).to_be_visible()
        audit.check(page, "subscriptions")
        page.get_by_role("button", name="Create subscription").click()
        expect(open_dialog(page).get_by_role("heading", name="Step 1 of 2 — Order")).to_be_visible()
        audit.check(page, "create subscription, order")
        open_dialog(page).get_by_role("button", name="Review order").click()
        expect(open_dialog(page).locator(".portal-error-summary")).to_be_visible()
        audit.check(page, "create subscription, order with errors")
        for label, option in (  # each option by its name: a menu still closing offers its options too
            ("Customer", "Acme Widgets (ACME-1)"),
            ("Marketplace", f"North America{tag} (USD)"),
            ("Product", f"Ledgerly Books{tag}"),
        ):
            open_dialog(page).get_by_label(label, exact=True).click()
            page.get_by_role("option", name=option, exact=True).click()
        open_dialog(page).get_by_label("Quantity of Monthly seat").fill("2")
        open_dialog(page).get_by_role("button", name="Review order").click()
        expect(open_dialog(page).get_by_role("heading", name="Step 2 of 2 — Summary")).to_be_visible()
        audit.check(page, "create subscription, summary")
        open_dialog(page).get_by_role("button", name="Cancel").click()
        page.goto(f"{server.base_url}/subscriptions/{asking}")
        expect(page.get_by_role("heading", name="Your distributor asks")).to_be_visible()
        audit.check(page, "a subscription with a question")
        page.get_by_role("button", name="Send answer").click()
        expect(page.get_by_text(subscriptions.ANSWER_MISSING).first).to_be_visible()
        audit.check(page, "a subscription's answer with an error")
        page.goto(f"{server.base_url}/subscriptions/{active}")
        expect(page.get_by_role("heading", name=f"Subscription {active}")).to_be_visible()
        audit.check(page, "an active subscription")
        page.get_by_role("button", name="Change quantities").click()
        expect(open_dialog(page).get_by_label(f"Quantity of {ITEM_A}")).to_be_visible()
        audit.check(page, "change quantities dialog")
        open_dialog(page).get_by_role("button", name="Cancel").click()
        page.get_by_role("button", name="Cancel", exact=True).click()
        expect(page.get_by_role("alertdialog")).to_be_visible()
        audit.check(page, "cancel question")
        page.get_by_role("alertdialog").get_by_role("button", name="Keep it").click()
    finally:
        context.close()

    desk = browser.new_context(viewport=WIDTHS[audit.width], locale="en-US")
    page = desk.new_page()
    try:
        sign_in(page, server.base_url, email_of(portal, world.distributor))
        expect(page.get_by_role("button", name="Create invitation")).to_be_visible()
        page.get_by_role("link", name="Fulfilment", exact=True).click()
        expect(page.get_by_role("heading", name="Fulfilment", exact=True)).to_be_visible()
        audit.check(page, "fulfilment queue")
        page.goto(f"{server.base_url}/distributor/fulfilment/{request_id(active, 1)}")
        expect(page.get_by_role("heading", name=f"Purchase request {request_id(active, 1)}")).to_be_visible()
        audit.check(page, "an approved request")
        other = world.order()
        page.goto(f"{server.base_url}/distributor/fulfilment/{request_id(other, 1)}")
        expect(page.get_by_role("button", name="Approve")).to_be_visible()
        audit.check(page, "a pending request")
        for button, submit in (("Approve", "Approve"), ("Inquire", "Inquire"), ("Fail", "Fail")):
            page.get_by_role("button", name=button, exact=True).click()
            expect(open_dialog(page)).to_be_visible()
            audit.check(page, f"{button} dialog")
            if button != "Approve":
                open_dialog(page).get_by_role("button", name=submit, exact=True).click()
                expect(open_dialog(page).locator(".portal-error-summary, [aria-invalid=true]").first).to_be_visible()
                audit.check(page, f"{button} dialog with an error")
            open_dialog(page).get_by_role("button", name="Cancel").click()
            expect(page.get_by_role("dialog")).to_have_count(0)
    finally:
        desk.close()
        portal.engine.dispose()


@pytest.fixture(scope="module")
def guarded_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server that tolerates one unknown link per address (PORTAL_LINK_GUESS_LIMIT=1)."""
    running = Server(tmp_path_factory.mktemp("guarded"), extra_env={"PORTAL_LINK_GUESS_LIMIT": "1"})
    running.start()
    yield running
    running.stop()


def test_axe_finds_nothing_on_the_too_many_attempts_page(
    guarded_server: Server, browser: Browser, audit: Audit
) -> None:
    """The 429 page a visitor meets after guessing links (its only error page the other walks never reach)."""
    context = browser.new_context(viewport=WIDTHS[audit.width], locale="en-US")
    page = context.new_page()
    try:
        for _ in range(3):
            response = page.goto(f"{guarded_server.base_url}/activate/{secrets.token_urlsafe(32)}")
        assert response is not None and response.status == 429
        expect(page.get_by_role("heading", name="Too many attempts")).to_be_visible()
        audit.check(page, "too many attempts (429)")
    finally:
        context.close()
    audit.assert_clean()

"""Accessibility: axe-core on every step and page, the whole flow by keyboard alone, and a phone-width screen."""

from __future__ import annotations

import uuid

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Locator, Page, expect

from data.models import InvitationStatus
from tests.e2e.conftest import Server
from tests.e2e.wizard import Wizard
from tests.helpers import FULL_NAME, PASSWORD

AXE = Axe()


def serious_violations(page: Page, within: str | None = None) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now (or in one part of it: with a
    modal dialog open, the page behind it is inert and was checked before the dialog opened)."""
    results = AXE.run(page, context=within)
    return [
        f"{violation['id']} ({violation['impact']}): {[node['target'] for node in violation['nodes']]}"
        for violation in results.response["violations"]
        if violation["impact"] in {"serious", "critical"}
    ]


def unique_email() -> str:
    return f"a11y-{uuid.uuid4().hex[:8]}@champions.example"


def test_axe_finds_nothing_serious_on_any_step_or_page(server: Server, page: Page) -> None:
    url = server.invite("--company", "Champions Corp")
    page.goto(url)
    wizard = Wizard(page)
    expect(wizard.email).to_be_visible()
    assert serious_violations(page) == [], "step 1"
    wizard.button("Next").click()  # with errors shown
    expect(page.get_by_text("Enter your email address.")).to_be_visible()
    assert serious_violations(page) == [], "step 1 with errors"
    wizard.agree(unique_email())
    assert serious_violations(page) == [], "step 2"
    wizard.button("Next").click()
    expect(page.get_by_text("Enter your full name.")).to_be_visible()
    assert serious_violations(page) == [], "step 2 with errors"
    wizard.user_properties()
    assert serious_violations(page) == [], "step 3"
    wizard.company("Champions Corp")
    assert serious_violations(page) == [], "step 4"
    wizard.sign_and_activate("Champions Corp")
    expect(page.get_by_role("heading", name="Hub and Marketplace Creation")).to_be_visible()
    assert serious_violations(page) == [], "portal"
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert serious_violations(page) == [], "sign-in"
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("The email or password is incorrect.")).to_be_visible()
    assert serious_violations(page) == [], "sign-in with error"
    page.goto(f"{server.base_url}/")
    expect(page.get_by_role("heading", name="Welcome to the Reseller Portal")).to_be_visible()
    assert serious_violations(page) == [], "home"


@pytest.mark.parametrize("problem", ["unknown", "expired", "revoked", "activated"])
def test_axe_finds_nothing_serious_on_bad_link_pages(server: Server, page: Page, problem: str) -> None:
    token = "no-such-token"
    if problem != "unknown":
        token = server.invite().rsplit("/", 1)[1]
        portal = server.portal()
        if problem == "expired":
            portal.set_invitation(token, expired=True)
        elif problem == "revoked":
            portal.set_invitation(token, status=InvitationStatus.REVOKED)
        else:
            portal.activate(token, email=unique_email())
    page.goto(f"{server.base_url}/activate/{token}")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert serious_violations(page) == []


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
    tab_to(page, wizard.button("Next"))
    page.keyboard.press("Enter")
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


def test_axe_finds_nothing_serious_on_distributor_pages(server: Server, browser: Browser) -> None:
    from tests.e2e.distributor import close_link_dialog, create_invitation, sign_in
    from tests.e2e.distributor import unique_email as distributor_email

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        sign_in(page, server.base_url, server.distributor_user(distributor_email("a11y")))
        expect(page.get_by_role("heading", name="Invitations")).to_be_visible()
        url = create_invitation(page, company="Accessible Inc")
        for i in ["c71", "c73", "c74", "c76", "c81", "c83"]:
            print(i, page.evaluate(f"document.getElementById('{i}')?.outerHTML?.slice(0, 300)"))
        assert serious_violations(page, ".q-dialog") == [], "new link dialog"
        close_link_dialog(page)
        assert serious_violations(page) == [], "invitations"
        page.get_by_role("button", name="Create invitation").click()
        expect(page.get_by_role("dialog")).to_be_visible()
        assert serious_violations(page, ".q-dialog") == [], "create invitation dialog"
        page.keyboard.press("Escape")
        page.locator("tr", has_text="Accessible Inc").get_by_role("link").first.click()
        expect(page.get_by_role("heading", name="History")).to_be_visible()
        assert serious_violations(page) == [], "invitation detail"

        reseller = browser.new_page()
        reseller.goto(url)
        wizard = Wizard(reseller)
        wizard.agree(unique_email())
        wizard.user_properties()
        wizard.company("Accessible Inc")
        wizard.sign_and_activate("Accessible Inc")
        expect(reseller.get_by_role("heading", name="Hub and Marketplace Creation")).to_be_visible()
        reseller.close()

        page.get_by_role("link", name="Partners").click()
        expect(page.get_by_role("heading", name="Partners")).to_be_visible()
        assert serious_violations(page) == [], "partners"
        page.get_by_role("button", name="Create reseller account").click()
        expect(page.get_by_role("dialog")).to_be_visible()
        assert serious_violations(page, ".q-dialog") == [], "create reseller account dialog"
        page.keyboard.press("Escape")
        page.get_by_role("link", name="Accessible Inc").click()
        expect(page.get_by_text("Evidence recorded at signing")).to_be_visible()
        assert serious_violations(page) == [], "partner detail"
        page.get_by_role("button", name="Terminate contract").click()
        expect(page.get_by_role("alertdialog")).to_be_visible()
        assert serious_violations(page, ".q-dialog") == [], "terminate confirmation"
        page.keyboard.press("Escape")

        page.get_by_role("link", name="Agreements").click()
        expect(page.get_by_role("button", name="Publish new version")).to_be_visible()
        assert serious_violations(page) == [], "agreements"
        page.get_by_role("button", name="Publish new version").click()
        expect(page.get_by_label("Agreement text (Markdown)")).to_be_visible()
        assert serious_violations(page, ".q-dialog") == [], "publish dialog"
    finally:
        context.close()


def test_axe_finds_nothing_serious_on_the_set_password_page(server: Server, page: Page) -> None:
    from services.partners import create_reseller_account

    portal = server.portal()
    actor = portal.distributor_user()
    with portal.session() as session:
        created = create_reseller_account(
            session,
            actor,
            legal_name="Set Password Ltd",
            representative_name="Sam",
            representative_email=unique_email(),
        )
    page.goto(f"{server.base_url}/set-password/{created.token}")
    expect(page.get_by_role("heading", name="Welcome, Sam")).to_be_visible()
    assert serious_violations(page) == []
    page.get_by_role("button", name="Set password and activate").click()
    expect(page.get_by_text("Enter a password.")).to_be_visible()
    assert serious_violations(page) == [], "with errors"
    page.goto(f"{server.base_url}/set-password/nope")
    expect(page.get_by_role("heading", name="Set-password link not usable")).to_be_visible()
    assert serious_violations(page) == [], "bad link"


def test_axe_finds_nothing_serious_on_a_new_contract_for_a_removed_partner(server: Server, browser: Browser) -> None:
    from services import partners
    from services.accounts import authenticate
    from tests.e2e.distributor import sign_in
    from tests.e2e.distributor import unique_email as distributor_email

    email = server.distributor_user(distributor_email("a11y-offer"))
    portal = server.portal()
    with portal.session() as session:
        actor = authenticate(session, email, PASSWORD)
    reseller_email = unique_email()
    created = portal.activate(server.invite().rsplit("/", 1)[1], email=reseller_email, company="Removed Ltd")
    with portal.session() as session:
        partners.terminate_contract(session, actor, created.contract_id)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        sign_in(page, server.base_url, email)
        expect(page.get_by_role("heading", name="Invitations")).to_be_visible()
        page.goto(f"{server.base_url}/distributor/partners/{created.contract_id}")
        expect(page.get_by_role("button", name="Offer a new contract")).to_be_visible()
        assert serious_violations(page) == [], "removed partner"
        page.get_by_role("button", name="Offer a new contract").click()
        link = page.get_by_role("dialog").get_by_label("Link")
        expect(link).to_be_visible()
        assert serious_violations(page, ".q-dialog") == [], "new contract link dialog"
        url = link.input_value()

        reseller = browser.new_context().new_page()
        reseller.goto(url)
        expect(reseller.get_by_role("heading", name="A new service contract for Removed Ltd")).to_be_visible()
        assert serious_violations(reseller) == [], "new contract, signed out"
        reseller.get_by_role("link", name="Sign in").click()  # and back here once signed in
        reseller.get_by_label("Email", exact=True).fill(reseller_email)
        reseller.get_by_label("Password", exact=True).fill(PASSWORD)
        reseller.get_by_role("button", name="Sign in").click()
        expect(reseller.get_by_role("button", name="Sign the contract")).to_be_visible()
        assert serious_violations(reseller) == [], "new contract, signed in"
        reseller.get_by_role("button", name="Sign the contract").click()
        expect(reseller.get_by_text("Tick the box to sign the contract.")).to_be_visible()
        assert serious_violations(reseller) == [], "new contract, with errors"
        reseller.context.close()
    finally:
        context.close()

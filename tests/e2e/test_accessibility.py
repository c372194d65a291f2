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


def serious_violations(page: Page) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now."""
    results = AXE.run(page)
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

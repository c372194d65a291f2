"""Driving the reseller portal's chapter 2 in a real browser, by visible labels only."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Browser, Locator, Page, expect

from tests.e2e.wizard import Wizard


def activate(page: Page, url: str, email: str, company: str) -> None:
    """Walk the activation stepper from a link, as a reseller does, and land on the overview."""
    page.goto(url)
    wizard = Wizard(page)
    wizard.agree(email)
    wizard.user_properties()
    wizard.company(company)
    wizard.sign_and_activate(company)
    expect(page.get_by_role("heading", name="Getting started")).to_be_visible()


def activated_page(browser: Browser, url: str, email: str, company: str, **options: Any) -> Page:
    context = browser.new_context(**{"viewport": {"width": 1280, "height": 900}, "locale": "en-US", **options})
    page = context.new_page()
    activate(page, url, email, company)
    return page


def dialog(page: Page) -> Locator:
    return page.get_by_role("dialog").filter(visible=True).last


def choose(page: Page, field: Locator, search: str, option: str) -> None:
    """Type ``search`` into a searchable select and pick ``option`` from what it shows."""
    field.click()
    field.fill(search)
    page.get_by_role("option", name=option, exact=True).click()


def fill_hub(
    page: Page, *, name: str, kind: str = "Commerce platform", instance_id: str, description: str = ""
) -> None:
    """The hub dialog's fields."""
    box = dialog(page)
    box.get_by_label("Name", exact=True).fill(name)
    box.get_by_label("Type", exact=True).click()
    page.get_by_role("option", name=kind, exact=True).click()
    box.get_by_label("Instance ID", exact=True).fill(instance_id)
    box.get_by_label("Description (optional)").fill(description)


def register_hub(
    page: Page, *, name: str, instance_id: str, description: str = "", kind: str = "Commerce platform"
) -> None:
    page.get_by_role("button", name="Register hub").first.click()
    fill_hub(page, name=name, kind=kind, instance_id=instance_id, description=description)
    dialog(page).get_by_role("button", name="Register", exact=True).click()
    expect(page.get_by_role("dialog")).to_have_count(0)


def fill_general(
    page: Page, *, name: str, currency: tuple[str, str], countries: list[tuple[str, str]], description: str = ""
) -> None:
    box = dialog(page)
    box.get_by_label("Name", exact=True).fill(name)
    box.get_by_label("Description (optional)").fill(description)
    choose(page, box.get_by_label("Currency", exact=True), *currency)
    for country in countries:
        choose(page, box.get_by_label("Countries", exact=True), *country)
    page.keyboard.press("Escape")  # closes the options' menu, not the dialog


def choose_hubs(page: Page, hubs: dict[str, str]) -> None:
    """The wizard's Hubs step: tick each hub (by its label's start) and give its tier account external ID."""
    box = dialog(page)
    for hub, external_id in hubs.items():
        box.get_by_role("checkbox", name=hub).click()
        box.get_by_label(f"Tier account external ID for {hub}").fill(external_id)


def next_step(page: Page, heading: str) -> None:
    dialog(page).get_by_role("button", name="Next", exact=True).click()
    expect(dialog(page).get_by_role("heading", name=heading)).to_be_visible()

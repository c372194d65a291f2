"""Driving the activation stepper in a real browser, as a reseller would."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

from portal_testing.factories import FULL_NAME, PASSWORD


class Wizard:
    """The activation page of one browser tab."""

    def __init__(self, page: Page) -> None:
        self.page = page

    def button(self, name: str) -> Locator:
        """The visible button called ``name`` (each step has its own Next and Back)."""
        return self.page.get_by_role("button", name=name, exact=True).filter(visible=True)

    def field_error(self, text: str) -> Locator:
        """An error message shown under its field (an error summary may repeat it at the top of the step)."""
        return self.page.locator(".portal-field-error").filter(visible=True).filter(has_text=text)

    def checkbox(self, name: str) -> Locator:
        return self.page.get_by_role("checkbox", name=name).filter(visible=True)

    @property
    def email(self) -> Locator:
        return self.page.get_by_label("Email", exact=True)

    @property
    def full_name(self) -> Locator:
        return self.page.get_by_label("Full name", exact=True)

    @property
    def password(self) -> Locator:
        return self.page.get_by_label("Password", exact=True)

    @property
    def company_name(self) -> Locator:
        return self.page.get_by_label("Company name", exact=True)

    def agree(self, email: str) -> None:
        """Step 1: give the email, accept the agreement, Next."""
        expect(self.email).to_be_visible()
        self.email.fill(email)
        self.checkbox("I have read and accepted the agreement").click()
        self.button("Next").click()
        expect(self.full_name).to_be_visible()

    def user_properties(self, full_name: str = FULL_NAME, password: str = PASSWORD) -> None:
        """Step 2: full name and password, Next."""
        self.full_name.fill(full_name)
        self.password.fill(password)
        self.button("Next").click()
        expect(self.company_name).to_be_visible()

    def company(self, name: str) -> None:
        """Step 3: the company's legal name, Next."""
        self.company_name.fill(name)
        self.button("Next").click()
        expect(self.button("Activate")).to_be_visible()

    def sign_and_activate(self, company: str) -> None:
        """Step 4: sign and Activate."""
        self.checkbox(f"I sign this service contract on behalf of {company}").click()
        self.button("Activate").click()

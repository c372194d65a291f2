"""The activation flow in real Chromium, from a link made by ``python main.py invite`` to the portal."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import func, select

from data.models import Account, AccountKind, InvitationStatus, User
from portal_testing.factories import FULL_NAME, PASSWORD
from portal_testing.launch import Server
from tests.e2e.wizard import Wizard


def unique_email() -> str:
    return f"owner-{uuid.uuid4().hex[:8]}@champions.example"


def test_happy_path_then_sign_out_and_sign_in_again(server: Server, page: Page) -> None:
    url = server.invite("--company", "Champions Corp")
    email = unique_email()
    page.goto(url)
    expect(page.get_by_role("heading", name="Activate your reseller portal")).to_be_visible()
    wizard = Wizard(page)
    wizard.agree(email)
    wizard.full_name.fill(FULL_NAME)
    wizard.password.fill(PASSWORD)
    expect(wizard.password).to_have_attribute("type", "password")
    page.get_by_role("button", name="Show password").click()
    expect(wizard.password).to_have_attribute("type", "text")
    page.get_by_role("button", name="Hide password").click()
    expect(wizard.password).to_have_attribute("type", "password")
    wizard.button("Next").click()
    expect(wizard.company_name).to_have_value("Champions Corp")
    wizard.button("Next").click()
    # The review shows everything entered, the distributor, and the agreement being signed.
    expect(page.get_by_text(email)).to_be_visible()
    expect(page.get_by_text(FULL_NAME, exact=True)).to_be_visible()
    expect(
        page.get_by_text("Mighty Mick's LLC Reseller Service Agreement, version 1, from Mighty Mick's LLC")
    ).to_be_visible()
    wizard.sign_and_activate("Champions Corp")

    expect(page).to_have_url(f"{server.base_url}/portal")
    expect(page.get_by_role("heading", name="Champions Corp")).to_be_visible()
    expect(page.get_by_role("heading", name="Hub and Marketplace Creation")).to_be_visible()
    expect(page.get_by_text("Mighty Mick's LLC", exact=True)).to_be_visible()
    contract_id = page.get_by_text(re.compile(r"^CRD-\d{3}-\d{3}-\d{3}-\d{3}$")).inner_text()
    assert contract_id.startswith("CRD-")

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{server.base_url}/login")
    page.goto(f"{server.base_url}/portal")
    expect(page).to_have_url(f"{server.base_url}/login?next=/portal")
    page.get_by_label("Email", exact=True).fill(email.upper())
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{server.base_url}/portal")
    expect(page.get_by_text(contract_id, exact=True)).to_be_visible()


def test_every_validation_error_is_shown_and_recovered_from(server: Server, page: Page) -> None:
    page.goto(server.invite())
    wizard = Wizard(page)
    # Step 1: nothing entered.
    wizard.button("Next").click()
    expect(wizard.field_error("Enter your email address.")).to_be_visible()
    expect(wizard.field_error("Tick the box to confirm you have read and accepted the agreement.")).to_be_visible()
    wizard.email.fill("jane@")
    wizard.button("Next").click()
    expect(wizard.field_error("Enter a valid email address, like name@company.com.")).to_be_visible()
    wizard.agree(unique_email())
    expect(wizard.field_error("Enter a valid email address")).to_be_hidden()
    # Step 2: empty name, then weak passwords.
    wizard.password.fill("short")
    wizard.button("Next").click()
    expect(wizard.field_error("Enter your full name.")).to_be_visible()
    expect(wizard.field_error("Use at least 15 characters")).to_be_visible()
    wizard.full_name.fill(FULL_NAME)
    wizard.password.fill("123456789qwerty")
    wizard.button("Next").click()
    expect(wizard.field_error("This password is too common; choose another.")).to_be_visible()
    expect(wizard.field_error("Enter your full name.")).to_be_hidden()
    wizard.user_properties()
    # Step 3: a name without its legal entity type.
    wizard.company_name.fill("Champions")
    wizard.button("Next").click()
    expect(wizard.field_error("Include the legal entity type, for example")).to_be_visible()
    wizard.company("Champions Corp")
    # Step 4: Activate without signing.
    wizard.button("Activate").click()
    expect(wizard.field_error("Tick the box to sign the contract.")).to_be_visible()
    wizard.sign_and_activate("Champions Corp")
    expect(page).to_have_url(f"{server.base_url}/portal")


def test_an_email_that_belongs_to_a_user_cannot_be_used(server: Server, page: Page) -> None:
    email = unique_email()
    portal = server.portal()
    portal.activate(server.invite().rsplit("/", 1)[1], email=email)
    page.goto(server.invite())
    wizard = Wizard(page)
    wizard.email.fill(email.upper())
    wizard.checkbox("I have read and accepted the agreement").click()
    wizard.button("Next").click()
    expect(wizard.field_error("This email cannot be used.")).to_be_visible()


def test_reload_resumes_at_the_furthest_step_and_back_keeps_data(server: Server, page: Page) -> None:
    url = server.invite()
    email = unique_email()
    page.goto(url)
    wizard = Wizard(page)
    wizard.agree(email)
    wizard.user_properties()
    page.reload()
    expect(wizard.company_name).to_be_visible()
    wizard.button("Back").click()
    expect(wizard.full_name).to_have_value(FULL_NAME)
    expect(page.get_by_text("Password is set.")).to_be_visible()
    wizard.button("Back").click()
    expect(wizard.email).to_have_value(email)
    # Opening the link in another browser resumes too: the draft is on the server.
    other = page.context.browser.new_context()  # type: ignore[union-attr]  # a launched browser's context has it
    try:
        other_page = other.new_page()
        other_page.goto(url)
        expect(Wizard(other_page).company_name).to_be_visible()
    finally:
        other.close()


def test_resume_after_a_server_restart(tmp_path_factory: pytest.TempPathFactory, browser: Browser) -> None:
    server = Server(tmp_path_factory.mktemp("restart"))
    server.start()
    context = browser.new_context()
    try:
        page = context.new_page()
        url = server.invite("--company", "Champions Corp")
        page.goto(url)
        wizard = Wizard(page)
        email = unique_email()
        wizard.agree(email)
        wizard.user_properties()
        wizard.company("Champions Corp")
        server.stop()
        page.close()  # the old tab would reload on its own when the server is back, racing our goto
        server.start()
        page = context.new_page()
        wizard = Wizard(page)
        page.goto(url)
        expect(wizard.button("Activate")).to_be_visible()
        expect(page.get_by_text(email)).to_be_visible()
        wizard.sign_and_activate("Champions Corp")
        expect(page).to_have_url(f"{server.base_url}/portal")
    finally:
        context.close()
        server.stop()


def test_bad_link_pages(server: Server, page: Page) -> None:
    page.goto(f"{server.base_url}/activate/this-is-not-a-token")
    expect(page.get_by_role("heading", name="Activation link not valid")).to_be_visible()
    expect(page.get_by_text("ask your distributor")).to_be_visible()

    portal = server.portal()
    expired = server.invite().rsplit("/", 1)[1]
    portal.set_invitation(expired, expired=True)
    page.goto(f"{server.base_url}/activate/{expired}")
    expect(page.get_by_role("heading", name="Activation link expired")).to_be_visible()

    revoked = server.invite().rsplit("/", 1)[1]
    portal.set_invitation(revoked, status=InvitationStatus.REVOKED)
    page.goto(f"{server.base_url}/activate/{revoked}")
    expect(page.get_by_role("heading", name="Activation link revoked")).to_be_visible()

    used = server.invite().rsplit("/", 1)[1]
    portal.activate(used, email=unique_email())
    page.goto(f"{server.base_url}/activate/{used}")
    expect(page.get_by_role("heading", name="Portal already activated")).to_be_visible()
    page.get_by_role("link", name="Sign in").click()
    expect(page).to_have_url(f"{server.base_url}/login")
    for response_page in [f"/activate/{used}", "/activate/nope"]:
        body = page.request.get(f"{server.base_url}{response_page}").text()
        assert "Traceback" not in body


def test_two_browsers_racing_activate_make_exactly_one_account(server: Server, browser: Browser) -> None:
    url = server.invite("--company", "Racing Ltd")
    token = url.rsplit("/", 1)[1]
    portal = server.portal()
    portal.walk_to(token, 4, email=unique_email(), company="Racing Ltd")
    with portal.session() as session:
        resellers_before = session.exec(
            select(func.count()).select_from(Account).where(Account.kind == AccountKind.RESELLER)
        ).one()
    contexts = [browser.new_context() for _ in range(2)]
    try:
        pages = [context.new_page() for context in contexts]
        wizards = [Wizard(page) for page in pages]
        for page, wizard in zip(pages, wizards, strict=True):
            page.goto(url)
            wizard.checkbox("I sign this service contract on behalf of Racing Ltd").click()
        for wizard in wizards:  # both clicks go out before either activation has answered
            wizard.button("Activate").click(no_wait_after=True)
        for page in pages:
            expect(
                page.get_by_role("heading", name="Hub and Marketplace Creation").or_(
                    page.get_by_role("heading", name="Portal already activated")
                )
            ).to_be_visible()
        winners = [page for page in pages if page.url.endswith("/portal")]
        assert len(winners) == 1
    finally:
        for context in contexts:
            context.close()
    with portal.session() as session:
        resellers = session.exec(
            select(func.count()).select_from(Account).where(Account.kind == AccountKind.RESELLER)
        ).one()
        users = session.exec(select(func.count()).select_from(User).where(User.full_name == FULL_NAME)).one()
    assert resellers == resellers_before + 1
    assert users >= 1
    assert portal.invitation_for(token).status == InvitationStatus.ACTIVATED


def test_two_tabs_activate_signs_only_what_the_review_showed(server: Server, browser: Browser) -> None:
    url = server.invite("--company", "Test5 Inc.")
    token = url.rsplit("/", 1)[1]
    email = unique_email()
    context = browser.new_context()  # one browser, the link open in two tabs
    try:
        tab_a = context.new_page()
        tab_a.goto(url)
        a = Wizard(tab_a)
        a.agree(email)
        a.user_properties("Apollo Creed")
        a.company("Test5 Inc.")
        expect(tab_a.get_by_text("Apollo Creed", exact=True)).to_be_visible()

        tab_b = context.new_page()
        tab_b.goto(url)  # resumes at the review; edits the steps
        b = Wizard(tab_b)
        expect(b.button("Activate")).to_be_visible()
        tab_b.get_by_role("button", name="Edit full name").click()
        b.full_name.fill("Clubber Lang")
        b.button("Next").click()
        expect(b.button("Activate")).to_be_visible()  # an edit goes straight back to the review
        tab_b.get_by_role("button", name="Edit company name").click()
        b.company("Lang Holdings LLC")

        a.sign_and_activate("Test5 Inc.")  # tab A still shows Apollo Creed and Test5 Inc.
        expect(tab_a.get_by_text("The details changed in another window; check them again.").first).to_be_visible()
        expect(tab_a.get_by_text("Clubber Lang", exact=True)).to_be_visible()
        renamed = a.checkbox("I sign this service contract on behalf of Lang Holdings LLC")
        expect(renamed).to_be_visible()
        expect(renamed).not_to_be_checked()
        assert tab_a.url == url
        portal = server.portal()
        assert portal.invitation_for(token).status == InvitationStatus.IN_PROGRESS  # nothing was signed

        a.sign_and_activate("Lang Holdings LLC")  # what tab A shows now is what it signs
        expect(tab_a.get_by_role("heading", name="Lang Holdings LLC")).to_be_visible()
    finally:
        context.close()
    with portal.session() as session:
        signee = session.exec(select(User).where(User.email == email)).one()
    assert signee.full_name == "Clubber Lang"
    assert portal.invitation_for(token).status == InvitationStatus.ACTIVATED

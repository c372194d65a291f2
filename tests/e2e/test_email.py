"""Email in real Chromium against a real SMTP server (aiosmtpd, started here): an invitation sent by email and
activated from the email's link; Forgot password? through the emailed link; Resend; a password change that
signs out the other session; and no token anywhere but in the email to its owner."""

from __future__ import annotations

import re
import signal
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlmodel import select

from data.models import OutboxEmail
from data.models.types import utcnow
from portal_testing.factories import PASSWORD, Portal
from portal_testing.launch import Server, sign_in
from tests.e2e.distributor import close_link_dialog, unique_email
from tests.e2e.wizard import Wizard
from tests.mail_server import LINK, MailServer, mail_server

NEW_PASSWORD = "seven green turtles dancing at noon"


@pytest.fixture(scope="module")
def smtp() -> Iterator[MailServer]:
    with mail_server() as server:
        yield server


@pytest.fixture(scope="module")
def mail_portal(tmp_path_factory: pytest.TempPathFactory, smtp: MailServer) -> Iterator[Server]:
    running = Server(tmp_path_factory.mktemp("email"), extra_env={"PORTAL_SMTP_URL": smtp.url})
    running.start()
    yield running
    running.stop()


def new_page(browser: Browser) -> tuple[BrowserContext, Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    return context, context.new_page()


def signed_in_distributor(server: Server, browser: Browser) -> tuple[BrowserContext, Page, str]:
    context, page = new_page(browser)
    email = server.distributor_user(unique_email("mick"))
    sign_in(page, server.base_url, email)
    expect(page.get_by_role("heading", name="Invitations")).to_be_visible()
    return context, page, email


def invite_by_email(page: Page, email: str, company: str, note: str = "") -> str:
    page.get_by_role("button", name="Create invitation").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Invitee email (optional)").fill(email)
    dialog.get_by_label("Company name (optional)").fill(company)
    if note:
        dialog.get_by_label("Note to signee (optional)").fill(note)
    expect(dialog.get_by_role("checkbox", name="Send the link by email")).to_be_checked()  # on by default
    dialog.get_by_role("button", name="Create", exact=True).click()
    expect(dialog.get_by_text(f"We are emailing this link to {email}")).to_be_visible()
    link = dialog.get_by_label("Link").input_value()
    close_link_dialog(page)
    return link


def test_invitation_by_email_activates_then_forgot_password_sets_a_new_one(
    mail_portal: Server, smtp: MailServer, browser: Browser
) -> None:
    distributor_context, page, distributor_email = signed_in_distributor(mail_portal, browser)
    invitee = unique_email("owner")
    shown = invite_by_email(page, invitee, "Emailed Inc.", note="Welcome & <b>hello</b>")

    [invitation] = smtp.wait_for(invitee)
    message = invitation.message
    assert message["Subject"] == "Mighty Mick's LLC invites you to the Reseller Portal"
    assert re.fullmatch(r"<EM-[\d-]+@localhost>", message["Message-ID"])
    assert "Welcome & <b>hello</b>" in invitation.text and "&lt;b&gt;hello&lt;/b&gt;" in invitation.html
    [link] = invitation.links()
    assert link == shown  # the email carries the link the dialog showed once

    reseller_context, reseller = new_page(browser)
    reseller.goto(link)
    wizard = Wizard(reseller)
    wizard.agree(invitee)
    wizard.user_properties()
    wizard.company("Emailed Inc.")
    wizard.sign_and_activate("Emailed Inc.")
    expect(reseller.get_by_role("heading", name="Emailed Inc.")).to_be_visible()
    [told] = smtp.wait_for(distributor_email)  # the distributor's user is told of the activation
    assert told.message["Subject"] == "Emailed Inc. activated its reseller portal"

    # The invitation's details show its email as sent.
    page.goto(f"{mail_portal.base_url}/distributor/invitations")
    page.locator("tr", has_text="Emailed Inc.").get_by_role("link", name=re.compile("Details")).click()
    expect(page.get_by_role("heading", name="Emails")).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Sent \d\d"))).to_be_visible()
    distributor_context.close()

    reseller.get_by_role("button", name="Sign out").click()
    expect(reseller).to_have_url(f"{mail_portal.base_url}/login")
    reseller.get_by_role("link", name="Forgot password?").click()
    expect(reseller.get_by_role("heading", name="Forgot your password?")).to_be_visible()
    reseller.get_by_label("Email", exact=True).fill("nobody-" + invitee)
    reseller.get_by_role("button", name="Send reset link").click()
    unknown_answer = reseller.get_by_role("status").filter(has_text="If an account exists")
    expect(unknown_answer).to_be_visible()
    said_for_nobody = unknown_answer.inner_text()
    reseller.reload()
    reseller.get_by_label("Email", exact=True).fill(invitee.upper())
    reseller.get_by_role("button", name="Send reset link").click()
    answer = reseller.get_by_role("status").filter(has_text="If an account exists")
    expect(answer).to_be_visible()
    assert answer.inner_text() == said_for_nobody  # the same answer, account or not

    [_, reset] = smtp.wait_for(invitee, 2)
    assert reset.message["Subject"] == "Reset your Reseller Portal password"
    [reset_link] = reset.links()
    assert "/reset-password/" in reset_link
    assert smtp.to("nobody-" + invitee) == []
    reseller.goto(reset_link)
    reseller.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    reseller.get_by_role("button", name="Set new password").click()
    expect(reseller.get_by_role("heading", name="Your password was changed")).to_be_visible()
    [_, _, notice] = smtp.wait_for(invitee, 3)
    assert notice.message["Subject"] == "Your Reseller Portal password was changed" and notice.links() == []

    reseller.goto(reset_link)  # single use
    expect(reseller.get_by_role("heading", name="This link cannot be used")).to_be_visible()

    sign_in(reseller, mail_portal.base_url, invitee, PASSWORD)  # the old password fails
    expect(reseller.get_by_text("The email or password is incorrect.")).to_be_visible()
    sign_in(reseller, mail_portal.base_url, invitee, NEW_PASSWORD)
    expect(reseller).to_have_url(f"{mail_portal.base_url}/portal")
    reseller_context.close()


def test_resend_emails_a_fresh_link_and_the_old_one_stops_working(
    mail_portal: Server, smtp: MailServer, browser: Browser
) -> None:
    context, page, _ = signed_in_distributor(mail_portal, browser)
    invitee = unique_email("resent")
    first = invite_by_email(page, invitee, "Resent Ltd")
    smtp.wait_for(invitee)
    page.locator("tr", has_text="Resent Ltd").get_by_role("link", name=re.compile("Details")).click()
    page.get_by_role("button", name="Resend").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Resend").click()
    [_, second_email] = smtp.wait_for(invitee, 2)
    [second] = second_email.links()
    assert second != first
    expect(page.get_by_text("sent a new link by email")).to_be_visible()
    page.reload()  # both emails, as the history shows them now that the second went out
    expect(page.get_by_text(re.compile(r"^Sent \d\d"))).to_have_count(2)
    page.goto(first)
    expect(page.get_by_role("heading", name="Activation link not valid")).to_be_visible()
    page.goto(second)
    expect(page.get_by_role("heading", name="Activate your reseller portal")).to_be_visible()
    context.close()


def test_changing_the_password_signs_out_the_other_session(
    mail_portal: Server, smtp: MailServer, browser: Browser
) -> None:
    email = mail_portal.distributor_user(unique_email("both"))
    first_context, first = new_page(browser)
    second_context, second = new_page(browser)
    for page in (first, second):
        sign_in(page, mail_portal.base_url, email)
        expect(page.get_by_role("heading", name="Invitations")).to_be_visible()
    first.get_by_role("link", name="Account").click()
    expect(first.get_by_role("heading", name="Account settings")).to_be_visible()
    first.get_by_label("Current password", exact=True).first.fill(PASSWORD)
    first.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    first.get_by_role("button", name="Change password").click()
    expect(first.get_by_text("Your password was changed; other sessions were signed out.").first).to_be_visible()
    [notice] = smtp.wait_for(email)
    assert notice.message["Subject"] == "Your Reseller Portal password was changed"

    second.reload()
    expect(second).to_have_url(re.compile(r"/login\?next="))
    first.goto(f"{mail_portal.base_url}/distributor/partners")  # this session stays signed in
    expect(first.get_by_role("heading", name="Partners")).to_be_visible()
    first_context.close()
    second_context.close()


def test_a_new_email_is_confirmed_from_the_link_sent_to_it_and_the_old_address_is_told(
    mail_portal: Server, smtp: MailServer, browser: Browser
) -> None:
    old, new = unique_email("old"), unique_email("new")
    mail_portal.distributor_user(old)
    context, page = new_page(browser)
    sign_in(page, mail_portal.base_url, old)
    expect(page.get_by_role("heading", name="Invitations")).to_be_visible()
    page.get_by_role("link", name="Account").click()
    page.get_by_label("New email address", exact=True).fill(new)
    page.get_by_label("Current password", exact=True).nth(1).fill(PASSWORD)
    page.get_by_role("button", name="Send confirmation link").click()
    expect(page.get_by_text("We sent a link to the new address").first).to_be_visible()
    [told] = smtp.wait_for(old)
    assert told.links() == [] and new in told.text
    [confirmation] = smtp.wait_for(new)
    [link] = confirmation.links()
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", name="Your email address was changed")).to_be_visible()
    page.goto(f"{mail_portal.base_url}/logout")
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{mail_portal.base_url}/login")
    sign_in(page, mail_portal.base_url, new)
    expect(page.get_by_role("heading", name="Invitations")).to_be_visible()
    context.close()


def test_an_email_queued_when_the_server_is_killed_is_sent_once_after_the_restart(
    mail_portal: Server, smtp: MailServer, browser: Browser
) -> None:
    """kill -9 of the whole server between queueing and sending: nothing lost, one delivery (RELIABILITY.md E1)."""
    address = mail_portal.distributor_user(unique_email("killed"))
    smtp.refuse = "451 4.3.0 Try again later"  # the email stays queued
    context, page = new_page(browser)
    page.goto(f"{mail_portal.base_url}/forgot-password")
    page.get_by_label("Email", exact=True).fill(address)
    page.get_by_role("button", name="Send reset link").click()
    expect(page.get_by_role("status").filter(has_text="If an account exists")).to_be_visible()
    context.close()
    portal = mail_portal.portal()
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not _attempted(portal, address):
            time.sleep(0.1)  # the sender's first attempt, refused with 451
        assert _attempted(portal, address)
        mail_portal.stop(signal.SIGKILL)
        smtp.refuse = None
        with portal.session() as session:  # its retry is due now, not in 30 s
            for row in session.exec(select(OutboxEmail).where(OutboxEmail.recipient == address)).all():
                row.next_attempt_at = utcnow()
                session.add(row)
            session.commit()
    finally:
        portal.engine.dispose()
    mail_portal.start()
    [reset] = smtp.wait_for(address)
    assert reset.message["Subject"] == "Reset your Reseller Portal password"
    portal = mail_portal.portal()
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and _status(portal, address) != "sent":
            time.sleep(0.1)  # until the row is marked sent: after that no sender takes it again
        assert _status(portal, address) == "sent"
    finally:
        portal.engine.dispose()
    assert len(smtp.to(address)) == 1


def _status(portal: Portal, address: str) -> str | None:
    with portal.session() as session:
        row = session.exec(select(OutboxEmail).where(OutboxEmail.recipient == address)).first()
        return row.status if row is not None else None


def _attempted(portal: Portal, address: str) -> bool:
    with portal.session() as session:
        row = session.exec(select(OutboxEmail).where(OutboxEmail.recipient == address)).first()
        return row is not None and row.attempts >= 1 and row.lease_until is None


def test_no_log_line_subject_or_body_holds_a_token_except_the_link_to_its_owner(
    mail_portal: Server, smtp: MailServer
) -> None:
    """Runs after the other tests of this module, over every email they caused and the server's logs."""
    assert len(smtp.received) >= 6
    tokens_by_email = {id(r): {urlsplit(link).path.rsplit("/", 1)[1] for link in r.links()} for r in smtp.received}
    every_token = set().union(*tokens_by_email.values())
    assert every_token
    logs = mail_portal.log_path.read_text() + mail_portal.output_path.read_text()
    for received in smtp.received:
        own = tokens_by_email[id(received)]
        assert len(own) <= 1  # one link per email, to the person it is for
        assert not any(token in str(received.message["Subject"]) for token in every_token)
        others = every_token - own
        raw = received.raw.decode(errors="replace")
        assert not any(token in raw for token in others)
        assert not any(LINK.search(str(value)) for name, value in received.message.items())
    for token in every_token:
        assert token not in logs

"""One-time links and lists that tell the truth, in real Chromium (issue #12, items 8–12): the link dialog that
cannot be lost by accident, invitation statuses and history as they happen, input refused instead of changed, list
state in the URL with paging that offers only what it can do, a branded 404 page, titles that name the object, and
dead links that name the distributor."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from data.models import InvitationStatus
from portal_testing.factories import DISTRIBUTOR
from portal_testing.launch import Server, sign_in
from services.distributor import invitations as distributor_invitations
from services.distributor import partners
from tests.e2e.distributor import close_link_dialog, create_invitation, unique_email
from tests.e2e.wizard import Wizard

NO_CLIPBOARD = "Object.defineProperty(Navigator.prototype, 'clipboard', { get: () => undefined });"


@pytest.fixture
def desk(server: Server, browser: Browser) -> Iterator[Page]:
    """A distributor's browser, allowed to use the clipboard (as on https or localhost)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.base_url)
    page = context.new_page()
    sign_in(page, server.base_url, server.distributor_user(unique_email("lists")))
    expect(page.get_by_role("heading", name="Invitations")).to_be_visible()
    yield page
    context.close()


def tagged(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:8]}"


# ----------------------------------------------------------------- 8. the one-time link dialog


def test_the_link_dialog_is_not_lost_by_escape_or_a_click_and_copy_checks_itself(desk: Page) -> None:
    url = create_invitation(desk, company=f"{tagged('Copy')} Ltd")
    dialog = desk.get_by_role("dialog", name="Invitation created")
    desk.keyboard.press("Escape")
    desk.mouse.click(5, 5)  # the backdrop
    desk.get_by_role("button", name="Copy link").click()  # handled after Escape and the click: in order
    expect(dialog.get_by_text("Link copied.")).to_be_visible()
    expect(dialog).to_be_visible()  # neither Escape nor the click outside closed it
    assert desk.evaluate("navigator.clipboard.readText()") == url
    dialog.get_by_role("button", name="Done").click()  # copied: no question
    expect(desk.get_by_role("dialog")).to_have_count(0)
    expect(desk.get_by_role("alertdialog")).to_have_count(0)


def test_without_the_clipboard_api_the_link_is_selected_for_ctrl_c_and_done_asks_first(
    server: Server, browser: Browser
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(NO_CLIPBOARD)  # what a plain-HTTP intranet address gets
    try:
        page = context.new_page()
        sign_in(page, server.base_url, server.distributor_user(unique_email("intranet")))
        expect(page.get_by_role("heading", name="Invitations")).to_be_visible()
        url = create_invitation(page, company=f"{tagged('Intranet')} Ltd")
        dialog = page.get_by_role("dialog", name="Invitation created")
        dialog.get_by_role("button", name="Copy link").click()
        expect(dialog.get_by_text(re.compile("press Ctrl\\+C"))).to_be_visible()
        link = dialog.get_by_label("Link")
        expect(link).to_be_focused()
        assert link.evaluate("e => [e.selectionStart, e.selectionEnd]") == [0, len(url)]  # all of it selected
        dialog.get_by_role("button", name="Done").click()
        question = page.get_by_role("alertdialog", name="Close without copying the link?")
        expect(question.get_by_role("button", name="Go back to the link")).to_be_focused()
        question.get_by_role("button", name="Go back to the link").click()
        expect(question).to_have_count(0)
        link.focus()
        link.select_text()
        page.keyboard.press("Control+C")  # copying by hand counts
        expect(dialog.get_by_text("Link copied.")).to_be_visible()
        dialog.get_by_role("button", name="Done").click()
        expect(page.get_by_role("dialog")).to_have_count(0)
        expect(page.get_by_role("alertdialog")).to_have_count(0)
    finally:
        context.close()


# ----------------------------------------------------------------- 9. the list says what happened


def test_the_list_and_the_details_say_what_happened(server: Server, desk: Page, browser: Browser) -> None:
    company = f"{tagged('Progress')} Ltd"
    url = create_invitation(desk, company=company)
    close_link_dialog(desk)
    row = desk.locator("tr", has_text=company)
    expect(row.get_by_text("Not opened", exact=True)).to_be_visible()

    contexts = [browser.new_context() for _ in range(2)]
    try:
        first, second = (context.new_page() for context in contexts)
        first.goto(url)
        expect(Wizard(first).email).to_be_visible()
        desk.reload()
        expect(row.get_by_text("Opened", exact=True)).to_be_visible()
        second.goto(url)  # another browser: another opening
        expect(Wizard(second).email).to_be_visible()
        first.reload()  # the same browser again: not news
        expect(Wizard(first).email).to_be_visible()
        Wizard(first).agree(f"casey-{uuid.uuid4().hex[:6]}@champions.example")
        desk.reload()
        expect(row.get_by_text("In progress, step 2 of 4", exact=True)).to_be_visible()
    finally:
        for context in contexts:
            context.close()

    row.get_by_role("link", name=re.compile("Details")).click()
    history = desk.locator("td[data-label='What happened']")
    expect(history.filter(has_text="opened the activation link")).to_have_count(2)
    expect(history.filter(has_text=re.compile("champions.example saved Review the contract"))).to_have_count(1)
    expect(history.filter(has_text="created the invitation")).to_have_count(1)
    assert not [text for text in history.all_inner_texts() if re.search(r"\b(US|IN)-\d", text)]  # no raw IDs
    desk.get_by_role("button", name="Revoke").click()  # the details page has the actions too
    desk.get_by_role("alertdialog").get_by_role("button", name="Revoke").click()
    expect(desk.get_by_text("Revoked", exact=True)).to_be_visible()
    desk.get_by_role("button", name="Reissue").click()
    expect(desk.get_by_role("dialog").get_by_label("Link")).to_have_value(re.compile("/activate/"))
    close_link_dialog(desk)
    expect(history.filter(has_text="reissued the invitation")).to_have_count(1)
    expect(desk.get_by_role("link", name="Open the new invitation")).to_be_visible()


def test_partners_lists_only_companies_and_only_signed_contracts_as_contracts(server: Server, desk: Page) -> None:
    company = f"{tagged('Invited')} Ltd"
    portal = server.portal()
    actor = portal.distributor_user()
    bare = distributor_invitations.invite(portal.uow(), actor).invitation.id  # a link with no invitee yet
    distributor_invitations.invite(portal.uow(), actor, company_name=company)
    desk.get_by_role("link", name="Partners", exact=True).click()
    row = desk.locator("tr", has_text=company)
    expect(row.get_by_text("Invited", exact=True)).to_be_visible()
    expect(row.locator("td[data-label='Contract']")).to_have_text("Not signed yet")
    assert desk.locator("tr", has_text=bare).count() == 0
    expect(desk.get_by_text("(company name not given yet)")).to_have_count(0)


# ----------------------------------------------------------------- 10. input is never changed silently


def test_input_beyond_its_limits_is_refused_with_a_message_and_kept_as_typed(
    server: Server, desk: Page, page: Page
) -> None:
    desk.get_by_role("button", name="Create invitation").click()
    dialog = desk.get_by_role("dialog")
    expiry = dialog.get_by_label("Expires in (days)")
    for typed, message in [("120", "An invitation expires in 1 to 90 days."), ("0.5", "Enter a whole number of days")]:
        expiry.fill(typed)
        dialog.get_by_role("button", name="Create", exact=True).click()
        expect(dialog.locator(".portal-field-error").filter(has_text=message)).to_be_visible()
        expect(expiry).to_have_value(typed)  # never clamped to 90 or rounded to 1
    dialog.get_by_role("button", name="Cancel").click()

    desk.get_by_role("link", name="Partners", exact=True).click()
    desk.get_by_role("button", name="Create reseller account").click()
    dialog = desk.get_by_role("dialog")
    dialog.get_by_role("button", name="Create", exact=True).click()
    errors = dialog.locator(".portal-field-error")
    expect(errors.filter(has_text="Enter the reseller's legal name.")).to_be_visible()
    expect(errors.filter(has_text="Enter the representative's full name.")).to_be_visible()
    expect(errors.filter(has_text="Enter the representative's email address.")).to_be_visible()
    long_name = "A" * 190 + " Holdings GmbH"  # 204 characters: cut at 200 it would lose "GmbH"
    name = dialog.get_by_label("Reseller's legal name")
    name.fill(long_name)
    expect(name).to_have_value(long_name)  # nothing cut as it is typed or pasted
    dialog.get_by_role("button", name="Create", exact=True).click()
    expect(errors.filter(has_text="A company name has at most 200 characters.")).to_be_visible()
    expect(name).to_have_value(long_name)
    assert "your" not in " ".join(errors.all_inner_texts()).lower()

    page.goto(f"{server.base_url}/login")  # signed out, in another browser
    page.get_by_role("button", name="Sign in").click()
    messages = page.locator(".portal-field-error")
    expect(messages.filter(has_text="Enter your email address.")).to_be_visible()
    expect(messages.filter(has_text="Enter your password.")).to_be_visible()


# ----------------------------------------------------------------- 11. list state in the URL, honest paging


def test_invitations_page_filter_and_search_live_in_the_url(server: Server, desk: Page) -> None:
    tag = uuid.uuid4().hex[:8]
    portal = server.portal()
    actor = portal.distributor_user()
    for number in range(30):
        distributor_invitations.invite(portal.uow(), actor, company_name=f"Paged {tag} {number:02d} Ltd")
    search = desk.get_by_role("searchbox", name="Search")
    search.fill(tag)
    search.press("Enter")
    expect(desk.get_by_text("Showing 1–25 of 30")).to_be_visible()
    expect(desk).to_have_url(re.compile(f"q={tag}"))
    expect(desk.get_by_role("button", name="Previous page")).to_have_count(0)  # nothing before page 1
    desk.get_by_role("button", name="Next page").click()
    expect(desk.get_by_text("Showing 26–30 of 30")).to_be_visible()
    expect(desk).to_have_url(re.compile(f"q={tag}&page=2$"))
    desk.reload()
    expect(desk.get_by_text("Showing 26–30 of 30")).to_be_visible()
    expect(desk.get_by_role("searchbox", name="Search")).to_have_value(tag)
    expect(desk.get_by_role("button", name="Previous page")).to_be_visible()
    expect(desk.get_by_role("button", name="Next page")).to_have_count(0)  # nothing after the last page
    desk.goto(f"{server.base_url}/distributor/invitations?q={tag}&page=99")  # past the end: the last page
    expect(desk.get_by_text("Showing 26–30 of 30")).to_be_visible()
    expect(desk).to_have_url(re.compile("page=2$"))
    desk.get_by_label("Status").click()
    desk.get_by_role("option", name="Revoked").click()
    expect(desk.get_by_text("No invitations match.")).to_be_visible()
    expect(desk).to_have_url(re.compile(f"status=revoked&q={tag}$"))  # and back to page 1
    desk.reload()
    expect(desk.get_by_text("No invitations match.")).to_be_visible()
    desk.get_by_label("Status").click()
    desk.get_by_role("option", name="Not opened").click()
    expect(desk.get_by_text("Showing 1–25 of 30")).to_be_visible()
    search.fill(f"{tag} 07")
    search.press("Enter")
    expect(desk.get_by_text("Showing 1–1 of 1")).to_be_visible()
    expect(desk.locator("nav[aria-label='Pages']").get_by_role("button")).to_have_count(0)  # one page: no paging


def test_partners_have_search_status_filter_and_pages_in_the_url(server: Server, desk: Page) -> None:
    tag = uuid.uuid4().hex[:8]
    portal = server.portal()
    actor = portal.distributor_user()
    for number in range(27):
        distributor_invitations.invite(portal.uow(), actor, company_name=f"Partner {tag} {number:02d} Ltd")
    desk.goto(f"{server.base_url}/distributor/partners?status=invited&q={tag}")
    expect(desk.get_by_text("Showing 1–25 of 27")).to_be_visible()
    expect(desk.get_by_role("searchbox", name="Search")).to_have_value(tag)
    desk.get_by_role("button", name="Next page").click()
    expect(desk.get_by_text("Showing 26–27 of 27")).to_be_visible()
    desk.reload()
    expect(desk.get_by_text("Showing 26–27 of 27")).to_be_visible()
    expect(desk).to_have_url(re.compile(f"status=invited&q={tag}&page=2$"))
    desk.get_by_label("Status").click()
    desk.get_by_role("option", name="Active").click()
    expect(desk.get_by_text("No partners match.")).to_be_visible()
    expect(desk).to_have_url(re.compile(f"status=active&q={tag}$"))
    assert partners.find_partners(portal.uow(), actor, search=tag).total == 27


# ----------------------------------------------------------------- 12. 404, titles, names


def test_a_branded_not_found_page_and_titles_that_name_the_object(server: Server, desk: Page) -> None:
    response = desk.goto(f"{server.base_url}/no/such/page")
    assert response is not None and response.status == 404
    expect(desk.get_by_role("heading", name="Page not found")).to_be_visible()
    expect(desk.get_by_role("banner").get_by_role("link", name="Reseller Portal home")).to_be_visible()
    desk.get_by_role("link", name="Go to the home page").click()
    expect(desk.get_by_role("heading", name="Invitations")).to_be_visible()  # home is the distributor's desk

    company = f"{tagged('Titled')} Ltd"
    url = create_invitation(desk, company=company)
    close_link_dialog(desk)
    desk.locator("tr", has_text=company).get_by_role("link", name=re.compile("Details")).click()
    expect(desk).to_have_title(re.compile(rf"^Invitation IN-[\d-]+ for {company} · Reseller Portal$"))
    response = desk.goto(f"{server.base_url}/distributor/invitations/IN-000-000-000-000")
    assert response is not None and response.status == 404
    expect(desk.get_by_role("heading", name="Invitation not found")).to_be_visible()
    expect(desk.get_by_role("navigation", name="Main")).to_be_visible()  # still the distributor's frame
    desk.get_by_role("link", name="Back to invitations").click()
    expect(desk.get_by_role("heading", name="Invitations")).to_be_visible()

    token = url.rsplit("/", 1)[1]
    server.portal().activate(token, email=f"{uuid.uuid4().hex[:8]}@titled.example", company=company)
    desk.get_by_role("link", name="Partners", exact=True).click()
    desk.get_by_role("link", name=company).click()
    expect(desk).to_have_title(f"{company} · Partner · Reseller Portal")
    response = desk.goto(f"{server.base_url}/distributor/partners/CRD-000-000-000-000")
    assert response is not None and response.status == 404
    expect(desk.get_by_role("heading", name="Partner not found")).to_be_visible()


def test_dead_links_name_the_distributor(server: Server, page: Page) -> None:
    portal = server.portal()
    expired = server.invite().rsplit("/", 1)[1]
    portal.set_invitation(expired, expired=True)
    page.goto(f"{server.base_url}/activate/{expired}")
    expect(page.get_by_text(f"From {DISTRIBUTOR}")).to_be_visible()
    expect(page.get_by_text(f"Ask {DISTRIBUTOR} to send you a new one.")).to_be_visible()
    revoked = server.invite().rsplit("/", 1)[1]
    portal.set_invitation(revoked, status=InvitationStatus.REVOKED)
    page.goto(f"{server.base_url}/activate/{revoked}")
    expect(page.get_by_text(f"{DISTRIBUTOR} has withdrawn this activation link.")).to_be_visible()
    page.goto(f"{server.base_url}/activate/{'C' * 43}")  # a link that never existed names nobody
    expect(page.get_by_role("heading", name="Activation link not valid")).to_be_visible()
    expect(page.get_by_text(re.compile("^From "))).to_have_count(0)

    created = partners.create_reseller_account(
        portal.uow(),
        portal.distributor_user(),
        legal_name="Withdrawn Link GmbH",
        representative_name="Wendy",
        representative_email=unique_email("wendy"),
    )
    partners.remove_reseller_account(portal.uow(), portal.distributor_user(), created.contract_id)
    page.goto(f"{server.base_url}/set-password/{created.token}")
    expect(page.get_by_text(f"{DISTRIBUTOR} has withdrawn this link.")).to_be_visible()

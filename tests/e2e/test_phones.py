"""Phones and long content, measured in real Chromium (issue #12, items 5–7): the activation form uses the whole
width at 375 and 320 px with a compact progress heading and no scroll box inside the page; field errors and hints
never overlap another control, at any width; tables never grow past the screen, wrap long words without breaking
short ones, and show every row's actions on a phone."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from portal_testing.launch import Server, sign_in
from services.distributor import invitations as distributor_invitations
from tests.e2e.distributor import unique_email
from tests.e2e.wizard import Wizard

PHONES = [375, 320]
# Pairs of controls, messages and hints whose boxes intersect (one inside the other does not count).
OVERLAPS = """(scope) => {
  const root = scope ? document.querySelector(scope) : document;
  const parts = [...root.querySelectorAll(
    ".portal-field-error, .portal-field-hint, .q-field, .q-checkbox, .q-btn, .portal-error-summary, h2, h3"
  )].filter((el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden");
  const found = [];
  parts.forEach((a, i) => parts.slice(i + 1).forEach((b) => {
    if (a.contains(b) || b.contains(a)) return;
    const r = a.getBoundingClientRect(), s = b.getBoundingClientRect();
    const x = Math.min(r.right, s.right) - Math.max(r.left, s.left);
    const y = Math.min(r.bottom, s.bottom) - Math.max(r.top, s.top);
    if (x > 0.5 && y > 0.5) {
      const name = (el) => `${el.className.split(" ")[0]} "${(el.innerText || "").trim().slice(0, 40)}"`;
      found.push(`${name(a)} overlaps ${name(b)}`);
    }
  }));
  return found;
}"""
OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
# Words of 20 characters or fewer that the browser broke across two lines, in the given elements.
BROKEN_WORDS = """(elements) => {
  const broken = [];
  for (const element of elements) {
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const node = walker.currentNode;
      for (const match of node.textContent.matchAll(/\\S+/g)) {
        if (match[0].length > 20) continue;
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const lines = new Set([...range.getClientRects()].map((rect) => Math.round(rect.top)));
        if (lines.size > 1) broken.push(match[0]);
      }
    }
  }
  return broken;
}"""


@pytest.fixture
def phone(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    width = getattr(request, "param", 375)
    context = browser.new_context(viewport={"width": width, "height": 740}, is_mobile=True, has_touch=True)
    yield context.new_page()
    context.close()


def no_overlaps(page: Page, where: str, scope: str | None = None) -> None:
    overlaps = page.evaluate(OVERLAPS, scope)
    assert overlaps == [], f"{where}: {overlaps}"


def fits(page: Page, where: str) -> None:
    overflow = page.evaluate(OVERFLOW)
    assert overflow <= 0, f"{where}: the page is {overflow}px wider than the screen"


# ----------------------------------------------------------------- 5. the activation form on a phone


@pytest.mark.parametrize("phone", PHONES, indirect=True)
def test_the_activation_form_uses_the_whole_width_of_a_phone(server: Server, phone: Page) -> None:
    width = phone.viewport_size["width"]  # type: ignore[index]  # the context was made with a viewport
    phone.goto(server.invite())
    wizard = Wizard(phone)
    expect(phone.get_by_role("heading", name="Step 1 of 4 — Review the contract")).to_be_visible()
    expect(phone.locator(".q-stepper__header")).to_be_hidden()  # the progress is the heading itself
    box = wizard.email.locator("xpath=ancestor::label[contains(@class, 'q-field')]").bounding_box()
    assert box is not None and box["width"] >= width - 60, f"the email field is {box} wide at {width}px"
    agreement = phone.get_by_role("region", name="Agreement text")
    sizes = agreement.evaluate("e => [e.scrollHeight, e.clientHeight, getComputedStyle(e).overflowY]")
    assert sizes[0] <= sizes[1] + 1, f"the agreement scrolls inside the page at {width}px: {sizes}"
    fits(phone, f"step 1 at {width}px")
    wizard.agree(f"phone-{uuid.uuid4().hex[:8]}@champions.example")
    heading = phone.get_by_role("heading", name="Step 2 of 4 — User properties")
    expect(heading).to_be_visible()
    box = wizard.full_name.locator("xpath=ancestor::label[contains(@class, 'q-field')]").bounding_box()
    assert box is not None and box["width"] >= width - 60
    fits(phone, f"step 2 at {width}px")


def test_the_progress_header_is_shown_on_wide_screens(server: Server, page: Page) -> None:
    page.goto(server.invite())
    expect(page.locator(".q-stepper__header")).to_be_visible()
    header = page.locator(".q-stepper__header").bounding_box()
    assert header is not None and header["height"] < 100  # one row: four steps side by side
    agreement = page.get_by_role("region", name="Agreement text")
    assert agreement.evaluate("e => e.scrollHeight > e.clientHeight")  # a long text scrolls in its box here


# ----------------------------------------------------------------- 6. errors and hints never overlap


@pytest.mark.parametrize("phone", PHONES, indirect=True)
def test_errors_and_hints_never_cover_another_control(server: Server, phone: Page) -> None:
    width = phone.viewport_size["width"]  # type: ignore[index]  # the context was made with a viewport
    phone.goto(server.invite())
    wizard = Wizard(phone)
    wizard.email.fill("jane@")
    wizard.button("Next").click()
    expect(wizard.field_error("Tick the box to confirm")).to_be_visible()
    expect(wizard.field_error("Enter a valid email address")).to_be_visible()
    no_overlaps(phone, f"step 1 with errors at {width}px")
    wizard.agree(f"overlap-{uuid.uuid4().hex[:8]}@champions.example")
    wizard.full_name.fill("Casey Champion")
    wizard.password.fill("short")
    wizard.button("Next").click()
    expect(wizard.field_error("Use at least 15 characters")).to_be_visible()
    expect(phone.get_by_text("At least 15 characters. A few unrelated words")).to_be_visible()  # hint stays
    no_overlaps(phone, f"step 2 with an error at {width}px")
    wizard.user_properties()
    wizard.company_name.fill("Champions")
    wizard.button("Next").click()
    expect(wizard.field_error("Include the legal entity type")).to_be_visible()
    expect(phone.get_by_text("Your legal entity name with its type")).to_be_visible()  # the hint beside the error
    no_overlaps(phone, f"step 3 with an error at {width}px")
    fits(phone, f"step 3 at {width}px")


def distributor(server: Server, browser: Browser, width: int) -> tuple[BrowserContext, Page]:
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    sign_in(page, server.base_url, server.distributor_user(unique_email("phone")))
    expect(page.get_by_role("heading", name="Invitations")).to_be_visible()
    return context, page


@pytest.mark.parametrize("width", [1280, *PHONES])
def test_dialog_errors_and_hints_never_cover_another_control(server: Server, browser: Browser, width: int) -> None:
    context, desk = distributor(server, browser, width)
    try:
        desk.get_by_role("button", name="Create invitation").click()
        dialog = desk.get_by_role("dialog")
        dialog.get_by_label("Invitee email (optional)").fill("not an email")
        dialog.get_by_label("Expires in (days)").fill("120")
        dialog.get_by_role("button", name="Create", exact=True).click()
        expect(dialog.locator(".portal-field-error").filter(has_text="1 to 90 days")).to_be_visible()
        expect(dialog.get_by_text("A whole number of days, 1 to 90.")).to_be_visible()  # the hint stays
        no_overlaps(desk, f"create invitation with errors at {width}px", ".q-dialog")
    finally:
        context.close()


# ----------------------------------------------------------------- 7. tables


LONG_COMPANY = "Extraordinarilylongnamedinternationalconsolidatedholdingsandresellerpartnership" + "x" * 37 + " Ltd"
LONG_EMAIL = "owner@" + "a" * 35 + "." + "b" * 26 + ".example"  # a 70-character domain


def long_rows(server: Server) -> str:
    """Invitations with a 120-character one-word company name and an email with a 70-character domain."""
    tag = uuid.uuid4().hex[:6]
    portal = server.portal()
    actor = portal.distributor_user()
    distributor_invitations.invite(portal.uow(), actor, company_name=f"Champions {tag} Corp")
    distributor_invitations.invite(portal.uow(), actor, invitee_email=LONG_EMAIL, company_name=LONG_COMPANY)
    return tag


def test_a_long_row_never_widens_the_table_past_the_screen(server: Server, browser: Browser) -> None:
    assert len(LONG_COMPANY) == 120 and len(LONG_EMAIL.split("@")[1]) == 70
    tag = long_rows(server)
    context, desk = distributor(server, browser, 1280)
    try:
        desk.reload()
        row = desk.locator("tr", has_text=LONG_COMPANY[:40]).first
        expect(row).to_be_visible()
        table = desk.locator("table").first.bounding_box()
        assert table is not None and table["x"] + table["width"] <= 1280, table
        fits(desk, "invitations at 1280px")
        for cell in row.locator("td").all():
            box = cell.bounding_box()
            assert box is not None and box["x"] + box["width"] <= 1280, box
        cells = desk.locator("td").element_handles()
        assert desk.evaluate(BROKEN_WORDS, cells) == []  # only the too-long words wrap inside themselves
        short = desk.locator("tr", has_text=f"Champions {tag} Corp").get_by_text(f"Champions {tag} Corp")
        assert short.evaluate("e => e.getClientRects().length") == 1
    finally:
        context.close()


@pytest.mark.parametrize("width", PHONES)
def test_every_rows_actions_are_on_a_phones_screen(server: Server, browser: Browser, width: int) -> None:
    long_rows(server)
    context, desk = distributor(server, browser, width)
    try:
        desk.reload()
        expect(desk.locator("tr", has_text=LONG_COMPANY[:20]).first).to_be_visible()
        fits(desk, f"invitations at {width}px")
        rows = desk.locator("tbody tr")
        assert rows.count() >= 2
        for index in range(rows.count()):
            row = rows.nth(index)
            actions = row.locator("td.cell-actions").locator("a, button")
            assert actions.count() >= 2  # Details, and Revoke or Reissue
            for action in actions.all():
                box = action.bounding_box()
                assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, (index, box)
            labels = row.locator("td:not(.cell-actions)").evaluate_all(
                "cells => cells.map((c) => getComputedStyle(c, '::before').content)"
            )
            assert all(label.startswith('"') for label in labels), labels  # every value under its header
        desk.get_by_role("link", name="Partners", exact=True).click()
        expect(desk.locator("tr", has_text=LONG_COMPANY[:20]).first).to_be_visible()
        fits(desk, f"partners at {width}px")
    finally:
        context.close()


# ----------------------------------------------------------------- the portal's chapter 2 on a phone

LONG_HUB = "Extraordinarilylongnamedcommerceplatformforeverycustomerintheworld" + "y" * 34  # 100 characters


@pytest.mark.parametrize("width", PHONES)
def test_hubs_marketplaces_and_their_dialogs_fit_a_phone(server: Server, browser: Browser, width: int) -> None:
    """/marketplace with a 100-character one-word hub name and a marketplace in many countries: no sideways
    scrolling, every row's actions on the screen; the hub dialog and the wizard with errors overlap nothing."""
    from services.access import signed_in_user
    from services.portal import hubs, marketplaces

    email = f"phone-{uuid.uuid4().hex[:8]}@champions.example"
    portal = server.portal()
    created = portal.activate(server.invite().rsplit("/", 1)[1], email=email, company="Phone Shop Ltd")
    actor = signed_in_user(portal.uow(), created.user_id)
    assert actor is not None
    hub = hubs.register_hub(portal.uow(), actor, name=LONG_HUB, type="api", instance_id=LONG_HUB, description=None)
    countries = ["DE", "FR", "IT", "ES", "PT", "NL", "BE", "AT", "CH", "PL"]
    marketplaces.create_marketplace(
        portal.uow(), actor, name=LONG_HUB, currency="EUR", countries=countries, hubs={hub.hub_id: LONG_HUB}
    )
    context = browser.new_context(viewport={"width": width, "height": 740}, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        sign_in(page, server.base_url, email)
        expect(page.get_by_role("heading", name="Getting started")).to_be_visible()
        fits(page, f"overview at {width}px")
        page.get_by_role("button", name="Menu").click()
        page.get_by_role("link", name="Marketplace", exact=True).click()
        expect(page.get_by_role("heading", name="Hubs and marketplaces")).to_be_visible()
        fits(page, f"marketplace at {width}px")
        for row in page.locator("tbody tr").all():
            for action in row.locator("td.cell-actions").locator("button").all():
                box = action.bounding_box()
                assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, box
        page.get_by_role("button", name="Register hub").click()
        page.get_by_role("dialog").get_by_role("button", name="Register", exact=True).click()
        expect(page.get_by_role("dialog").locator(".portal-error-summary")).to_be_visible()
        no_overlaps(page, f"register hub with errors at {width}px", ".q-dialog")
        page.get_by_role("dialog").get_by_role("button", name="Cancel").click()
        page.get_by_role("button", name="Create marketplace").click()
        page.get_by_role("dialog").get_by_role("button", name="Next", exact=True).click()
        expect(page.get_by_role("dialog").locator(".portal-error-summary")).to_be_visible()
        no_overlaps(page, f"marketplace wizard with errors at {width}px", ".q-dialog")
        fits(page, f"marketplace wizard at {width}px")
    finally:
        context.close()


# ----------------------------------------------------------------- chapter 4's pages


@pytest.mark.parametrize("width", [1280, *PHONES])
def test_chapter_4_pages_fit_the_screen_and_their_errors_cover_nothing(
    server: Server, browser: Browser, width: int
) -> None:
    """Customers, subscriptions and the fulfilment queue with a 120-character one-word company and External ID:
    every page fits the screen; Create customer, Change quantities and Inquire with errors overlap nothing."""
    from data.models.subscription import request_id
    from portal_testing.chapter4 import ACME, ITEM_A, World, email_of
    from services.distributor import fulfilment as queue
    from services.portal import customers

    portal = server.portal()
    world = World(portal, f"-phone{uuid.uuid4().hex[:6]}")
    customers.edit_customer(
        portal.uow(),
        world.reseller,
        world.customer,
        **{**ACME, "company_name": LONG_COMPANY, "external_id": LONG_COMPANY[:100]},
    )
    subscription = world.order()
    queue.approve_request(portal.uow(), world.distributor, request_id(subscription, 1))
    pending = world.order()
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    try:
        sign_in(page, server.base_url, email_of(portal, world.reseller))
        expect(page.get_by_role("heading", name="Getting started")).to_be_visible()
        page.goto(f"{server.base_url}/customers")
        expect(page.locator("tr", has_text=LONG_COMPANY[:20]).first).to_be_visible()
        fits(page, f"customers at {width}px")
        page.get_by_role("button", name="Create customer").click()
        dialog = page.get_by_role("dialog")
        dialog.get_by_label("Email").fill("not an email")
        dialog.get_by_label("Phone (optional)").fill("12")
        dialog.get_by_role("button", name="Create", exact=True).click()
        expect(dialog.locator(".portal-field-error").first).to_be_visible()
        no_overlaps(page, f"create customer with errors at {width}px", ".q-dialog")
        dialog.get_by_role("button", name="Cancel").click()
        expect(page.get_by_role("dialog")).to_have_count(0)
        page.locator("tr", has_text=LONG_COMPANY[:20]).first.get_by_role("link").click()
        expect(page.get_by_role("heading", name=LONG_COMPANY)).to_be_visible()
        fits(page, f"a customer at {width}px")
        page.goto(f"{server.base_url}/subscriptions")
        expect(page.locator("tr", has_text=subscription).first).to_be_visible()
        fits(page, f"subscriptions at {width}px")
        page.goto(f"{server.base_url}/subscriptions/{subscription}")
        page.get_by_role("button", name="Change quantities").click()
        dialog = page.get_by_role("dialog")
        dialog.get_by_label(f"Quantity of {ITEM_A}").fill("two")
        dialog.get_by_role("button", name="Request change").click()
        expect(dialog.locator(".portal-error-summary")).to_be_visible()
        no_overlaps(page, f"change quantities with an error at {width}px", ".q-dialog")
        fits(page, f"a subscription at {width}px")
    finally:
        context.close()
    context = browser.new_context(viewport={"width": width, "height": 800})
    desk = context.new_page()
    try:
        sign_in(desk, server.base_url, email_of(portal, world.distributor))
        expect(desk.get_by_role("heading", name="Invitations")).to_be_visible()
        desk.goto(f"{server.base_url}/distributor/fulfilment?q={world.tag}")
        expect(desk.locator("tr", has_text=request_id(pending, 1)).first).to_be_visible()
        fits(desk, f"fulfilment at {width}px")
        desk.goto(f"{server.base_url}/distributor/fulfilment/{request_id(pending, 1)}")
        desk.get_by_role("button", name="Inquire").click()
        desk.get_by_role("dialog").get_by_role("button", name="Inquire").click()
        expect(desk.get_by_role("dialog").locator(".portal-field-error").first).to_be_visible()
        no_overlaps(desk, f"inquire with an error at {width}px", ".q-dialog")
        fits(desk, f"a request at {width}px")
    finally:
        context.close()
        portal.engine.dispose()


# ----------------------------------------------------------------- chapter 3: the catalog's pages


LONG_PRODUCT = "Extraordinarilylongnamedcloudsecurityandcomplianceplatformforresellers" + "y" * 46 + " Suite"
LONG_MPN = "MPN-" + "9" * 96  # one 100-character word


def long_product(server: Server) -> str:
    """A published product with a 120-character one-word name and an item whose MPN is a 100-character word."""
    from services.distributor import catalog

    portal = server.portal()
    actor = portal.distributor_user()
    name = f"{LONG_PRODUCT} {uuid.uuid4().hex[:6]}"
    made = catalog.create_product(
        portal.uow(), actor, name=name, category="Security", short_description="Long words.", description="Text."
    )
    catalog.add_item(
        portal.uow(),
        actor,
        made.product_id,
        mpn=LONG_MPN,
        item_name="Seat",
        billing_period="monthly",
        unit="Users",
        currency="USD",
        cost="9999999999.9999",
        msrp="9999999999.9999",
    )
    catalog.publish_product(portal.uow(), actor, made.product_id)
    return made.product_id


@pytest.mark.parametrize("width", PHONES)
def test_the_catalog_pages_fit_a_phone_with_every_action_on_screen(
    server: Server, browser: Browser, width: int
) -> None:
    product_id = long_product(server)
    context, desk = distributor(server, browser, width)
    try:
        desk.goto(f"{server.base_url}/distributor/products?q={LONG_PRODUCT[:30]}")
        expect(desk.locator("tr", has_text=LONG_PRODUCT[:20]).first).to_be_visible()
        fits(desk, f"products at {width}px")
        desk.goto(f"{server.base_url}/distributor/products/{product_id}")
        expect(desk.get_by_role("heading", name="Prices", exact=True)).to_be_visible()
        fits(desk, f"a product at {width}px")
        for action in desk.locator("td.cell-actions").locator("button").all():
            box = action.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, box
        desk.get_by_role("button", name="Add item").click()
        dialog = desk.get_by_role("dialog")
        dialog.get_by_label("Cost").fill("1.23456")
        dialog.get_by_role("button", name="Add item").click()
        expect(dialog.locator(".portal-error-summary")).to_be_visible()
        no_overlaps(desk, f"add item with errors at {width}px", ".q-dialog")
    finally:
        context.close()

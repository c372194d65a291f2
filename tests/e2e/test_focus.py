"""Focus and announcements, measured in real Chromium (issue #12, items 1–4; #11 items 3 and 5 for the UI): a
visible focus with 3:1 contrast on every control, the focus on each new step's heading and on the first field in
error, an error summary, dialogs that take, keep and give back the focus, "check your answers", asking before
typed input is thrown away, and buttons that never send twice."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlmodel import func, select

from data.models import AgreementVersion, AuditEvent, Invitation
from portal_testing.factories import FULL_NAME
from portal_testing.launch import Server, sign_in
from tests.e2e.distributor import close_link_dialog, create_invitation, unique_email
from tests.e2e.wizard import Wizard

# What has the focus: enough to tell elements apart in an assertion message.
ACTIVE = """() => {
  const a = document.activeElement;
  return {
    tag: a.tagName.toLowerCase(),
    text: (a.innerText || a.value || "").trim().slice(0, 80),
    label: a.getAttribute("aria-label") || "",
    role: a.getAttribute("role") || "",
    inDialog: !!a.closest(".q-dialog"),
  };
}"""
# The focused element's outline and the colour behind it (the outline sits outside the element, on its parent).
FOCUS_STYLE = """() => {
  const element = document.activeElement;
  const rgba = (colour) => (colour.match(/[\\d.]+/g) || []).map(Number);
  let node = element.parentElement, behind = [255, 255, 255];
  while (node) {
    const colour = rgba(getComputedStyle(node).backgroundColor);
    if (colour.length === 3 || (colour.length === 4 && colour[3] > 0)) { behind = colour.slice(0, 3); break; }
    node = node.parentElement;
  }
  const style = getComputedStyle(element);
  const field = element.closest(".q-field");
  const ring = field ? getComputedStyle(field.querySelector(".q-field__control"), "::after") : null;
  return {
    tag: element.tagName.toLowerCase(),
    text: (element.innerText || element.getAttribute("aria-label") || "").trim().slice(0, 60),
    outlineStyle: style.outlineStyle,
    outlineWidth: parseFloat(style.outlineWidth),
    outline: rgba(style.outlineColor).slice(0, 3),
    behind,
    field: !!field,
    ringWidth: ring ? parseFloat(ring.borderTopWidth) : 0,
    ring: ring ? rgba(ring.borderTopColor).slice(0, 3) : [],
  };
}"""


def luminance(rgb: list[float]) -> float:
    def channel(value: float) -> float:
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(v) for v in rgb)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(first: list[float], second: list[float]) -> float:
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def active(page: Page) -> dict[str, object]:
    return page.evaluate(ACTIVE)


def focus_indicators(page: Page, presses: int) -> list[dict[str, object]]:
    """Tab through the page ``presses`` times; the focus style of each control reached."""
    seen = []
    for _ in range(presses):
        page.keyboard.press("Tab")
        seen.append(page.evaluate(FOCUS_STYLE))
    return seen


def assert_visible_focus(styles: list[dict[str, object]], where: str) -> None:
    """Every control shows a focus indicator of at least 2 px with 3:1 contrast against what is behind it: an
    outline for buttons, links, checkboxes and tabs; its own 2 px border for a text field."""
    assert styles, where
    for style in styles:
        if style["tag"] == "body":
            continue
        if style["field"] and style["tag"] != "button":  # a text field or a select: its own border
            width, colour = style["ringWidth"], style["ring"]
        else:
            assert style["outlineStyle"] != "none", f"{where}: no focus outline on {style}"
            width, colour = style["outlineWidth"], style["outline"]
        assert isinstance(width, int | float), style
        ratio = contrast(colour, style["behind"])  # type: ignore[arg-type]  # JSON from the page: lists of numbers / Playwright's keyword options
        assert width >= 2 and ratio >= 3, f"{where}: focus indicator {width}px at {ratio:.2f}:1 on {style}"


def distributor(server: Server, browser: Browser, **options: object) -> tuple[BrowserContext, Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, **options)  # type: ignore[arg-type]  # JSON from the page: lists of numbers / Playwright's keyword options
    page = context.new_page()
    sign_in(page, server.base_url, server.distributor_user(unique_email("focus")))
    expect(page.get_by_role("heading", name="Invitations")).to_be_visible()
    return context, page


# ----------------------------------------------------------------- 1. a visible focus


def test_every_control_shows_a_focus_indicator_with_3_to_1_contrast(server: Server, browser: Browser) -> None:
    context, desk = distributor(server, browser)
    try:
        create_invitation(desk, company="Focus Ring Ltd")
        close_link_dialog(desk)
        desk.keyboard.press("Home")
        desk.evaluate("document.activeElement.blur()")
        styles = focus_indicators(desk, 16)  # brand link, navigation, sign out, filters, rows' links and buttons
        tags = {style["tag"] for style in styles}
        assert {"a", "button", "input"} <= tags, styles
        assert_visible_focus(styles, "invitations page")
        desk.get_by_role("button", name="Create invitation").click()
        expect(desk.get_by_role("dialog")).to_be_visible()
        assert_visible_focus(focus_indicators(desk, 8), "create invitation dialog")
        desk.keyboard.press("Escape")
        desk.get_by_role("link", name="Agreements", exact=True).click()
        desk.get_by_role("button", name="Publish new version").first.click()
        expect(desk.get_by_role("tab", name="Write")).to_be_visible()
        assert_visible_focus(focus_indicators(desk, 4), "agreement editor (tabs)")
    finally:
        context.close()

    reseller = browser.new_page()
    try:
        reseller.goto(server.invite())
        wizard = Wizard(reseller)
        expect(wizard.email).to_be_visible()
        styles = focus_indicators(reseller, 5)  # brand link, agreement text, email, checkbox, Next
        assert any(style["tag"] == "div" and "I have read" in str(style["text"]) for style in styles), styles
        assert_visible_focus(styles, "step 1")
    finally:
        reseller.close()


# ----------------------------------------------------------------- 2. the focus follows the steps


def test_step_changes_move_the_focus_to_the_new_steps_heading_and_announce_it(server: Server, page: Page) -> None:
    page.goto(server.invite())
    wizard = Wizard(page)
    status = page.locator('[role="status"][aria-live="polite"]').first
    wizard.button("Next").click()  # two errors: a summary at the top, the focus on the first field in error
    expect(wizard.field_error("Enter your email address.")).to_be_visible()
    summary = page.locator(".portal-error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(summary.get_by_role("link")).to_have_count(2)
    expect(wizard.email).to_be_focused()
    summary.get_by_role("link", name=re.compile("Tick the box")).click()
    expect(wizard.checkbox("I have read and accepted the agreement")).to_be_focused()

    wizard.agree(f"focus-{uuid.uuid4().hex[:8]}@champions.example")
    heading = page.get_by_role("heading", name="Step 2 of 4 — User properties")
    expect(heading).to_be_focused()
    expect(status).to_have_text("Step 2 of 4 — User properties")
    wizard.password.fill("a long enough passphrase for this")
    wizard.button("Next").click()  # one error: no summary, the focus on the field
    expect(wizard.field_error("Enter your full name.")).to_be_visible()
    expect(wizard.full_name).to_be_focused()
    expect(page.locator(".portal-error-summary").filter(visible=True)).to_have_count(0)

    wizard.button("Back").click()
    expect(page.get_by_role("heading", name="Step 1 of 4 — Review the contract")).to_be_focused()
    expect(status).to_have_text("Step 1 of 4 — Review the contract")
    wizard.button("Next").click()
    expect(heading).to_be_focused()
    wizard.user_properties()
    expect(page.get_by_role("heading", name="Step 3 of 4 — Company properties")).to_be_focused()


# ----------------------------------------------------------------- 4. check your answers


def test_edit_from_the_review_comes_straight_back_to_the_review(server: Server, page: Page) -> None:
    token = server.invite("--company", "Review Corp").rsplit("/", 1)[1]
    server.portal().walk_to(token, 4, email=f"review-{uuid.uuid4().hex[:8]}@champions.example", company="Review Corp")
    page.goto(f"{server.base_url}/activate/{token}")
    wizard = Wizard(page)
    review = page.get_by_role("heading", name="Step 4 of 4 — Activate the contract")
    expect(review).to_be_visible()
    page.get_by_role("button", name="Edit full name").click()
    expect(page.get_by_role("heading", name="Step 2 of 4 — User properties")).to_be_focused()
    wizard.full_name.fill("Casey Reviewed")
    wizard.button("Next").click()
    expect(review).to_be_focused()  # not step 3 in between
    expect(page.get_by_text("Casey Reviewed", exact=True)).to_be_visible()
    page.get_by_role("button", name="Edit company name").click()
    wizard.company_name.fill("Review Again Corp")
    wizard.button("Next").click()
    expect(review).to_be_focused()
    expect(wizard.checkbox("I sign this service contract on behalf of Review Again Corp")).to_be_visible()
    page.get_by_role("button", name="Edit email").click()  # Back from an edit is still Back
    expect(page.get_by_role("heading", name="Step 1 of 4 — Review the contract")).to_be_focused()
    wizard.button("Next").click()
    expect(review).to_be_focused()


# ----------------------------------------------------------------- 3. dialogs


def test_a_dialog_takes_keeps_and_gives_back_the_focus(server: Server, browser: Browser) -> None:
    context, desk = distributor(server, browser)
    try:
        opener = desk.get_by_role("button", name="Create invitation")
        opener.click()
        dialog = desk.get_by_role("dialog")
        expect(dialog.get_by_label("Invitee email (optional)")).to_be_focused()
        assert desk.evaluate("document.getElementById('app').inert") is True  # the page behind is inert
        for _ in range(12):  # round and round, never out
            desk.keyboard.press("Tab")
            assert active(desk)["inDialog"], active(desk)
        for _ in range(12):
            desk.keyboard.press("Shift+Tab")
            assert active(desk)["inDialog"], active(desk)
        desk.keyboard.press("Escape")  # nothing typed: closes at once
        expect(dialog).to_have_count(0)
        expect(opener).to_be_focused()
        assert desk.evaluate("document.getElementById('app').inert") is False

        # Enter in the last one-line field submits; the link dialog's Done gives the focus back to the opener.
        opener.click()
        dialog.get_by_label("Company name (optional)").fill("Enter Submits Ltd")
        dialog.get_by_label("Expires in (days)").press("Enter")
        expect(desk.get_by_role("dialog").get_by_label("Link")).to_have_value(re.compile("/activate/"))
        close_link_dialog(desk)
        expect(opener).to_be_focused()

        # A confirmation opens on its safe button; Escape is that answer; the focus goes back to Revoke.
        revoke = desk.locator("tr", has_text="Enter Submits Ltd").get_by_role("button", name=re.compile("Revoke"))
        revoke.click()
        confirmation = desk.get_by_role("alertdialog")
        expect(confirmation.get_by_role("button", name="Cancel")).to_be_focused()
        desk.keyboard.press("Escape")
        expect(confirmation).to_have_count(0)
        expect(revoke).to_be_focused()
        row = desk.locator("tr", has_text="Enter Submits Ltd")
        expect(row.get_by_text("Not opened")).to_be_visible()
        revoke.click()  # confirmed: the list is rebuilt under the focus, which stays in the row
        desk.get_by_role("alertdialog").get_by_role("button", name="Revoke").click()
        expect(row.get_by_text("Revoked", exact=True)).to_be_visible()
        expect(row.get_by_role("link", name=re.compile("Details"))).to_be_focused()

        # Another dialog's last field: Enter creates the reseller account.
        desk.get_by_role("link", name="Partners", exact=True).click()
        desk.get_by_role("button", name="Create reseller account").click()
        dialog = desk.get_by_role("dialog")
        expect(dialog.get_by_label("Reseller's legal name")).to_be_focused()
        dialog.get_by_label("Reseller's legal name").fill("Enter Too GmbH")
        dialog.get_by_label("Representative's full name").fill("Erin Enter")
        dialog.get_by_label("Representative's email").fill(unique_email("erin"))
        dialog.get_by_label("Representative's email").press("Enter")
        expect(desk.get_by_role("dialog").get_by_label("Link")).to_have_value(re.compile("/set-password/"))
    finally:
        context.close()


def test_escape_or_a_click_outside_asks_before_discarding_typed_input(server: Server, browser: Browser) -> None:
    context, desk = distributor(server, browser)
    try:
        desk.get_by_role("button", name="Create invitation").click()
        dialog = desk.get_by_role("dialog", name="Create invitation")
        dialog.get_by_label("Note to signee (optional)").fill("Half a thought")
        desk.keyboard.press("Escape")
        question = desk.get_by_role("alertdialog", name="Discard what you typed?")
        expect(question.get_by_role("button", name="Keep editing")).to_be_focused()
        desk.keyboard.press("Enter")  # Keep editing
        expect(question).to_have_count(0)
        expect(dialog.get_by_label("Note to signee (optional)")).to_have_value("Half a thought")
        expect(dialog.get_by_label("Note to signee (optional)")).to_be_focused()  # back where it was
        desk.mouse.click(5, 5)  # on the backdrop
        expect(question).to_be_visible()
        question.get_by_role("button", name="Discard").click()
        expect(desk.get_by_role("dialog")).to_have_count(0)

        desk.get_by_role("link", name="Agreements", exact=True).click()
        desk.get_by_role("button", name="Publish new version").first.click()
        editor = desk.get_by_role("dialog").get_by_label("Agreement text (Markdown)")
        editor.press("End")
        editor.type("\n\nAn unsaved clause.")
        desk.keyboard.press("Escape")
        expect(question).to_be_visible()
        question.get_by_role("button", name="Keep editing").click()
        expect(editor).to_have_value(re.compile("An unsaved clause.$"))
        desk.get_by_role("dialog").get_by_role("button", name="Cancel").click()  # Cancel is the choice itself
        expect(desk.get_by_role("dialog")).to_have_count(0)

        desk.get_by_role("button", name=re.compile("^View version 1")).first.click()  # nothing to type: closes
        expect(desk.get_by_role("dialog").locator(".agreement-text")).to_be_visible()
        desk.keyboard.press("Escape")
        expect(desk.get_by_role("dialog")).to_have_count(0)
    finally:
        context.close()


# ----------------------------------------------------------------- buttons busy while their action runs

RECORD_BUSY = """() => {
  window.__busy = [];
  new MutationObserver((changes) => changes.forEach((change) => {
    if (change.target.getAttribute("aria-disabled") === "true") window.__busy.push(change.target.innerText.trim());
  })).observe(document.body, {attributes: true, attributeFilter: ["aria-disabled"], subtree: true});
}"""


def test_a_double_click_never_sends_twice(server: Server, browser: Browser) -> None:
    context, desk = distributor(server, browser)
    portal = server.portal()
    company = f"Double Click {uuid.uuid4().hex[:6]} Ltd"
    try:
        desk.get_by_role("button", name="Create invitation").click()
        dialog = desk.get_by_role("dialog")
        dialog.get_by_label("Company name (optional)").fill(company)
        desk.evaluate(RECORD_BUSY)
        dialog.get_by_role("button", name="Create", exact=True).dblclick()
        expect(desk.get_by_role("dialog").get_by_label("Link")).to_be_visible()
        assert "Create" in desk.evaluate("window.__busy")  # shown disabled while it ran
        close_link_dialog(desk)
        expect(desk.locator("tr", has_text=company)).to_have_count(1)
        with portal.session() as session:
            count = select(func.count()).select_from(Invitation).where(Invitation.company_name == company)
            assert session.exec(count).one() == 1

        desk.get_by_role("link", name="Agreements", exact=True).click()
        with portal.session() as session:
            versions_before = session.exec(select(func.count()).select_from(AgreementVersion)).one()
        desk.get_by_role("button", name="Publish new version").first.click()
        editor = desk.get_by_role("dialog").get_by_label("Agreement text (Markdown)")
        editor.fill(f"# Terms {company}\n\nPublished once.")
        desk.get_by_role("dialog").get_by_role("button", name="Publish", exact=True).dblclick()
        expect(desk.get_by_role("dialog")).to_have_count(0)
        with portal.session() as session:
            assert session.exec(select(func.count()).select_from(AgreementVersion)).one() == versions_before + 1
    finally:
        context.close()

    reseller = browser.new_page()
    try:
        url = server.invite()
        reseller.goto(url)
        wizard = Wizard(reseller)
        wizard.email.fill(f"double-{uuid.uuid4().hex[:8]}@champions.example")
        wizard.checkbox("I have read and accepted the agreement").click()
        wizard.button("Next").dblclick()
        expect(wizard.full_name).to_be_visible()
        wizard.full_name.fill(FULL_NAME)
        invitation_id = portal.invitation_for(url.rsplit("/", 1)[1]).id
        with portal.session() as session:
            saved = session.exec(
                select(AuditEvent).where(
                    AuditEvent.object_id == invitation_id, AuditEvent.action == "activation.step_saved"
                )
            ).all()
        assert len(saved) == 1
    finally:
        reseller.close()

"""Driving the distributor's pages in a real browser."""

from __future__ import annotations

import email
import email.policy
import re
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from playwright.sync_api import Cookie, Dialog, Page, expect

if TYPE_CHECKING:  # the parameter's type is not among playwright.sync_api's names
    from playwright._impl._api_structures import SetCookieParam


def unique_email(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}@example.com"


def create_invitation(page: Page, *, email: str = "", company: str = "", note: str = "") -> str:
    """Create an invitation in the dialog; returns the link shown once."""
    page.get_by_role("button", name="Create invitation").click()
    dialog = page.get_by_role("dialog")
    if email:
        dialog.get_by_label("Invitee email (optional)").fill(email)
    if company:
        dialog.get_by_label("Company name (optional)").fill(company)
    if note:
        dialog.get_by_label("Note to signee (optional)").fill(note)
    dialog.get_by_role("button", name="Create", exact=True).click()
    link = page.get_by_role("dialog").get_by_label("Link")
    expect(link).to_have_value(re.compile("/activate/"))
    return link.input_value()


def close_link_dialog(page: Page, *, copied: bool = False) -> None:
    """**Done** in the one-time link dialog; a link never copied is closed only after saying so."""
    page.get_by_role("button", name="Done").click()
    if not copied:
        page.get_by_role("alertdialog").get_by_role("button", name="Close without copying").click()
    expect(page.get_by_role("dialog")).to_have_count(0)


def note_and_dismiss(seen: list[str], dialog: Dialog) -> None:
    """For ``page.on("dialog", …)``: keep what a browser dialog (an alert a script raised) said, and close it."""
    seen.append(dialog.message)
    dialog.dismiss()


def replayable(cookies: list[Cookie]) -> list[SetCookieParam]:
    """Cookies read from one browser context, as another context sets them (to replay a stolen session)."""
    replayed: list[SetCookieParam] = [{**cookie} for cookie in cookies]
    return replayed


def emailed_link(data_dir: Path, address: str, path: str, timeout: float = 20) -> str:
    """The newest link to ``/<path>/…`` in an email to ``address`` that a server without SMTP wrote as a .eml file
    into its data directory (what ``python main.py mail show`` prints)."""
    pattern = re.compile(rf"https?://\S+/{path}/[A-Za-z0-9_-]{{43}}")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = []
        for eml in (data_dir / "mail").glob("EM-*.eml"):
            message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
            body = message.get_body(("plain",))
            if message["To"] == address and body is not None:
                found += [(eml.stat().st_mtime, link) for link in pattern.findall(body.get_content())]
        if found:
            return max(found)[1]
        time.sleep(0.1)  # the server's sender writes the file within its next round
    raise AssertionError(f"no email to {address} with a /{path}/ link")

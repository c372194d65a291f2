"""The email side of the partner pages: the set-password link sent by email, and **Send password reset link** to
an active partner's user."""

from __future__ import annotations

from nicegui import ui

from services.account import passwords
from services.distributor.partner_emails import partner_emails
from services.errors import NotFound, ValidationFailed
from ui.auth import act, signed_in_only
from ui.components.actions import action_button
from ui.components.dialogs import confirm
from ui.components.fields import Form
from ui.components.focus import announce
from ui.components.tables import Column, ResponsiveTable
from ui.distributor.invitation_emails import STATUS_WORDS
from ui.theme import Heading, card, format_time


def send_by_email_box(form: Form) -> None:
    form.checkbox("send_email", "Send the link by email", value=True, hint="To the representative's email above.").mark(
        "reseller-send-email"
    )


def created_explanation(values: dict[str, object]) -> str:
    if values.get("send_email"):
        return (
            f"We are emailing this one-time link to {str(values.get('email') or '').strip()}: they set a password, "
            "accept the service agreement and are signed in. It is shown only now."
        )
    return (
        "Hand this one-time link to the representative: they set a password, accept the service agreement and are "
        "signed in. It is shown only now."
    )


def reset_link_button(contract_id: str, company: str) -> None:
    @signed_in_only
    async def send() -> None:
        if not await confirm(
            f"Send a password reset link to {company}'s user?",
            "The user who signed the contract gets a link, valid for 30 minutes, to choose a new password.",
            "Send link",
            danger=False,
        ):
            return
        try:
            sent_to = await act(passwords.send_reset_link_to_reseller_user, contract_id)
        except (ValidationFailed, NotFound) as refused:
            ui.notify(refused.message, type="warning")
            return
        ui.notify(f"A password reset link is on its way to {sent_to}.", type="positive")
        announce(f"A password reset link is on its way to {sent_to}.")

    action_button("Send password reset link", send, kind="secondary").classes("self-start").mark("send-reset-link")


async def email_section(contract_id: str) -> None:
    """The set-password link's emails and their status, when any was sent."""
    emails = await act(partner_emails, contract_id)
    if not emails:
        return
    with card():
        Heading("Emails", 2)
        table = ResponsiveTable(
            [Column("Queued", "nowrap"), Column("To"), Column("Status")],
            caption="Emails with the set-password link, oldest first",
        )
        for email in emails:
            with table.row():
                table.cell(format_time(email.created_at))
                table.cell(email.recipient)
                words = STATUS_WORDS.get(email.status, email.status)
                if email.status == "sent":
                    words += f" {format_time(email.sent_at)}"
                elif email.last_error:
                    words += f" (attempt {email.attempts}: {email.last_error})"
                table.cell(words)

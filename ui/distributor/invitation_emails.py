"""The email side of an invitation's pages: **Send by email** in *Create invitation*, and on its details each
email's status (queued, sent, failed with the reason) with **Resend** (a fresh link, the old one dead)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from nicegui import ui

from services.distributor import invitation_emails
from services.distributor.invitations import InvitationAction, InvitationDetail
from services.errors import InvalidState
from ui.auth import act, signed_in_only
from ui.components.actions import action_button
from ui.components.dialogs import confirm
from ui.components.fields import Form
from ui.components.focus import announce
from ui.components.tables import Column, ResponsiveTable
from ui.theme import Heading, card, format_time

STATUS_WORDS = {"queued": "Queued", "sent": "Sent", "failed": "Failed"}


def send_by_email_box(form: Form) -> None:
    form.checkbox(
        "send_email", "Send the link by email", value=True, hint="To the invitee email above, when one is given."
    ).mark("invite-send-email")


def wants_email(values: dict[str, object]) -> bool:
    """Send by email is ticked and an email was typed (without one there is nobody to send it to)."""
    email = values.get("email")
    return bool(values.get("send_email")) and isinstance(email, str) and bool(email.strip())


def created_explanation(values: dict[str, object]) -> str:
    if wants_email(values):
        return (
            f"We are emailing this link to {str(values['email']).strip()}; its status is in the invitation's details. "
            "It is shown only now: the portal keeps no copy."
        )
    return "Send this link to the reseller. It is shown only now: the portal keeps no copy."


def email_section(detail: InvitationDetail, refresh: Callable[[], Awaitable[Any]]) -> None:
    """Each email that carried the invitation's link, and **Resend**."""
    row = detail.row
    with card():
        Heading("Emails", 2)
        if detail.emails:
            table = ResponsiveTable(
                [Column("Queued", "nowrap"), Column("To"), Column("Status")],
                caption="Emails with this invitation's link, oldest first",
            )
            for email in detail.emails:
                with table.row():
                    table.cell(format_time(email.created_at))
                    table.cell(email.recipient)
                    with table.cell().mark("email-status"):
                        words = STATUS_WORDS.get(email.status, email.status)
                        if email.status == "sent":
                            words += f" {format_time(email.sent_at)}"
                        elif email.last_error:
                            words += f" (attempt {email.attempts}: {email.last_error})"
                        ui.label(words)
        else:
            ui.label("No email was sent with this invitation's link.").classes("text-slate-700")
        if InvitationAction.RESEND in row.allowed_actions and row.invitee_email:

            @signed_in_only
            async def resend() -> None:
                if not await confirm(
                    f"Email a new link to {row.invitee_email}?",
                    "The link sent before stops working; the reseller's progress is kept.",
                    "Resend",
                    danger=False,
                ):
                    return
                try:
                    await act(invitation_emails.resend_invitation, row.invitation_id)
                except InvalidState as refused:
                    ui.notify(refused.message, type="warning")
                    return
                ui.notify("A new link was emailed; the previous link no longer works.", type="positive")
                announce("A new link was emailed; the previous link no longer works.")
                await refresh()

            action_button("Resend", resend, kind="secondary").classes("self-start").mark("resend-invitation")

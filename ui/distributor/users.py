"""``/distributor/users``: the distributor's own users; **Invite a colleague** (by email) and **Deactivate**."""

from __future__ import annotations

from functools import partial

from fastapi.responses import RedirectResponse
from nicegui import ui

from services.distributor import users
from services.errors import InvalidState, NotFound
from ui.auth import act, require, signed_in_only
from ui.components.actions import action_button
from ui.components.dialogs import Dialog, confirm
from ui.components.focus import announce
from ui.components.tables import Column, ResponsiveTable
from ui.theme import Heading, card, distributor_frame

PATH = "/distributor/users"
STATUS_WORDS = {"invited": "Invited (no password yet)", "active": "Active", "disabled": "Deactivated"}


async def users_page() -> RedirectResponse | None:
    actor = await require("distributor", PATH)
    if isinstance(actor, RedirectResponse):
        return actor
    with distributor_frame("Users", PATH), card():
        with ui.row().classes("w-full items-end gap-3 flex-wrap"):
            Heading("Users").classes("grow")
            action_button("Invite a colleague", lambda: open_invite_dialog(), icon="person_add")
        ui.label("Everyone here administers your distributor account.").classes("text-slate-700")
        listing = ui.column().classes("w-full")

    @signed_in_only
    async def refresh() -> None:
        rows = await act(users.list_users)
        listing.clear()
        with listing:
            table = ResponsiveTable(
                [Column("Name"), Column("Email"), Column("Status", "nowrap"), Column("Actions", "actions")],
                caption="Your distributor's users",
            )
            for row in rows:
                with table.row(key=row.user_id):
                    table.cell(row.full_name + (" (you)" if row.is_you else ""))
                    table.cell(row.email)
                    table.cell(STATUS_WORDS.get(row.status, row.status))
                    with table.cell():
                        if row.status != "disabled":
                            action_button(
                                "Deactivate",
                                partial(deactivate, row),
                                kind="danger-flat",
                                label=f"Deactivate {row.full_name}",
                            )

    @signed_in_only
    async def deactivate(row: users.DistributorUser) -> None:
        if not await confirm(
            f"Deactivate {row.full_name}?",
            "They can no longer sign in, and every session of theirs ends.",
            "Deactivate",
        ):
            return
        try:
            await act(users.deactivate_user, row.user_id)
        except (InvalidState, NotFound) as refused:
            ui.notify(refused.message, type="warning")
            return
        ui.notify(f"{row.full_name} was deactivated.", type="positive")
        announce(f"{row.full_name} was deactivated.")
        await refresh()

    @signed_in_only
    async def open_invite_dialog() -> None:
        dialog = Dialog("Invite a colleague")
        form = dialog.form
        with dialog:
            ui.label("They get an email with a link to choose their password (valid 7 days).").classes("text-slate-700")
            form.text("full_name", "Full name", autocomplete="off").mark("colleague-name")
            form.text("email", "Email", input_type="email", autocomplete="off").mark("colleague-email")

        @signed_in_only
        async def send() -> None:
            values = form.values()
            invited = await act(
                users.invite_colleague,
                full_name=values["full_name"],
                email=values["email"],
                request_key=dialog.request_key,
            )
            dialog.close()
            ui.notify(f"Invitation emailed to {invited.email}.", type="positive")
            announce(f"Invitation emailed to {invited.email}.")
            await refresh()

        dialog.cancel_button()
        dialog.submit_button("Send invitation", send, done_already=refresh).mark("invite-colleague-submit")
        dialog.open()

    await refresh()
    return None

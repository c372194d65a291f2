"""``/distributor/invitations``: the distributor's invitations; ``/distributor/invitations/<id>``: one of them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi.responses import RedirectResponse
from nicegui import ui

from services.activation.invitations import MAX_EXPIRY_DAYS
from services.actors import SignedInUser
from services.distributor import agreements
from services.distributor import invitations as distributor_invitations
from services.distributor.invitations import InvitationAction, InvitationDetail, InvitationProgress, InvitationRow
from services.errors import InvalidState, NotFound
from ui.auth import act, require, signed_in_only
from ui.components.actions import action_button
from ui.components.dialogs import Dialog, confirm, show_link_once
from ui.components.focus import announce
from ui.components.tables import Column, ListState, ListView, ResponsiveTable
from ui.distributor import invitation_emails
from ui.pages import list_page
from ui.settings import activation_url, invitation_days
from ui.theme import Heading, card, distributor_frame, format_time, not_found_page

PATH = "/distributor/invitations"
STEP_COUNT = 4
STATUS_LABELS = {
    InvitationProgress.NOT_OPENED: "Not opened",
    InvitationProgress.OPENED: "Opened",
    InvitationProgress.IN_PROGRESS: "In progress",
    InvitationProgress.ACTIVATED: "Activated",
    InvitationProgress.EXPIRED: "Expired",
    InvitationProgress.REVOKED: "Revoked",
}
STATUS_CLASSES = {
    InvitationProgress.NOT_OPENED: "bg-slate-100 text-slate-800",
    InvitationProgress.OPENED: "bg-blue-100 text-blue-900",
    InvitationProgress.IN_PROGRESS: "bg-amber-100 text-amber-900",
    InvitationProgress.ACTIVATED: "bg-green-100 text-green-900",
    InvitationProgress.EXPIRED: "bg-slate-200 text-slate-800",
    InvitationProgress.REVOKED: "bg-red-100 text-red-900",
}
FILTER_OPTIONS = {progress.value: label for progress, label in STATUS_LABELS.items()}


def status_text(row: InvitationRow) -> str:
    """The status as the list says it: "In progress, step 3 of 4" names the step reached."""
    label = STATUS_LABELS[row.progress]
    if row.progress == InvitationProgress.IN_PROGRESS and row.step_reached:
        label += f", step {row.step_reached} of {STEP_COUNT}"
    return label


def status_badge(row: InvitationRow) -> None:
    badge = ui.label(status_text(row)).classes("inline-block rounded px-2 py-0.5 text-xs font-semibold")
    badge.classes(STATUS_CLASSES[row.progress]).mark(f"status-{row.progress.value}")


def invitee(row: InvitationRow) -> str:
    """Who the invitation is for, in words."""
    return row.company_name or row.invitee_email or f"invitation {row.invitation_id}"


Refresh = Callable[[], Awaitable[Any]]


@signed_in_only
async def revoke(row: InvitationRow, after: Refresh) -> None:
    """Revoke after confirmation; the link then shows the revoked page."""
    if not await confirm(
        f"Revoke the invitation for {invitee(row)}?",
        "The activation link stops working at once. You can reissue a new link later.",
        "Revoke",
    ):
        return
    try:
        await act(distributor_invitations.revoke_invitation, row.invitation_id)
    except (InvalidState, NotFound) as error:
        ui.notify(error.message, type="warning")
    else:
        ui.notify("Invitation revoked", type="positive")
        announce("Invitation revoked")
    await after()


@signed_in_only
async def reissue(row: InvitationRow, after: Refresh) -> None:
    """A new link with the same details; the old one stays dead."""
    try:
        issued = await act(distributor_invitations.reissue_invitation, row.invitation_id)
    except (InvalidState, NotFound) as error:
        ui.notify(error.message, type="warning")
        return
    show_link_once(
        "New activation link",
        activation_url(issued.token),
        "Send this link to the reseller. It is shown only now; the old link stays invalid.",
    )
    await after()


def invitation_actions(row: InvitationRow, after: Refresh, *, dense: bool = True) -> None:
    """The actions the service allows on the invitation (**Revoke** an open one, **Reissue** a dead one), and the
    invitation that replaced it (for the list's rows and the details)."""
    if InvitationAction.REVOKE in row.allowed_actions:
        action_button(
            "Revoke",
            lambda: revoke(row, after),
            kind="danger-flat" if dense else "danger-secondary",
            label=f"Revoke invitation {row.invitation_id}" if dense else None,
        ).mark(f"revoke-{row.invitation_id}")
    if row.replaced_by:  # reissued: the new invitation is the one to follow (or to reissue)
        ui.link(f"Replaced by {row.replaced_by}", f"{PATH}/{row.replaced_by}").classes(
            "text-primary font-medium px-2 py-1"
        ).mark(f"replaced-{row.invitation_id}")
    if InvitationAction.REISSUE in row.allowed_actions:
        action_button(
            "Reissue",
            lambda: reissue(row, after),
            kind="secondary" if not dense else "flat",
            label=f"Reissue invitation {row.invitation_id}" if dense else None,
        ).mark(f"reissue-{row.invitation_id}")


class InvitationsPage:
    """The table with its filter, search and pages (all three in the URL), and the actions on each invitation."""

    def __init__(self, actor: SignedInUser, state: ListState) -> None:
        self.actor = actor
        with ui.row().classes("w-full items-end gap-3 flex-wrap"):
            Heading("Invitations").classes("grow")
            action_button("Create invitation", self.open_create_dialog, icon="add").mark("create-invitation")
        self.list = ListView(
            state,
            load=self._load,
            columns=[
                Column("Invitee"),
                Column("Company"),
                Column("Status", "nowrap"),
                Column("Created", "nowrap"),
                Column("Expires", "nowrap"),
                Column("Reseller account"),
                Column("Actions", "actions"),
            ],
            caption="Invitations, newest first",
            show_row=self._row,
            empty="No invitations yet. Create one to invite a reseller.",
            no_match="No invitations match.",
            search_hint="Part of an email, a company name or an invitation ID",
        )
        self.refresh = self.list.refresh

    @signed_in_only
    async def _load(self, state: ListState) -> distributor_invitations.InvitationPage:
        return await act(
            distributor_invitations.list_invitations, status=state.status or None, search=state.search, page=state.page
        )

    def _row(self, table: ResponsiveTable, row: InvitationRow) -> None:
        with table.row(key=row.invitation_id).mark(f"invitation-{row.invitation_id}"):
            table.cell(row.invitee_email or "—")
            table.cell(row.company_name or "—")
            with table.cell():
                status_badge(row)
            table.cell(format_time(row.created_at))
            table.cell(format_time(row.expires_at))
            table.cell(row.reseller_name or "—")
            with table.cell():
                details = ui.link("Details", f"{PATH}/{row.invitation_id}")
                details.classes("text-primary font-medium px-2 py-1")
                details.props["aria-label"] = f"Details of invitation {row.invitation_id}"
                invitation_actions(row, self.refresh)

    @signed_in_only
    async def open_create_dialog(self) -> None:
        """The **Create invitation** dialog."""
        summaries = [s for s in await act(agreements.list_agreements) if s.kind == agreements.SERVICE]
        versions = {
            version.version_id: f"{summary.title}, version {version.version}{' (latest)' if version.is_active else ''}"
            for summary in summaries
            for version in summary.versions
        }
        latest = next((v.version_id for s in summaries for v in s.versions if v.is_active), None)
        dialog = Dialog("Create invitation")
        form = dialog.form
        with dialog:
            form.text("email", "Invitee email (optional)", input_type="email").mark("invite-email")
            form.text(
                "company_name", "Company name (optional)", hint="The reseller's legal name, if you know it."
            ).mark("invite-company")
            form.textarea(
                "note_to_signee", "Note to signee (optional)", hint="Shown to the reseller above the agreement."
            ).mark("invite-note")
            form.number(
                "expires_in_days",
                "Expires in (days)",
                value=invitation_days(),
                hint=f"A whole number of days, 1 to {MAX_EXPIRY_DAYS}.",
            ).mark("invite-expiry")
            form.select("agreement_version_id", "Agreement version", versions, value=latest).mark("invite-version")
            invitation_emails.send_by_email_box(form)

        @signed_in_only
        async def create() -> tuple[str, str]:
            values = form.values()
            issued = await act(
                distributor_invitations.invite,
                invitee_email=values["email"],
                company_name=values["company_name"],
                note_to_signee=values["note_to_signee"],
                expires_in_days=values["expires_in_days"],
                agreement_version_id=values["agreement_version_id"],
                request_key=dialog.request_key,
                send_email=invitation_emails.wants_email(values),
            )
            return activation_url(issued.token), invitation_emails.created_explanation(values)

        dialog.open_for_link(
            "Create",
            create,
            title="Invitation created",
            refresh=self.refresh,
        ).mark("create-invitation-submit")


# The distributor's invitations (``?status=…&q=…&page=…``).
invitations_page = list_page(
    "distributor",
    PATH,
    statuses=FILTER_OPTIONS,
    frame=lambda: distributor_frame("Invitations", PATH),
    view=InvitationsPage,
)


def invitation_title(detail: InvitationDetail) -> str:
    """The details page's title: the invitation, and whom it is for."""
    row = detail.row
    whom = row.reseller_name or row.company_name or row.invitee_email
    return f"Invitation {row.invitation_id}" + (f" for {whom}" if whom else "")


async def invitation_detail_page(invitation_id: str) -> RedirectResponse | None:
    """One invitation: its details, **Revoke** or **Reissue**, and its history in words."""
    actor = await require("distributor", f"{PATH}/{invitation_id}")
    if isinstance(actor, RedirectResponse):
        return actor
    try:
        detail = await act(distributor_invitations.invitation_detail, invitation_id)
    except NotFound:
        not_found_page(
            "Invitation not found",
            "There is no such invitation among yours.",
            back=("Back to invitations", PATH),
            frame=lambda title: distributor_frame(title, PATH),
        )
        return None
    with distributor_frame(invitation_title(detail), PATH):
        content = ui.column().classes("w-full gap-4")

    @signed_in_only
    async def show() -> None:
        nonlocal detail
        detail = await act(distributor_invitations.invitation_detail, invitation_id)
        content.clear()
        with content:
            _invitation_details(detail, show)

    with content:
        _invitation_details(detail, show)
    return None


def _invitation_details(detail: InvitationDetail, refresh: Refresh) -> None:
    row = detail.row
    with card():
        ui.link("← All invitations", PATH).classes("text-primary font-medium")
        Heading(invitation_title(detail))
        with ui.element("dl").classes("grid grid-cols-1 sm:grid-cols-[12rem_1fr] gap-x-4 gap-y-1 m-0"):
            for label, value in (
                ("Invitee email", row.invitee_email or "—"),
                ("Company name", row.company_name or "—"),
                ("Agreement version", str(row.agreement_version)),
                ("Created", format_time(row.created_at)),
                ("Expires", format_time(row.expires_at)),
                ("First opened", format_time(row.opened_at) if row.opened_at else "Not yet"),
                ("Reseller account", row.reseller_name or "—"),
                ("Contract", detail.contract_id),
                ("Reissued from", detail.reissued_from_id or "—"),
                ("Replaced by", row.replaced_by or "—"),
                ("Note to signee", detail.note_to_signee or "—"),
            ):
                with ui.element("dt").classes("text-slate-600"):
                    ui.label(label)
                with ui.element("dd").classes("text-slate-900 m-0 break-words whitespace-pre-line"):
                    ui.label(value)
            with ui.element("dt").classes("text-slate-600"):
                ui.label("Status")
            with ui.element("dd").classes("m-0"):
                status_badge(row)
        with ui.row().classes("gap-2"):
            invitation_actions(row, refresh, dense=False)
    invitation_emails.email_section(detail, refresh)
    with card():
        Heading("History", 2)
        table = ResponsiveTable(
            [Column("When", "nowrap"), Column("What happened"), Column("From", "nowrap")],
            caption="History of this invitation, oldest first",
        )
        for entry in detail.history:
            with table.row():
                table.cell(format_time(entry.at))
                with table.cell().mark("history-entry"):
                    ui.label(f"{entry.who} {entry.what}")
                    new_invitation = entry.details.get("new_invitation")
                    if isinstance(new_invitation, str):
                        ui.link("Open the new invitation", f"{PATH}/{new_invitation}").classes("text-primary")
                table.cell(entry.client_address or "—")

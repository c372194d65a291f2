"""``/distributor/invitations``: the distributor's invitations; ``/distributor/invitations/<id>``: one of them."""

from __future__ import annotations

from fastapi.responses import RedirectResponse
from nicegui import ui

from data.models import InvitationStatus
from services import agreements, distributor_invitations
from services.accounts import SignedInUser
from services.distributor_invitations import InvitationRow
from services.errors import AlreadyDone, DomainError, InvalidState, NotFound, ValidationFailed
from services.invitations import MAX_EXPIRY_DAYS
from services.requests import new_request_key
from ui.auth import act, require, signed_in_only
from ui.calls import respond_with
from ui.components import Table, confirm, format_time, modal, show_link_once
from ui.settings import activation_url
from ui.theme import Heading, card, distributor_frame

STATUS_LABELS = {
    InvitationStatus.PENDING: "Pending",
    InvitationStatus.IN_PROGRESS: "In progress",
    InvitationStatus.ACTIVATED: "Activated",
    InvitationStatus.EXPIRED: "Expired",
    InvitationStatus.REVOKED: "Revoked",
}
STATUS_CLASSES = {
    InvitationStatus.PENDING: "bg-blue-100 text-blue-900",
    InvitationStatus.IN_PROGRESS: "bg-amber-100 text-amber-900",
    InvitationStatus.ACTIVATED: "bg-green-100 text-green-900",
    InvitationStatus.EXPIRED: "bg-slate-200 text-slate-800",
    InvitationStatus.REVOKED: "bg-red-100 text-red-900",
}
HISTORY_LABELS = {
    "invitation.created": "Created",
    "invitation.opened": "Opened",
    "activation.step_saved": "Step saved",
    "invitation.activated": "Activated",
    "invitation.revoked": "Revoked",
    "invitation.reissued": "Reissued",
}


def whole_number(value: object) -> object:
    """A number field's value as a whole number when it is one; anything else goes to the service as it is,
    which refuses it with a field error (a browser can send any value)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def status_badge(status: InvitationStatus) -> None:
    badge = ui.label(STATUS_LABELS[status]).classes("inline-block rounded px-2 py-0.5 text-xs font-semibold")
    badge.classes(STATUS_CLASSES[status]).mark(f"status-{status.value}")


class InvitationsPage:
    """The table with its filter, search and pages, and the actions on each invitation."""

    def __init__(self, actor: SignedInUser) -> None:
        self.actor = actor
        self.status: str | None = None
        self.search = ""
        self.page = 1
        with ui.row().classes("w-full items-end gap-3 flex-wrap"):
            Heading("Invitations").classes("grow")
            ui.button("Create invitation", icon="add", on_click=self.open_create_dialog).mark("create-invitation")
        with ui.row().classes("w-full items-end gap-3 flex-wrap"):
            options = {"": "All statuses", **{status.value: label for status, label in STATUS_LABELS.items()}}
            ui.select(options, value="", label="Status", on_change=self._filter).props("outlined dense").classes(
                "w-48"
            ).mark("status-filter")
            self.search_input = (
                ui.input("Search", placeholder="email, company or ID")
                .props("outlined dense clearable type=search maxlength=200")
                .classes("w-72")
                .mark("search")
            )
            self.search_input.on("keydown.enter", self._search)
            self.search_input.on("clear", self._search)
            ui.button("Search", on_click=self._search).props("outline")
        self.results = ui.column().classes("w-full gap-2")
        self.results_error = ui.label("").classes("text-negative text-sm").props('role="alert"')
        self.results_error.visible = False

    async def _filter(self, event: object) -> None:
        self.status = getattr(event, "value", None) or None
        self.page = 1
        await self.refresh()

    async def _search(self) -> None:
        self.search = self.search_input.value or ""
        self.page = 1
        await self.refresh()

    async def _go(self, page: int) -> None:
        self.page = page
        await self.refresh()

    @signed_in_only
    async def refresh(self) -> None:
        """Load the current page of invitations and show it."""
        try:
            page = await act(
                distributor_invitations.list_invitations,
                status=self.status,
                search=self.search,
                page=self.page,
            )
        except ValidationFailed as failure:
            self.results_error.text = "; ".join(failure.errors.values())
            self.results_error.visible = True
            return
        self.results_error.visible = False
        self.results.clear()
        with self.results:
            if not page.rows:
                ui.label(
                    "No invitations match."
                    if (self.status or self.search)
                    else "No invitations yet. Create one to invite a reseller."
                ).classes("text-slate-700")
                return
            table = Table(
                ["Invitee", "Company", "Status", "Created", "Expires", "Reseller account", "Actions"],
                caption="Invitations, newest first",
            )
            for row in page.rows:
                self._row(table, row)
            first = (page.page - 1) * page.page_size + 1
            with ui.row().classes("w-full items-center justify-between gap-2"):
                ui.label(f"{first:,}–{first + len(page.rows) - 1:,} of {page.total:,}").classes("text-slate-700")
                with ui.row().classes("gap-1"):
                    previous = ui.button("Previous", on_click=lambda: self._go(page.page - 1)).props("outline")
                    previous.set_enabled(page.page > 1)
                    following = ui.button("Next page", on_click=lambda: self._go(page.page + 1)).props("outline")
                    following.set_enabled(page.page < page.pages)

    def _row(self, table: Table, row: InvitationRow) -> None:
        with table.row().mark(f"invitation-{row.invitation_id}"):
            table.cell(row.invitee_email or "—")
            table.cell(row.company_name or "—")
            with table.cell():
                status_badge(row.status)
            table.cell(format_time(row.created_at))
            table.cell(format_time(row.expires_at))
            table.cell(row.reseller_name or "—")
            with table.cell(), ui.row().classes("gap-1 no-wrap"):
                details = ui.link("Details", f"/distributor/invitations/{row.invitation_id}")
                details.classes("text-primary font-medium px-2 py-1")
                details.props["aria-label"] = f"Details of invitation {row.invitation_id}"
                if row.status in (InvitationStatus.PENDING, InvitationStatus.IN_PROGRESS):
                    revoke = ui.button("Revoke", on_click=lambda r=row: self.revoke(r)).props(
                        "flat dense color=negative"
                    )
                    revoke.props["aria-label"] = f"Revoke invitation {row.invitation_id}"
                    revoke.mark(f"revoke-{row.invitation_id}")
                if row.replaced_by:  # reissued: the new invitation is the one to follow (or reissue)
                    ui.link(f"Replaced by {row.replaced_by}", f"/distributor/invitations/{row.replaced_by}").classes(
                        "text-primary px-2 py-1"
                    ).mark(f"replaced-{row.invitation_id}")
                elif row.status in (InvitationStatus.EXPIRED, InvitationStatus.REVOKED):
                    reissue = ui.button("Reissue", on_click=lambda r=row: self.reissue(r)).props("flat dense")
                    reissue.props["aria-label"] = f"Reissue invitation {row.invitation_id}"
                    reissue.mark(f"reissue-{row.invitation_id}")

    @signed_in_only
    async def revoke(self, row: InvitationRow) -> None:
        """Revoke after confirmation; the link then shows the revoked page."""
        who = row.company_name or row.invitee_email or row.invitation_id
        if not await confirm(
            f"Revoke the invitation for {who}?",
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
        await self.refresh()

    @signed_in_only
    async def reissue(self, row: InvitationRow) -> None:
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
        await self.refresh()

    @signed_in_only
    async def open_create_dialog(self) -> None:
        """The **Create invitation** dialog."""
        summaries = await act(agreements.list_agreements)
        versions = {
            version.version_id: f"{summary.title}, version {version.version}{' (latest)' if version.is_active else ''}"
            for summary in summaries
            for version in summary.versions
        }
        latest = next((v.version_id for s in summaries for v in s.versions if v.is_active), None)
        request_key = new_request_key()  # one per opening: pressing Create twice issues one invitation
        with modal("Create invitation") as dialog, ui.card().classes("w-full max-w-xl gap-2"):
            ui.label("Create invitation").classes("text-lg font-semibold text-slate-900")
            email = (
                ui.input("Invitee email (optional)").props("outlined type=email").classes("w-full").mark("invite-email")
            )
            company = (
                ui.input("Company name (optional)")
                .props("outlined maxlength=200")
                .classes("w-full")
                .mark("invite-company")
            )
            note = (
                ui.textarea("Note to signee (optional)")
                .props("outlined maxlength=2000 autogrow")
                .classes("w-full")
                .mark("invite-note")
            )
            expiry = (
                ui.number("Expires in (days)", value=14, min=1, max=MAX_EXPIRY_DAYS, step=1, precision=0)
                .props("outlined")
                .classes("w-48")
                .mark("invite-expiry")
            )
            version = (
                ui.select(versions, value=latest, label="Agreement version")
                .props("outlined")
                .classes("w-full")
                .mark("invite-version")
            )
            fields = {
                "email": email,
                "company_name": company,
                "note_to_signee": note,
                "expires_in_days": expiry,
                "agreement_version_id": version,
            }

            @signed_in_only
            async def create() -> None:
                for field in fields.values():
                    field.error = None
                try:
                    issued = await act(
                        distributor_invitations.invite,
                        invitee_email=email.value,
                        company_name=company.value,
                        note_to_signee=note.value,
                        expires_in_days=whole_number(expiry.value),
                        agreement_version_id=version.value,
                        request_key=request_key,
                    )
                except AlreadyDone:  # an earlier press issued it (its link was shown then)
                    if not dialog.is_deleted:  # (after a double click, the first press closed it already)
                        await self.refresh()
                        dialog.close()
                    return
                except ValidationFailed as failure:
                    for name, message in failure.errors.items():
                        fields.get(name, email).error = message
                    return
                except DomainError as error:
                    ui.notify(error.message, type="warning")
                    return
                show_link_once(
                    "Invitation created",
                    activation_url(issued.token),
                    "Send this link to the reseller. It is shown only now: the portal keeps no copy.",
                )
                await self.refresh()
                dialog.close()  # last: closing deletes the dialog, and this handler with it

            with ui.row().classes("gap-2 justify-end w-full"):
                ui.button("Cancel", on_click=dialog.close).props("flat")
                ui.button("Create", on_click=create).mark("create-invitation-submit")
        dialog.open()


async def invitations_page() -> RedirectResponse | None:
    """The distributor's invitations."""
    actor = await require("distributor", "/distributor/invitations")
    if isinstance(actor, RedirectResponse):
        return actor
    with distributor_frame("Invitations", "/distributor/invitations"), card():
        page = InvitationsPage(actor)
    await page.refresh()
    return None


async def invitation_detail_page(invitation_id: str) -> RedirectResponse | None:
    """One invitation: its details and its history from the audit log."""
    actor = await require("distributor", f"/distributor/invitations/{invitation_id}")
    if isinstance(actor, RedirectResponse):
        return actor
    with distributor_frame("Invitation", "/distributor/invitations"):
        try:
            detail = await act(distributor_invitations.invitation_detail, invitation_id)
        except NotFound:
            respond_with(404)
            with card():
                Heading("Invitation not found")
                ui.label("There is no such invitation among yours.").classes("text-slate-700")
                ui.link("Back to invitations", "/distributor/invitations").classes("text-primary font-medium")
            return None
        row = detail.row
        with card():
            ui.link("← All invitations", "/distributor/invitations").classes("text-primary font-medium")
            Heading(f"Invitation {row.invitation_id}")
            with ui.element("dl").classes("grid grid-cols-1 sm:grid-cols-[12rem_1fr] gap-x-4 gap-y-1"):
                for label, value in (
                    ("Invitee email", row.invitee_email or "—"),
                    ("Company name", row.company_name or "—"),
                    ("Agreement version", str(row.agreement_version)),
                    ("Created", format_time(row.created_at)),
                    ("Expires", format_time(row.expires_at)),
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
                    status_badge(row.status)
        with card():
            Heading("History", 2)
            table = Table(["When", "What", "By", "From"], caption="History of this invitation")
            for entry in detail.history:
                with table.row():
                    table.cell(format_time(entry.at))
                    what = HISTORY_LABELS.get(entry.action, entry.action)
                    if "step" in entry.details:
                        what += f" (step {entry.details['step']})"
                    if "new_invitation" in entry.details:
                        what += f" as {entry.details['new_invitation']}"
                    table.cell(what).mark("history-entry")
                    table.cell(entry.actor)
                    table.cell(entry.client_address or "—")
    return None

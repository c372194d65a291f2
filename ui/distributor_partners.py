"""``/distributor/partners``: the distributor's resellers; ``/distributor/partners/<contract>``: one of them."""

from __future__ import annotations

from fastapi.responses import RedirectResponse
from nicegui import ui

from services import new_contracts, partners
from services.accounts import SignedInUser
from services.errors import AlreadyDone, DomainError, NotFound, ValidationFailed
from services.partners import PartnerStatus
from services.requests import new_request_key
from ui.auth import act, require, signed_in_only
from ui.calls import respond_with
from ui.components import Table, confirm, format_time, modal, show_link_once
from ui.settings import activation_url, set_password_url
from ui.theme import Heading, card, distributor_frame

PARTNER_LABELS = {PartnerStatus.INVITED: "Invited", PartnerStatus.ACTIVE: "Active", PartnerStatus.REMOVED: "Removed"}
PARTNER_CLASSES = {
    PartnerStatus.INVITED: "bg-blue-100 text-blue-900",
    PartnerStatus.ACTIVE: "bg-green-100 text-green-900",
    PartnerStatus.REMOVED: "bg-slate-200 text-slate-800",
}


def partner_badge(status: PartnerStatus) -> None:
    badge = ui.label(PARTNER_LABELS[status]).classes("inline-block rounded px-2 py-0.5 text-xs font-semibold")
    badge.classes(PARTNER_CLASSES[status]).mark(f"partner-{status.value}")


class PartnersPage:
    """The partners directory and the **Create reseller account** dialog."""

    def __init__(self, actor: SignedInUser) -> None:
        self.actor = actor
        with ui.row().classes("w-full items-end gap-3 flex-wrap"):
            Heading("Partners").classes("grow")
            ui.button("Create reseller account", icon="person_add", on_click=self.open_create_dialog).mark(
                "create-reseller"
            )
        ui.label("Resellers you invited or created, and resellers with a signed service contract.").classes(
            "text-slate-700"
        )
        self.results = ui.column().classes("w-full")

    @signed_in_only
    async def refresh(self) -> None:
        rows = await act(partners.list_partners)
        self.results.clear()
        with self.results:
            if not rows:
                ui.label("No partners yet.").classes("text-slate-700")
                return
            table = Table(["Company", "Status", "Contract", "Signed", "Representative"], caption="Partners")
            for row in rows:
                with table.row().mark(f"partner-row-{row.contract_id}"):
                    with table.cell():
                        ui.link(row.company_name, f"/distributor/partners/{row.contract_id}").classes(
                            "text-primary font-medium break-words"
                        )
                    with table.cell():
                        partner_badge(row.status)
                    table.cell(row.contract_id)
                    table.cell(format_time(row.signed_at) if row.signed_at else "—")
                    representative = " · ".join(x for x in (row.representative_name, row.representative_email) if x)
                    table.cell(representative or "—")

    @signed_in_only
    async def open_create_dialog(self) -> None:
        """Create a reseller account with its representative; show the one-time set-password link."""
        request_key = new_request_key()  # one per opening: pressing Create twice creates one account
        with modal("Create reseller account") as dialog, ui.card().classes("w-full max-w-xl gap-2"):
            ui.label("Create reseller account").classes("text-lg font-semibold text-slate-900")
            legal_name = (
                ui.input("Company legal name")
                .props('outlined maxlength=200 hint="With its legal entity type, for example Acme Inc."')
                .classes("w-full")
                .mark("reseller-name")
            )
            full_name = (
                ui.input("Representative's full name")
                .props("outlined maxlength=200")
                .classes("w-full")
                .mark("representative-name")
            )
            email = (
                ui.input("Representative's email")
                .props("outlined type=email")
                .classes("w-full")
                .mark("representative-email")
            )
            fields = {"company_name": legal_name, "full_name": full_name, "email": email}

            @signed_in_only
            async def create() -> None:
                for field in fields.values():
                    field.error = None
                try:
                    created = await act(
                        partners.create_reseller_account,
                        legal_name=legal_name.value,
                        representative_name=full_name.value,
                        representative_email=email.value,
                        request_key=request_key,
                    )
                except AlreadyDone:  # an earlier press created it (its link was shown then)
                    if not dialog.is_deleted:  # (after a double click, the first press closed it already)
                        await self.refresh()
                        dialog.close()
                    return
                except ValidationFailed as failure:
                    for name, message in failure.errors.items():
                        fields.get(name, legal_name).error = message
                    return
                except DomainError as error:
                    ui.notify(error.message, type="warning")
                    return
                show_link_once(
                    "Reseller account created",
                    set_password_url(created.token),
                    "Hand this one-time link to the representative: they set a password, accept the "
                    "service agreement and are signed in. It is shown only now.",
                )
                await self.refresh()
                dialog.close()  # last: closing deletes the dialog, and this handler with it

            with ui.row().classes("gap-2 justify-end w-full"):
                ui.button("Cancel", on_click=dialog.close).props("flat")
                ui.button("Create", on_click=create).mark("create-reseller-submit")
        dialog.open()


async def partners_page() -> RedirectResponse | None:
    """The partners directory."""
    actor = await require("distributor", "/distributor/partners")
    if isinstance(actor, RedirectResponse):
        return actor
    with distributor_frame("Partners", "/distributor/partners"), card():
        page = PartnersPage(actor)
    await page.refresh()
    return None


async def partner_detail_page(contract_id: str) -> RedirectResponse | None:
    """A partner: its contract and the evidence recorded at signing; terminate an active contract."""
    actor = await require("distributor", f"/distributor/partners/{contract_id}")
    if isinstance(actor, RedirectResponse):
        return actor
    with distributor_frame("Partner", "/distributor/partners"):
        content = ui.column().classes("w-full gap-4")

    @signed_in_only
    async def show() -> None:
        content.clear()
        with content:
            try:
                detail = await act(partners.partner_detail, contract_id)
            except NotFound:
                respond_with(404)
                with card():
                    Heading("Partner not found")
                    ui.label("There is no such partner among yours.").classes("text-slate-700")
                    ui.link("Back to partners", "/distributor/partners").classes("text-primary font-medium")
                return
            row = detail.row
            with card():
                ui.link("← All partners", "/distributor/partners").classes("text-primary font-medium")
                Heading(row.company_name)
                partner_badge(row.status)
                facts = [
                    ("Contract", row.contract_id),
                    ("Contract status", detail.contract_status.value.capitalize()),
                    ("Agreement", f"{detail.agreement_title}, version {detail.agreement_version}"),
                    ("Signed at", format_time(row.signed_at) if row.signed_at else "—"),
                    ("Representative", row.representative_name or "—"),
                    ("Representative email", row.representative_email or "—"),
                    ("Note to signee", detail.note_to_signee or "—"),
                ]
                if detail.terminated_at:
                    facts.append(("Terminated at", format_time(detail.terminated_at)))
                _facts(facts)
                if row.status == PartnerStatus.ACTIVE:
                    ui.button("Terminate contract", on_click=lambda: terminate(row.company_name)).props(
                        "outline color=negative"
                    ).classes("self-start").mark("terminate")
                if row.status == PartnerStatus.REMOVED and detail.next_contract is not None:
                    following = detail.next_contract
                    with ui.row().classes("items-center gap-2"):
                        ui.label(f"New contract ({PARTNER_LABELS[following.status].lower()}):").classes(
                            "text-slate-700"
                        )
                        ui.link(following.contract_id, f"/distributor/partners/{following.contract_id}").classes(
                            "text-primary font-medium"
                        ).mark("next-contract")
                elif row.status == PartnerStatus.REMOVED:
                    request_key = new_request_key()  # one per showing: a double click offers once
                    ui.button("Offer a new contract", on_click=lambda: offer(row.company_name, request_key)).classes(
                        "self-start"
                    ).mark("offer-new-contract")
                if row.removable:
                    ui.button("Remove reseller account", on_click=lambda: remove(row.company_name)).props(
                        "outline color=negative"
                    ).classes("self-start").mark("remove-partner")
            if row.signed_at:
                with card():
                    Heading("Evidence recorded at signing", 2)
                    _facts(
                        [
                            ("Agreement text SHA-256", detail.evidence_text_sha256 or "—"),
                            ("Signee email", detail.evidence_email or "—"),
                            ("Signee name", detail.evidence_name or "—"),
                            ("Accepted at", format_time(detail.evidence_accepted_at)),
                            ("Client address", detail.evidence_client_address or "—"),
                            ("User agent", detail.evidence_user_agent or "—"),
                        ]
                    )

    @signed_in_only
    async def offer(company: str, request_key: str) -> None:
        try:
            issued = await act(new_contracts.offer_new_contract, contract_id, request_key=request_key)
        except AlreadyDone:
            await show()
            return
        except DomainError as error:
            ui.notify(error.message, type="warning")
            await show()
            return
        show_link_once(
            "New contract offered",
            activation_url(issued.token),
            f"Send this link to {company}. One of its users signs in, reviews the current agreement version and "
            "signs; the old contract stays terminated. The link is shown only now.",
        )
        await show()

    @signed_in_only
    async def terminate(company: str) -> None:
        if not await confirm(
            f"Terminate the contract with {company}?",
            "Its users can no longer use reseller features. The contract stays on record.",
            "Terminate",
        ):
            return
        try:
            await act(partners.terminate_contract, contract_id)
        except DomainError as error:
            ui.notify(error.message, type="warning")
        else:
            ui.notify("Contract terminated", type="positive")
        await show()

    @signed_in_only
    async def remove(company: str) -> None:
        if not await confirm(
            f"Remove the reseller account of {company}?",
            "Its set-password link stops working at once, and the representative's email can be used again.",
            "Remove",
        ):
            return
        try:
            await act(partners.remove_reseller_account, contract_id)
        except DomainError as error:
            ui.notify(error.message, type="warning")
            await show()
            return
        ui.notify("Reseller account removed", type="positive")
        ui.navigate.to("/distributor/partners")

    await show()
    return None


def _facts(facts: list[tuple[str, str]]) -> None:
    with ui.element("dl").classes("grid grid-cols-1 sm:grid-cols-[14rem_1fr] gap-x-4 gap-y-1 w-full"):
        for label, value in facts:
            with ui.element("dt").classes("text-slate-600"):
                ui.label(label)
            with ui.element("dd").classes("text-slate-900 m-0 break-all whitespace-pre-line"):
                ui.label(value)

"""``/distributor/partners``: the distributor's resellers; ``/distributor/partners/<contract>``: one of them."""

from __future__ import annotations

from fastapi.responses import RedirectResponse
from nicegui import ui

from services.actors import SignedInUser
from services.distributor import new_contracts, partners
from services.distributor.partners import PartnerAction, PartnerRow, PartnerStatus
from services.errors import AlreadyDone, DomainError, NotFound
from services.listing import Page
from services.requests import new_request_key
from ui.auth import act, require, signed_in_only
from ui.components.actions import action_button
from ui.components.dialogs import Dialog, confirm, show_link_once
from ui.components.focus import announce
from ui.components.tables import Column, ListState, ListView, ResponsiveTable
from ui.distributor import partner_emails
from ui.pages import list_page
from ui.settings import activation_url, invitation_days, set_password_url
from ui.theme import Heading, card, distributor_frame, fact_list, format_time, not_found_page

PATH = "/distributor/partners"
PARTNER_LABELS = {PartnerStatus.INVITED: "Invited", PartnerStatus.ACTIVE: "Active", PartnerStatus.REMOVED: "Removed"}
FILTER_OPTIONS = {status.value: label for status, label in PARTNER_LABELS.items()}
PARTNER_CLASSES = {
    PartnerStatus.INVITED: "bg-blue-100 text-blue-900",
    PartnerStatus.ACTIVE: "bg-green-100 text-green-900",
    PartnerStatus.REMOVED: "bg-slate-200 text-slate-800",
}


def partner_badge(status: PartnerStatus) -> None:
    badge = ui.label(PARTNER_LABELS[status]).classes("inline-block rounded px-2 py-0.5 text-xs font-semibold")
    badge.classes(PARTNER_CLASSES[status]).mark(f"partner-{status.value}")


class PartnersPage:
    """The partners directory with its filter, search and pages (all three in the URL), and the **Create reseller
    account** dialog."""

    def __init__(self, actor: SignedInUser, state: ListState) -> None:
        self.actor = actor
        with ui.row().classes("w-full items-end gap-3 flex-wrap"):
            Heading("Partners").classes("grow")
            action_button("Create reseller account", self.open_create_dialog, icon="person_add").mark("create-reseller")
        ui.label("Resellers you invited or created, and resellers with a signed service contract.").classes(
            "text-slate-700"
        )
        self.list = ListView(
            state,
            load=self._load,
            columns=[
                Column("Company"),
                Column("Status", "nowrap"),
                Column("Contract", "nowrap"),
                Column("Signed", "nowrap"),
                Column("Representative"),
            ],
            caption="Partners, newest first",
            show_row=self._row,
            empty="No partners yet.",
            no_match="No partners match.",
            search_hint="Part of a company's or representative's name, an email or a contract ID",
        )
        self.refresh = self.list.refresh

    @signed_in_only
    async def _load(self, state: ListState) -> Page[PartnerRow]:
        return await act(partners.find_partners, status=state.status or None, search=state.search, page=state.page)

    @staticmethod
    def _row(table: ResponsiveTable, row: PartnerRow) -> None:
        with table.row(key=row.contract_id).mark(f"partner-row-{row.contract_id}"):
            with table.cell():
                ui.link(row.company_name, f"{PATH}/{row.contract_id}").classes("text-primary font-medium")
            with table.cell():
                partner_badge(row.status)
            table.cell(row.contract_id if row.signed_at else "Not signed yet")  # a link out is not a contract
            table.cell(format_time(row.signed_at) if row.signed_at else "—")
            representative = " · ".join(x for x in (row.representative_name, row.representative_email) if x)
            table.cell(representative or "—")

    @signed_in_only
    async def open_create_dialog(self) -> None:
        """Create a reseller account with its representative; show the one-time set-password link."""
        dialog = Dialog("Create reseller account")
        form = dialog.form
        with dialog:
            ui.label(
                "The reseller's representative gets a one-time link to set a password and accept the service agreement."
            ).classes("text-slate-700")
            form.text(
                "company_name", "Reseller's legal name", hint="With its legal entity type, for example Acme Inc."
            ).mark("reseller-name")
            form.text("full_name", "Representative's full name", autocomplete="off").mark("representative-name")
            form.text("email", "Representative's email", input_type="email", autocomplete="off").mark(
                "representative-email"
            )
            partner_emails.send_by_email_box(form)

        @signed_in_only
        async def create() -> tuple[str, str]:
            values = form.values()
            created = await act(
                partners.create_reseller_account,
                legal_name=values["company_name"],
                representative_name=values["full_name"],
                representative_email=values["email"],
                expires_in_days=invitation_days(),
                request_key=dialog.request_key,
                send_email=bool(values["send_email"]),
            )
            return set_password_url(created.token), partner_emails.created_explanation(values)

        dialog.open_for_link(
            "Create",
            create,
            title="Reseller account created",
            refresh=self.refresh,
        ).mark("create-reseller-submit")


# The partners directory (``?status=…&q=…&page=…``).
partners_page = list_page(
    "distributor",
    PATH,
    statuses=FILTER_OPTIONS,
    frame=lambda: distributor_frame("Partners", PATH),
    view=PartnersPage,
)


async def partner_detail_page(contract_id: str) -> RedirectResponse | None:
    """A partner: its contract and the evidence recorded at signing; terminate an active contract."""
    actor = await require("distributor", f"{PATH}/{contract_id}")
    if isinstance(actor, RedirectResponse):
        return actor
    try:
        detail = await act(partners.partner_detail, contract_id)
    except NotFound:
        not_found_page(
            "Partner not found",
            "There is no such partner among yours.",
            back=("Back to partners", PATH),
            frame=lambda title: distributor_frame(title, PATH),
        )
        return None
    with distributor_frame(f"{detail.row.company_name} · Partner", PATH):
        content = ui.column().classes("w-full gap-4")

    @signed_in_only
    async def show() -> None:
        try:
            detail = await act(partners.partner_detail, contract_id)
        except NotFound:
            ui.navigate.to(PATH)
            return
        commerce = await act(partners.partner_commerce, contract_id)
        content.clear()
        with content:
            _partner_details(detail, commerce)
            await partner_emails.email_section(contract_id)

    def _partner_details(detail: partners.PartnerDetail, commerce: partners.PartnerCommerce) -> None:
        row = detail.row
        with card():
            ui.link("← All partners", PATH).classes("text-primary font-medium")
            Heading(row.company_name)
            partner_badge(row.status)
            facts = [
                ("Contract", row.contract_id if row.signed_at else "Not signed yet"),
                ("Contract status", detail.contract_status.value.capitalize()),
                ("Agreement", f"{detail.agreement_title}, version {detail.agreement_version}"),
                ("Signed at", format_time(row.signed_at) if row.signed_at else "—"),
                ("Representative", row.representative_name or "—"),
                ("Representative email", row.representative_email or "—"),
                ("Note to signee", detail.note_to_signee or "—"),
            ]
            if detail.terminated_at:
                facts.append(("Terminated at", format_time(detail.terminated_at)))
                facts.append(("Reason for termination", detail.termination_reason or "—"))
            fact_list(facts, labels="wide")
            if PartnerAction.TERMINATE_CONTRACT in detail.allowed_actions:
                action_button(
                    "Terminate contract", lambda: terminate(row.company_name), kind="danger-secondary"
                ).classes("self-start").mark("terminate")
                partner_emails.reset_link_button(row.contract_id, row.company_name)
            if detail.next_contract is not None:
                following = detail.next_contract
                with ui.row().classes("items-center gap-2"):
                    ui.label(f"New contract ({PARTNER_LABELS[following.status].lower()}):").classes("text-slate-700")
                    ui.link(following.contract_id, f"{PATH}/{following.contract_id}").classes(
                        "text-primary font-medium"
                    ).mark("next-contract")
            if PartnerAction.OFFER_NEW_CONTRACT in detail.allowed_actions:
                request_key = new_request_key()  # one per showing: a retry offers once
                action_button(
                    "Offer a new contract", lambda: offer(row.company_name, request_key), kind="secondary"
                ).classes("self-start").mark("offer-new-contract")
            if PartnerAction.REMOVE_ACCOUNT in detail.allowed_actions:
                action_button(
                    "Remove reseller account", lambda: remove(row.company_name), kind="danger-secondary"
                ).classes("self-start").mark("remove-partner")
        if row.signed_at:
            with card():
                Heading("Evidence recorded at signing", 2)
                fact_list(
                    [
                        ("Agreement text SHA-256", detail.evidence_text_sha256 or "—"),
                        ("Signee email", detail.evidence_email or "—"),
                        ("Signee name", detail.evidence_name or "—"),
                        ("Accepted at", format_time(detail.evidence_accepted_at)),
                        ("Client address", detail.evidence_client_address or "—"),
                        ("User agent", detail.evidence_user_agent or "—"),
                    ],
                    labels="wide",
                )

        if row.reseller_account_id is not None:
            with card():
                partner_commerce(commerce)

    @signed_in_only
    async def offer(company: str, request_key: str) -> None:
        try:
            issued = await act(
                new_contracts.offer_new_contract,
                contract_id,
                expires_in_days=invitation_days(),
                request_key=request_key,
            )
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
        dialog = Dialog(f"Terminate the contract with {company}?", alert=True)
        with dialog:
            ui.label(
                "Its users can no longer use reseller features: they see only the termination date and this reason. "
                "The contract stays on record."
            ).classes("text-slate-700")
            dialog.form.textarea(
                "reason", "Reason for termination", hint="Shown to the reseller. Plain text, at most 500 characters."
            ).mark("termination-reason")

        @signed_in_only
        async def end() -> None:
            await act(partners.terminate_contract, contract_id, reason=dialog.form.values()["reason"])
            dialog.close()
            ui.notify("Contract terminated", type="positive")
            announce("Contract terminated")
            await show()

        dialog.cancel_button()
        dialog.submit_button("Terminate", end, kind="danger")
        dialog.open()

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
        ui.navigate.to(PATH)

    commerce = await act(partners.partner_commerce, contract_id)
    with content:
        _partner_details(detail, commerce)
        await partner_emails.email_section(contract_id)
    return None


def partner_commerce(commerce: partners.PartnerCommerce) -> None:
    """A partner's hubs and marketplaces, read-only."""
    Heading("Hubs and marketplaces", 2)
    if not commerce.hubs and not commerce.marketplaces:
        ui.label("No hubs or marketplaces yet.").classes("text-slate-700").mark("no-commerce")
        return
    Heading("Hubs", 3)
    hubs = ResponsiveTable(
        [Column("Hub"), Column("Type", "nowrap"), Column("Instance ID"), Column("Marketplaces")], caption="Hubs"
    )
    for hub in commerce.hubs:
        with hubs.row():
            hubs.cell(f"{hub.name} ({hub.hub_id})")
            hubs.cell(hub.type_label)
            hubs.cell(hub.instance_id)
            hubs.cell(", ".join(hub.marketplaces) or "None")
    Heading("Marketplaces", 3)
    marketplaces = ResponsiveTable(
        [Column("Marketplace"), Column("Currency", "nowrap"), Column("Countries"), Column("Hubs")],
        caption="Marketplaces",
    )
    for marketplace in commerce.marketplaces:
        with marketplaces.row():
            marketplaces.cell(f"{marketplace.name} ({marketplace.marketplace_id})")
            marketplaces.cell(marketplace.currency)
            marketplaces.cell(marketplace.countries_summary)
            marketplaces.cell(", ".join(f"{hub.hub_name} ({hub.external_id})" for hub in marketplace.hubs))

"""``/distributor/contracts``: the resellers' enrolments (syndication contracts), pending ones first: **Approve**
(the product is listed), **Reject** (with a reason the reseller sees), **Terminate** (the listing is unlisted)."""

from __future__ import annotations

from functools import partial

from nicegui import ui

from services.actors import SignedInUser
from services.distributor import syndication
from services.distributor.syndication import STATUS_LABELS, SyndicationContractStatus, SyndicationRow
from services.errors import DomainError
from services.listing import Page
from ui.auth import act, signed_in_only
from ui.components.actions import action_button
from ui.components.dialogs import Dialog, confirm
from ui.components.focus import announce
from ui.components.tables import Column, ListState, ListView, ResponsiveTable
from ui.pages import list_page
from ui.theme import Heading, distributor_frame, format_time

PATH = "/distributor/contracts"
FILTER_OPTIONS = {status.value: label for status, label in STATUS_LABELS.items()}
STATUS_CLASSES = {
    SyndicationContractStatus.PENDING: "bg-blue-100 text-blue-900",
    SyndicationContractStatus.ACTIVE: "bg-green-100 text-green-900",
    SyndicationContractStatus.REJECTED: "bg-red-100 text-red-900",
    SyndicationContractStatus.TERMINATED: "bg-amber-100 text-amber-900",
}


class ContractsPage:
    """The syndication contracts with their filter, search and pages (all three in the URL) and their decisions."""

    def __init__(self, actor: SignedInUser, state: ListState) -> None:
        self.actor = actor
        Heading("Contracts")
        ui.label(
            "Resellers' enrolments in your products (syndication contracts), pending ones first. Approving lists "
            "the product on the reseller's marketplace; a rejection's reason is shown to the reseller."
        ).classes("text-slate-700")
        self.list = ListView(
            state,
            load=self._load,
            columns=[
                Column("Reseller"),
                Column("Product"),
                Column("Marketplace"),
                Column("Contract", "nowrap"),
                Column("Requested", "nowrap"),
                Column("Status"),
                Column("Actions", "actions"),
            ],
            caption="Syndication contracts, pending first, newest first",
            show_row=self._row,
            empty="No enrolments yet. Resellers enroll in your published products from their catalog.",
            no_match="No contracts match.",
            search_hint="Part of a reseller's, product's or marketplace's name, or a contract ID",
        )
        self.refresh = self.list.refresh

    @signed_in_only
    async def _load(self, state: ListState) -> Page[SyndicationRow]:
        return await act(
            syndication.find_syndication_contracts, status=state.status or None, search=state.search, page=state.page
        )

    def _row(self, table: ResponsiveTable, row: SyndicationRow) -> None:
        with table.row(key=row.contract_id).mark(f"contract-row-{row.contract_id}"):
            table.cell(row.reseller_name)
            with table.cell():
                ui.link(row.product_name, f"/distributor/products/{row.product_id}").classes("text-primary font-medium")
            table.cell(f"{row.marketplace_name} ({row.currency})")
            table.cell(row.contract_id)
            table.cell(format_time(row.requested_at))
            with table.cell():
                label = ui.label(row.status_label).classes("inline-block rounded px-2 py-0.5 text-xs font-semibold")
                label.classes(STATUS_CLASSES[row.status])
                if row.listing_id:
                    ui.label(f"Listing {row.listing_id}").classes("text-slate-700")
                if row.rejection_reason:
                    ui.label(f"Reason: {row.rejection_reason}").classes("text-slate-700 whitespace-pre-line")
            with table.cell():
                what = f"{row.product_name} for {row.reseller_name} on {row.marketplace_name}"
                if "approve" in row.allowed_actions:
                    action_button("Approve", partial(self.approve, row), kind="flat", label=f"Approve {what}").mark(
                        "approve"
                    )
                if "reject" in row.allowed_actions:
                    action_button(
                        "Reject", partial(self.open_reject_dialog, row), kind="danger-flat", label=f"Reject {what}"
                    ).mark("reject")
                if "terminate" in row.allowed_actions:
                    action_button(
                        "Terminate", partial(self.terminate, row), kind="danger-flat", label=f"Terminate {what}"
                    ).mark("terminate")

    async def _decided(self, action: object, done: str, *args: object, **kwargs: object) -> None:
        try:
            await act(action, *args, **kwargs)  # type: ignore[arg-type]
        except DomainError as error:  # decided meanwhile (another tab): said, and the list shows what is now
            ui.notify(error.message, type="warning", multi_line=True)
            announce(error.message)
        else:
            ui.notify(done, type="positive")
            announce(done)
        await self.refresh()

    @signed_in_only
    async def approve(self, row: SyndicationRow) -> None:
        await self._decided(
            syndication.approve,
            f"Approved: {row.product_name} is listed on {row.marketplace_name}",
            row.contract_id,
        )

    @signed_in_only
    async def terminate(self, row: SyndicationRow) -> None:
        if not await confirm(
            f"Terminate the contract for {row.product_name} on {row.marketplace_name}?",
            f"The product is unlisted from {row.reseller_name}'s marketplace; subscriptions made meanwhile keep "
            "running, and no new ones can be made.",
            "Terminate",
        ):
            return
        await self._decided(syndication.terminate, "Contract terminated: the listing is unlisted", row.contract_id)

    @signed_in_only
    async def open_reject_dialog(self, row: SyndicationRow) -> None:
        dialog = Dialog(f"Reject {row.product_name} for {row.reseller_name}")
        with dialog:
            ui.label(f"{row.reseller_name} enrolled {row.product_name} on {row.marketplace_name}.").classes(
                "text-slate-700"
            )
            dialog.form.textarea("reason", "Reason", hint="Shown to the reseller.").mark("reject-reason")

        @signed_in_only
        async def reject() -> None:
            await act(syndication.reject, row.contract_id, reason=dialog.form.values()["reason"])
            dialog.close()
            ui.notify("Rejected", type="positive")
            announce(f"Rejected: {row.product_name} for {row.reseller_name}")
            await self.refresh()

        dialog.cancel_button()
        dialog.submit_button("Reject", reject, kind="danger").mark("reject-submit")
        dialog.open()


# The syndication contracts (``?status=…&q=…&page=…``).
contracts_page = list_page(
    "distributor",
    PATH,
    statuses=FILTER_OPTIONS,
    frame=lambda: distributor_frame("Contracts", PATH),
    view=ContractsPage,
)

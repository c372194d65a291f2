"""``/distributor/fulfilment``: the queue of the distributor's resellers' requests (status and type filters, search
and pages in the URL, oldest first, **Export CSV**); ``/distributor/fulfilment/<request>``: one request with its
subscription and items, and **Approve**, **Inquire**, **Fail** as the request allows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import partial
from urllib.parse import urlencode

from fastapi.responses import RedirectResponse
from nicegui import ui

from services import fulfilment as rules
from services.actors import SignedInUser
from services.distributor import fulfilment
from services.distributor.fulfilment import QueueRow, RequestDetail
from services.errors import DomainError, NotFound
from services.listing import Page
from ui.auth import act, require, signed_in_only
from ui.components.actions import action_button
from ui.components.dialogs import Dialog
from ui.components.fields import SelectField
from ui.components.focus import announce
from ui.components.tables import Column, ListState, ListView, ResponsiveTable
from ui.theme import Heading, card, distributor_frame, fact_list, format_time, not_found_page

PATH = "/distributor/fulfilment"
STATUS_FILTER = {status.value: label for status, label in rules.REQUEST_STATUS_LABELS.items()}
TYPE_FILTER = {kind.value: label for kind, label in rules.REQUEST_TYPE_LABELS.items()}
STATUS_CLASSES = {
    "pending": "bg-blue-100 text-blue-900",
    "inquiring": "bg-amber-100 text-amber-900",
    "approved": "bg-green-100 text-green-900",
    "failed": "bg-red-100 text-red-900",
}


def request_badge(status: str, label: str) -> None:
    badge = ui.label(label).classes("inline-block rounded px-2 py-0.5 text-xs font-semibold")
    badge.classes(STATUS_CLASSES[status]).mark(f"request-{status}")


def money(amount: Decimal, currency: str) -> str:
    return f"{amount:,.2f} {currency}"


@dataclass
class QueueState(ListState):
    """The queue's state: the list's, and the request type, in the URL as ``?type=…``."""

    kind: str = ""

    @property
    def filtered(self) -> bool:
        return bool(self.status or self.search or self.kind)

    def url(self) -> str:
        base = super().url()
        if not self.kind:
            return base
        return f"{base}{'&' if '?' in base else '?'}{urlencode({'type': self.kind})}"


class QueuePage:
    """The queue with its filters, pages and **Export CSV**."""

    def __init__(self, actor: SignedInUser, state: QueueState) -> None:
        self.actor = actor
        self.state = state
        with ui.row().classes("w-full items-end gap-3 flex-wrap"):
            Heading("Fulfilment").classes("grow")
            action_button("Export CSV", self.export, kind="secondary", icon="download").mark("export-requests")
        ui.label(
            "Your resellers' requests about their customers' subscriptions, oldest first: approve, ask a question, "
            "or fail each one."
        ).classes("text-slate-700")
        self.type = SelectField("Type", {"": "All types", **TYPE_FILTER}, value=state.kind).mark("type-filter")
        self.type.wrapper.classes("sm:w-56")
        self.type.props("dense")
        self.type.on_value_change(self._type_changed)
        self.list = ListView(
            state,
            load=self._load,
            columns=[
                Column("Request", "nowrap"),
                Column("Type", "nowrap"),
                Column("Status", "nowrap"),
                Column("Customer"),
                Column("Reseller"),
                Column("Created", "nowrap"),
            ],
            caption="Requests, oldest first",
            show_row=self._row,
            empty="No requests yet.",
            no_match="No requests match.",
            search_hint="A whole request or subscription ID, or part of a customer's or reseller's name",
        )
        self.refresh = self.list.refresh

    async def _type_changed(self, event: object) -> None:
        self.state.kind = getattr(event, "value", "") or ""
        self.state.page = 1
        self.state.remember()
        await self.refresh()

    @signed_in_only
    async def _load(self, state: ListState) -> Page[QueueRow]:
        return await act(
            fulfilment.find_requests,
            status=state.status or None,
            type=self.state.kind or None,
            search=state.search,
            page=state.page,
        )

    @staticmethod
    def _row(table: ResponsiveTable, row: QueueRow) -> None:
        with table.row(key=row.request_id).mark(f"request-row-{row.request_id}"):
            with table.cell():
                ui.link(row.request_id, f"{PATH}/{row.request_id}").classes("text-primary font-medium")
            table.cell(row.type_label)
            with table.cell():
                request_badge(row.status.value, row.status_label)
            table.cell(row.customer_name)
            table.cell(row.reseller_name)
            table.cell(format_time(row.created_at))

    @signed_in_only
    async def export(self) -> None:
        try:
            content = await act(
                fulfilment.export_requests,
                status=self.state.status or None,
                type=self.state.kind or None,
                search=self.state.search,
            )
        except DomainError as error:
            ui.notify(error.message, type="warning")
            return
        name = f"requests-{date.today().isoformat()}.csv"
        ui.download.content(content.encode("utf-8"), name, "text/csv; charset=utf-8")
        announce("Requests exported")


async def fulfilment_page(
    page: str | None = None, status: str | None = None, q: str | None = None, type: str | None = None
):
    """The queue (``?status=…&type=…&q=…&page=…``)."""
    actor = await require("distributor", PATH)
    if isinstance(actor, RedirectResponse):
        return actor
    parsed = ListState.parse(PATH, page, status, q, statuses=STATUS_FILTER)
    state = QueueState(
        path=PATH,
        page=parsed.page,
        status=parsed.status,
        search=parsed.search,
        statuses=STATUS_FILTER,
        kind=type if isinstance(type, str) and type in TYPE_FILTER else "",
    )
    with distributor_frame("Fulfilment", PATH), card():
        view = QueuePage(actor, state)
    await view.refresh()
    return None


DECISIONS = {
    "approve": ("Approve", "Approve request {id}", "message", "Message to the reseller (optional)", "primary"),
    "inquire": ("Inquire", "Ask about request {id}", "question", "Question for the reseller", "primary"),
    "fail": ("Fail", "Fail request {id}", "reason", "Reason (the reseller sees it)", "danger"),
}


async def request_page(request_id: str) -> RedirectResponse | None:
    """One request: its subscription, items (a change's old and new quantities), the conversation, and the
    decisions it allows."""
    actor = await require("distributor", f"{PATH}/{request_id}")
    if isinstance(actor, RedirectResponse):
        return actor
    try:
        detail = await act(fulfilment.request_detail, request_id)
    except NotFound:
        not_found_page(
            "Request not found",
            "There is no such request among your resellers'.",
            back=("Back to fulfilment", PATH),
            frame=lambda title: distributor_frame(title, PATH),
        )
        return None
    with distributor_frame(f"Request {detail.row.request_id} · Fulfilment", PATH):
        content = ui.column().classes("w-full gap-4")

    @signed_in_only
    async def show() -> None:
        try:
            fresh = await act(fulfilment.request_detail, request_id)
        except NotFound:
            ui.navigate.to(PATH)
            return
        content.clear()
        with content:
            build(fresh)

    @signed_in_only
    async def decide(move: str) -> None:
        button, title, field, label, kind = DECISIONS[move]
        dialog = Dialog(title.format(id=request_id))
        with dialog:
            dialog.form.textarea(field, label).mark(f"decision-{field}")

        @signed_in_only
        async def submit() -> None:
            text = dialog.form.values()[field]
            calls: dict[str, Callable[..., object]] = {
                "approve": fulfilment.approve_request,
                "inquire": fulfilment.inquire_request,
                "fail": fulfilment.fail_request,
            }
            call = calls[move]
            await act(call, request_id, **{field: text}, request_key=dialog.request_key)
            dialog.close()
            announce({"approve": "Request approved", "inquire": "Question sent", "fail": "Request failed"}[move])
            await show()

        dialog.cancel_button()
        dialog.submit_button(button, submit, kind=kind, done_already=show).mark(f"decision-{move}-submit")
        dialog.open()

    def build(current: RequestDetail) -> None:
        row = current.row
        with card():
            ui.link("← All requests", PATH).classes("text-primary font-medium")
            Heading(f"{row.type_label} request {row.request_id}").mark("request-heading")
            request_badge(row.status.value, row.status_label)
            if row.allowed_actions:
                with ui.row().classes("gap-2 flex-wrap"):
                    for move in row.allowed_actions:
                        action_button(
                            DECISIONS[move][0],
                            partial(decide, move),
                            kind="primary" if move == "approve" else "secondary",
                        ).mark(f"decide-{move}")
            fact_list(
                [
                    ("Reseller", row.reseller_name),
                    ("Customer", row.customer_name),
                    ("Subscription", f"{row.subscription_id} ({row.subscription_status_label})"),
                    ("Product", row.product_name),
                    ("Marketplace", current.marketplace_name),
                    ("Billing period", current.billing_period.replace("_", "-").capitalize()),
                    ("Cost per period", money(current.cost_total, current.currency)),
                    ("MSRP per period", money(current.msrp_total, current.currency)),
                    ("Created", format_time(row.created_at)),
                ]
            )
        conversation = [
            ("Question", current.question),
            ("Reseller's answer", current.answer),
            ("Message to the reseller", current.message),
            ("Reason for failing", current.reason),
        ]
        if any(text for _, text in conversation):
            with card():
                Heading("Conversation", 2)
                fact_list([(label, text) for label, text in conversation if text])
        with card():
            Heading("Items", 2)
            is_change = any(line.new_quantity is not None for line in current.lines)
            columns = [Column("Item", "nowrap"), Column("Quantity", "nowrap")]
            if is_change:
                columns += [Column("Old quantity", "nowrap"), Column("New quantity", "nowrap")]
            columns += [Column("Cost per unit", "nowrap"), Column("MSRP per unit", "nowrap")]
            table = ResponsiveTable(columns, caption=f"Items of subscription {row.subscription_id}")
            for line in current.lines:
                with table.row(key=line.item_id).mark(f"request-item-{line.item_id}"):
                    table.cell(line.name)
                    table.cell(str(line.quantity))
                    if is_change:
                        table.cell("—" if line.old_quantity is None else str(line.old_quantity))
                        table.cell("—" if line.new_quantity is None else str(line.new_quantity))
                    table.cell(money(line.unit_cost, current.currency))
                    table.cell(money(line.unit_msrp, current.currency))

    with content:
        build(detail)
    return None

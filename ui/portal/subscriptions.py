"""``/subscriptions``: the reseller's subscriptions (status filter, search and pages in the URL, **Export CSV**);
``/subscriptions/<id>``: one subscription — items, totals, customer, request history — with the **Actions** it
allows now (**Change quantities**, **Suspend**, **Resume**, **Cancel**; disabled with the reason while a request
is open) and the answer to a distributor's question."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import partial

from fastapi.responses import RedirectResponse
from nicegui import ui

from services.actors import SignedInUser
from services.errors import AlreadyDone, DomainError, NotFound, ValidationFailed
from services.listing import Page
from services.portal import subscriptions
from services.portal.subscriptions import SubscriptionDetail, SubscriptionRow
from services.requests import new_request_key
from ui.auth import act, signed_in_only
from ui.components.actions import action_button
from ui.components.dialogs import Dialog, confirm
from ui.components.fields import Form
from ui.components.focus import announce
from ui.components.tables import Column, ListState, ListView, ResponsiveTable
from ui.portal.orders import open_order_dialog
from ui.portal.shell import CUSTOMERS_PATH, SUBSCRIPTIONS_PATH, portal_frame, portal_user
from ui.theme import Heading, card, fact_list, format_time, not_found_page

PATH = SUBSCRIPTIONS_PATH
STATUS_FILTER = {status.value: label for status, label in subscriptions.STATUS_LABELS.items()}
STATUS_CLASSES = {
    "processing": "bg-blue-100 text-blue-900",
    "active": "bg-green-100 text-green-900",
    "suspended": "bg-amber-100 text-amber-900",
    "terminating": "bg-orange-100 text-orange-900",
    "terminated": "bg-slate-200 text-slate-800",
}
ACTION_LABELS = {"change": "Change quantities", "suspend": "Suspend", "resume": "Resume", "cancel": "Cancel"}
ACTION_ORDER = ("change", "suspend", "resume", "cancel")
QUESTIONS = {
    "suspend": ("Suspend {id}?", "Your distributor is asked to suspend it; it stays active until they approve."),
    "resume": ("Resume {id}?", "Your distributor is asked to resume it; it stays suspended until they approve."),
    "cancel": (
        "Cancel {id}?",
        "It becomes terminating at once, and terminated when your distributor approves. If they fail the request, "
        "it is active again.",
    ),
}
CONFIRMATIONS = {  # the question's buttons: do it, or not (never two buttons called "Cancel")
    "suspend": ("Request suspension", "Keep it active"),
    "resume": ("Request resumption", "Keep it suspended"),
    "cancel": ("Request cancellation", "Keep it"),
}
CALLS = {"suspend": subscriptions.suspend, "resume": subscriptions.resume, "cancel": subscriptions.cancel}


def status_badge(status: str, label: str) -> None:
    badge = ui.label(label).classes("inline-block rounded px-2 py-0.5 text-xs font-semibold")
    badge.classes(STATUS_CLASSES[status]).mark(f"subscription-{status}")


def money(amount: Decimal, currency: str) -> str:
    return f"{amount:,.2f} {currency}"


class SubscriptionsPage:
    """The list with its filter, search, pages and **Export CSV**."""

    def __init__(self, actor: SignedInUser, state: ListState) -> None:
        self.actor = actor
        self.state = state
        with ui.row().classes("w-full items-end gap-3 flex-wrap"):
            Heading("Subscriptions").classes("grow")
            action_button("Export CSV", self.export, kind="secondary", icon="download").mark("export-subscriptions")
            action_button("Create subscription", open_order_dialog, icon="add").mark("create-subscription")
        ui.label("Your customers' subscriptions, and the requests your distributor is fulfilling.").classes(
            "text-slate-700"
        )
        self.list = ListView(
            state,
            load=self._load,
            columns=[
                Column("Subscription", "nowrap"),
                Column("Customer"),
                Column("Product"),
                Column("Status", "nowrap"),
                Column("Per period", "nowrap"),
                Column("Request in progress"),
            ],
            caption="Subscriptions, newest first",
            show_row=self._row,
            empty="No subscriptions yet.",
            no_match="No subscriptions match.",
            search_hint="A whole subscription ID or External ID, or part of a customer's name or External ID",
        )
        self.refresh = self.list.refresh

    @signed_in_only
    async def _load(self, state: ListState) -> Page[SubscriptionRow]:
        return await act(
            subscriptions.find_subscriptions, status=state.status or None, search=state.search, page=state.page
        )

    @staticmethod
    def _row(table: ResponsiveTable, row: SubscriptionRow) -> None:
        with table.row(key=row.subscription_id).mark(f"subscription-row-{row.subscription_id}"):
            with table.cell():
                ui.link(row.subscription_id, f"{PATH}/{row.subscription_id}").classes("text-primary font-medium")
            table.cell(row.customer_name)
            table.cell(row.product_name)
            with table.cell():
                status_badge(row.status.value, row.status_label)
            table.cell(f"{money(row.msrp_total, row.currency)} (cost {money(row.cost_total, row.currency)})")
            table.cell(row.request_in_progress or "—")

    @signed_in_only
    async def export(self) -> None:
        try:
            content = await act(
                subscriptions.export_subscriptions, status=self.state.status or None, search=self.state.search
            )
        except DomainError as error:
            ui.notify(error.message, type="warning")
            return
        name = f"subscriptions-{date.today().isoformat()}.csv"
        ui.download.content(content.encode("utf-8"), name, "text/csv; charset=utf-8")
        announce("Subscriptions exported")


async def subscriptions_page(
    page: str | None = None, status: str | None = None, q: str | None = None, customer: str | None = None
):
    """The list (``?status=…&q=…&page=…``); ``?customer=TA-…`` (from a customer's page) opens **Create
    subscription** for that customer."""
    actor = await portal_user(PATH)
    if isinstance(actor, RedirectResponse):
        return actor
    state = ListState.parse(PATH, page, status, q, statuses=STATUS_FILTER)
    with portal_frame("Subscriptions", PATH), card():
        view = SubscriptionsPage(actor, state)
    await view.refresh()
    if isinstance(customer, str) and customer:
        await open_order_dialog(customer)
    return None


async def subscription_page(subscription_id: str) -> RedirectResponse | None:
    """One subscription: its items and totals, customer, request history and actions."""
    actor = await portal_user(f"{PATH}/{subscription_id}")
    if isinstance(actor, RedirectResponse):
        return actor
    try:
        detail = await act(subscriptions.subscription_detail, subscription_id)
    except NotFound:
        not_found_page(
            "Subscription not found",
            "There is no such subscription among yours.",
            back=("Back to subscriptions", PATH),
            frame=lambda title: portal_frame(title, PATH),
        )
        return None
    with portal_frame(f"Subscription {detail.row.subscription_id}", PATH):
        content = ui.column().classes("w-full gap-4")

    @signed_in_only
    async def show() -> None:
        try:
            fresh = await act(subscriptions.subscription_detail, subscription_id)
        except NotFound:
            ui.navigate.to(PATH)
            return
        content.clear()
        with content:
            build(fresh)

    @signed_in_only
    async def change(current: SubscriptionDetail) -> None:
        dialog = Dialog(f"Change quantities of {current.row.subscription_id}")
        with dialog:
            ui.label(
                "Whole numbers; 0 means not ordered. The new quantities apply when your distributor approves."
            ).classes("text-slate-700")
            for line in current.lines:
                dialog.form.number(f"quantity.{line.item_id}", f"Quantity of {line.name}", value=line.quantity)

        @signed_in_only
        async def submit() -> None:
            values = dialog.form.fields
            quantities = {name.removeprefix("quantity."): field.submitted_value for name, field in values.items()}
            await act(
                subscriptions.change_quantities,
                current.row.subscription_id,
                quantities=quantities,
                request_key=dialog.request_key,
            )
            dialog.close()
            announce("Change requested")
            await show()

        dialog.cancel_button()
        dialog.submit_button("Request change", submit, done_already=show).mark("change-submit")
        dialog.open()

    @signed_in_only
    async def simple(action: str, current: SubscriptionDetail) -> None:
        title, text = QUESTIONS[action]
        key = new_request_key()  # one per question asked: a retry opens one request
        answer, keep = CONFIRMATIONS[action]
        if not await confirm(
            title.format(id=current.row.subscription_id), text, answer, cancel=keep, danger=action == "cancel"
        ):
            return
        try:
            await act(CALLS[action], current.row.subscription_id, request_key=key)
        except AlreadyDone:
            pass
        except DomainError as error:
            ui.notify(error.message, type="warning")
        else:
            announce(f"{ACTION_LABELS[action]} requested")
        await show()

    def build(current: SubscriptionDetail) -> None:
        row = current.row
        with card():
            ui.link("← All subscriptions", PATH).classes("text-primary font-medium")
            Heading(f"Subscription {row.subscription_id}").mark("subscription-heading")
            status_badge(row.status.value, row.status_label)
            fact_list(
                [
                    ("Customer", row.customer_name),
                    ("Product", row.product_name),
                    ("Marketplace", row.marketplace_name),
                    ("External ID", row.external_id or "—"),
                    ("Billing period", row.billing_period.replace("_", "-").capitalize()),
                    ("Cost per period", money(row.cost_total, row.currency)),
                    ("MSRP per period", money(row.msrp_total, row.currency)),
                    ("Ordered", format_time(row.created_at)),
                ]
            )
            ui.link("Open the customer", f"{CUSTOMERS_PATH}/{row.customer_id}").classes("text-primary font-medium")
        if current.inquiry is not None:
            answer_card(current)
        with card():
            Heading("Actions", 2)
            if current.blocked_reason:
                ui.label(current.blocked_reason).classes("text-slate-700").mark("actions-blocked")
            elif not current.allowed_actions:
                ui.label(f"No action applies to a {row.status_label.lower()} subscription.").classes("text-slate-700")
            with ui.row().classes("gap-2 flex-wrap"):
                for action in ACTION_ORDER:
                    if action not in current.allowed_actions + current.waiting_actions:
                        continue
                    handler = partial(change, current) if action == "change" else partial(simple, action, current)
                    button = action_button(
                        ACTION_LABELS[action], handler, kind="danger-secondary" if action == "cancel" else "secondary"
                    ).mark(f"action-{action}")
                    if action not in current.allowed_actions:
                        button.disable()
        with card():
            Heading("Items", 2)
            table = ResponsiveTable(
                [
                    Column("Item", "nowrap"),
                    Column("Quantity", "nowrap"),
                    Column("Cost", "nowrap"),
                    Column("MSRP", "nowrap"),
                ],
                caption=f"Items of subscription {row.subscription_id}, per period",
            )
            for line in current.lines:
                with table.row(key=line.item_id).mark(f"item-{line.item_id}"):
                    table.cell(line.name)
                    table.cell(str(line.quantity)).mark(f"quantity-{line.item_id}")
                    table.cell(money(line.cost, row.currency))
                    table.cell(money(line.msrp, row.currency))
        with card():
            Heading("Requests", 2)
            table = ResponsiveTable(
                [Column("Request", "nowrap"), Column("Type", "nowrap"), Column("Status", "nowrap"), Column("Details")],
                caption=f"Requests of subscription {row.subscription_id}, newest first",
            )
            for request in current.requests:
                with table.row(key=request.request_id).mark(f"history-{request.request_id}"):
                    table.cell(request.request_id)
                    table.cell(request.type_label)
                    table.cell(request.status_label).mark(f"history-status-{request.request_id}")
                    details = [f"{c.name}: {c.old_quantity} → {c.new_quantity}" for c in request.changes]
                    details += [
                        f"{label}: {text}"
                        for label, text in (
                            ("Question", request.question),
                            ("Answer", request.answer),
                            ("Message", request.message),
                            ("Reason", request.reason),
                        )
                        if text
                    ]
                    with table.cell():
                        ui.label("\n".join(details) or "—").classes("whitespace-pre-line break-words")

    def answer_card(current: SubscriptionDetail) -> None:
        inquiry = current.inquiry
        assert inquiry is not None
        with card().style("border-left: 4px solid var(--q-warning)"):
            Heading("Your distributor asks", 2).mark("inquiry")
            ui.label(inquiry.question or "").classes("text-slate-900 whitespace-pre-line break-words").mark(
                "inquiry-question"
            )
            form = Form()
            form.summary_spot()
            form.textarea("answer", "Your answer").mark("inquiry-answer")
            key = new_request_key()

            @signed_in_only
            async def send() -> None:
                form.clear_errors()
                try:
                    await act(
                        subscriptions.answer_inquiry,
                        inquiry.request_id,
                        answer=form.values()["answer"],
                        request_key=key,
                    )
                except ValidationFailed as failure:
                    form.show_errors(failure.errors)
                    return
                except AlreadyDone:
                    pass
                except DomainError as error:
                    form.show_problem(error.message)
                    return
                announce("Answer sent")
                await show()

            action_button("Send answer", send).classes("self-start").mark("send-answer")

    with content:
        build(detail)
    return None

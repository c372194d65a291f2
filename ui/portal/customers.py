"""``/customers``: the reseller's customers (tier accounts) — the directory with its filter, search and pages (all
in the URL), **Create customer**, **Export CSV**; ``/customers/<id>``: one customer, **Edit**, **Decommission**
and its subscriptions."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date

from fastapi.responses import RedirectResponse
from nicegui import ui

from services.actors import SignedInUser
from services.errors import DomainError, NotFound
from services.listing import Page
from services.portal import customers, regions
from services.portal.customers import CustomerDetail, CustomerRow
from ui.auth import act, signed_in_only
from ui.components.actions import action_button
from ui.components.dialogs import Dialog, confirm
from ui.components.focus import announce
from ui.components.tables import Column, ListState, ListView, ResponsiveTable
from ui.portal.shell import CUSTOMERS_PATH, portal_frame, portal_user
from ui.theme import Heading, card, fact_list, format_time, not_found_page

PATH = CUSTOMERS_PATH
STATUS_FILTER = {status.value: label for status, label in customers.STATUS_LABELS.items()}
STATUS_CLASSES = {"active": "bg-green-100 text-green-900", "decommissioned": "bg-slate-200 text-slate-800"}
SUBSCRIPTIONS_PATH = "/subscriptions"

Refresh = Callable[[], Awaitable[None]]


def status_badge(status: str, label: str) -> None:
    badge = ui.label(label).classes("inline-block rounded px-2 py-0.5 text-xs font-semibold")
    badge.classes(STATUS_CLASSES[status]).mark(f"customer-{status}")


def open_customer_dialog(existing: CustomerDetail | None, after: Callable[[CustomerRow], Awaitable[None]]) -> Dialog:
    """**Create customer** (``existing`` is ``None``) or **Edit customer**: the company, its address and its
    technical contact, in three groups of one form."""
    values = existing.fields if existing else None
    dialog = Dialog(
        "Create customer" if existing is None else f"Edit customer {existing.row.company_name}", width="wide"
    )
    form = dialog.form

    def text(name: str, label: str, hint: str | None = None, **options: str) -> None:
        value = getattr(values, name) if values else None
        form.text(name, label, value=value or "", hint=hint, **options).mark(f"customer-{name}")

    with dialog:
        Heading("Company", 3)
        text("company_name", "Company name")
        text("external_id", "External ID (optional)", "Your own ID for this customer; each customer needs its own.")
        text("tax_id", "Tax ID (optional)")
        Heading("Address", 3)
        text("address_line1", "Address line 1", autocomplete="off")
        text("address_line2", "Address line 2 (optional)", autocomplete="off")
        text("city", "City", autocomplete="off")
        text("state", "State or region (optional)", autocomplete="off")
        text("postal_code", "Postal code", autocomplete="off")
        form.select(
            "country",
            "Country",
            regions.countries(),
            value=values.country if values else None,
            hint="Type to search, for example Germany or DE.",
            searchable=True,
        ).mark("customer-country")
        Heading("Technical contact", 3)
        text("first_name", "First name (optional)", autocomplete="off")
        text("last_name", "Last name (optional)", autocomplete="off")
        text("email", "Email", input_type="email", autocomplete="off")
        text(
            "phone",
            "Phone (optional)",
            "With its country code, for example +49 30 1234567; a number in the customer's country may go without.",
            input_type="tel",
            autocomplete="off",
        )

    @signed_in_only
    async def save() -> None:
        entered = form.values()
        if existing is None:
            saved = await act(customers.create_customer, **entered, request_key=dialog.request_key)
            news = f"Customer {saved.company_name} created"
        else:
            saved = await act(customers.edit_customer, existing.row.customer_id, **entered)
            news = f"Customer {saved.company_name} saved"
        dialog.close()
        announce(news)
        await after(saved)

    async def refreshed() -> None:
        ui.navigate.reload()

    dialog.cancel_button()
    dialog.submit_button("Create" if existing is None else "Save", save, done_already=refreshed).mark("customer-save")
    dialog.open()
    return dialog


class CustomersPage:
    """The directory with its filter, search and pages, **Create customer** and **Export CSV**."""

    def __init__(self, actor: SignedInUser, state: ListState) -> None:
        self.actor = actor
        self.state = state
        with ui.row().classes("w-full items-end gap-3 flex-wrap"):
            Heading("Customers").classes("grow")
            action_button("Export CSV", self.export, kind="secondary", icon="download").mark("export-customers")
            action_button("Create customer", self.create, icon="add").mark("create-customer")
        ui.label("Your customers (tier accounts), for whom you order subscriptions.").classes("text-slate-700")
        self.list = ListView(
            state,
            load=self._load,
            columns=[
                Column("Company"),
                Column("External ID"),
                Column("Email"),
                Column("City"),
                Column("Status", "nowrap"),
            ],
            caption="Customers, newest first",
            show_row=self._row,
            empty="No customers yet. Create one to order subscriptions for it.",
            no_match="No customers match.",
            search_hint="Part of a company name, an External ID, an email or a customer ID",
        )
        self.refresh = self.list.refresh

    @signed_in_only
    async def _load(self, state: ListState) -> Page[CustomerRow]:
        return await act(customers.find_customers, status=state.status or None, search=state.search, page=state.page)

    @staticmethod
    def _row(table: ResponsiveTable, row: CustomerRow) -> None:
        with table.row(key=row.customer_id).mark(f"customer-row-{row.customer_id}"):
            with table.cell():
                ui.link(row.company_name, f"{PATH}/{row.customer_id}").classes("text-primary font-medium")
            table.cell(row.external_id or "—")
            table.cell(row.email)
            table.cell(f"{row.city}, {row.country_name}")
            with table.cell():
                status_badge(row.status.value, row.status_label)

    @signed_in_only
    async def create(self) -> None:
        async def created(row: CustomerRow) -> None:
            ui.navigate.to(f"{PATH}/{row.customer_id}")

        open_customer_dialog(None, created)

    @signed_in_only
    async def export(self) -> None:
        state = self.list.state
        try:
            content = await act(customers.export_customers, status=state.status or None, search=state.search)
        except DomainError as error:
            ui.notify(error.message, type="warning")
            return
        ui.download.content(
            content.encode("utf-8"), f"customers-{date.today().isoformat()}.csv", "text/csv; charset=utf-8"
        )
        announce("Customers exported")


async def customers_page(page: str | None = None, status: str | None = None, q: str | None = None):
    """The directory (``?status=…&q=…&page=…``)."""
    actor = await portal_user(PATH)
    if isinstance(actor, RedirectResponse):
        return actor
    state = ListState.parse(PATH, page, status, q, statuses=STATUS_FILTER)
    with portal_frame("Customers", PATH), card():
        view = CustomersPage(actor, state)
    await view.refresh()
    return None


async def customer_page(customer_id: str) -> RedirectResponse | None:
    """One customer: every field, **Edit**, **Decommission**, and its subscriptions."""
    actor = await portal_user(f"{PATH}/{customer_id}")
    if isinstance(actor, RedirectResponse):
        return actor
    try:
        detail = await act(customers.customer_detail, customer_id)
    except NotFound:
        not_found_page(
            "Customer not found",
            "There is no such customer among yours.",
            back=("Back to customers", PATH),
            frame=lambda title: portal_frame(title, PATH),
        )
        return None
    with portal_frame(f"{detail.row.company_name} · Customer", PATH):
        content = ui.column().classes("w-full gap-4")

    @signed_in_only
    async def show() -> None:
        try:
            fresh = await act(customers.customer_detail, customer_id)
        except NotFound:
            ui.navigate.to(PATH)
            return
        content.clear()
        with content:
            build(fresh)

    @signed_in_only
    async def edit(current: CustomerDetail) -> None:
        async def saved(_: CustomerRow) -> None:
            await show()

        open_customer_dialog(current, saved)

    @signed_in_only
    async def decommission(current: CustomerDetail) -> None:
        if not await confirm(
            f"Decommission {current.row.company_name}?",
            "It gets no new subscriptions; its existing subscriptions are unaffected. This cannot be undone.",
            "Decommission",
        ):
            return
        try:
            await act(customers.decommission_customer, customer_id)
        except DomainError as error:
            ui.notify(error.message, type="warning")
        else:
            announce("Customer decommissioned")
        await show()

    def build(current: CustomerDetail) -> None:
        row, fields = current.row, current.fields
        with card():
            ui.link("← All customers", PATH).classes("text-primary font-medium")
            Heading(row.company_name).classes("break-words max-w-full").mark("customer-heading")
            status_badge(row.status.value, row.status_label)
            with ui.row().classes("gap-2 flex-wrap"):
                if "edit" in row.allowed_actions:
                    action_button("Edit", lambda: edit(current), kind="secondary", icon="edit").mark("edit-customer")
                if "order" in row.allowed_actions:
                    ui.link("Create subscription", f"{SUBSCRIPTIONS_PATH}?customer={row.customer_id}").classes(
                        "self-center text-primary font-medium"
                    ).mark("order-for-customer")
                if "decommission" in row.allowed_actions:
                    action_button("Decommission", lambda: decommission(current), kind="danger-secondary").mark(
                        "decommission-customer"
                    )
            facts = [
                ("Customer ID", row.customer_id),
                ("External ID", fields.external_id or "—"),
                ("Tax ID", fields.tax_id or "—"),
                ("Created", format_time(row.created_at)),
            ]
            if current.decommissioned_at:
                facts.append(("Decommissioned", format_time(current.decommissioned_at)))
            fact_list(facts)
        with card():
            Heading("Address", 2)
            address = [fields.address_line1, fields.address_line2, f"{fields.postal_code} {fields.city}", fields.state]
            fact_list(
                [
                    ("Address", "\n".join(line for line in address if line)),
                    ("Country", regions.country_name(fields.country)),
                ]
            )
        with card():
            Heading("Technical contact", 2)
            name = " ".join(part for part in (fields.first_name, fields.last_name) if part)
            fact_list([("Name", name or "—"), ("Email", fields.email), ("Phone", current.phone_international or "—")])
        with card():
            Heading("Subscriptions", 2)
            if not current.subscriptions:
                ui.label("No subscriptions yet.").classes("text-slate-700").mark("no-subscriptions")
                return
            table = ResponsiveTable(
                [Column("Subscription", "nowrap"), Column("Product"), Column("Status", "nowrap"), Column("Per period")],
                caption=f"Subscriptions of {row.company_name}, newest first",
            )
            for subscription in current.subscriptions:
                with table.row(key=subscription.subscription_id):
                    with table.cell():
                        ui.link(
                            subscription.subscription_id, f"{SUBSCRIPTIONS_PATH}/{subscription.subscription_id}"
                        ).classes("text-primary font-medium")
                    table.cell(subscription.product_name)
                    table.cell(subscription.status_label)
                    table.cell(f"{subscription.msrp_total:,.2f} {subscription.currency}")

    with content:
        build(detail)
    return None

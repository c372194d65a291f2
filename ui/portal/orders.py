"""**Create subscription**: a dialog of two steps — *Order* (customer, marketplace, a product listed on it, each
item's quantity, an optional External ID) and *Summary* (the ordered items with cost and MSRP per period in the
marketplace's currency) — ending with **Place order**, which places it once however often it is pressed."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from nicegui import ui

from services.errors import AlreadyDone, DomainError, ValidationFailed
from services.portal import orders
from services.portal.orders import OrderForm, OrderSummary
from ui.auth import act, signed_in_only
from ui.components.actions import action_button
from ui.components.dialogs import Dialog
from ui.components.focus import announce, move_focus
from ui.components.tables import Column, ResponsiveTable
from ui.theme import Heading

SUBSCRIPTIONS_PATH = "/subscriptions"


def money(amount: Decimal, currency: str) -> str:
    return f"{amount:,.2f} {currency}"


class OrderDialog:
    """The two steps in one dialog; **Back** from the summary keeps everything entered."""

    def __init__(self, form: OrderForm, customer_id: str | None = None) -> None:
        self.offer = form
        self.dialog = Dialog("Create subscription", width="wide")
        self.form = self.dialog.form
        self.summary: OrderSummary | None = None
        with self.dialog:
            with ui.column().classes("w-full gap-3") as self.order_step:
                self.order_heading = Heading("Step 1 of 2 — Order", 3).props("tabindex=-1")
                if not form.customers or not form.marketplaces:
                    ui.label(
                        "To order, you need an active customer and a marketplace with a listed product: create a "
                        "customer under Customers, and enroll in a product under Catalog."
                    ).classes("text-slate-700").mark("nothing-to-order")
                customers = {c.customer_id: c.label for c in form.customers}
                self.form.select(
                    "customer",
                    "Customer",
                    customers,
                    value=customer_id if customer_id in customers else None,
                    hint="Your active customers.",
                    searchable=True,
                ).mark("order-customer")
                markets = {m.marketplace_id: f"{m.name} ({m.currency})" for m in form.marketplaces}
                self.marketplace = self.form.select(
                    "marketplace", "Marketplace", markets, hint="Its currency is the order's."
                ).mark("order-marketplace")
                self.product = self.form.select(
                    "product", "Product", {}, hint="Only products listed on the marketplace."
                ).mark("order-product")
                self.items_spot = ui.column().classes("w-full gap-3")
                self.form.text("external_id", "External ID (optional)", hint="Your own ID for this subscription.").mark(
                    "order-external-id"
                )
            with ui.column().classes("w-full gap-3") as self.summary_step:
                self.summary_heading = Heading("Step 2 of 2 — Summary", 3).props("tabindex=-1")
                self.summary_spot = ui.column().classes("w-full gap-2")
            self.summary_step.set_visibility(False)
        self.marketplace.on_value_change(lambda _: self._products())
        self.product.on_value_change(lambda _: self._items())
        busy = self.dialog.busy
        with self.dialog.actions:
            self.back_button = action_button("Back", self.back, kind="flat", busy=busy).mark("order-back")
        self.dialog.cancel_button()
        with self.dialog.actions:
            self.review_button = action_button("Review order", self.review, busy=busy).mark("order-review")
            self.place_button = action_button("Place order", self.place, busy=busy).mark("order-place")
        self.form.on_submit(lambda: busy.press(self.place if self.summary else self.review))
        self._show_step(1, focus=False)
        self.dialog.open()

    def _market(self) -> Any:
        return next((m for m in self.offer.marketplaces if m.marketplace_id == self.marketplace.value), None)

    def _products(self) -> None:
        market = self._market()
        self.product.set_options({p.product_id: p.name for p in market.products} if market else {}, value=None)
        self._items()

    def _items(self) -> None:
        for name in [name for name in self.form.fields if name.startswith("quantity.")]:
            self.form.remove(name)
        self.items_spot.clear()
        market = self._market()
        product = next((p for p in market.products if p.product_id == self.product.value), None) if market else None
        if product is None:
            return
        with self.items_spot:
            ui.label("Quantities: whole numbers; 0 means not ordered. Order at least one item.").classes(
                "text-slate-700"
            )
            for item in product.items:
                period = orders.PERIOD_LABELS.get(item.billing_period, item.billing_period)
                self.form.number(
                    f"quantity.{item.item_id}",
                    f"Quantity of {item.name}",
                    value=0,
                    hint=f"{item.mpn} · {period} · cost {money(item.cost, market.currency)}, "
                    f"MSRP {money(item.msrp, market.currency)} per {item.unit.lower() or 'unit'}",
                ).mark(f"order-quantity-{item.item_id}")

    def _values(self) -> dict[str, object]:
        values = self.form.values()
        quantities = {
            name.removeprefix("quantity."): field.submitted_value
            for name, field in self.form.fields.items()
            if name.startswith("quantity.")
        }
        return {
            "customer_id": values.get("customer"),
            "marketplace_id": values.get("marketplace"),
            "product_id": values.get("product"),
            "quantities": quantities,
            "external_id": values.get("external_id"),
        }

    def _show_step(self, step: int, *, focus: bool = True) -> None:
        self.order_step.set_visibility(step == 1)
        self.summary_step.set_visibility(step == 2)
        self.back_button.set_visibility(step == 2)
        self.review_button.set_visibility(step == 1)
        self.place_button.set_visibility(step == 2)
        if focus:
            move_focus(self.order_heading if step == 1 else self.summary_heading)

    @signed_in_only
    async def review(self) -> None:
        self.form.clear_errors()
        try:
            self.summary = await act(orders.summarize_order, **self._values())
        except ValidationFailed as failure:
            self.form.show_errors(failure.errors)
            return
        except DomainError as error:
            self.form.show_problem(error.message)
            return
        self._show_summary(self.summary)
        self._show_step(2)
        announce("Summary of the order")

    def _show_summary(self, summary: OrderSummary) -> None:
        currency = summary.marketplace.currency
        self.summary_spot.clear()
        with self.summary_spot:
            with ui.element("dl").classes("grid grid-cols-1 sm:grid-cols-[12rem_1fr] gap-x-4 gap-y-1 w-full m-0"):
                for label, value in (
                    ("Customer", summary.customer.label),
                    ("Marketplace", f"{summary.marketplace.name} ({currency})"),
                    ("Product", summary.product.name),
                    ("Billing period", orders.PERIOD_LABELS.get(summary.billing_period, summary.billing_period)),
                    ("External ID", summary.external_id or "—"),
                ):
                    with ui.element("dt").classes("text-slate-600"):
                        ui.label(label)
                    with ui.element("dd").classes("text-slate-900 m-0 break-words"):
                        ui.label(value)
            table = ResponsiveTable(
                [Column("Item"), Column("Quantity", "nowrap"), Column("Cost", "nowrap"), Column("MSRP", "nowrap")],
                caption="The ordered items, per period",
            )
            for line in summary.lines:
                with table.row(key=line.item.item_id):
                    table.cell(line.item.name)
                    table.cell(str(line.quantity))
                    table.cell(money(line.cost, currency))
                    table.cell(money(line.msrp, currency))
            ui.label(
                f"Per period: cost {money(summary.cost_total, currency)}, MSRP {money(summary.msrp_total, currency)}"
            ).classes("font-medium text-slate-900").mark("order-totals")

    def back(self) -> None:
        self.summary = None
        self._show_step(1)

    @signed_in_only
    async def place(self) -> None:
        self.form.clear_errors()
        try:
            placed = await act(orders.place_order, **self._values(), request_key=self.dialog.request_key)
        except AlreadyDone as done:  # the first press placed it; this one shows it
            self.dialog.close()
            ui.navigate.to(f"{SUBSCRIPTIONS_PATH}/{done.object_id}")
            return
        except ValidationFailed as failure:
            self.back()
            self.form.show_errors(failure.errors)
            return
        except DomainError as error:
            self.form.show_problem(error.message)
            return
        self.dialog.close()
        ui.navigate.to(f"{SUBSCRIPTIONS_PATH}/{placed.subscription_id}")


@signed_in_only
async def open_order_dialog(customer_id: str | None = None) -> None:
    form = await act(orders.order_form)
    OrderDialog(form, customer_id)

"""``/distributor/products``: the distributor's catalog (create, import and export as CSV);
``/distributor/products/<product>``: one product, its items and prices, and publishing or ending its sale."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from functools import partial
from typing import Any

from fastapi.responses import RedirectResponse
from nicegui import ui
from nicegui.events import GenericEventArguments, UploadEventArguments

from services.actors import SignedInUser
from services.distributor import catalog, catalog_csv
from services.distributor.catalog import (
    BILLING_LABELS,
    STATUS_LABELS,
    ItemView,
    ProductDetail,
    ProductRow,
    ProductStatus,
)
from services.errors import CatalogImportRefused, DomainError, NotFound, ValidationFailed
from services.listing import Page
from ui.auth import act, require, signed_in_only
from ui.components.actions import action_button
from ui.components.agreement import RenderFailed, markdown_view, plain_agreement_text, render_markdown
from ui.components.dialogs import Dialog, confirm
from ui.components.fields import FIELD_CLASSES
from ui.components.focus import announce
from ui.components.money import format_amount
from ui.components.tables import Column, ListState, ListView, ResponsiveTable
from ui.pages import list_page
from ui.theme import Heading, card, distributor_frame, format_time, not_found_page

PATH = "/distributor/products"
FILTER_OPTIONS = {status.value: label for status, label in STATUS_LABELS.items()}
STATUS_CLASSES = {
    ProductStatus.DRAFT: "bg-slate-200 text-slate-800",
    ProductStatus.PUBLISHED: "bg-green-100 text-green-900",
    ProductStatus.END_OF_SALE: "bg-amber-100 text-amber-900",
}
# Sends the chosen file to the hidden uploader's address (a multipart POST, as QUploader does); says "too large"
# or "failed" to the server when it cannot.
SEND_FILE = """async (e) => {
  const input = e.target, file = input.files && input.files[0];
  if (!file) return;
  if (file.size > Number(input.dataset.maxBytes)) { emit("too large"); return; }
  const form = new FormData();
  form.append("file", file, file.name);
  try {
    const response = await fetch((window.path_prefix || "") + input.dataset.uploadUrl, {method: "POST", body: form});
    if (!response.ok) emit("failed");
  } catch (error) { emit("failed"); }
}"""
BILLING_OPTIONS = {period.value: label for period, label in BILLING_LABELS.items()}
PRICE_HINT = "Digits and a decimal point, at most 4 decimal places, for example 12.50."
CURRENCY_HINT = "Its ISO 4217 code, for example USD, EUR or GBP."


def status_badge(status: ProductStatus) -> None:
    badge = ui.label(STATUS_LABELS[status]).classes("inline-block rounded px-2 py-0.5 text-xs font-semibold")
    badge.classes(STATUS_CLASSES[status]).mark(f"product-{status.value}")


def product_fields(dialog: Dialog, detail: ProductDetail | None, categories: list[str]) -> None:
    """The fields of a product, in a dialog: as they are (``detail``) or empty."""
    form = dialog.form
    form.text("name", "Name", value=detail.name if detail else "").mark("product-name")
    category = form.text(
        "category",
        "Category",
        value=detail.category if detail else "",
        hint="Free text; the ones you use already are suggested." if categories else "Free text, for example Security.",
    ).mark("product-category")
    category.set_autocomplete(categories)
    form.text(
        "short_description",
        "Short description",
        value=detail.short_description if detail else "",
        hint="One line, shown in lists (at most 300 characters).",
    ).mark("product-short-description")
    form.textarea(
        "description",
        "Description (Markdown)",
        value=detail.description if detail else "",
        hint="Headings, lists, tables and links; shown to resellers as formatted text.",
    ).mark("product-description")


class ProductsPage:
    """The catalog with its filter, search and pages (all three in the URL); **Create product**, **Import CSV**
    and **Export CSV**."""

    def __init__(self, actor: SignedInUser, state: ListState) -> None:
        self.actor = actor
        with ui.row().classes("w-full items-end gap-3 flex-wrap"):
            Heading("Products").classes("grow")
            action_button("Create product", self.open_create_dialog, icon="add").mark("create-product")
            action_button("Import CSV", self.open_import_dialog, kind="secondary", icon="upload").mark("import-csv")
            action_button("Export CSV", self.export, kind="secondary", icon="download").mark("export-csv")
        ui.label("Your products, their items and prices. Resellers see published products in their catalog.").classes(
            "text-slate-700"
        )
        self.list = ListView(
            state,
            load=self._load,
            columns=[
                Column("Product"),
                Column("Category"),
                Column("Status", "nowrap"),
                Column("Items", "nowrap"),
                Column("Currencies", "nowrap"),
                Column("Changed", "nowrap"),
            ],
            caption="Products by category and name",
            show_row=self._row,
            empty="No products yet. Create one, or import a CSV file.",
            no_match="No products match.",
            search_hint="Part of a name, a category or a product ID",
        )
        self.refresh = self.list.refresh

    @signed_in_only
    async def _load(self, state: ListState) -> Page[ProductRow]:
        return await act(catalog.find_products, status=state.status or None, search=state.search, page=state.page)

    @staticmethod
    def _row(table: ResponsiveTable, row: ProductRow) -> None:
        with table.row(key=row.product_id).mark(f"product-row-{row.product_id}"):
            with table.cell():
                ui.link(row.name, f"{PATH}/{row.product_id}").classes("text-primary font-medium")
                ui.label(row.product_id).classes("text-xs text-slate-600")
            table.cell(row.category)
            with table.cell():
                status_badge(row.status)
            table.cell(row.items)
            table.cell(", ".join(row.currencies) or "—")
            table.cell(format_time(row.updated_at))

    @signed_in_only
    async def open_create_dialog(self) -> None:
        categories = await act(catalog.categories)
        dialog = Dialog("Create product", width="wide")
        with dialog:
            ui.label("A new product is a draft: add its items and prices, then publish it.").classes("text-slate-700")
            product_fields(dialog, None, categories)

        @signed_in_only
        async def create() -> None:
            made = await act(catalog.create_product, **dialog.form.values(), request_key=dialog.request_key)
            dialog.close()
            ui.navigate.to(f"{PATH}/{made.product_id}")

        dialog.cancel_button()
        dialog.submit_button("Create", create, done_already=self.refresh).mark("create-product-submit")
        dialog.open()

    @signed_in_only
    async def open_import_dialog(self) -> None:
        """Choose a CSV file; **Import** imports every row, or nothing and says which lines are wrong."""
        dialog = Dialog("Import products from CSV", width="wide")
        chosen: dict[str, Any] = {}
        with dialog:
            ui.label(
                "One row per item and currency, with the columns of Export CSV. Products are found by ID or name, "
                "items by ID or MPN; new ones are added as drafts, nothing is removed. If any row is wrong, "
                "nothing is imported and every wrong line is listed."
            ).classes("text-slate-700")
            action_button(
                "Download an empty file with the columns",
                lambda: ui.download.content(catalog_csv.template(), "catalog-template.csv", "text/csv; charset=utf-8"),
                kind="flat",
                icon="description",
            ).classes("self-start")

            async def received(event: UploadEventArguments) -> None:
                chosen["content"] = await event.file.read()
                chosen["name"] = event.file.name
                status.text = f"Chosen: {event.file.name}"

            def refused(event: GenericEventArguments) -> None:
                chosen.clear()
                status.text = (
                    "This file is larger than 10 MB; split it."
                    if event.args == "too large"
                    else "The file could not be sent; please choose it again."
                )

            # QUploader's own buttons have no names (axe): a native file input with a real label sends the file
            # to a hidden uploader's address, whose handler receives it.
            receiver = ui.upload(on_upload=received).classes("hidden")
            with ui.element("label").classes(FIELD_CLASSES):
                ui.label("CSV file").classes("font-medium text-slate-900")
                picker = ui.element("input").props('type=file accept=".csv,text/csv"').mark("import-file")
                picker.props["data-upload-url"] = receiver.props["url"]
                picker.props["data-max-bytes"] = str(catalog_csv.IMPORT_BYTES_MAX)
                picker.on("change", refused, js_handler=SEND_FILE)
            status = ui.label("No file chosen yet.").classes("text-slate-700").props('role="status"')
            problems = ui.column().classes("w-full gap-1").mark("import-problems")

        @signed_in_only
        async def run_import() -> None:
            problems.clear()
            if "content" not in chosen:
                raise ValidationFailed({"file": "Choose a CSV file first."})
            try:
                result = await act(catalog_csv.import_catalog, chosen["content"])
            except CatalogImportRefused as refused:
                with problems:
                    Heading(refused.message, 3).mark("import-refused")
                    with ui.element("ul").classes("list-disc pl-5 m-0 flex flex-col gap-1"):
                        for line, problem in refused.problems:
                            with ui.element("li"):
                                ui.label(f"Line {line}: {problem}" if line else problem).classes("text-negative")
                        if refused.total > len(refused.problems):
                            with ui.element("li"):
                                ui.label(f"… and {refused.total - len(refused.problems):,} more.")
                announce(refused.message)
                return
            dialog.close()
            summary = (
                f"Imported {result.rows:,} rows: {result.products_created} products created, "
                f"{result.products_changed} changed, {result.items_added} items added, {result.prices_set} prices set."
            )
            ui.notify(summary, type="positive", multi_line=True)
            announce(summary)
            await self.refresh()

        dialog.cancel_button()
        dialog.submit_button("Import", run_import).mark("import-submit")
        dialog.open()

    @signed_in_only
    async def export(self) -> None:
        content = await act(catalog_csv.export_catalog)
        ui.download.content(content, f"catalog-{date.today().isoformat()}.csv", "text/csv; charset=utf-8")


# The catalog (``?status=…&q=…&page=…``).
products_page = list_page(
    "distributor",
    PATH,
    statuses=FILTER_OPTIONS,
    frame=lambda: distributor_frame("Products", PATH),
    view=ProductsPage,
)


async def product_detail_page(product_id: str) -> RedirectResponse | None:
    """A product: its facts, description, items and prices; edit, publish, end sale."""
    actor = await require("distributor", f"{PATH}/{product_id}")
    if isinstance(actor, RedirectResponse):
        return actor
    try:
        detail = await act(catalog.product_detail, product_id)
    except NotFound:
        not_found_page(
            "Product not found",
            "There is no such product among yours.",
            back=("Back to products", PATH),
            frame=lambda title: distributor_frame(title, PATH),
        )
        return None
    with distributor_frame(f"{detail.name} · Product", PATH):
        content = ui.column().classes("w-full gap-4")
    view = ProductView(content)
    await view.show(detail)
    return None


class ProductView:
    """One product's page body, rebuilt after each change."""

    def __init__(self, content: ui.column) -> None:
        self.content = content
        self.detail: ProductDetail | None = None

    @signed_in_only
    async def reload(self) -> None:
        assert self.detail is not None
        try:
            detail = await act(catalog.product_detail, self.detail.product_id)
        except NotFound:
            ui.navigate.to(PATH)
            return
        await self.show(detail)

    async def show(self, detail: ProductDetail) -> None:
        self.detail = detail
        try:
            description: Any = await render_markdown(detail.description)
        except RenderFailed:
            description = None
        self.content.clear()
        with self.content:
            self._summary(detail)
            with card():
                Heading("Description", 2)
                if description is None:
                    plain_agreement_text(detail.description)
                else:
                    markdown_view(description, label="Product description").mark("product-description-text")
            self._items(detail)
            self._prices(detail)

    def _summary(self, detail: ProductDetail) -> None:
        with card():
            ui.link("← All products", PATH).classes("text-primary font-medium")
            Heading(detail.name).classes("w-full min-w-0 break-words").mark("product-heading")
            status_badge(detail.status)
            facts(
                [
                    ("Product ID", detail.product_id),
                    ("Category", detail.category),
                    ("Short description", detail.short_description),
                    ("Created", format_time(detail.created_at)),
                    ("Changed", format_time(detail.updated_at)),
                ]
            )
            with ui.row().classes("gap-2 flex-wrap"):
                if "edit" in detail.allowed_actions:
                    action_button("Edit product", self.edit, kind="secondary", icon="edit").mark("edit-product")
                if "publish" in detail.allowed_actions:
                    action_button("Publish", self.publish, icon="publish").mark("publish-product")
                if "end_sale" in detail.allowed_actions:
                    action_button("End sale", self.end_sale, kind="danger-secondary").mark("end-sale")
            if detail.status == ProductStatus.END_OF_SALE:
                ui.label("This product is no longer sold; it is kept as it was.").classes("text-slate-700")

    def _items(self, detail: ProductDetail) -> None:
        editable = "edit" in detail.allowed_actions
        with card():
            with ui.row().classes("w-full items-end gap-3 flex-wrap"):
                Heading("Items", 2).classes("grow")
                if editable:
                    action_button("Add item", self.add_item, icon="add").mark("add-item")
            if not detail.items:
                ui.label("No items yet. A product needs at least one priced item to be published.").classes(
                    "text-slate-700"
                ).mark("no-items")
                return
            table = ResponsiveTable(
                [
                    Column("Item", "nowrap"),
                    Column("MPN"),
                    Column("Name"),
                    Column("Billing period", "nowrap"),
                    Column("Unit"),
                    *([Column("Actions", "actions")] if editable else []),
                ],
                caption=f"Items of {detail.name}",
            )
            for item in detail.items:
                with table.row(key=item.item_id).mark(f"item-row-{item.item_id}"):
                    table.cell(item.item_id)
                    table.cell(item.mpn)
                    table.cell(item.name)
                    table.cell(item.billing_label)
                    table.cell(item.unit)
                    if editable:
                        with table.cell():
                            action_button(
                                "Edit", partial(self.edit_item, item), kind="flat", label=f"Edit item {item.mpn}"
                            )
                            action_button(
                                "Add price",
                                partial(self.add_price, item),
                                kind="flat",
                                label=f"Add a price to item {item.mpn}",
                            )
                            action_button(
                                "Remove",
                                partial(self.remove_item, item),
                                kind="danger-flat",
                                label=f"Remove item {item.mpn}",
                            )

    def _prices(self, detail: ProductDetail) -> None:
        editable = "edit" in detail.allowed_actions
        prices = [(item, price) for item in detail.items for price in item.prices]
        if not detail.items:
            return
        with card():
            Heading("Prices", 2)
            ui.label("Cost is what the reseller pays; MSRP is the suggested retail price.").classes("text-slate-700")
            if not prices:
                ui.label("No prices yet: add one to each item.").classes("text-slate-700")
                return
            table = ResponsiveTable(
                [
                    Column("Item"),
                    Column("Currency", "nowrap"),
                    Column("Cost", "nowrap"),
                    Column("MSRP", "nowrap"),
                    *([Column("Actions", "actions")] if editable else []),
                ],
                caption=f"Prices of {detail.name}'s items",
            )
            for item, price in prices:
                with table.row(key=f"{item.item_id}-{price.currency}").mark(f"price-row-{item.mpn}-{price.currency}"):
                    table.cell(f"{item.mpn} · {item.name}")
                    table.cell(price.currency)
                    table.cell(format_amount(price.cost))
                    table.cell(format_amount(price.msrp))
                    if editable:
                        with table.cell():
                            action_button(
                                "Change",
                                partial(self.change_price, item, price),
                                kind="flat",
                                label=f"Change the {price.currency} price of item {item.mpn}",
                            )
                            action_button(
                                "Remove",
                                partial(self.remove_price, item, price.currency),
                                kind="danger-flat",
                                label=f"Remove the {price.currency} price of item {item.mpn}",
                            )

    # ------------------------------------------------------------------------------------------ actions

    async def _dialog_action(self, dialog: Dialog, action: Callable[[], Awaitable[ProductDetail]]) -> None:
        detail = await action()
        dialog.close()
        await self.show(detail)

    @signed_in_only
    async def edit(self) -> None:
        assert self.detail is not None
        detail = self.detail
        categories = await act(catalog.categories)
        dialog = Dialog(f"Edit {detail.name}", width="wide")
        with dialog:
            product_fields(dialog, detail, categories)

        @signed_in_only
        async def save() -> None:
            await self._dialog_action(
                dialog, lambda: act(catalog.update_product, detail.product_id, **dialog.form.values())
            )
            ui.notify("Product saved", type="positive")

        dialog.cancel_button()
        dialog.submit_button("Save", save).mark("save-product")
        dialog.open()

    @signed_in_only
    async def publish(self) -> None:
        assert self.detail is not None
        if not await confirm(
            f"Publish {self.detail.name}?",
            "Resellers will see it in their catalog. Its items and prices can still change.",
            "Publish",
            danger=False,
        ):
            return
        await self._transition(catalog.publish_product, "Product published")

    @signed_in_only
    async def end_sale(self) -> None:
        assert self.detail is not None
        if not await confirm(
            f"End the sale of {self.detail.name}?",
            "Resellers will no longer see it in their catalog, and it can no longer be changed or published again.",
            "End sale",
        ):
            return
        await self._transition(catalog.end_sale, "Sale ended")

    async def _transition(self, action: Callable[..., ProductDetail], done: str) -> None:
        assert self.detail is not None
        try:
            detail = await act(action, self.detail.product_id)
        except DomainError as error:  # not allowed now (another tab did it; no items yet): said, and shown as it is
            ui.notify(error.message, type="warning", multi_line=True)
            announce(error.message)
            await self.reload()
            return
        ui.notify(done, type="positive")
        announce(done)
        await self.show(detail)

    @signed_in_only
    async def add_item(self) -> None:
        assert self.detail is not None
        product_id = self.detail.product_id
        dialog = Dialog("Add item", width="wide")
        form = dialog.form
        with dialog:
            item_fields(dialog, None)
            Heading("First price (optional)", 3)
            form.text("currency", "Currency", hint=CURRENCY_HINT).mark("price-currency")
            form.text("cost", "Cost", hint=PRICE_HINT).mark("price-cost")
            form.text("msrp", "MSRP", hint=PRICE_HINT).mark("price-msrp")

        @signed_in_only
        async def add() -> None:
            await self._dialog_action(
                dialog,
                lambda: act(catalog.add_item, product_id, **form.values(), request_key=dialog.request_key),
            )
            ui.notify("Item added", type="positive")

        dialog.cancel_button()
        dialog.submit_button("Add item", add, done_already=self.reload).mark("add-item-submit")
        dialog.open()

    @signed_in_only
    async def edit_item(self, item: ItemView) -> None:
        dialog = Dialog(f"Edit item {item.mpn}", width="wide")
        with dialog:
            item_fields(dialog, item)

        @signed_in_only
        async def save() -> None:
            await self._dialog_action(dialog, lambda: act(catalog.update_item, item.item_id, **dialog.form.values()))
            ui.notify("Item saved", type="positive")

        dialog.cancel_button()
        dialog.submit_button("Save", save).mark("save-item")
        dialog.open()

    @signed_in_only
    async def remove_item(self, item: ItemView) -> None:
        if not await confirm(f"Remove item {item.mpn}?", "The item and its prices are removed.", "Remove"):
            return
        await self._simple(lambda: act(catalog.remove_item, item.item_id), "Item removed")

    @signed_in_only
    async def add_price(self, item: ItemView) -> None:
        dialog = Dialog(f"Add a price to {item.mpn}")
        form = dialog.form
        with dialog:
            form.text("currency", "Currency", hint=CURRENCY_HINT).mark("price-currency")
            form.text("cost", "Cost", hint=PRICE_HINT).mark("price-cost")
            form.text("msrp", "MSRP", hint=PRICE_HINT).mark("price-msrp")

        @signed_in_only
        async def add() -> None:
            await self._dialog_action(
                dialog,
                lambda: act(catalog.add_price, item.item_id, **form.values(), request_key=dialog.request_key),
            )
            ui.notify("Price added", type="positive")

        dialog.cancel_button()
        dialog.submit_button("Add price", add, done_already=self.reload).mark("add-price-submit")
        dialog.open()

    @signed_in_only
    async def change_price(self, item: ItemView, price: catalog.PriceView) -> None:
        dialog = Dialog(f"Change the {price.currency} price of {item.mpn}")
        form = dialog.form
        with dialog:
            form.text("cost", "Cost", value=format(price.cost, "f"), hint=PRICE_HINT).mark("price-cost")
            form.text("msrp", "MSRP", value=format(price.msrp, "f"), hint=PRICE_HINT).mark("price-msrp")

        @signed_in_only
        async def save() -> None:
            await self._dialog_action(
                dialog,
                lambda: act(catalog.change_price, item.item_id, currency=price.currency, **form.values()),
            )
            ui.notify("Price saved", type="positive")

        dialog.cancel_button()
        dialog.submit_button("Save", save).mark("save-price")
        dialog.open()

    @signed_in_only
    async def remove_price(self, item: ItemView, currency: str) -> None:
        if not await confirm(
            f"Remove the {currency} price of {item.mpn}?",
            "Resellers can no longer buy it in {currency}.".replace("{currency}", currency),
            "Remove",
        ):
            return
        await self._simple(lambda: act(catalog.remove_price, item.item_id, currency=currency), "Price removed")

    async def _simple(self, action: Callable[[], Awaitable[ProductDetail]], done: str) -> None:
        try:
            detail = await action()
        except DomainError as error:
            ui.notify(error.message, type="warning", multi_line=True)
            announce(error.message)
            await self.reload()
            return
        ui.notify(done, type="positive")
        announce(done)
        await self.show(detail)


def item_fields(dialog: Dialog, item: ItemView | None) -> None:
    form = dialog.form
    form.text(
        "mpn", "MPN", value=item.mpn if item else "", hint="The manufacturer part number; unique within the product."
    ).mark("item-mpn")
    form.text("item_name", "Item name", value=item.name if item else "").mark("item-name")
    form.select(
        "billing_period",
        "Billing period",
        BILLING_OPTIONS,
        value=item.billing_period.value if item else "monthly",
    ).mark("item-billing-period")
    form.text(
        "unit", "Unit", value=item.unit if item else "", hint="What is counted, for example Licenses or Users."
    ).mark("item-unit")


def facts(rows: list[tuple[str, str]]) -> None:
    with ui.element("dl").classes("grid grid-cols-1 sm:grid-cols-[12rem_1fr] gap-x-4 gap-y-1 w-full m-0"):
        for label, value in rows:
            with ui.element("dt").classes("text-slate-600"):
                ui.label(label)
            with ui.element("dd").classes("text-slate-900 m-0 break-words"):
                ui.label(value)

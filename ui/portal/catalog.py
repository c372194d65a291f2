"""``/catalog``: the reseller's catalog (its distributor's published products by category, with search and a
filter "Priced in my marketplaces' currencies"); ``/catalog/<product>``: a product's description, items and prices,
its standing on each of the reseller's marketplaces, and **Enroll**; ``/catalog/listings``: **My listings**."""

from __future__ import annotations

from contextlib import AbstractContextManager
from itertools import groupby

from fastapi.responses import RedirectResponse
from nicegui import ui

from services.actors import SignedInUser
from services.errors import NotFound, ValidationFailed
from services.listing import Page
from services.portal import catalog as portal_catalog
from services.portal import syndication as enrolment
from services.portal.access import ContractNotActive
from services.portal.catalog import CatalogProduct
from services.portal.syndication import ListingRow
from ui.auth import act, signed_in_only
from ui.calls import client_address, user_agent
from ui.components.actions import action_button
from ui.components.agreement import (
    RenderFailed,
    agreement_text,
    markdown_view,
    plain_agreement_text,
    render_markdown,
)
from ui.components.dialogs import Dialog
from ui.components.focus import announce
from ui.components.money import format_amount
from ui.components.tables import (
    Column,
    ListFilters,
    ListState,
    ListView,
    ResponsiveTable,
    page_out_of_range,
    pager,
)
from ui.portal.shell import CATALOG_PATH, CONTRACT_PATH, MARKETPLACE_PATH, portal_frame, portal_user
from ui.theme import Heading, card, format_time, not_found_page

PATH = CATALOG_PATH
LISTINGS_PATH = f"{CATALOG_PATH}/listings"
PRICED = "priced"
FILTERS = {PRICED: "Priced in my marketplaces' currencies"}
LISTING_STATUSES = {"listed": "Listed", "unlisted": "Unlisted"}
STANDING_CLASSES = {
    "Not enrolled": "bg-slate-200 text-slate-800",
    "Pending": "bg-blue-100 text-blue-900",
    "Listed": "bg-green-100 text-green-900",
    "Rejected": "bg-red-100 text-red-900",
    "Terminated": "bg-amber-100 text-amber-900",
    "Unlisted": "bg-amber-100 text-amber-900",
}


def badge(text: str) -> None:
    label = ui.label(text).classes("inline-block rounded px-2 py-0.5 text-xs font-semibold")
    label.classes(STANDING_CLASSES[text])  # every standing and listing status has its colours


def catalog_frame(title: str) -> AbstractContextManager[None]:
    return portal_frame(title, CATALOG_PATH)


class CatalogView:
    """The search above, then the products of the page grouped by category, then the pager."""

    def __init__(self, state: ListState) -> None:
        self.state = state
        self.filters = ListFilters(
            state,
            on_change=self.refresh,
            status_label="Show",
            all_statuses="All products",
            search_hint="Part of a product's name, category or description",
        )
        self.results = ui.column().classes("w-full gap-4")

    @signed_in_only
    async def refresh(self) -> None:
        try:
            listing = await act(
                portal_catalog.browse_catalog,
                search=self.state.search,
                priced=self.state.status == PRICED,
                page=self.state.page,
            )
        except ValidationFailed as failure:
            self.filters.show_error("; ".join(failure.errors.values()))
            return
        except ContractNotActive:
            ui.navigate.to(CONTRACT_PATH)
            return
        self.filters.show_error(None)
        if not listing.rows and page_out_of_range(self.state, total=listing.total, page_size=listing.page_size):
            await self.refresh()
            return
        self.results.clear()
        with self.results:
            if not listing.rows:
                ui.label(
                    "No products match." if self.state.filtered else "Your distributor has not published products yet."
                ).classes("text-slate-700").mark("list-empty")
                return
            for category, products in groupby(listing.rows, key=lambda row: row.category):
                with ui.element("section").classes("w-full flex flex-col gap-2") as section:
                    section.props["aria-label"] = category
                    Heading(category, 2).mark("category")
                    table = ResponsiveTable(
                        [
                            Column("Product"),
                            Column("Description"),
                            Column("Items", "nowrap"),
                            Column("Currencies", "nowrap"),
                        ],
                        caption=f"Products in {category}",
                    )
                    for row in products:
                        self._row(table, row)
            pager(
                self.state,
                total=listing.total,
                page_size=listing.page_size,
                shown=len(listing.rows),
                on_go=self.refresh,
            )

    @staticmethod
    def _row(table: ResponsiveTable, row: CatalogProduct) -> None:
        with table.row(key=row.product_id).mark(f"catalog-row-{row.product_id}"):
            with table.cell():
                ui.link(row.name, f"{PATH}/{row.product_id}").classes("text-primary font-medium")
            table.cell(row.short_description)
            table.cell(row.items)
            table.cell(", ".join(row.currencies) or "—")


async def catalog_page(
    page: str | None = None, status: str | None = None, q: str | None = None
) -> RedirectResponse | None:
    """The reseller's catalog (``?status=priced&q=…&page=…``)."""
    actor = await portal_user(PATH)
    if isinstance(actor, RedirectResponse):
        return actor
    state = ListState.parse(PATH, page, status, q, statuses=FILTERS)
    with catalog_frame("Catalog"), card():
        with ui.row().classes("w-full items-end gap-3 flex-wrap"):
            Heading("Catalog").classes("grow")
            ui.link("My listings", LISTINGS_PATH).classes("text-primary font-medium").mark("my-listings")
        ui.label(
            "Your distributor's products, by category. Open one to see its items and prices, and enroll it on "
            "one of your marketplaces."
        ).classes("text-slate-700")
        view = CatalogView(state)
    await view.refresh()
    return None


async def catalog_product_page(product_id: str) -> RedirectResponse | None:
    """A product of the reseller's catalog: its description, items, cost and MSRP in each currency, its standing
    on each of the reseller's marketplaces, and **Enroll**."""
    actor = await portal_user(f"{PATH}/{product_id}")
    if isinstance(actor, RedirectResponse):
        return actor
    try:
        product = await act(portal_catalog.catalog_product, product_id)
    except ContractNotActive:
        return RedirectResponse(CONTRACT_PATH)
    except NotFound:
        not_found_page(
            "Product not found",
            "There is no such product in your catalog.",
            back=("Back to the catalog", PATH),
            frame=catalog_frame,
        )
        return None
    try:
        description = await render_markdown(product.description)
    except RenderFailed:
        description = None
    with catalog_frame(f"{product.name} · Catalog"):
        with card():
            ui.link("← Catalog", PATH).classes("text-primary font-medium")
            Heading(product.name).classes("w-full min-w-0 break-words").mark("product-heading")
            ui.label(f"{product.category} · from {product.distributor_name}").classes("text-slate-700")
            ui.label(product.short_description).classes("text-slate-900")
        standings = ui.column().classes("w-full gap-4")
        with card():
            Heading("Description", 2)
            if description is None:
                plain_agreement_text(product.description)
            else:
                markdown_view(description, label="Product description")
        with card():
            Heading("Items and prices", 2)
            ui.label("Cost is what you pay your distributor; MSRP is the suggested retail price.").classes(
                "text-slate-700"
            )
            table = ResponsiveTable(
                [
                    Column("Item"),
                    Column("MPN"),
                    Column("Billing period", "nowrap"),
                    Column("Unit"),
                    Column("Currency", "nowrap"),
                    Column("Cost", "nowrap"),
                    Column("MSRP", "nowrap"),
                ],
                caption=f"Items and prices of {product.name}",
            )
            for item in product.items:
                for price in item.prices:
                    with table.row():
                        table.cell(item.name)
                        table.cell(item.mpn)
                        table.cell(item.billing_label)
                        table.cell(item.unit)
                        table.cell(price.currency)
                        table.cell(format_amount(price.cost))
                        table.cell(format_amount(price.msrp))
    view = EnrollmentView(standings, product.product_id)
    await view.refresh()
    return None


class EnrollmentView:
    """The product's standing on each of the reseller's marketplaces, and **Enroll**."""

    def __init__(self, container: ui.column, product_id: str) -> None:
        self.container = container
        self.product_id = product_id

    @signed_in_only
    async def refresh(self) -> None:
        try:
            view = await act(enrolment.enrollment, self.product_id)
        except ContractNotActive:
            ui.navigate.to(CONTRACT_PATH)
            return
        self.container.clear()
        with self.container, card():
            with ui.row().classes("w-full items-end gap-3 flex-wrap"):
                Heading("Your marketplaces", 2).classes("grow")
                if view.enrollable and view.agreement_version_id:
                    action_button("Enroll", lambda: self.open_enroll_dialog(view), icon="how_to_reg").mark("enroll")
            if not view.marketplaces:
                ui.label("You have no marketplace yet: create one to enroll this product on it.").classes(
                    "text-slate-700"
                )
                ui.link("Go to Marketplace", MARKETPLACE_PATH).classes("text-primary font-medium")
                return
            if not any(marketplace.priced for marketplace in view.marketplaces):
                ui.label(
                    f"This product is priced in {', '.join(view.currencies)}, and none of your marketplaces sells in "
                    "that currency: create a marketplace in one of them to enroll it."
                ).classes("text-slate-700").mark("no-priced-marketplace")
                ui.link("Go to Marketplace", MARKETPLACE_PATH).classes("text-primary font-medium")
            elif view.agreement_version_id is None:
                ui.label(enrolment.NO_AGREEMENT).classes("text-slate-700")
            table = ResponsiveTable(
                [Column("Marketplace"), Column("Currency", "nowrap"), Column("Status", "nowrap"), Column("Since")],
                caption=f"{view.product_name} on your marketplaces",
            )
            for marketplace in view.marketplaces:
                with table.row(key=marketplace.marketplace_id):
                    table.cell(marketplace.name)
                    table.cell(marketplace.currency if marketplace.priced else f"{marketplace.currency} (not priced)")
                    with table.cell():
                        badge(marketplace.standing)
                    with table.cell():
                        ui.label(format_time(marketplace.since) if marketplace.since else "—")
                        if marketplace.reason:
                            ui.label(f"Reason: {marketplace.reason}").classes("text-slate-700 whitespace-pre-line")

    @signed_in_only
    async def open_enroll_dialog(self, view: enrolment.Enrollment) -> None:
        """The marketplace (only those priced in its currency, not enrolled yet), the agreement, the acceptance."""
        dialog = Dialog(f"Enroll {view.product_name}", width="wide")
        form = dialog.form
        options = {m.marketplace_id: f"{m.name} ({m.currency})" for m in view.enrollable}
        with dialog:
            form.select(
                "marketplace_id",
                "Marketplace",
                options,
                value=next(iter(options)) if len(options) == 1 else None,
                hint="Only your marketplaces selling in a currency this product is priced in: "
                f"{', '.join(view.currencies)}.",
            ).mark("enroll-marketplace")
            Heading(f"{view.agreement_title} (version {view.agreement_version})", 3)
            await agreement_text(view.agreement_text or "")
            form.checkbox("accepted", "I have read and accepted the agreement").mark("enroll-accepted")
        address, agent = client_address(), user_agent()

        @signed_in_only
        async def enroll() -> None:
            values = form.values()
            await act(
                enrolment.enroll,
                self.product_id,
                marketplace_id=values["marketplace_id"],
                accepted=values["accepted"],
                agreement_version_id=view.agreement_version_id,
                client_address=address,
                user_agent=agent,
                request_key=dialog.request_key,
            )
            dialog.close()
            announce("Enrolled: waiting for your distributor's approval")
            await self.refresh()

        dialog.cancel_button()
        dialog.submit_button("Enroll", enroll, done_already=self.refresh).mark("enroll-submit")
        dialog.open()


class ListingsView:
    """**My listings**: product, marketplace, contract, status, since."""

    def __init__(self, actor: SignedInUser, state: ListState) -> None:
        with ui.row().classes("w-full items-end gap-3 flex-wrap"):
            Heading("My listings").classes("grow")
            ui.link("← Catalog", PATH).classes("text-primary font-medium")
        ui.label("Products your distributor approved on your marketplaces.").classes("text-slate-700")
        self.list = ListView(
            state,
            load=self._load,
            columns=[
                Column("Product"),
                Column("Marketplace"),
                Column("Contract", "nowrap"),
                Column("Listing", "nowrap"),
                Column("Status", "nowrap"),
                Column("Since", "nowrap"),
            ],
            caption="Your listings, newest first",
            show_row=self._row,
            empty="No listings yet: enroll a product from the catalog; it is listed once your distributor approves.",
            no_match="No listings match.",
            search_hint="Part of a product's or marketplace's name, or an ID",
        )
        self.refresh = self.list.refresh

    @signed_in_only
    async def _load(self, state: ListState) -> Page[ListingRow] | None:
        try:
            return await act(enrolment.my_listings, status=state.status or None, search=state.search, page=state.page)
        except ContractNotActive:
            ui.navigate.to(CONTRACT_PATH)
            return None

    @staticmethod
    def _row(table: ResponsiveTable, row: ListingRow) -> None:
        with table.row(key=row.listing_id):
            with table.cell():
                ui.link(row.product_name, f"{PATH}/{row.product_id}").classes("text-primary font-medium")
            table.cell(row.marketplace_name)
            table.cell(row.contract_id)
            table.cell(row.listing_id)
            with table.cell():
                badge(row.status_label)
            table.cell(format_time(row.since))


async def listings_page(
    page: str | None = None, status: str | None = None, q: str | None = None
) -> RedirectResponse | None:
    """``/catalog/listings`` (``?status=…&q=…&page=…``)."""
    actor = await portal_user(LISTINGS_PATH)
    if isinstance(actor, RedirectResponse):
        return actor
    state = ListState.parse(LISTINGS_PATH, page, status, q, statuses=LISTING_STATUSES)
    with portal_frame("My listings", CATALOG_PATH), card():
        view = ListingsView(actor, state)
    await view.refresh()
    return None

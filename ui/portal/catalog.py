"""``/catalog``: the reseller's catalog (its distributor's published products by category, with search);
``/catalog/<product>``: a product's description, items and prices."""

from __future__ import annotations

from contextlib import AbstractContextManager
from itertools import groupby

from fastapi.responses import RedirectResponse
from nicegui import ui

from services.errors import NotFound, ValidationFailed
from services.portal import catalog as portal_catalog
from services.portal.access import ContractNotActive
from services.portal.catalog import CatalogProduct
from ui.auth import act, signed_in_only
from ui.components.agreement import RenderFailed, markdown_view, plain_agreement_text, render_markdown
from ui.components.money import format_amount
from ui.components.tables import Column, ListFilters, ListState, ResponsiveTable, page_out_of_range, pager
from ui.portal.shell import CATALOG_PATH, CONTRACT_PATH, portal_frame, portal_user
from ui.theme import Heading, card, not_found_page

PATH = CATALOG_PATH


def catalog_frame(title: str) -> AbstractContextManager[None]:
    return portal_frame(title, CATALOG_PATH)


class CatalogView:
    """The search above, then the products of the page grouped by category, then the pager."""

    def __init__(self, state: ListState) -> None:
        self.state = state
        self.filters = ListFilters(
            state, on_change=self.refresh, search_hint="Part of a product's name, category or description"
        )
        self.filters.status.set_shown(False)  # one filter, "Priced in my marketplaces' currencies", with chapter 2
        self.results = ui.column().classes("w-full gap-4")

    @signed_in_only
    async def refresh(self) -> None:
        try:
            listing = await act(portal_catalog.browse_catalog, search=self.state.search, page=self.state.page)
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


async def catalog_page(page: str | None = None, q: str | None = None) -> RedirectResponse | None:
    """The reseller's catalog (``?q=…&page=…``)."""
    actor = await portal_user(PATH)
    if isinstance(actor, RedirectResponse):
        return actor
    state = ListState.parse(PATH, page, None, q, statuses={})
    with catalog_frame("Catalog"), card():
        Heading("Catalog")
        ui.label("Your distributor's products, by category. Open one to see its items and prices.").classes(
            "text-slate-700"
        )
        view = CatalogView(state)
    await view.refresh()
    return None


async def catalog_product_page(product_id: str) -> RedirectResponse | None:
    """A product of the reseller's catalog: its description, items, and cost and MSRP in each currency."""
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
            Heading(product.name).mark("product-heading")
            ui.label(f"{product.category} · from {product.distributor_name}").classes("text-slate-700")
            ui.label(product.short_description).classes("text-slate-900")
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
    return None

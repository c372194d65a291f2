"""Lists: :class:`ResponsiveTable` (a real table on wide screens, one card per row on phones, never wider than the
screen), :class:`ListState` (page, filter and search kept in the URL, so a reload or a shared link shows the same
list), :class:`ListFilters` (a status filter and a search box that update it) and :func:`pager` (which offers only
what it can do).

A list page reads its state from the query and hands the rest to :class:`ListView`::

    async def customers_page(page: str | None = None, status: str | None = None, q: str | None = None) -> None:
        state = ListState.parse("/portal/customers", page, status, q, statuses=STATUS_LABELS)
        with page_frame("Customers", signed_in=True), card():
            Heading("Customers")
            view = ListView(
                state,
                load=signed_in_only(lambda s: act(customers.find_customers, status=s.status or None,
                                                  search=s.search, page=s.page)),
                columns=[Column("Name"), Column("Status", "nowrap"), Column("Actions", "actions")],
                caption="Customers, newest first",
                show_row=show_customer,  # (table, row) -> None: one table.cell(...) per column
                empty="No customers yet.",
                no_match="No customers match.",
                search_hint="Part of a name or an email",
            )
        await view.refresh()
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol
from urllib.parse import urlencode

from nicegui import context, ui
from nicegui.element import Element

from services.errors import ValidationFailed
from services.listing import PAGE_MAX, page_number
from ui.components.fields import SelectField, TextField

ColumnKind = Literal["text", "nowrap", "actions"]
COLUMN_CLASSES = {"text": "cell-text", "nowrap": "cell-nowrap", "actions": "cell-actions"}
SEARCH_MAX = 200


@dataclass(frozen=True)
class Column:
    """A table column: its header, and how its cells wrap. ``"text"`` wraps long words wherever needed (a
    120-character name, an email with a 70-character domain) and short ones only between words; ``"nowrap"``
    keeps dates, statuses and IDs on one line; ``"actions"`` holds the row's buttons and links (on phones
    they wrap under the row's other cells). ``hidden_header`` keeps the header for screen readers only."""

    header: str
    kind: ColumnKind = "text"
    hidden_header: bool = False


class ResponsiveTable:
    """A table (real ``th``/``td`` with explicit roles, a caption for screen readers) that is never wider than
    the screen: on wide screens long words wrap inside their column; below 640 px each row is a card with every
    cell labelled by its header and every action visible. Rows made with ``key`` get the focus back on their
    first action when a refresh rebuilds them."""

    def __init__(self, columns: Sequence[Column], *, caption: str) -> None:
        self.columns = list(columns)
        with ui.element("table").classes("portal-table").props('role="table"') as self.table:
            with ui.element("caption").classes("sr-only"):
                ui.label(caption)
            with ui.element("thead").props('role="rowgroup"'), ui.element("tr").props('role="row"'):
                for column in self.columns:
                    header = ui.element("th").props('scope="col" role="columnheader"')
                    header.classes(COLUMN_CLASSES[column.kind])
                    with header:
                        ui.label(column.header).classes("sr-only" if column.hidden_header else "")
            self.body = ui.element("tbody").props('role="rowgroup"')
        self._next_cell = 0

    def row(self, *, key: str | None = None) -> Element:
        """A new row; enter it and add one :meth:`cell` per column, in order."""
        with self.body:
            row = ui.element("tr").props('role="row"')
        if key is not None:
            row.props["data-focus-row"] = key
        self._next_cell = 0
        return row

    def cell(self, text: object = None) -> Element:
        """The next cell of the current row, with escaped ``text`` (or empty, to fill with elements)."""
        column = self.columns[min(self._next_cell, len(self.columns) - 1)]
        self._next_cell += 1
        cell = ui.element("td").props('role="cell"').classes(COLUMN_CLASSES[column.kind])
        cell.props["data-label"] = column.header
        if text is not None:
            with cell:
                ui.label(str(text))
        return cell


@dataclass
class ListState:
    """A list's page, status filter and search, as they appear in the URL (``?page=2&status=opened&q=acme``)."""

    path: str
    page: int = 1
    status: str = ""
    search: str = ""
    statuses: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def parse(
        cls, path: str, page: object, status: object, search: object, *, statuses: Mapping[str, str]
    ) -> ListState:
        """The state from the query's values; anything unusable counts as not given (page 1, every status)."""
        number = 1
        if isinstance(page, str) and page.isascii() and page.isdigit():  # no int() of 5,000 digits: it raises
            number = int(page) if len(page) <= len(str(PAGE_MAX)) else PAGE_MAX
        chosen = status if isinstance(status, str) and status in statuses else ""
        text = search if isinstance(search, str) else ""
        return cls(path=path, page=page_number(number), status=chosen, search=text, statuses=statuses)

    @property
    def filtered(self) -> bool:
        return bool(self.status or self.search)

    def url(self) -> str:
        """The list's address for this state (only what differs from the defaults)."""
        query = {"status": self.status, "q": self.search, "page": str(self.page) if self.page > 1 else ""}
        encoded = urlencode({key: value for key, value in query.items() if value})
        return f"{self.path}?{encoded}" if encoded else self.path

    def remember(self) -> None:
        """Put this state in the browser's address bar (without loading the page anew), so a reload keeps it."""
        ui.navigate.history.replace(self.url())


Refresh = Callable[[], Awaitable[Any]]


class ListFilters:
    """A status filter and a search box (Enter or **Search**) above a list; each change goes to page 1, into the
    URL, and refreshes the list."""

    def __init__(
        self,
        state: ListState,
        *,
        on_change: Refresh,
        status_label: str = "Status",
        all_statuses: str = "All statuses",
        search_label: str = "Search",
        search_hint: str | None = None,
    ) -> None:
        self.state = state
        self.on_change = on_change
        with ui.element("div").classes("portal-filters w-full flex flex-wrap items-start gap-3"):
            options = {"": all_statuses, **state.statuses}
            self.status = SelectField(status_label, options, value=state.status).mark("status-filter")
            self.status.wrapper.classes("sm:w-56")
            self.status.props("dense")
            self.status.on_value_change(self._status_changed)
            self.search = TextField(search_label, value=state.search, hint=search_hint, input_type="search")
            self.search.props("dense clearable").mark("search")
            self.search.wrapper.classes("sm:w-80")
            self.search.on("keydown.enter", self._search)
            self.search.on("clear", self._search)
            ui.button("Search", on_click=self._search).props("outline").classes("mt-1")

    async def _status_changed(self, event: Any) -> None:
        self.state.status = getattr(event, "value", "") or ""
        await self._changed()

    async def _search(self) -> None:
        self.state.search = self.search.value or ""
        await self._changed()

    async def _changed(self) -> None:
        self.state.page = 1
        self.state.remember()
        await self.on_change()

    def show_error(self, message: str | None) -> None:
        """A message about the search itself (too long, characters that cannot be searched)."""
        self.search.error = message


class Listing(Protocol):
    """What a list service returns (``services.listing.Page``)."""

    @property
    def rows(self) -> Sequence[Any]: ...

    @property
    def total(self) -> int: ...

    @property
    def page(self) -> int: ...

    @property
    def page_size(self) -> int: ...


class ListView:
    """A list page's body: :class:`ListFilters`, then the rows as a :class:`ResponsiveTable` (or a sentence when
    there are none), then the :func:`pager`; refreshed in place whenever the state changes, and sent to the last
    page when the state asks for one past it. ``load(state)`` calls the list service (``None``: nothing to show,
    e.g. the session ended and the page is leaving); ``show_row(table, row)`` fills one row."""

    def __init__(
        self,
        state: ListState,
        *,
        load: Callable[[ListState], Awaitable[Listing | None]],
        columns: Sequence[Column],
        caption: str,
        show_row: Callable[[ResponsiveTable, Any], None],
        empty: str,
        no_match: str,
        search_hint: str,
    ) -> None:
        self.state = state
        self.load = load
        self.columns = columns
        self.caption = caption
        self.show_row = show_row
        self.empty = empty
        self.no_match = no_match
        self.filters = ListFilters(state, on_change=self.refresh, search_hint=search_hint)
        self.results = ui.column().classes("w-full gap-2")

    async def refresh(self) -> None:
        """Load the list for the current state and show it."""
        try:
            listing = await self.load(self.state)
        except ValidationFailed as failure:  # a search that cannot be run: said under the search box
            self.filters.show_error("; ".join(failure.errors.values()))
            return
        if listing is None:
            return
        self.filters.show_error(None)
        if not listing.rows and page_out_of_range(self.state, total=listing.total, page_size=listing.page_size):
            await self.refresh()
            return
        self.results.clear()
        with self.results:
            if not listing.rows:
                ui.label(self.no_match if self.state.filtered else self.empty).classes("text-slate-700").mark(
                    "list-empty"
                )
                return
            table = ResponsiveTable(self.columns, caption=self.caption)
            for row in listing.rows:
                self.show_row(table, row)
            pager(
                self.state,
                total=listing.total,
                page_size=listing.page_size,
                shown=len(listing.rows),
                on_go=self.refresh,
            )


def pager(state: ListState, *, total: int, page_size: int, shown: int, on_go: Refresh) -> None:
    """ "Showing 26–50 of 120" and only the moves that exist: no **Previous** on the first page, no **Next** on the
    last, no buttons at all when everything fits on one page."""
    pages = max(1, -(-total // page_size))
    first = (state.page - 1) * page_size + 1
    with ui.element("nav").classes("w-full flex flex-wrap items-center justify-between gap-2") as navigation:
        navigation.props["aria-label"] = "Pages"
        summary = f"Showing {first:,}–{first + shown - 1:,} of {total:,}" if shown else f"{total:,} in all"
        ui.label(summary).classes("text-slate-700").mark("page-summary")
        if pages > 1:
            with ui.row().classes("gap-2 items-center"):
                ui.label(f"Page {state.page:,} of {pages:,}").classes("text-slate-700")

                async def go(page: int) -> None:
                    state.page = page
                    state.remember()
                    await on_go()

                if state.page > 1:
                    previous = ui.button("Previous page", icon="chevron_left", on_click=lambda: go(state.page - 1))
                    previous.props("outline").mark("previous-page")
                if state.page < pages:
                    following = ui.button("Next page", on_click=lambda: go(state.page + 1))
                    following.props("outline icon-right=chevron_right").mark("next-page")


def page_out_of_range(state: ListState, *, total: int, page_size: int) -> bool:
    """Whether ``state`` asks for a page past the last one (the list shrank, or a typed URL); if so, it is moved
    to the last page and the URL follows."""
    pages = max(1, -(-total // page_size))
    if state.page > pages:
        state.page = pages
        state.remember()
        return True
    return False


def client_path() -> str:
    """The current page's path (without its query)."""
    request = context.client.request
    return request.url.path if request is not None else context.client.page.path

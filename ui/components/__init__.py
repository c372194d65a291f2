"""Small reusable pieces of UI: a password field with a show/hide toggle, a one-time link dialog, a
confirmation dialog, and a plain accessible table."""

from __future__ import annotations

import asyncio
import hashlib
from collections import OrderedDict
from collections.abc import Sequence
from datetime import datetime

from nicegui import context, ui

from services import markdown
from services.errors import ValidationFailed
from services.markdown import SafeHtml
from ui.calls import ServerBusy, perform

AGREEMENT_BOX = "agreement-text w-full overflow-y-auto border border-slate-300 rounded p-3 bg-white"
SHORT_BOX = "max-h-72"
TALL_BOX = "max-h-[60vh]"
PASSWORD_HINT = "At least 15 characters. A few unrelated words make a strong password."  # noqa: S105


def format_time(moment: datetime | None) -> str:
    """A timestamp as people read it, in UTC."""
    return moment.strftime("%d %b %Y, %H:%M UTC") if moment else "—"


class RenderFailed(Exception):
    """Markdown that could not be rendered (too slow, too deeply nested, with parts the reader would not see)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


_rendered: OrderedDict[str, SafeHtml] = OrderedDict()  # by the SHA-256 of the Markdown, newest last
RENDERED_KEPT = 64


async def render_markdown(text: str) -> SafeHtml:
    """``text`` rendered by the one safe renderer, in a worker process, within its time bound; kept by the text's
    SHA-256, so that every reseller opening links to one agreement version costs one rendering. Raises
    :class:`RenderFailed` with a message for the field."""
    key = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    html = _rendered.get(key)
    if html is not None:
        _rendered.move_to_end(key)
        return html
    try:
        rendered = await asyncio.wait_for(perform(markdown.render, text), markdown.RENDER_SECONDS + 5)
    except ValidationFailed as failure:
        raise RenderFailed(failure.errors.get("text") or failure.message) from None
    except (TimeoutError, ServerBusy):
        raise RenderFailed("The text could not be displayed just now; please try again.") from None
    _rendered[key] = rendered.html
    while len(_rendered) > RENDERED_KEPT:
        _rendered.popitem(last=False)
    return rendered.html


def markdown_view(html: SafeHtml, *, tall: bool = False) -> ui.html:
    """The one place that puts HTML on a page: only the safe renderer's output (a :class:`SafeHtml`), in a
    scrollable region that keyboards can reach."""
    if not isinstance(html, SafeHtml):
        raise TypeError("only the safe Markdown renderer's output may be shown as HTML")
    view = ui.html(html, sanitize=False).classes(AGREEMENT_BOX).classes(TALL_BOX if tall else SHORT_BOX)
    view.props("tabindex=0 role=region")
    view.props["aria-label"] = "Agreement text"
    return view


async def agreement_text(text: str, *, tall: bool = False) -> ui.element:
    """An agreement's text, rendered safely. Text that cannot be rendered is shown as it was written (every
    character of it, so that what is shown is still what is signed)."""
    try:
        return markdown_view(await render_markdown(text), tall=tall)
    except RenderFailed:
        return plain_agreement_text(text, tall=tall)


def plain_agreement_text(text: str, *, tall: bool = False) -> ui.label:
    """An agreement's text as it was written, for text the renderer refused (published before its rules)."""
    plain = ui.label(text).classes(AGREEMENT_BOX).classes(TALL_BOX if tall else SHORT_BOX)
    plain.classes("whitespace-pre-wrap").props("tabindex=0 role=region")
    plain.props["aria-label"] = "Agreement text"
    return plain


def password_field(
    label: str = "Password",
    *,
    autocomplete: str = "new-password",
    hint: str | None = PASSWORD_HINT,
    marker: str = "password",
) -> ui.input:
    """A password input whose show/hide toggle is a real, focusable button (keyboard and screen readers)."""
    field = ui.input(label, password=True).props("outlined")
    field.props["autocomplete"] = autocomplete
    field.classes("w-full").mark(marker)
    if hint:
        field.props["hint"] = hint

    def toggle() -> None:
        showing = field.props.get("type") == "text"
        field.props["type"] = "password" if showing else "text"
        toggle_button.props["icon"] = "visibility" if showing else "visibility_off"
        toggle_button.props["aria-label"] = "Show password" if showing else "Hide password"
        toggle_button.props["aria-pressed"] = "false" if showing else "true"

    with field.add_slot("append"):
        toggle_button = (
            ui.button(icon="visibility", on_click=toggle)
            .props('flat round dense aria-label="Show password" aria-pressed="false"')
            .mark(f"toggle-{marker}")
        )
    return field


def modal(title: str, *, maximized: bool = False, alert: bool = False) -> ui.dialog:
    """A modal dialog named ``title`` for screen readers, placed on the page itself (so that refreshing a
    list does not take it along), shown without animation, and removed from the page once closed."""
    with context.client.layout:
        dialog = ui.dialog().props("transition-duration=0")
    dialog.props["aria-label"] = title  # data never goes into a props string: NiceGUI would parse it
    if maximized:
        dialog.props("maximized")
    if alert:  # asks before something that cannot be undone
        dialog.props('role="alertdialog"')

    def remove_when_closed(event: object) -> None:
        if not getattr(event, "value", True):
            dialog.delete()

    dialog.on_value_change(remove_when_closed)
    return dialog


def show_link_once(title: str, url: str, explanation: str) -> None:
    """A dialog with a new link and a copy button. The token is not stored, so this is the only time
    the link can be shown."""
    with modal(title) as dialog, ui.card().classes("w-full max-w-xl gap-3"):
        ui.label(title).classes("text-lg font-semibold text-slate-900")
        ui.label(explanation).classes("text-slate-700")
        link = ui.input("Link", value=url).props("readonly outlined").classes("w-full").mark("new-link")

        def copy() -> None:
            ui.clipboard.write(url)
            ui.notify("Link copied", type="positive")

        with ui.row().classes("gap-2 justify-end w-full"):
            ui.button("Copy link", icon="content_copy", on_click=copy).mark("copy-link")
            ui.button("Done", on_click=dialog.close).props("flat")
    link.props("autofocus")
    dialog.open()


async def confirm(title: str, text: str, action: str) -> bool:
    """Ask before an action that cannot be undone."""
    with modal(title, alert=True) as dialog, ui.card().classes("max-w-md gap-3"):
        ui.label(title).classes("text-lg font-semibold text-slate-900")
        ui.label(text).classes("text-slate-700")
        with ui.row().classes("gap-2 justify-end w-full"):
            ui.button("Cancel", on_click=lambda: dialog.submit(False)).props("flat")
            ui.button(action, on_click=lambda: dialog.submit(True)).props("color=negative").mark("confirm")
    return bool(await dialog)


class Table:
    """A plain HTML table (real ``th``/``td`` for screen readers) whose cells hold escaped text or elements."""

    def __init__(self, headers: Sequence[str], *, caption: str) -> None:
        with (
            ui.element("div").classes("w-full overflow-x-auto"),
            ui.element("table").classes("w-full text-left text-sm border-collapse") as self.table,
        ):
            with ui.element("caption").classes("sr-only"):
                ui.label(caption)
            with ui.element("thead"), ui.element("tr").classes("border-b border-slate-300"):
                for header in headers:
                    with ui.element("th").props('scope="col"').classes("py-2 pr-3 font-semibold text-slate-700"):
                        ui.label(header)
            self.body = ui.element("tbody")

    def row(self) -> ui.element:
        """A new row; enter it and add :meth:`cell` s."""
        with self.body:
            return ui.element("tr").classes("border-b border-slate-200 align-top")

    @staticmethod
    def cell(text: object = None) -> ui.element:
        """A cell with escaped text (or an empty cell to fill with elements)."""
        with ui.element("td").classes("py-2 pr-3 text-slate-900") as cell:
            if text is not None:
                ui.label(str(text)).classes("break-words")
        return cell

"""Agreement text on a page: Markdown rendered by the one safe renderer (services/markdown.py) in a worker
process, and :func:`markdown_view`, the one place that puts HTML on a page. Use :func:`agreement_text` to show an
agreement version's text anywhere."""

from __future__ import annotations

import asyncio
import hashlib
from collections import OrderedDict

from nicegui import ui

from services import markdown
from services.errors import ValidationFailed
from services.markdown import SafeHtml
from ui.calls import ServerBusy, perform

# Below 640 px the box has no height limit (theme.PAGE_CSS): the page scrolls, not a box inside it.
AGREEMENT_BOX = "agreement-text w-full overflow-y-auto border border-slate-300 rounded p-3 bg-white"
SHORT_BOX = "max-h-72"
TALL_BOX = "max-h-[60vh]"


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


def markdown_view(html: SafeHtml, *, tall: bool = False, label: str = "Agreement text") -> ui.html:
    """The one place that puts HTML on a page: only the safe renderer's output (a :class:`SafeHtml`), in a
    scrollable region that keyboards can reach, named ``label`` (a product's description uses it too)."""
    if not isinstance(html, SafeHtml):
        raise TypeError("only the safe Markdown renderer's output may be shown as HTML")
    view = ui.html(html, sanitize=False).classes(AGREEMENT_BOX).classes(TALL_BOX if tall else SHORT_BOX)
    view.props("tabindex=0 role=region")
    view.props["aria-label"] = label
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

"""The one safe renderer for agreement Markdown (later also product descriptions).

A linear-time CommonMark parser (markdown-it-py) with raw HTML, images, entities and reference definitions
turned off, then an allow-list sanitizer (nh3): headings, paragraphs, emphasis, lists, tables, code,
blockquotes, rules and links to http, https and mailto (opening in a new tab, ``rel="noopener noreferrer"``).
No images, no style, no forms, nothing external loaded. Every character of the text is shown: text that would
render something invisible (a link title, which only shows on hover) is refused, so what a signee sees is what
is hashed.

Rendering costs up to about 20 µs per character on hostile input (still linear), so it runs in the worker
processes like any service (never on the event loop) and within :data:`RENDER_SECONDS`.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.token import Token

from services.errors import ValidationFailed
from services.unit_of_work import UnitOfWork

RENDER_SECONDS = 10.0  # the bound on one rendering; hostile input of the maximum size takes about 2 s
# The most elements one text may render to. A dense 100,000-character agreement (numbered sections, lists, tables,
# links) renders to about 1,600; hostile text of that size to 25,000-35,000, which every browser showing it must
# lay out (and the server must send). Text past the bound is refused, not cut.
ELEMENTS_MAX = 5_000
# The longest text rendered at all (an agreement's limit). Checked before parsing: the editor's Preview renders
# text that was never published, and hostile text ten times longer would hold a shared worker for 20 s.
TEXT_MAX = 100_000
ALLOWED_TAGS = {
    *(f"h{level}" for level in range(1, 7)),
    "p",
    "br",
    "em",
    "strong",
    "ul",
    "ol",
    "li",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "code",
    "pre",
    "blockquote",
    "hr",
    "a",
}
ALLOWED_ATTRIBUTES = {"a": {"href"}, "ol": {"start"}}
LINK_SCHEMES = ("http://", "https://", "mailto:")


class SafeHtml(str):
    """HTML made by :func:`to_html`: the only HTML the pages may show (``ui/components.py``'s ``markdown_view``)."""

    __slots__ = ()


@dataclass(frozen=True)
class RenderedMarkdown:
    html: SafeHtml


class RenderTimeout(Exception):
    """Rendering took longer than :data:`RENDER_SECONDS`."""


def _parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    parser.enable("table")
    # Images would load from elsewhere (or this site) and hide their alt text; entities can spell invisible or
    # bidi-reordering characters that the input rules refuse; reference definitions render as nothing.
    parser.disable(["image", "entity", "reference"])
    nested = parser.block.tokenize

    def tokenize(state: StateBlock, start_line: int, end_line: int) -> None:
        # Past maxNesting (20) markdown-it skips the rest of a block without a word: that text would be signed
        # unseen, so it is noted here and refused.
        if state.level >= parser.options["maxNesting"] and state.skipEmptyLines(start_line) < end_line:
            state.env["too_deep"] = True
        nested(state, start_line, end_line)

    # This parser's own tokenize wraps the class's; mypy checks the assignment against the unbound method (self).
    parser.block.tokenize = tokenize  # type: ignore[method-assign, assignment]
    return parser


_markdown = _parser()


def _link_target(tag: str, attribute: str, value: str) -> str | None:
    if tag == "a" and attribute == "href":
        return value if value.lower().startswith(LINK_SCHEMES) else None
    return value


def to_html(text: str, field: str = "text") -> SafeHtml:
    """Markdown to sanitised HTML. :class:`ValidationFailed` (on ``field``) for text with parts the reader would
    not see."""
    env: dict[str, object] = {}
    tokens = _markdown.parse(text, env)
    if env.get("too_deep"):
        raise ValidationFailed({field: "This text is nested too deeply to display; simplify its formatting."})
    for token in _inline_tokens(tokens):
        if token.type == "link_open" and token.attrGet("title"):
            raise ValidationFailed(
                {field: "Link titles are not shown to the reader; write that text in the agreement."}
            )
    html = _markdown.renderer.render(tokens, _markdown.options, env)
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_link_target,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        set_tag_attribute_values={"a": {"target": "_blank"}},
        strip_comments=True,
    )
    # nh3 escapes every "<" of the text itself, so each "<" left opens or closes an element.
    if cleaned.count("<") - cleaned.count("</") > ELEMENTS_MAX:
        raise ValidationFailed(
            {
                field: f"This text has too much formatting to display (more than {ELEMENTS_MAX:,} formatted parts); "
                "simplify it."
            }
        )
    return SafeHtml(cleaned)


def _inline_tokens(tokens: list[Token]) -> Iterator[Token]:
    for token in tokens:
        yield token
        if token.children:
            yield from token.children


@contextmanager
def _time_bound(seconds: float) -> Iterator[None]:
    """Raise :class:`RenderTimeout` in this process's main thread after ``seconds`` (a worker process runs its
    tasks there). Elsewhere (NiceGUI's test simulation runs services in threads) the caller's own timeout bounds
    the wait."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expired(_signal: int, _frame: object) -> None:
        raise RenderTimeout()

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def render(_uow: UnitOfWork, text: str, *, field: str = "text", seconds: float = RENDER_SECONDS) -> RenderedMarkdown:
    """The service (it needs no database): :func:`render_text`."""
    return render_text(text, field=field, seconds=seconds)


def render_text(text: object, *, field: str = "text", seconds: float = RENDER_SECONDS) -> RenderedMarkdown:
    """``text`` rendered within ``seconds``; a failure is a :class:`ValidationFailed` on ``field``."""
    if not isinstance(text, str):
        raise ValidationFailed({field: "The text could not be read; please retype it."})
    if len(text) > TEXT_MAX:
        raise ValidationFailed({field: f"This text has {len(text):,} characters; at most {TEXT_MAX:,} can be shown."})
    try:
        with _time_bound(seconds):
            return RenderedMarkdown(to_html(text, field))
    except RenderTimeout:
        raise ValidationFailed({field: "This text takes too long to display; simplify its formatting."}) from None
    except RecursionError:
        raise ValidationFailed({field: "This text is nested too deeply to display; simplify its formatting."}) from None

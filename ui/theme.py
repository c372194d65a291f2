"""The portal's look: brand colours (WCAG AA contrast), a header with the product name, a centred card."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager

from nicegui import app, ui
from nicegui.elements.mixins.text_element import TextElement

PRODUCT_NAME = "Reseller Portal"
WIDE_COLUMN = "max-w-6xl"
NARROW_COLUMN = "max-w-2xl"
HEADING_SIZES = {1: "text-2xl font-bold", 2: "text-xl font-semibold", 3: "text-lg font-semibold"}
# Darker than Quasar's defaults so white text on them passes WCAG AA (4.5:1).
BRAND_COLORS = {
    "primary": "#1e40af",
    "secondary": "#334155",
    "accent": "#6d28d9",
    "positive": "#15803d",
    "negative": "#b91c1c",
    "info": "#0369a1",
    "warning": "#92400e",
}

# Markdown headings inside the agreement box in proportion with the page; stepper labels with AA contrast.
PAGE_CSS = """
body { background-color: #f1f5f9; }  /* Tailwind's slate-100 */
.agreement-text h1 { font-size: 1.375rem; line-height: 1.75rem; font-weight: 700; margin: 0.25rem 0 0.5rem; }
.agreement-text h2 { font-size: 1.125rem; line-height: 1.5rem; font-weight: 600; margin: 0.75rem 0 0.25rem; }
.agreement-text h3 { font-size: 1rem; font-weight: 600; margin: 0.5rem 0 0.25rem; }
.agreement-text ol { list-style: decimal; padding-left: 1.5rem; }
.agreement-text ul { list-style: disc; padding-left: 1.5rem; }
.agreement-text p { margin: 0.25rem 0 0.5rem; }
.agreement-text h4, .agreement-text h5, .agreement-text h6 { font-weight: 600; margin: 0.5rem 0 0.25rem; }
.agreement-text a { color: var(--q-primary); text-decoration: underline; }
.agreement-text blockquote { border-left: 4px solid #cbd5e1; padding-left: 0.75rem; color: #334155; }
.agreement-text code { font-family: ui-monospace, monospace; background: #f1f5f9; padding: 0 0.2rem; }
.agreement-text pre { background: #f1f5f9; padding: 0.5rem; overflow-x: auto; }
.agreement-text table { border-collapse: collapse; margin: 0.5rem 0; }
.agreement-text th, .agreement-text td { border: 1px solid #cbd5e1; padding: 0.25rem 0.5rem; text-align: left; }
.agreement-text hr { margin: 0.75rem 0; border-color: #cbd5e1; }
.q-stepper__tab { color: #475569; }  /* steps not reached yet: readable (7:1), not Quasar's light grey */
.q-stepper__tab .q-stepper__dot { background: #64748b; }
/* Quasar stacks the dialog backdrop at z-index -1; explicit layers let contrast checkers see the card on top. */
.q-dialog__backdrop { z-index: 0; }
.q-dialog__inner { z-index: 1; }
.q-stepper__tab--active .q-stepper__dot, .q-stepper__tab--done .q-stepper__dot { background: var(--q-primary); }
/* The product name in the header, after its icon (Material Icons ligature; hidden from screen readers). */
.brand { display: flex; align-items: center; gap: 0.5rem; }
.brand::before { content: "handshake" / ""; font-family: "Material Icons"; font-size: 1.5rem; font-weight: normal;
  line-height: 1; font-feature-settings: "liga"; -webkit-font-smoothing: antialiased; }
"""

# Quasar's loading bar is a progressbar without a name; give it one for screen readers (axe: aria-progressbar-name).
NAME_LOADING_BAR = """<script>
new MutationObserver(() => document.querySelectorAll('.q-loading-bar:not([aria-label])')
  .forEach((bar) => bar.setAttribute('aria-label', 'Loading')))
  .observe(document.documentElement, {childList: true, subtree: true});
</script>"""


def install() -> None:
    """Apply the look to every page, once at start-up (cheaper than elements on each page)."""
    app.colors(**BRAND_COLORS)
    ui.add_css(PAGE_CSS, shared=True)
    ui.add_body_html(NAME_LOADING_BAR, shared=True)


@contextmanager
def page_frame(
    title: str,
    *,
    signed_in: bool = False,
    wide: bool = False,
    nav: Sequence[tuple[str, str]] = (),
    current: str | None = None,
) -> Iterator[None]:
    """The page skeleton: header with the product name, navigation links and sign-out, then a centred
    main column."""
    ui.page_title(f"{title} · {PRODUCT_NAME}")
    with ui.header().classes("bg-primary text-white items-center justify-between px-4 py-2 gap-2 flex-wrap"):
        # One element: the icon is drawn by CSS (``.brand``). Every element costs server memory per browser.
        brand = ui.link(PRODUCT_NAME, "/").classes("brand text-white no-underline text-lg font-semibold")
        brand.props["aria-label"] = f"{PRODUCT_NAME} home"
        if nav:
            with ui.element("nav").classes("flex flex-wrap gap-1").props('aria-label="Main"'):
                for label, target in nav:
                    link = ui.link(label, target).classes("text-white no-underline px-3 py-1 rounded font-medium")
                    if target == current:
                        link.classes("bg-white/20").props('aria-current="page"')
        if signed_in:  # a POST, so that no link or image elsewhere can sign anyone out
            with ui.element("form").props("method=post action=/logout").classes("m-0"):
                ui.button("Sign out").props("type=submit flat color=white no-caps").classes("text-white")
    with ui.element("div").classes("w-full mx-auto px-3 sm:px-4 py-6 flex flex-col gap-4") as column:
        column.classes(WIDE_COLUMN if wide else NARROW_COLUMN)
        yield


def card() -> ui.card:
    """A full-width card for the main column."""
    return ui.card().classes("w-full p-4 sm:p-6 gap-3")


class Heading(TextElement):
    """A real heading element (``h1``..``h3``), for structure and screen readers. Its text is escaped."""

    def __init__(self, text: str, level: int = 1) -> None:
        super().__init__(tag=f"h{level}", text=text)
        self.classes("text-slate-900 m-0").classes(HEADING_SIZES[level])


class FieldMessage(ui.label):
    """An error message under a control that has no error slot of its own (a checkbox), announced to
    screen readers when it appears."""

    def __init__(self) -> None:
        super().__init__("")
        self.classes("text-sm text-negative").props('role="alert"')
        self.visible = False

    def show(self, message: str | None) -> None:
        """Show ``message``, or hide the field message when it is ``None``."""
        self.text = message or ""
        self.visible = bool(message)


class MessageSpot:
    """The place for a control's :class:`FieldMessage`, right after the control. The message is built the first
    time there is something to say: most visits never need one, and every element costs server memory for as
    long as the browser stays connected."""

    def __init__(self, control: ui.element) -> None:
        self.control = control
        self.message: FieldMessage | None = None

    def show(self, text: str | None) -> None:
        """Show ``text`` after the control, or hide the message when it is ``None``."""
        if self.message is None:
            if not text:
                return
            slot = self.control.parent_slot
            assert slot is not None
            with slot:
                self.message = FieldMessage()
            self.message.move(slot.parent, slot.children.index(self.control) + 1)
        self.message.show(text)


DISTRIBUTOR_NAV = (
    ("Invitations", "/distributor/invitations"),
    ("Partners", "/distributor/partners"),
    ("Agreements", "/distributor/agreements"),
)


def distributor_frame(title: str, current: str) -> AbstractContextManager[None]:
    """The frame of the distributor's pages: wide, with the distributor navigation and sign-out."""
    return page_frame(title, signed_in=True, wide=True, nav=DISTRIBUTOR_NAV, current=current)

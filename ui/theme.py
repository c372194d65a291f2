"""The portal's look and page skeleton: brand colours (WCAG AA contrast), a visible focus everywhere, the page
frame (header, navigation, a ``main`` landmark, the page's focus manager), headings, cards, and the branded
"page not found" page."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime

from nicegui import app, ui
from nicegui.elements.mixins.text_element import TextElement

from ui.calls import respond_with
from ui.components.focus import FocusManager

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
.nicegui-content { padding: 0; }  /* the page column has its own, narrower on phones */
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

/* A focus you can see (WCAG 2.4.7, 1.4.11): a 3 px outline, dark blue on light surfaces (8:1), white on the blue
   header. Quasar only shades a focused button and draws a 1.1:1 halo round a checkbox, and hides outlines with
   important rules in its own late layer (``.no-outline``); important rules in the first layer win over those.
   A field shows its focus with its own 2 px border. */
:root { --portal-focus: #1e40af; }
.q-header { --portal-focus: #ffffff; }
@layer theme {
  a:focus-visible, button:focus-visible, .q-btn:focus-visible, .q-tab:focus-visible, .q-item:focus-visible,
  [tabindex]:not([tabindex="-1"]):focus-visible, .q-checkbox.no-outline:focus-visible {
    outline: 3px solid var(--portal-focus) !important; outline-offset: 2px !important; }
  .q-field .q-field__native:focus-visible, .q-field .q-field__input:focus-visible { outline: none !important; }
}
.q-checkbox:focus-visible { border-radius: 4px; }
h1:focus, h2:focus, h3:focus { outline: none; }
.q-field--outlined .q-field__control:before { border-color: #64748b; }  /* the box itself at 4.7:1, not 1.5:1 */
.portal-busy { opacity: 0.6; cursor: progress !important; }

/* Fields: label, control, error and hint each in the flow of the page, so nothing ever covers the next control. */
.portal-field .q-checkbox { align-items: flex-start; }
.portal-field .q-checkbox__label { min-width: 0; overflow-wrap: anywhere; padding-top: 0.55rem; }
.portal-field .q-field__native, .portal-field .q-field__label { overflow-wrap: anywhere; }

/* Tables never wider than the screen: long words wrap where they must (overflow-wrap: anywhere, which also lets
   the column shrink; short words still break only between words, as each text column keeps 8rem). */
.portal-table { width: 100%; border-collapse: collapse; text-align: left; font-size: 0.875rem; }
.portal-table th { font-weight: 600; color: #334155; border-bottom: 1px solid #cbd5e1; }
.portal-table th, .portal-table td { padding: 0.5rem 0.75rem 0.5rem 0; vertical-align: top; }
.portal-table td { color: #0f172a; border-bottom: 1px solid #e2e8f0; }
.portal-table .cell-text { overflow-wrap: anywhere; min-width: 8rem; }
.portal-table .cell-nowrap, .portal-table .cell-actions { white-space: nowrap; }
.portal-table .cell-actions > * { display: inline-flex; }
/* Phones: each row a card, each cell labelled by its column, every action visible. */
@media (max-width: 639.98px) {
  .portal-table, .portal-table tbody, .portal-table tr, .portal-table td { display: block; width: 100%; }
  .portal-table thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  .portal-table tr { border: 1px solid #cbd5e1; border-radius: 0.5rem; padding: 0.5rem 0.75rem; margin-bottom: 0.75rem;
    background: #ffffff; }
  .portal-table td { display: grid; grid-template-columns: minmax(6rem, 35%) minmax(0, 1fr); gap: 0.5rem;
    padding: 0.25rem 0; border: 0; min-width: 0; white-space: normal; overflow-wrap: anywhere; }
  .portal-table td::before { content: attr(data-label) / ""; font-weight: 600; color: #475569; }
  .portal-table td.cell-actions { display: flex; flex-wrap: wrap; gap: 0.25rem; padding-top: 0.5rem; }
  .portal-table td.cell-actions::before { content: none; }
  /* The agreement is read in the page's own scroll, not in a box scrolling inside it. */
  .agreement-text { max-height: none !important; overflow: visible !important; }
  /* The activation stepper: the progress header gives way to each step's own "Step 2 of 4" heading. */
  .activation-stepper .q-stepper__header { display: none; }
}
.activation-stepper .q-stepper__step-inner { padding: 1rem 0 0; }
.activation-stepper .q-stepper__header { flex-wrap: nowrap; border-bottom: 1px solid #e2e8f0; }
.activation-stepper .q-stepper__header .q-stepper__tab { flex: 1 1 0; min-width: 0; min-height: 0;
  padding: 0.5rem 0.25rem; }
.activation-stepper .q-stepper__label { white-space: normal; text-align: center; font-size: 0.875rem; }
.activation-stepper .q-stepper__title { font-size: 0.875rem; line-height: 1.25rem; }
/* A navigation behind a Menu button on phones (page_frame's collapse_nav); on wider screens the links as they are. */
.q-btn.portal-menu-button { display: none; }
@media (max-width: 639.98px) {
  .q-btn.portal-menu-button { display: inline-flex; }
  nav.portal-collapsible-nav { display: none; flex-basis: 100%; flex-direction: column; order: 10; }
  nav.portal-collapsible-nav.portal-nav-open { display: flex; }
}
/* GOV.UK's error summary: a thick red border round "There is a problem" and its links. */
.portal-error-summary { border: 3px solid var(--q-negative); }
"""

# Quasar's loading bar flickers across the top while a page loads: decoration, outside every landmark, without a
# name. Screen readers are told about changes that matter by the page's live region instead (axe: region,
# aria-progressbar-name).
NAME_LOADING_BAR = """<script>
new MutationObserver(() => document.querySelectorAll('.q-loading-bar:not([aria-hidden])')
  .forEach((bar) => bar.setAttribute('aria-hidden', 'true')))
  .observe(document.documentElement, {childList: true, subtree: true});
</script>"""


def install() -> None:
    """Apply the look to every page, once at start-up (cheaper than elements on each page)."""
    app.colors(**BRAND_COLORS)
    ui.add_css(PAGE_CSS, shared=True)
    ui.add_body_html(NAME_LOADING_BAR, shared=True)


def format_time(moment: datetime | None) -> str:
    """A timestamp as people read it, in UTC."""
    return moment.strftime("%d %b %Y, %H:%M UTC") if moment else "—"


@contextmanager
def page_frame(
    title: str,
    *,
    signed_in: bool = False,
    wide: bool = False,
    nav: Sequence[tuple[str, str]] = (),
    current: str | None = None,
    collapse_nav: bool = False,
) -> Iterator[None]:
    """The page skeleton: header with the product name, navigation links and sign-out, then the centred ``main``
    column, which ends with the page's :class:`~ui.components.focus.FocusManager`. ``title`` names the page's
    object on a detail page ("Invitation IN-… for Champions Corp"). ``collapse_nav``: below 640 px the navigation
    is behind a **Menu** button (a disclosure: a real button with ``aria-expanded``, then the links)."""
    ui.page_title(f"{title} · {PRODUCT_NAME}")
    with ui.header().classes("bg-primary text-white items-center justify-between px-4 py-2 gap-2 flex-wrap"):
        # One element: the icon is drawn by CSS (``.brand``). Every element costs server memory per browser.
        brand = ui.link(PRODUCT_NAME, "/").classes("brand text-white no-underline text-lg font-semibold")
        brand.props["aria-label"] = f"{PRODUCT_NAME} home"
        if nav:
            toggle = None
            if collapse_nav:  # on phones: a "Menu" button (a disclosure) shows and hides the links
                toggle = ui.button("Menu", icon="menu").props("flat color=white no-caps aria-expanded=false")
                toggle.classes("portal-menu-button text-white")
            with ui.element("nav").classes("flex flex-wrap gap-1").props('aria-label="Main"') as navigation:
                for label, target in nav:
                    link = ui.link(label, target).classes("text-white no-underline px-3 py-1 rounded font-medium")
                    if target == current:
                        link.classes("bg-white/20").props('aria-current="page"')
            if toggle is not None:
                navigation.classes("portal-collapsible-nav")
                toggle.props["aria-controls"] = f"c{navigation.id}"
                toggle.on_click(lambda: _toggle_menu(toggle, navigation))
        if signed_in:  # a POST, so that no link or image elsewhere can sign anyone out
            ui.link("Account", "/account").classes("text-white no-underline px-3 py-1 rounded font-medium")
            with ui.element("form").props("method=post action=/logout").classes("m-0"):
                ui.button("Sign out").props("type=submit flat color=white no-caps").classes("text-white")
    # Quasar's page is the ``main`` landmark already; this is its centred column.
    with ui.element("div").classes("w-full mx-auto px-2 sm:px-4 py-4 sm:py-6 flex flex-col gap-4") as column:
        column.classes(WIDE_COLUMN if wide else NARROW_COLUMN)
        yield
        FocusManager()


def _toggle_menu(toggle: ui.button, navigation: ui.element) -> None:
    opened = toggle.props.get("aria-expanded") != "true"
    toggle.props["aria-expanded"] = "true" if opened else "false"
    if opened:
        navigation.classes(add="portal-nav-open")
    else:
        navigation.classes(remove="portal-nav-open")
    toggle.update()


def card() -> ui.card:
    """A full-width card for the main column."""
    return ui.card().classes("w-full p-4 sm:p-6 gap-3")


FACT_COLUMNS = {  # the labels' column beside the values, from 640 px up (one column below)
    "narrow": "grid grid-cols-1 sm:grid-cols-[12rem_1fr] gap-x-4 gap-y-1 w-full m-0",
    "wide": "grid grid-cols-1 sm:grid-cols-[14rem_1fr] gap-x-4 gap-y-1 w-full m-0",
}


def fact_list(rows: Sequence[tuple[str, str]], *, labels: str = "narrow") -> None:
    """A detail page's facts as a description list: each label, then its value as typed (line breaks kept)."""
    with ui.element("dl").classes(FACT_COLUMNS[labels]):
        for label, value in rows:
            with ui.element("dt").classes("text-slate-600"):
                ui.label(label)
            with ui.element("dd").classes("text-slate-900 m-0 break-words whitespace-pre-line"):
                ui.label(value)


class Heading(TextElement):
    """A real heading element (``h1``..``h3``), for structure and screen readers. Its text is escaped."""

    def __init__(self, text: str, level: int = 1) -> None:
        super().__init__(tag=f"h{level}", text=text)
        self.classes("text-slate-900 m-0").classes(HEADING_SIZES[level])


DISTRIBUTOR_NAV = (
    ("Invitations", "/distributor/invitations"),
    ("Partners", "/distributor/partners"),
    ("Products", "/distributor/products"),
    ("Contracts", "/distributor/contracts"),
    ("Fulfilment", "/distributor/fulfilment"),
    ("Agreements", "/distributor/agreements"),
    ("Users", "/distributor/users"),
)


def distributor_frame(title: str, current: str) -> AbstractContextManager[None]:
    """The frame of the distributor's pages: wide, with the distributor navigation and sign-out."""
    return page_frame(title, signed_in=True, wide=True, nav=DISTRIBUTOR_NAV, current=current)


def not_found_page(
    heading: str = "Page not found",
    text: str = "There is no page at this address. Check that you typed or copied all of it.",
    *,
    back: tuple[str, str] = ("Go to the home page", "/"),
    frame: Callable[[str], AbstractContextManager[None]] | None = None,
) -> None:
    """The branded "not found" page (HTTP 404), with a way back: for an address that leads nowhere, and for a
    detail page whose object does not exist or is not the visitor's (``frame``: the section's own frame, e.g.
    the distributor's, made with the page's title)."""
    respond_with(404)
    with (frame or page_frame)(heading), card():
        Heading(heading).mark("not-found")
        ui.label(text).classes("text-slate-700")
        label, target = back
        ui.link(label, target).classes(
            "self-start bg-primary text-white no-underline rounded px-4 py-2 font-medium"
        ).mark("way-back")

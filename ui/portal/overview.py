"""``/portal``: the reseller's **Overview**: a *Getting started* checklist of the tutorial's four chapters (each
done from real data, or with a button to do it now), the company, and its service contract(s)."""

from __future__ import annotations

from fastapi.responses import RedirectResponse
from nicegui import ui

from services.portal import overview as portal_overview
from ui.auth import act
from ui.portal.shell import CONTRACT_PATH, OVERVIEW_PATH, portal_frame, portal_user
from ui.theme import Heading, card, format_time

BUTTON_LINK = "self-start bg-primary text-white no-underline rounded px-4 py-2 font-medium"


def _fact(label: str, value: str, marker: str) -> None:
    with ui.row().classes("w-full gap-x-4 gap-y-0 flex-wrap"):
        ui.label(label).classes("w-40 text-slate-600")
        ui.label(value).classes("font-medium text-slate-900 break-words min-w-0").mark(marker)


def _checklist(chapters: tuple[portal_overview.Chapter, ...]) -> None:
    """The chapters as a list: each with its state in words (not by colour alone), the first one not done marked
    as the next step."""
    next_chapter = next((chapter for chapter in chapters if not chapter.done), None)
    with ui.element("ol").classes("w-full flex flex-col gap-3 m-0 p-0"):
        for chapter in chapters:
            with ui.element("li").classes("w-full border border-slate-300 rounded p-3 flex flex-col gap-1"):
                with ui.row().classes("items-center gap-2 flex-nowrap"):
                    ui.icon("check_circle" if chapter.done else "radio_button_unchecked").classes(
                        "text-positive" if chapter.done else "text-slate-600"
                    ).props('aria-hidden="true"')
                    heading = Heading(chapter.title, 3).classes("grow")
                    markers = [f"chapter-{chapter.number}"] + (["next-step"] if chapter is next_chapter else [])
                    heading.mark(*markers)
                state = ui.label("Done" if chapter.done else "Not done yet").classes("text-sm font-semibold")
                state.classes("text-positive" if chapter.done else "text-slate-700")
                state.mark(f"chapter-{chapter.number}-state")
                ui.label(chapter.summary).classes("text-slate-700")
                if not chapter.done:
                    link = ui.link(chapter.action, chapter.path).classes(BUTTON_LINK)
                    link.mark(f"chapter-{chapter.number}-action")


async def portal_page() -> RedirectResponse | None:
    """The reseller portal's overview; a terminated reseller is sent to its contract page."""
    user = await portal_user(OVERVIEW_PATH)
    if isinstance(user, RedirectResponse):
        return user
    view = await act(portal_overview.overview)
    portal = view.portal
    with portal_frame(f"{portal.company_name} · Overview", OVERVIEW_PATH):
        with card():
            ui.label("Reseller portal").classes("text-sm uppercase tracking-wide text-slate-600")
            Heading(portal.company_name).mark("company-name")
            ui.label(f"Signed in as {portal.user_full_name} ({portal.user_email})").classes("text-slate-700")
        with card():
            Heading("Getting started", 2)
            _checklist(view.chapters)
        for contract in portal.contracts:
            with card():
                Heading("Service contract", 2)
                _fact("Contract ID", contract.contract_id, "contract-id")
                _fact("Status", contract.status.capitalize(), "contract-status")
                _fact("Distributor", contract.distributor_name, "contract-distributor")
                _fact(
                    "Agreement",
                    f"{contract.agreement_title}, version {contract.agreement_version}",
                    "contract-agreement",
                )
                _fact("Signed at", format_time(contract.signed_at), "contract-signed-at")
                if contract.status == "active":
                    ui.link("Your contract", CONTRACT_PATH).classes("text-primary font-medium underline")
    return None

"""``/portal``: the reseller's home after activation."""

from __future__ import annotations

from fastapi.responses import RedirectResponse
from nicegui import ui

from services import accounts
from ui.auth import require
from ui.calls import perform
from ui.theme import Heading, card, format_time, page_frame

NEXT_STEP_TITLE = "Hub and Marketplace Creation"


def _fact(label: str, value: str, marker: str) -> None:
    with ui.row().classes("w-full gap-x-4 gap-y-0 flex-wrap"):
        ui.label(label).classes("w-40 text-slate-600")
        ui.label(value).classes("font-medium text-slate-900 break-words min-w-0").mark(marker)


async def portal_page() -> RedirectResponse | None:
    """The reseller's portal: its company, its signed service contract and the tutorial's next step."""
    user = await require("reseller", "/portal")
    if isinstance(user, RedirectResponse):
        return user
    view = await perform(accounts.portal_view, user.user_id)
    with page_frame(f"{view.company_name} · Portal", signed_in=True):
        with card():
            ui.label("Reseller portal").classes("text-sm uppercase tracking-wide text-slate-600")
            Heading(view.company_name).mark("company-name")
            ui.label(f"Signed in as {view.user_full_name} ({view.user_email})").classes("text-slate-700")
        for contract in view.contracts:
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
        if not view.has_active_contract:
            with card().style("border-left: 4px solid var(--q-negative)").props('role="status"'):
                Heading("Your service contract was terminated", 2).mark("contract-terminated")
                ui.label(
                    "Reseller features are unavailable while you have no active service contract. "
                    "Contact your distributor to be contracted again."
                ).classes("text-slate-700")
            return None
        with card().style("border-left: 4px solid var(--q-primary)"):
            Heading("Your next step", 2)
            Heading(NEXT_STEP_TITLE, 3).mark("next-step")
            ui.label(
                "Create a hub (the commerce system you sell from) and a marketplace (its name, countries, "
                "currency and the hubs it uses), so that you can list your distributor's products."
            ).classes("text-slate-700")
    return None

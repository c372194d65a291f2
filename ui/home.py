"""``/``: the landing page."""

from __future__ import annotations

from fastapi.responses import RedirectResponse
from nicegui import ui

from ui.auth import current_user, home_for
from ui.theme import Heading, card, page_frame


async def home_page() -> RedirectResponse | None:
    """Signed-in users go to their home; others see what the portal is and a way to sign in."""
    user = await current_user()
    if user is not None:
        return RedirectResponse(home_for(user))
    with page_frame("Welcome"), card():
        Heading("Welcome to the Reseller Portal")
        ui.label(
            "Resellers activate their portal with the activation link their distributor sent them. "
            "Already activated? Sign in."
        ).classes("text-slate-700")
        ui.button("Sign in", on_click=lambda: ui.navigate.to("/login")).props("no-caps")
    return None

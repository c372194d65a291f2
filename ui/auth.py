"""Signing in and out, and the signed-in user of the current browser session."""

from __future__ import annotations

from urllib.parse import quote

from fastapi.responses import RedirectResponse
from nicegui import app, ui

from services import accounts
from services.errors import AuthenticationFailed
from services.throttle import TooManyAttempts
from ui.calls import client_address, perform
from ui.theme import Heading, card, page_frame

SESSION_KEY = "user_id"


def sign_in(user_id: str) -> None:
    """Remember the signed-in user in the server-side session of this browser."""
    app.storage.user.clear()
    app.storage.user[SESSION_KEY] = user_id


def sign_out() -> None:
    """End the session on the server and go to the sign-in page."""
    app.storage.user.clear()
    ui.navigate.to("/login")


async def current_user() -> accounts.SignedInUser | None:
    """The signed-in user of this browser session, if any."""
    user_id = app.storage.user.get(SESSION_KEY)
    if not isinstance(user_id, str):
        return None
    return await perform(accounts.signed_in_user, user_id)


def login_url(next_path: str) -> str:
    """The sign-in page, coming back to ``next_path`` afterwards."""
    return f"/login?next={quote(next_path, safe='/')}"


def safe_next(next_path: str | None) -> str | None:
    """``next_path`` if it is a path on this site (never another site), else ``None``."""
    if next_path and next_path.startswith("/") and not next_path.startswith("//") and "\\" not in next_path:
        return next_path
    return None


def home_for(user: accounts.SignedInUser) -> str:
    """Where a user lands after signing in."""
    return "/distributor/invitations" if user.account_kind == "distributor" else "/portal"


async def require(kind: str, path: str) -> accounts.SignedInUser | RedirectResponse:
    """The signed-in user if it belongs to an account of ``kind``. Otherwise a redirect: to sign-in (and
    back to ``path`` afterwards) when signed out, or to the user's own home."""
    user = await current_user()
    if user is None:
        return RedirectResponse(login_url(path))
    if user.account_kind != kind:
        return RedirectResponse(home_for(user))
    return user


async def login_page(next: str | None = None) -> RedirectResponse | None:
    """``/login``: email and password. A failure never says which of the two was wrong."""
    user = await current_user()
    if user is not None:
        return RedirectResponse(safe_next(next) or home_for(user))
    with page_frame("Sign in"), card().classes("max-w-md mx-auto"):
        Heading("Sign in")
        ui.label("Sign in to your reseller portal.").classes("text-slate-700")
        email = ui.input("Email").props("autocomplete=email type=email outlined").classes("w-full")
        password = (
            ui.input("Password", password=True, password_toggle_button=False)
            .props("autocomplete=current-password outlined")
            .classes("w-full")
        )
        failure = ui.label("").classes("text-negative text-sm").props('role="alert"')
        failure.visible = False

        async def submit() -> None:
            button.disable()
            try:
                signed = await perform(
                    accounts.authenticate, email.value or "", password.value or "", client_address=address
                )
            except (AuthenticationFailed, TooManyAttempts) as error:
                failure.text = error.message
                failure.visible = True
                password.value = ""
                return
            finally:
                button.enable()
            sign_in(signed.user_id)
            ui.navigate.to(safe_next(next) or home_for(signed))

        address = client_address()
        password.on("keydown.enter", submit)
        email.on("keydown.enter", submit)
        button = ui.button("Sign in", on_click=submit).classes("w-full")
    return None

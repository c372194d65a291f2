"""Signing in and out, and the signed-in user of the current browser session.

A browser session is NiceGUI's browser ID (in the signed, HttpOnly session cookie) and the server-side user
storage kept under it. Signing in (also at **Activate** and at set-password) never writes into the session the
browser came with: it hands over, through one HTTP request, to a new browser ID, and drops the old one, so a
cookie planted before sign-in is worth nothing after it (no session fixation). Signing out is a POST that ends
the session on the server. Every action re-reads the user from the session and from the database, so a page left
open after signing out (or after the user was disabled) can do nothing more.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, Concatenate, ParamSpec, TypeVar
from urllib.parse import quote, urlsplit

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from nicegui import Client, app, context, storage, ui

from services import access, accounts
from services.actors import SignedInUser
from services.errors import AuthenticationFailed, SignedOut, ValidationFailed
from services.throttle import TooManyAttempts, well_formed
from services.unit_of_work import UnitOfWork
from ui.calls import client_address, perform
from ui.components.actions import BusyState, action_button
from ui.components.fields import Form
from ui.theme import Heading, card, page_frame

P = ParamSpec("P")
R = TypeVar("R")
SESSION_KEY = "user_id"
VERSION_KEY = "session_version"  # the user's session version when this session signed in
HANDOVER_KEY = "sign_in_handover"
HANDOVER_SECONDS = 60
# Where ``next`` may lead after sign-in: pages of this site only.
NEXT_PATHS = ("/portal", "/distributor", "/marketplace", "/catalog", "/customers", "/subscriptions")


def safe_next(next_path: object) -> str | None:
    """``next_path`` if it is one of this site's pages, else ``None``. Parsed, not pattern-matched: browsers
    drop TAB, CR and LF from URLs (``/\\t/evil.example`` would become ``//evil.example``) and read ``\\`` as
    ``/``, so any control character, whitespace or backslash refuses it outright."""
    if not isinstance(next_path, str) or not next_path or len(next_path) > 2000:
        return None
    if any(ch <= " " or ch in "\\\x7f" for ch in next_path):
        return None
    parts = urlsplit(next_path)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith("//"):
        return None
    # An activation link (exactly one well-formed token), for a new contract offered to an existing reseller
    # account: one of its users signs in, then signs it there (services/distributor/new_contracts.py).
    activation = parts.path.startswith("/activate/") and well_formed(parts.path.removeprefix("/activate/"))
    if not activation and not any(parts.path == known or parts.path.startswith(known + "/") for known in NEXT_PATHS):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def login_url(next_path: str) -> str:
    """The sign-in page, coming back to ``next_path`` afterwards."""
    return f"/login?next={quote(next_path, safe='/')}"


def home_for(user: SignedInUser) -> str:
    """Where a user lands after signing in."""
    return "/distributor/invitations" if user.account_kind == "distributor" else "/portal"


def _digest(ticket: str) -> str:
    return hashlib.sha256(ticket.encode()).hexdigest()


def sign_in(user_id: str, next_path: str, session_version: int = 0) -> None:
    """Sign ``user_id`` in, from a page's event handler: leave a one-time handover ticket in this session (only
    its hash) and send this browser to :func:`start_session`, which moves the user into a new session. The
    ticket travels only to this page's own browser, so whoever else holds this session's cookie cannot take
    the new session."""
    ticket = secrets.token_urlsafe(32)
    session = _session_storage()
    if session is None:  # this page's session ended meanwhile (signed out in another tab): start anew
        ui.navigate.to("/login")
        return
    session[HANDOVER_KEY] = {
        "ticket": _digest(ticket),
        "user_id": user_id,
        "version": session_version,
        "next": next_path,
        "expires": time.time() + HANDOVER_SECONDS,
    }
    ui.navigate.to(f"/session/start?ticket={ticket}")


async def start_session(request: Request, ticket: str = "") -> Response:
    """``GET /session/start?ticket=…``: a new browser ID for a browser that just signed in; the old one's
    storage is emptied and forgotten."""
    old_id = request.session.get("id")
    old = app.storage._users.get(old_id) if isinstance(old_id, str) else None
    handover = old.pop(HANDOVER_KEY, None) if old is not None else None
    if (
        not isinstance(handover, dict)
        or not isinstance(ticket, str)
        or not hmac.compare_digest(str(handover.get("ticket")), _digest(ticket))
        or float(handover.get("expires", 0)) < time.time()
    ):
        return RedirectResponse("/login", status_code=303)
    _end_session(request, sign_out_pages=False)
    new_id = str(uuid.uuid4())
    await app.storage._create_user_storage(new_id)
    app.storage._users[new_id][VERSION_KEY] = int(handover.get("version") or 0)
    app.storage._users[new_id][SESSION_KEY] = handover["user_id"]
    request.session["id"] = new_id
    return RedirectResponse(str(handover.get("next") or "/"), status_code=303)


def _end_session(request: Request, *, sign_out_pages: bool = True) -> None:
    """Empty and forget this browser's session storage; with ``sign_out_pages``, send the pages still open on it
    to sign-in."""
    old_id = request.session.get("id")
    if not isinstance(old_id, str):
        return
    storage = app.storage._users.pop(old_id, None)
    if storage is not None:
        # Key by key before clear(): with several instances the session lives in Redis, and each removal is
        # published to the other instances in order, whereas clear() deletes the key concurrently with publishing,
        # so another instance might keep the old session (and accept a replayed cookie).
        for key in list(storage):
            del storage[key]
        storage.clear()
    request.session["id"] = str(uuid.uuid4())
    if not sign_out_pages:
        return
    for client in list(Client.instances.values()):
        page_request = client.request
        if page_request is not None and page_request.session.get("id") == old_id and client.has_socket_connection:
            with client:
                ui.navigate.to("/login")


def _same_origin(request: Request) -> bool:
    """Whether a form was posted by this site's own pages. SameSite=Lax already keeps the session cookie off
    cross-site posts (so a forged post would end no one's session); this refuses them outright. Browsers say
    where a request comes from in ``Sec-Fetch-Site``; older ones only in ``Origin``, which is ``null`` under
    this site's ``Referrer-Policy: no-referrer``."""
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None:
        return fetch_site == "same-origin"
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return True
    own = {f"{request.url.scheme}://{request.headers.get('host', '')}"}
    base = getattr(app.state, "base_origin", None)
    if base:
        own.add(base)
    return origin in own


async def sign_out(request: Request) -> Response:
    """``POST /logout``: end this browser's session on the server (a replayed cookie is signed out too)."""
    if not _same_origin(request):
        return Response("Sign out from the portal's own page.", status_code=403, media_type="text/plain")
    _end_session(request)
    return RedirectResponse("/login", status_code=303)


def sign_out_page() -> None:
    """``GET /logout``: signing out is a POST (no one can sign you out with a link); this page offers the button."""
    with page_frame("Sign out", signed_in=True), card():
        Heading("Sign out")
        ui.label("Sign out of the Reseller Portal on this browser.").classes("text-slate-700")


def _session_storage() -> dict[str, Any] | None:
    """The server-side storage of the session this page was opened in, or ``None`` once that session ended
    (``app.storage.user`` would fail an assertion then)."""
    try:
        request: Request | None = context.client.request  # the page's own request, also in NiceGUI's simulated clicks
    except RuntimeError:  # not on a page
        request = storage.request_contextvar.get()
    session_id = request.session.get("id") if request is not None else None
    return app.storage._users.get(session_id) if isinstance(session_id, str) else None


def signed_in_user_id() -> str | None:
    """The user ID in this browser's session, read now (not when the page was built)."""
    session = _session_storage()
    user_id = session.get(SESSION_KEY) if session is not None else None
    return user_id if isinstance(user_id, str) else None


def _session_version() -> int:
    session = _session_storage()
    version = session.get(VERSION_KEY, 0) if session is not None else 0
    return version if isinstance(version, int) else -1  # a value no user has: signed out


def keep_session_after_password_change(session_version: int) -> None:
    """After this session's own user changed the password: this session stays signed in (the others do not)."""
    session = _session_storage()
    if session is not None:
        session[VERSION_KEY] = session_version


async def current_user() -> SignedInUser | None:
    """The signed-in user of this browser session, if any (none once the password changed elsewhere)."""
    user_id = signed_in_user_id()
    if user_id is None:
        return None
    return await perform(access.signed_in_user, user_id, _session_version())


async def act(action: Callable[Concatenate[UnitOfWork, SignedInUser, P], R], *args: Any, **kwargs: Any) -> R:
    """Run a service as the user signed in to this browser *now*: the session and the user are read again for
    every action, so a page left open after signing out, for a user since disabled, or for a session signed in
    before the password changed, raises :class:`SignedOut` instead of acting."""
    user_id = signed_in_user_id()
    if user_id is None:
        raise SignedOut()
    return await perform(access.as_signed_in, (user_id, _session_version()), action, *args, **kwargs)


def signed_in_only(handler: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R | None]]:
    """Wrap a page's event handler: when the session has ended meanwhile, go to sign-in instead."""

    async def guarded(*args: P.args, **kwargs: P.kwargs) -> R | None:
        try:
            return await handler(*args, **kwargs)
        except SignedOut:
            path = context.client.page.path if context.client.request is None else context.client.request.url.path
            ui.navigate.to(login_url(path))
            return None

    return functools.wraps(handler)(guarded)


async def require(kind: str, path: str) -> SignedInUser | RedirectResponse:
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
        form = Form()
        form.summary_spot()
        email = form.text("email", "Email", input_type="email", autocomplete="email")
        password = form.password("password", autocomplete="current-password", hint=None)
        address = client_address()

        async def submit() -> None:
            form.clear_errors()
            try:
                signed = await perform(accounts.authenticate, email.value, password.value, client_address=address)
            except ValidationFailed as failure:  # a field left empty
                form.show_errors(failure.errors)
                return
            except (AuthenticationFailed, TooManyAttempts) as error:
                form.show_problem(error.message)
                password.value = ""
                return
            sign_in(signed.user_id, safe_next(next) or home_for(signed), signed.session_version)

        busy = BusyState()
        form.on_submit(lambda: busy.press(submit))
        action_button("Sign in", submit, busy=busy).classes("w-full")
        ui.link("Forgot password?", "/forgot-password").classes("self-start text-primary font-medium")
    return None

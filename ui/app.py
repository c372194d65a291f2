"""Composing the web app: pages, security headers, and the server."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from urllib.parse import urlsplit

from fastapi.responses import JSONResponse, RedirectResponse
from nicegui import app, ui
from nicegui.storage import Storage
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from data.settings import Settings
from services import throttle, workers
from ui import settings as app_settings
from ui import sockets, speedups, theme
from ui.activation import activation_page
from ui.auth import login_page, sign_out, sign_out_page, start_session
from ui.calls import RETRY_AFTER_KEY
from ui.distributor_agreements import agreements_page
from ui.distributor_invitations import invitation_detail_page, invitations_page
from ui.distributor_partners import partner_detail_page, partners_page
from ui.home import home_page
from ui.portal import portal_page
from ui.set_password import set_password_page
from ui.theme import PRODUCT_NAME

log = logging.getLogger("portal")

# Pages whose responses must never be cached: the activation link is a credential, the rest is private.
NO_STORE_PREFIXES = ("/activate", "/set-password", "/portal", "/login", "/logout", "/distributor")


class SecurityHeaders:
    """Adds the portal's security headers to every HTTP response (pure ASGI, so it never buffers)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        no_store = scope["path"].startswith(NO_STORE_PREFIXES)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if not (no_store and k == b"cache-control")]
                headers += [
                    (b"x-content-type-options", b"nosniff"),
                    (b"x-frame-options", b"DENY"),
                    (b"content-security-policy", b"frame-ancestors 'none'"),
                    (b"referrer-policy", b"no-referrer"),
                ]
                if no_store:
                    headers.append((b"cache-control", b"no-store"))
                retry_after = scope.get(RETRY_AFTER_KEY)
                if retry_after is not None:
                    headers.append((b"retry-after", str(retry_after).encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


# A page waits for its service call; on a saturated server a slow page is better than NiceGUI's error page
# (its default gives up after 3 s).
PAGE_BUILD_TIMEOUT_S = 20.0


def health() -> JSONResponse:
    """``/healthz`` for load balancers and scripts: 200 once the server can run service actions, else 503."""
    if workers.ready():
        return JSONResponse({"status": "ok"})
    return JSONResponse({"status": "starting"}, status_code=503)


def register_pages() -> None:
    """Register every page. Called at start-up (not at import), so that tests can build the app anew."""
    pages: dict[str, Callable[..., object]] = {
        "/": home_page,
        "/login": login_page,
        "/logout": sign_out_page,
        "/portal": portal_page,
        "/activate/{token}": activation_page,
        "/set-password/{token}": set_password_page,
        "/distributor": lambda: RedirectResponse("/distributor/invitations"),
        "/distributor/invitations": invitations_page,
        "/distributor/invitations/{invitation_id}": invitation_detail_page,
        "/distributor/agreements": agreements_page,
        "/distributor/partners": partners_page,
        "/distributor/partners/{contract_id}": partner_detail_page,
    }
    for path, build in pages.items():
        ui.page(path, response_timeout=PAGE_BUILD_TIMEOUT_S)(build)
    app.get("/healthz", include_in_schema=False)(health)
    app.post("/logout", include_in_schema=False)(sign_out)
    app.get("/session/start", include_in_schema=False)(start_session)
    theme.install()
    speedups.install()
    ui.button.default_props("no-caps")  # buttons read as written: Next, Back, Activate
    app.add_middleware(SecurityHeaders)


def run_server(settings: Settings) -> None:
    """Start the web server (returns at once under NiceGUI's test simulation)."""
    app_settings.use(settings)
    settings.session_storage_dir.mkdir(parents=True, exist_ok=True)
    Storage.path = settings.session_storage_dir  # NiceGUI reads NICEGUI_STORAGE_PATH only when imported
    app.state.base_origin = origin_of(settings.base_url)
    if not os.environ.get("NICEGUI_USER_SIMULATION"):
        workers.start(os.cpu_count() or 1, settings.database_url, throttle.current_limits())
        app.on_shutdown(workers.stop)
    register_pages()
    sockets.install(settings.base_url)
    if os.environ.get("PORTAL_BENCH") == "1":
        from ui import bench_hooks

        bench_hooks.register()
    ui.run(
        host=settings.host,
        port=settings.port,
        title=PRODUCT_NAME,
        language="en-US",
        favicon="🤝",
        reload=False,
        show=False,
        show_welcome_message=False,
        storage_secret=settings.session_secret(),
        session_middleware_kwargs={"https_only": settings.secure_cookies, "same_site": "lax"},
        uvicorn_logging_level="warning",
        # Whose word about the client's address counts: only the configured proxies' (uvicorn would otherwise
        # believe any X-Forwarded-For from 127.0.0.1, and that address is recorded as signing evidence).
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=list(settings.trusted_proxies) or None,
    )


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of a URL, lower-cased."""
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"

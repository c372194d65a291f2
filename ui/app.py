"""Composing the web app: pages, security headers, and the server."""

from __future__ import annotations

import contextlib
import functools
import inspect
import logging
import os
from collections.abc import Callable
from typing import Literal
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import JSONResponse, RedirectResponse, Response
from nicegui import Client, app, context, ui
from nicegui.page import page
from nicegui.persistence.persistent_dict import PersistentDict
from nicegui.persistence.redis_persistent_dict import RedisPersistentDict
from nicegui.storage import USER_PREFIX, Storage
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services import database, throttle, workers
from services.errors import DomainError, Unavailable
from services.mail import config as mail_config
from services.mail import sender as mail_sender
from services.settings import Settings
from ui import settings as app_settings
from ui import sockets, speedups, theme
from ui.account.recovery import confirm_email_page, forgot_password_page, reset_password_page
from ui.account.settings import account_settings_page
from ui.activation.set_password import set_password_page
from ui.activation.wizard import activation_page
from ui.auth import login_page, sign_out, sign_out_page, start_session
from ui.calls import RETRY_AFTER_KEY, ServerBusy
from ui.distributor.agreements import agreements_page
from ui.distributor.contracts import contracts_page
from ui.distributor.fulfilment import fulfilment_page, request_page
from ui.distributor.invitations import invitation_detail_page, invitations_page
from ui.distributor.partners import partner_detail_page, partners_page
from ui.distributor.products import product_detail_page, products_page
from ui.distributor.users import users_page
from ui.home import home_page
from ui.portal.catalog import catalog_page, catalog_product_page, listings_page
from ui.portal.contract import contract_page
from ui.portal.customers import customer_page, customers_page
from ui.portal.marketplace import marketplace_page
from ui.portal.overview import portal_page
from ui.portal.shell import CUSTOMERS_PATH, PORTAL_PATHS, SUBSCRIPTIONS_PATH
from ui.portal.subscriptions import subscription_page, subscriptions_page
from ui.theme import PRODUCT_NAME, Heading, card, page_frame

log = logging.getLogger("portal")
REDIS_KEY_PREFIX = "portal:"  # NiceGUI's storage keys in a Redis that may serve other applications too
# How long a browser session lives after its last request: the session cookie's Max-Age (Starlette's default,
# made explicit), and with Redis the lifetime of the session's storage there, which each request renews as it
# renews the cookie (see SessionLifetime).
SESSION_MAX_AGE_SECONDS = 14 * 24 * 60 * 60

# Pages whose responses must never be cached: the activation link is a credential, the rest is private.
NO_STORE_PREFIXES = (
    "/activate",
    "/set-password",
    "/portal",
    "/login",
    "/logout",
    "/distributor",
    "/account",
    "/forgot-password",
    "/reset-password",
    "/confirm-email",
    *PORTAL_PATHS,
)


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
    """``/healthz`` for load balancers and scripts: whether the portal can serve and save. 200 when the database
    can be written and the service workers run; 503 otherwise (``"starting"`` until the workers are up), with
    what is wrong: ``database`` is ``writable``, ``read-only``, ``missing`` or ``replaced``."""
    database_state = database.write_check()
    running, wanted = workers.running_count(), workers.size()
    if not workers.started():
        status = "starting"
    elif database_state == "writable" and workers.ready():
        status = "ok"
    else:
        status = "unavailable"
    body = {"status": status, "database": database_state, "workers": {"running": running, "of": wanted}}
    return JSONResponse(body, status_code=200 if status == "ok" else 503)


TRY_AGAIN = (ServerBusy, Unavailable)  # the action could not run now; nothing was changed; retrying is safe
SOMETHING_WENT_WRONG = "Something went wrong, so that was not done. Please try again."


def try_again_page(problem: Exception) -> None:
    """What a page that could not be built right now shows instead (HTTP 503), with a way to retry."""
    client = context.client
    client.content.clear()  # whatever the page had built before its service call failed
    for element in list(client.layout.default_slot.children):
        if element is not client.page_container:
            element.delete()
    client.status_code = 503
    message = problem.message if isinstance(problem, DomainError) else str(problem)
    with page_frame("Please try again"), card():
        Heading("Please try again").mark("try-again")
        ui.label(f"{message} Nothing you saved is lost.").classes("text-slate-700")
        ui.button("Try again", on_click=ui.navigate.reload).classes("self-start").mark("reload")


def guarded(build: Callable[..., object]) -> Callable[..., object]:
    """A page that answers "please try again" (503) when a service call it needs cannot run now."""
    if not inspect.iscoroutinefunction(build):
        return build

    @functools.wraps(build)
    async def page(*args: object, **kwargs: object) -> object:
        try:
            return await build(*args, **kwargs)
        except TRY_AGAIN as problem:
            try_again_page(problem)
            return None

    return page


def tell_the_person(error: Exception) -> None:
    """An error that the pressed button's handler did not handle: the person who pressed is told, instead of
    nothing happening. Nothing they typed is cleared, so pressing again retries."""
    kind: Literal["negative", "warning"]
    if isinstance(error, TRY_AGAIN):
        message = error.message if isinstance(error, DomainError) else str(error)
        message, kind = f"{message} What you typed is still here.", "negative"
    elif isinstance(error, DomainError):
        message, kind = error.message, "warning"
    else:
        message, kind = SOMETHING_WENT_WRONG, "negative"
    with contextlib.suppress(RuntimeError):  # no page to tell: the error came from outside one
        ui.notify(message, type=kind, multi_line=True)


class ExpectedErrorsInOneLine(logging.Filter):
    """NiceGUI logs every exception a handler lets through with its traceback. A domain error or a "try again"
    (the worker's own log says why) is an outcome the person was told about, not a bug: one line is enough."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, DomainError | ServerBusy):
            record.msg, record.args = (
                "%s not handled by its page (told to the person): %s",
                (type(error).__name__, error),
            )
            record.exc_info = record.exc_text = None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


async def page_not_found(request: Request, exception: Exception) -> Response:
    """The branded 404 page for an address that leads nowhere (an API path that raised 404 answers as before)."""
    endpoint = request.scope.get("endpoint")
    api = endpoint is not None and endpoint is not app and not request.scope.get("nicegui_page_path")
    if api and isinstance(exception, StarletteHTTPException):
        return await http_exception_handler(request, exception)
    with Client(page(""), request=request) as client:
        theme.not_found_page()
    return client.build_response(request, 404)


def register_pages() -> None:
    """Register every page. Called at start-up (not at import), so that tests can build the app anew."""
    pages: dict[str, Callable[..., object]] = {
        "/": home_page,
        "/login": login_page,
        "/logout": sign_out_page,
        "/portal": portal_page,
        "/portal/contract": contract_page,
        "/marketplace": marketplace_page,
        "/catalog": catalog_page,
        "/catalog/listings": listings_page,
        "/catalog/{product_id}": catalog_product_page,
        CUSTOMERS_PATH: customers_page,
        f"{CUSTOMERS_PATH}/{{customer_id}}": customer_page,
        SUBSCRIPTIONS_PATH: subscriptions_page,
        f"{SUBSCRIPTIONS_PATH}/{{subscription_id}}": subscription_page,
        "/activate/{token}": activation_page,
        "/set-password/{token}": set_password_page,
        "/distributor": lambda: RedirectResponse("/distributor/invitations"),
        "/distributor/invitations": invitations_page,
        "/distributor/invitations/{invitation_id}": invitation_detail_page,
        "/distributor/agreements": agreements_page,
        "/distributor/partners": partners_page,
        "/distributor/partners/{contract_id}": partner_detail_page,
        "/distributor/users": users_page,
        "/account": account_settings_page,
        "/forgot-password": forgot_password_page,
        "/reset-password/{token}": reset_password_page,
        "/confirm-email/{token}": confirm_email_page,
        "/distributor/contracts": contracts_page,
        "/distributor/products": products_page,
        "/distributor/products/{product_id}": product_detail_page,
        "/distributor/fulfilment": fulfilment_page,
        "/distributor/fulfilment/{request_id}": request_page,
    }
    for path, build in pages.items():
        ui.page(path, response_timeout=PAGE_BUILD_TIMEOUT_S)(guarded(build))
    app.on_exception(tell_the_person)
    nicegui_log = logging.getLogger("nicegui")
    if not any(isinstance(existing, ExpectedErrorsInOneLine) for existing in nicegui_log.filters):
        nicegui_log.addFilter(ExpectedErrorsInOneLine())
    app.add_exception_handler(404, page_not_found)
    app.get("/healthz", include_in_schema=False)(health)
    app.post("/logout", include_in_schema=False)(sign_out)
    app.get("/session/start", include_in_schema=False)(start_session)
    theme.install()
    speedups.install()
    ui.button.default_props("no-caps")  # buttons read as written: Next, Back, Activate
    app.add_middleware(SecurityHeaders)


def share_sessions(settings: Settings) -> None:
    """With ``PORTAL_REDIS_URL``, keep NiceGUI's per-user storage (who is signed in) in Redis, so that every
    instance sees a sign-in or sign-out at once (NiceGUI publishes each change to the other instances); session
    cookies are signed with the one ``PORTAL_SESSION_SECRET`` (settings refuse Redis without it). A session's
    storage in Redis expires with its cookie (:data:`SESSION_MAX_AGE_SECONDS` after the last request), instead of
    staying forever as NiceGUI leaves it."""
    if settings.redis_url:
        Storage.redis_url = settings.redis_url
        Storage.redis_key_prefix = REDIS_KEY_PREFIX
        # Replacing NiceGUI's factory is the point here: every user storage NiceGUI makes gets the lifetime.
        Storage._create_persistent_dict = staticmethod(_expiring_user_storage)  # type: ignore[method-assign]
        app.add_middleware(SessionLifetime)


_nicegui_persistent_dict = Storage._create_persistent_dict


def _expiring_user_storage(id: str) -> PersistentDict:
    """NiceGUI's storage for ``id``; a user's (a browser session's) in Redis with the session cookie's lifetime.
    NiceGUI sets a time to live on tab storage only; every write of a user's storage sets it again."""
    if Storage.redis_url and id.startswith(USER_PREFIX):
        return RedisPersistentDict(
            url=Storage.redis_url, id=id, key_prefix=Storage.redis_key_prefix, ttl=SESSION_MAX_AGE_SECONDS
        )
    return _nicegui_persistent_dict(id)


class SessionLifetime:
    """With Redis: each HTTP response sends the session cookie again with a fresh Max-Age (Starlette's session
    middleware, outside this one, does), so the session's storage in Redis gets the same lifetime again here. It
    then expires exactly when the cookie can no longer bring it back, whichever instance served the request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._redis: object | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)
        session = scope.get("session") if scope["type"] == "http" else None
        session_id = session.get("id") if isinstance(session, dict) else None
        if not isinstance(session_id, str) or not Storage.redis_url:
            return
        import redis.asyncio as redis

        if self._redis is None:
            self._redis = redis.from_url(Storage.redis_url, socket_connect_timeout=5)
        key = f"{Storage.redis_key_prefix}{USER_PREFIX}{session_id}"
        try:
            # redis-py types its asyncio client's commands as its sync client's (ResponseT), not awaitables
            await self._redis.expire(key, SESSION_MAX_AGE_SECONDS)  # type: ignore[attr-defined]
        except redis.RedisError as error:  # the next request renews it; NiceGUI itself logs Redis outages
            log.warning("could not renew the session's lifetime in Redis: %s", type(error).__name__)


def run_server(settings: Settings) -> None:
    """Start the web server (returns at once under NiceGUI's test simulation)."""
    app_settings.use(settings)
    settings.session_storage_dir.mkdir(parents=True, exist_ok=True)
    Storage.path = settings.session_storage_dir  # NiceGUI reads NICEGUI_STORAGE_PATH only when imported
    app.state.base_origin = origin_of(settings.base_url)
    share_sessions(settings)
    if not os.environ.get("NICEGUI_USER_SIMULATION"):
        # The outbox's key comes from the session secret, made (or fetched from Redis) here before any worker
        # composes an email; the workers read the same secret when they first need it.
        mail_config.configure(mail_config.from_settings(settings))
        workers.start(os.cpu_count() or 1, settings.database_url, throttle.current_limits())
        app.on_shutdown(workers.stop)
        mail_sender.start(mail_sender.transport_for(_secret(settings.smtp_url), settings.mail_dir))
        app.on_shutdown(mail_sender.stop)
    register_pages()
    sockets.install(settings.base_url)
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
        session_middleware_kwargs={
            "https_only": settings.secure_cookies,
            "same_site": "lax",
            "max_age": SESSION_MAX_AGE_SECONDS,
        },
        uvicorn_logging_level="warning",
        # Whose word about the client's address counts: only the configured proxies' (uvicorn would otherwise
        # believe any X-Forwarded-For from 127.0.0.1, and that address is recorded as signing evidence).
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=list(settings.trusted_proxies) or None,
    )


def _secret(value: object) -> str | None:
    return value.get_secret_value() if value is not None else None  # type: ignore[attr-defined]


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of a URL, lower-cased."""
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"

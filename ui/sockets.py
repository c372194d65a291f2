"""The browser's socket, hardened: only this site's pages may open it, and a malformed message is dropped with
one log line instead of a traceback (or an event handler failing unseen).

NiceGUI handles socket messages with no checks of their shape (``msg['client_id']`` of whatever arrived) and
logs what a browser's ``log`` message says at the level it names. Its handlers are kept; each is called only
with a message of the shape NiceGUI itself sends.
"""

from __future__ import annotations

import inspect
import json
import logging
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from nicegui import Client, core
from nicegui.events import GenericEventArguments

from ui.logs import safe_text

log = logging.getLogger("portal.sockets")
BROWSER_LOG_MAX = 500
MALFORMED_LINES_PER_MINUTE = 10  # a browser can send thousands a second; each costs a log line only up to this


class LogBudget:
    """Lines a browser causes, at most ``per_minute`` in any minute-long window: the rest are counted and told
    in one line when the next window's first line is written, so a flood neither fills the disk nor hides
    itself."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self.clock = clock
        self.window_start = -60.0
        self.written = 0
        self.untold = 0

    def warn(self, message: str, *args: object) -> None:
        now = self.clock()
        if now - self.window_start >= 60:
            if self.untold:
                log.warning("%d more malformed browser messages were ignored without a line of their own", self.untold)
            self.window_start, self.written, self.untold = now, 0, 0
        if self.written < self.per_minute:
            self.written += 1
            log.warning(message, *args)
        else:
            self.untold += 1


_malformed_lines = LogBudget(MALFORMED_LINES_PER_MINUTE)


class Malformed(ValueError):
    """A socket message not of the shape NiceGUI's own pages send."""


def _text(value: object, *, optional: bool = False) -> None:
    if value is None and optional:
        return
    if not isinstance(value, str) or len(value) > 200:
        raise Malformed()


def _whole(value: object, *, optional: bool = False) -> None:
    if value is None and optional:
        return
    if isinstance(value, str) and value.isdigit() and len(value) < 20:
        return
    if type(value) is not int:
        raise Malformed()


def _message(msg: object) -> dict[str, Any]:
    if not isinstance(msg, dict):
        raise Malformed()
    _text(msg.get("client_id"))
    return msg


def _check_handshake(msg: object) -> None:
    message = _message(msg)
    _text(message.get("tab_id"))
    _text(message.get("document_id"))
    _text(message.get("old_tab_id"), optional=True)
    _whole(message.get("next_message_id"), optional=True)


def _check_event(msg: object) -> None:
    message = _message(msg)
    if type(message.get("id")) is not int:
        raise Malformed()
    _text(message.get("listener_id"))
    raw = message.get("args", [])
    if not isinstance(raw, list) or not all(arg is None or isinstance(arg, str) for arg in raw):
        raise Malformed()
    try:
        args = [None if arg is None else json.loads(arg) for arg in raw]
    except ValueError:
        raise Malformed() from None
    client = Client.instances.get(message["client_id"])
    element = client.elements.get(message["id"]) if client else None
    listener = element._event_listeners.get(message["listener_id"]) if element else None
    converter = getattr(element, "_event_args_to_value", None)
    if element is None or client is None or listener is None or converter is None:
        return
    if not listener.type.startswith("update:"):
        return
    # A value NiceGUI's element cannot take (a word for a number, an index past a select's options) would raise
    # inside NiceGUI: refused here. A value of another type that converts (an object for a text input) gets
    # through and is refused with a field error by the service that receives it.
    try:
        converter(GenericEventArguments(sender=element, client=client, args=args[0] if len(args) == 1 else args))
    except Exception:
        raise Malformed() from None


def _check_javascript_response(msg: object) -> None:
    _text(_message(msg).get("request_id"))


def _check_ack(msg: object) -> None:
    _whole(_message(msg).get("next_message_id"))


def _guarded(name: str, check: Callable[[object], None], handler: Callable[..., Any]) -> Callable[..., Any]:
    async def guarded(sid: str, *data: object) -> Any:
        try:
            if len(data) != 1:
                raise Malformed()
            msg = data[0]
            check(msg)
            result = handler(sid, msg)
            return await result if inspect.isawaitable(result) else result
        except Exception as error:  # from a browser we cannot trust: one line at most, no traceback
            _malformed_lines.warn("Ignored a malformed %r message from a browser (%s)", name, type(error).__name__)
            return False

    return guarded


def browser_log(_sid: str, *data: object) -> None:
    """A page's own ``log`` message (NiceGUI's client reports script errors with it): written at DEBUG level
    only, labelled as the browser's, escaped and cut short. A browser can say anything here, so it never
    decides the level of a line or writes one of its own."""
    msg = data[0] if len(data) == 1 else None
    if not isinstance(msg, dict) or not isinstance(msg.get("message"), str):
        return
    log.debug("A browser reported: %s", safe_text(msg["message"][:BROWSER_LOG_MAX]))


def own_origin(base_url: str) -> Callable[[str | None, dict[str, Any]], bool]:
    """The socket's origin check: the configured base URL's origin, or the origin the request was made to
    (scheme and ``Host``). A page of another site cannot open a socket to the portal in its visitor's name."""
    base = urlsplit(base_url)
    configured = f"{base.scheme.lower()}://{base.netloc.lower()}"

    def allowed(origin: str | None, environ: dict[str, Any]) -> bool:
        if origin is None:
            return True  # not a browser: nothing to forge on a visitor's behalf
        own = {configured, f"{environ.get('wsgi.url_scheme', 'http')}://{environ.get('HTTP_HOST', '').lower()}"}
        return origin.lower() in own

    return allowed


def install(base_url: str) -> None:
    """Harden NiceGUI's socket server (at start-up, after NiceGUI registered its handlers)."""
    sio = core.sio
    sio.eio.cors_allowed_origins = own_origin(base_url)
    handlers = sio.handlers["/"]
    checks = {
        "handshake": _check_handshake,
        "event": _check_event,
        "javascript_response": _check_javascript_response,
        "ack": _check_ack,
    }
    for name, check in checks.items():
        handlers[name] = _guarded(name, check, handlers[name])
    handlers["log"] = browser_log

"""Calling a service from a page: in a worker process (in the server) or a worker thread (under NiceGUI's
test simulation), with its own unit of work, so that neither the database nor password hashing ever blocks
NiceGUI's event loop."""

from __future__ import annotations

import asyncio
import hashlib
import math
from collections.abc import Callable
from typing import Concatenate, ParamSpec, TypeVar

from nicegui import context, run

from services import workers
from services.throttle import SlowDown
from services.unit_of_work import UnitOfWork

P = ParamSpec("P")
R = TypeVar("R")


RETRY_AFTER_KEY = "portal.retry_after"


def respond_with(status: int, *, retry_after_seconds: float | None = None) -> None:
    """Give the page being built this HTTP status (the page itself is shown as it is), and a ``Retry-After``
    header with it (added by ``ui.app.SecurityHeaders``)."""
    client = context.client
    client.status_code = status
    if retry_after_seconds is not None and client.request is not None:
        client.request.scope[RETRY_AFTER_KEY] = max(1, math.ceil(retry_after_seconds))


class ServerBusy(RuntimeError):
    """The action could not be run to its end (its worker died, no worker runs, the server is shutting down);
    nothing the person typed is lost, and trying again is safe."""


async def perform(action: Callable[Concatenate[UnitOfWork, P], R], *args: P.args, **kwargs: P.kwargs) -> R:
    """Run the service ``action(uow, *args, **kwargs)`` off the event loop and return its result."""
    origin = client_address()
    if workers.running():
        try:
            return await asyncio.wrap_future(workers.submit(action, origin, args, kwargs))
        except workers.WorkerLost as lost:  # its worker died mid-call (killed, out of memory); it is replaced
            raise ServerBusy("The server could not finish that; please try again.") from lost
        except workers.WorkersUnavailable as unavailable:
            raise ServerBusy("The portal cannot run that right now; please try again in a moment.") from unavailable

    def in_thread() -> tuple[R]:  # a tuple: a service may return None, which io_bound uses for "cancelled"
        return (workers.run_action(action, origin, args, kwargs),)

    outcome = await run.io_bound(in_thread)
    if outcome is None:  # NiceGUI cancelled the call: the app is shutting down
        raise ServerBusy("The server is restarting; please try again in a moment.")
    return outcome[0]


async def open_link(action: Callable[..., R], token: str, *, client_address: str | None, **more: object) -> R:
    """Open an activation or set-password link. An address past the guessing limit is answered after a pause
    (:class:`~services.throttle.SlowDown`), waited here on the event loop rather than in a worker."""
    try:
        return await perform(action, token, client_address=client_address, **more)
    except SlowDown as wait:
        await asyncio.sleep(wait.seconds)
        return await perform(action, token, client_address=client_address, slowed=True, **more)


def browser_key() -> str | None:
    """A pseudonymous key of this browser (from its session, which is never stored or logged itself): enough to
    tell one browser's repeated openings of a link from another's."""
    request = context.client.request
    session_id = request.session.get("id") if request is not None and "session" in request.scope else None
    if not isinstance(session_id, str):
        return None
    return hashlib.sha256(f"browser:{session_id}".encode()).hexdigest()[:16]


def client_address() -> str | None:
    """The address of the browser that opened the current page (``None`` outside a page)."""
    try:
        request = context.client.request
    except RuntimeError:
        return None
    return request.client.host if request and request.client else None


def user_agent() -> str | None:
    """The user agent of the browser that opened the current page."""
    request = context.client.request
    return request.headers.get("user-agent") if request else None

"""Scaffolds for signed-in pages, so that each page only says what is its own. Use :func:`list_page` for every list
a signed-in user pages through (the distributor's invitations and partners; the reseller's customers and
subscriptions to come)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from contextlib import AbstractContextManager
from typing import Any, Protocol

from fastapi.responses import RedirectResponse

from services.actors import SignedInUser
from ui.auth import require
from ui.components.tables import ListState
from ui.theme import card


class ListPageView(Protocol):
    """What :func:`list_page` builds: something with a ``refresh`` (a page built on ``ListView``)."""

    refresh: Callable[[], Awaitable[Any]]


def list_page(
    kind: str,
    path: str,
    *,
    statuses: Mapping[str, str],
    frame: Callable[[], AbstractContextManager[None]],
    view: Callable[[SignedInUser, ListState], ListPageView],
) -> Callable[..., Awaitable[RedirectResponse | None]]:
    """The page function of a list (register it with ``ui.page(path)``): the signed-in user of an account of
    ``kind`` (else to sign-in and back, or to their own home), the list's state from the query
    (``?page=…&status=…&q=…``), the page ``frame`` with a card, and the ``view`` built in it and filled."""

    async def build(
        page: str | None = None, status: str | None = None, q: str | None = None
    ) -> RedirectResponse | None:
        actor = await require(kind, path)
        if isinstance(actor, RedirectResponse):
            return actor
        state = ListState.parse(path, page, status, q, statuses=statuses)
        with frame(), card():
            built = view(actor, state)
        await built.refresh()
        return None

    return build

"""UI tests: NiceGUI's simulated ``user`` drives the real app (main.py) on a fresh database (SQLite, or
PostgreSQL with ``--db postgresql``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from nicegui.testing import User

from data import db
from portal_testing.factories import Portal


@pytest.fixture(autouse=True)
def portal_environment(tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Point the app that main.py builds at a fresh database and data directory (the session secret)."""
    monkeypatch.setenv("PORTAL_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PORTAL_DATABASE_URL", database_url)
    monkeypatch.delenv("PORTAL_DEMO", raising=False)  # the test database exists: nothing is created or seeded
    monkeypatch.delenv("PORTAL_BASE_URL", raising=False)
    monkeypatch.delenv("PORTAL_REDIS_URL", raising=False)
    yield


PAGE_STATUSES: list[int] = []


@pytest.fixture(autouse=True)
def pages_with_error_statuses(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Let the simulated user open pages answered with an error status (a bad link is 404 or 410, a throttled one
    429), which ``User.open`` refuses; every page's real status is kept in :data:`PAGE_STATUSES`."""
    original = httpx.AsyncClient.get

    async def get(self: httpx.AsyncClient, *args: Any, **kwargs: Any) -> httpx.Response:
        response = await original(self, *args, **kwargs)
        if response.headers.get("X-NiceGUI-Content") == "page":
            PAGE_STATUSES.append(response.status_code)
            response.status_code = 200
        return response

    PAGE_STATUSES.clear()
    monkeypatch.setattr(httpx.AsyncClient, "get", get)
    yield PAGE_STATUSES


@pytest.fixture
def app_portal(user: User) -> Portal:
    """The database of the app under test, for arranging data and checking what was saved."""
    return Portal(engine=db.get_engine())

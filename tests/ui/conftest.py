"""UI tests: NiceGUI's simulated ``user`` drives the real app (main.py) on a temporary SQLite file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from nicegui.testing import User

from data import db
from tests.helpers import Portal


@pytest.fixture(autouse=True)
def portal_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Point the app that main.py builds at a fresh data directory (database and session secret)."""
    monkeypatch.setenv("PORTAL_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PORTAL_DATABASE_URL", raising=False)
    monkeypatch.delenv("PORTAL_BASE_URL", raising=False)
    yield


@pytest.fixture
def app_portal(user: User, tmp_path: Path) -> Portal:
    """The database of the app under test, for arranging data and checking what was saved."""
    return Portal(engine=db.get_engine(), path=tmp_path / "portal.db")

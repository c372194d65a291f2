"""Fixtures for every layer."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import Portal, open_portal


@pytest.fixture
def portal(tmp_path: Path) -> Iterator[Portal]:
    """A portal on a fresh SQLite file."""
    opened = open_portal(tmp_path / "portal.db")
    yield opened
    opened.engine.dispose()

"""Fixtures for every layer. ``--db postgresql`` runs the same tests on PostgreSQL: on the server that
``PORTAL_TEST_POSTGRES_URL`` names, else on a throwaway cluster started for the run (portal_testing/servers.py)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from portal_testing.databases import Databases
from portal_testing.factories import Portal, open_portal
from portal_testing.servers import postgres_cluster


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db",
        choices=("sqlite", "postgresql"),
        default=os.environ.get("PORTAL_TEST_DB", "sqlite"),
        help="the database the unit and UI tests run on (default: sqlite, or PORTAL_TEST_DB)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``sqlite_only`` look at SQLite's file or driver; on PostgreSQL they are skipped."""
    if config.getoption("--db") != "postgresql":
        return
    skip = pytest.mark.skip(reason="looks at SQLite's file or driver; the PostgreSQL run covers the same code")
    for item in items:
        if "sqlite_only" in item.keywords:
            item.add_marker(skip)


def pytest_report_header(config: pytest.Config) -> str:
    return f"portal database: {config.getoption('--db')}"


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """The URL of a PostgreSQL server to make test databases on."""
    configured = os.environ.get("PORTAL_TEST_POSTGRES_URL")
    with contextlib.nullcontext(configured) if configured else postgres_cluster() as url:
        yield url


@pytest.fixture(scope="session")
def databases(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Databases:
    """Makes a fresh database per test, on the dialect chosen with ``--db``."""
    if request.config.getoption("--db") == "postgresql":
        return Databases.postgresql(request.getfixturevalue("postgres_server"))
    return Databases.sqlite(tmp_path_factory.mktemp("template"))


@pytest.fixture
def database_url(databases: Databases, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database at the newest schema, for one test."""
    url = databases.new(tmp_path)
    yield url
    databases.drop(url)


@pytest.fixture(autouse=True)
def mail_config() -> Iterator[None]:
    """Emails composed in tests link to a fixed address and are sealed with a test key (never the settings')."""
    from services.mail import config

    config.configure(config.MailConfig("http://portal.test", "Reseller Portal <no-reply@portal.test>", TEST_KEY))
    yield
    config.configure(None)


TEST_KEY = b"dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktdGVzdC0="  # Fernet: urlsafe base64 of 32 bytes


@pytest.fixture
def portal(database_url: str) -> Iterator[Portal]:
    """A portal on a fresh database."""
    opened = open_portal(database_url, upgrade=False)
    yield opened
    opened.engine.dispose()

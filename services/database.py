"""The database as the operator handles it: create it, upgrade its schema, say its revision, back it up, check
that it can be written. The command line and ``/healthz`` call these; the engine and Alembic stay in ``data``."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError

from data import db, migrations

# A database that is not there (nothing is created without ``init``), or that a process may not open.
DatabaseMissing = db.DatabaseMissing
# A database that cannot be used at all: unreachable, refusing the connection, damaged (:func:`unusable`).
DatabaseFault = DBAPIError


class DatabaseRefused(Exception):
    """The database cannot be handled as asked; the message says why and what to do."""


@dataclass(frozen=True)
class SchemaRevision:
    """The revision a database's schema is at (None: no schema) and the one this version runs on."""

    found: str | None
    wanted: str

    @property
    def current(self) -> bool:
        return self.found == self.wanted


def shown(database_url: str) -> str:
    """A database's URL without its password, to print."""
    return make_url(database_url).render_as_string(hide_password=True)


def unusable(database_url: str, fault: DBAPIError) -> str:
    """One line for a database that cannot be used at all, never a traceback (nor a password)."""
    cause = str(fault.orig).strip().splitlines()[0] if str(fault.orig).strip() else type(fault.orig).__name__
    if not database_url.startswith(db.POSTGRESQL) and "not a database" in cause:
        return (
            f"{db.database_path(database_url)} is not a portal database (damaged, or another kind of file); "
            "restore it from a backup (python main.py backup makes one)"
        )
    return f"cannot use the database {shown(database_url)}: {cause}"


def open_database(database_url: str, *, create: bool = False) -> None:
    """Open the database every service of this process uses (``create``: make a SQLite file that is not
    there); :data:`DatabaseMissing` when there is none, and a refusal when its schema is not this version's."""
    db.configure(database_url, create=create)


def serving() -> str:
    """The database this process uses, without its password."""
    return db.get_engine().url.render_as_string(hide_password=True)


def write_check() -> str:
    """Whether the database can be written now: ``writable``, ``read-only``, ``missing`` or ``replaced``."""
    return db.write_check()


@contextmanager
def _engine(database_url: str) -> Iterator[Engine]:
    engine = db.make_engine(database_url, schema_command=True)  # may be pointed at an empty file on purpose
    try:
        yield engine
    finally:
        engine.dispose()


def create(database_url: str) -> str:
    """A new, empty portal database, never over an existing one; what was created, in words. SQLite: the file
    is created. PostgreSQL: the database itself is its operator's to create (``createdb``); this creates the
    portal's schema in it, if it has none yet (as :func:`upgrade` would)."""
    path = db.database_path(database_url)
    if database_url.startswith(db.POSTGRESQL):
        with _engine(database_url) as engine:
            found = migrations.current(engine)
            if found is not None or migrations.has_tables(engine):
                raise DatabaseRefused(
                    f"{shown(database_url)} has a portal schema already (revision {found or 'unknown'}); nothing "
                    "was changed. To upgrade it: python main.py db upgrade"
                )
            migrations.upgrade(engine)
        return f"Created the portal's schema in {shown(database_url)}."
    if path is not None and path.exists():
        raise DatabaseRefused(f"{path} exists already; nothing was changed")
    db.configure(database_url, create=True)
    return f"Created an empty portal database at {path}."


def upgrade(database_url: str) -> SchemaRevision:
    """Upgrade the schema to this version's (creating it in an empty database); the revision it was at before
    (``found``) and is at now (``wanted``)."""
    with _engine(database_url) as engine:
        before = migrations.current(engine)
        migrations.upgrade(engine)
        after = migrations.current(engine)
    assert after is not None
    return SchemaRevision(before, after)


def revision(database_url: str) -> SchemaRevision:
    """The database's schema revision and the one this version runs on."""
    with _engine(database_url) as engine:
        found = migrations.current(engine)
    return SchemaRevision(found, migrations.head())


def draft_revision(database_url: str, message: str) -> str:
    """Alembic's draft of a new revision, compared against the database, which must be at the newest revision;
    the draft's path."""
    with _engine(database_url) as engine:
        if migrations.current(engine) != migrations.head():
            raise DatabaseRefused("the database is not at the newest revision; run python main.py db upgrade first")
        return migrations.draft(engine, message)


def backup(target: Path) -> str:
    """A consistent copy of the SQLite database at ``target`` (SQLite's online backup API, while the server
    writes); the copied database's path. Refused on PostgreSQL, pointing to pg_dump."""
    try:
        db.backup(db.get_engine(), target)
    except (db.BackupTargetExists, db.BackupNotSupported) as error:
        raise DatabaseRefused(str(error)) from None
    except (OSError, sqlite3.Error) as error:
        raise DatabaseRefused(f"cannot write the backup to {target}: {error}") from None
    return str(db.get_engine().url.database)

"""The SQLite engine and sessions.

Every connection runs in WAL mode with foreign keys on. Transactions are opened by us, not by the
sqlite3 driver: reads use a plain ``BEGIN``; a service that writes calls :func:`begin_write` first,
which starts with ``BEGIN IMMEDIATE`` so that two writers queue on SQLite's lock instead of failing
half-way.

A database file is created only when asked (``create=True``: ``python main.py init``, the demo); every
connection opens it with ``mode=rw``, so that a vanished file is never silently replaced by a new empty one,
and every write first checks that the file it opened is still the one at its path (a removed data directory
would otherwise take writes into deleted files).
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from urllib.parse import quote
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, Engine, event
from sqlalchemy.engine import make_url
from sqlmodel import Session, SQLModel, create_engine

import data.models  # noqa: F401 - registers every table on SQLModel.metadata
from data import upgrade_to_6
from data.models.invitation import INVITATION_SEARCH_DDL, INVITATION_SEARCH_FILL

BUSY_TIMEOUT_MS = 10_000
SCHEMA_VERSION = 6  # raise with every change to the tables, and add the step from the old version to MIGRATIONS
_engine: Engine | None = None
_identities: WeakKeyDictionary[Engine, tuple[int, int]] = WeakKeyDictionary()  # the file each engine opened
# The audit log is append-only, enforced by the database itself.
APPEND_ONLY_AUDIT = (
    "CREATE TRIGGER IF NOT EXISTS audit_event_no_update BEFORE UPDATE ON audit_event "
    "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS audit_event_no_delete BEFORE DELETE ON audit_event "
    "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END",
)


class DatabaseUnavailable(Exception):
    """The database cannot take a write at all (its file is gone); see :func:`write_fault`."""


class DatabaseMissing(SystemExit):
    """No database file where the settings say, and creating one was not asked for."""

    def __init__(self, path: Path) -> None:
        super().__init__(
            f"There is no database at {path}. To start a new portal there, run `python main.py init` (or "
            "`scripts/run.sh` for the demo); if the portal had data there, restore it from a backup "
            "(`python main.py backup` makes one)."
        )
        self.path = path


# SQLite's result codes (by name, as ``sqlite3`` reports them) that say the database cannot be written now.
CANNOT_WRITE = ("SQLITE_READONLY", "SQLITE_IOERR", "SQLITE_FULL", "SQLITE_CANTOPEN", "SQLITE_PERM", "SQLITE_NOTADB")
BUSY = ("SQLITE_BUSY", "SQLITE_LOCKED")


def write_fault(error: BaseException) -> str | None:
    """``"cannot write"`` when ``error`` says the database cannot be written (read-only, gone, full, failing),
    ``"busy"`` when its lock stayed taken for the whole busy timeout, else ``None`` (a bug, not a fault)."""
    if isinstance(error, DatabaseUnavailable):
        return "cannot write"
    name = getattr(getattr(error, "orig", error), "sqlite_errorname", "") or ""
    if name.startswith(CANNOT_WRITE):
        return "cannot write"
    if name.startswith(BUSY):
        return "busy"
    return None


def database_path(engine_or_url: Engine | str) -> Path | None:
    """The database file of an engine or URL (``None`` for an in-memory database)."""
    url = engine_or_url.url if isinstance(engine_or_url, Engine) else make_url(engine_or_url)
    return Path(url.database).resolve() if url.database and url.database != ":memory:" else None


def _identity(path: Path) -> tuple[int, int]:
    status = path.stat()
    return status.st_dev, status.st_ino


def _open(path: Path) -> sqlite3.Connection:
    """A connection to an existing database file: ``mode=rw`` never creates one (not even in a removed
    directory)."""
    return sqlite3.connect(
        f"file:{quote(str(path))}?mode=rw", uri=True, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000
    )


def make_engine(database_url: str, *, create: bool = False) -> Engine:
    """Create an engine for ``database_url`` with the portal's SQLite settings. The database file must exist,
    unless ``create`` (then a missing one is created, empty)."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        raise SystemExit("PORTAL_DATABASE_URL must be a sqlite:/// URL")
    path = database_path(database_url)
    if path is None:
        engine = create_engine(database_url, connect_args={"check_same_thread": False}, hide_parameters=True)
    else:
        if not path.exists():
            if not create:
                raise DatabaseMissing(path)
            path.parent.mkdir(parents=True, exist_ok=True)
            sqlite3.connect(path).close()
        # hide_parameters: an error's message never carries the values (emails, hashes) it was given
        engine = create_engine(database_url, creator=lambda: _open(path), hide_parameters=True)
        identity = _identities[engine] = _identity(path)

    @event.listens_for(engine, "connect")
    def _configure_connection(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves (see _begin)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: object) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "")  # type: ignore[attr-defined]
        if mode == "IMMEDIATE" and path is not None:
            _require_the_same_file(path, identity)
        connection.exec_driver_sql(f"BEGIN {mode}".strip())  # type: ignore[attr-defined]

    return engine


def _require_the_same_file(path: Path, identity: tuple[int, int]) -> None:
    """Refuse a write when the database file was removed or replaced since the engine opened it: writing on
    through the open connections would "succeed" into a deleted file."""
    try:
        current = _identity(path)
    except FileNotFoundError:
        raise DatabaseUnavailable(f"the database file {path} is gone") from None
    if current != identity:
        raise DatabaseUnavailable(f"the database file {path} was replaced by another file")


def write_check(engine: Engine | None = None) -> str:
    """Whether the database can take a write now: ``"writable"``, ``"read-only"``, ``"missing"`` (its file or
    directory was removed) or ``"replaced"``. Tried on a new connection, with a write that is rolled back."""
    engine = engine or get_engine()
    path = database_path(engine)
    if path is None:
        return "writable"
    try:
        if _identity(path) != _identities[engine]:
            return "replaced"
    except FileNotFoundError:
        return "missing"
    try:
        probe = sqlite3.connect(f"file:{quote(str(path))}?mode=rw", uri=True, timeout=0.5, isolation_level=None)
    except sqlite3.Error:
        return "missing"
    try:
        probe.execute("BEGIN IMMEDIATE")
        version = int(probe.execute("PRAGMA user_version").fetchone()[0])
        probe.execute(f"PRAGMA user_version = {version}")  # a real write to the file's header, never committed
        probe.execute("ROLLBACK")
    except sqlite3.Error as error:
        return "writable" if write_fault(error) == "busy" else "read-only"  # busy: another write holds the lock
    finally:
        probe.close()
    return "writable"


def _add_invitation_search(connection: Connection) -> None:
    """Schema 3 → 4: the trigram search index over invitations, filled from the invitations there are."""
    for statement in INVITATION_SEARCH_DDL:
        connection.exec_driver_sql(statement)
    connection.exec_driver_sql(INVITATION_SEARCH_FILL)


def _defer_representative_users(connection: Connection) -> None:
    """Schema 4 → 5: a set-password link carries the representative's email and name (the user is created when
    the link is used), and can be revoked. SQLite cannot make a column nullable in place: the table is rebuilt.
    Links of schema 4 keep the user they point at."""
    connection.exec_driver_sql("ALTER TABLE set_password_link RENAME TO set_password_link_schema_4")
    for (index,) in connection.exec_driver_sql(  # the old table's indexes keep their names: free them
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'set_password_link_schema_4' "
        "AND name NOT LIKE 'sqlite_autoindex%'"
    ).all():
        connection.exec_driver_sql(f'DROP INDEX "{index}"')
    SQLModel.metadata.tables["set_password_link"].create(connection)
    connection.exec_driver_sql(
        "INSERT INTO set_password_link (id, user_id, contract_id, email, full_name, token_hash, created_at, "
        "expires_at, used_at) SELECT link.id, link.user_id, link.contract_id, user.email, user.full_name, "
        "link.token_hash, link.created_at, link.expires_at, link.used_at FROM set_password_link_schema_4 AS link "
        "LEFT JOIN user ON user.id = link.user_id"
    )
    connection.exec_driver_sql("DROP TABLE set_password_link_schema_4")


# The step from each older schema version to the next one, applied in order when a database is opened.
MIGRATIONS = {3: _add_invitation_search, 4: _defer_representative_users, 5: upgrade_to_6.upgrade}


def create_tables(engine: Engine) -> None:
    """Create the tables on a new database, or bring an older schema version's up to this one. A database of
    this version is left untouched (no write, so the server's worker processes and command-line runs can open
    it while the server writes); one of a version this code cannot upgrade is refused. Creating or upgrading is
    one ``BEGIN IMMEDIATE`` transaction: two processes starting on the same database at once queue instead of
    failing, and a failed upgrade leaves the database as it was."""
    with engine.connect() as connection:
        if _schema_version(engine, connection) == SCHEMA_VERSION:
            return
    with engine.connect() as connection:
        connection.execution_options(sqlite_begin="IMMEDIATE")
        with connection.begin():
            version = _schema_version(engine, connection)  # again: another process may have done it meanwhile
            if version == SCHEMA_VERSION:
                return
            if version is None:
                SQLModel.metadata.create_all(connection)
                for statement in APPEND_ONLY_AUDIT + INVITATION_SEARCH_DDL:
                    connection.exec_driver_sql(statement)
            else:
                for step in range(version, SCHEMA_VERSION):
                    MIGRATIONS[step](connection)
            connection.exec_driver_sql(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _schema_version(engine: Engine, connection: Connection) -> int | None:
    """The database's schema version (None for a new, empty database); raises for one this code cannot open."""
    version = int(connection.exec_driver_sql("PRAGMA user_version").scalar() or 0)
    has_tables = connection.exec_driver_sql("SELECT count(*) FROM sqlite_master WHERE type='table'").scalar()
    if not has_tables:
        return None
    if version != SCHEMA_VERSION and version not in MIGRATIONS:
        raise SystemExit(
            f"The database {engine.url.database} was made by another version of the portal (schema {version}, "
            f"this one needs {SCHEMA_VERSION}). Move it away (or delete it) to start afresh."
        )
    return version


def configure(database_url: str, *, create: bool = False) -> Engine:
    """Set up the process-wide engine used by :func:`new_session`: on the existing database, or, with
    ``create``, on a new one (:class:`DatabaseMissing` otherwise)."""
    global _engine
    if _engine is not None:
        _engine.dispose()
    _engine = make_engine(database_url, create=create)
    create_tables(_engine)
    return _engine


def get_engine() -> Engine:
    """The process-wide engine; :func:`configure` must have been called."""
    if _engine is None:
        raise RuntimeError("the database is not configured; call data.db.configure() first")
    return _engine


def new_session(engine: Engine | None = None) -> Session:
    """A new session on ``engine`` (default: the process-wide one). Use it as a context manager."""
    return Session(engine or get_engine(), expire_on_commit=False)


def begin_write(session: Session) -> None:
    """Open the session's transaction with ``BEGIN IMMEDIATE``: take SQLite's write lock before reading,
    so that concurrent writers queue (up to the busy timeout) instead of failing at commit.
    Call it first thing in a service that writes."""
    session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})


def add_in_order(session: Session, *rows: object) -> None:
    """Insert rows in the order given (parents before children). The tables have foreign keys but no ORM
    relationships, so SQLAlchemy does not know the order by itself."""
    for row in rows:
        session.add(row)
        session.flush()


class BackupTargetExists(FileExistsError):
    """A backup never overwrites a file."""


def backup(engine: Engine, target: Path) -> None:
    """A consistent copy of the database at ``target`` with SQLite's online backup API: safe while the
    server is running and writing."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        raise BackupTargetExists(f"{target} exists already; choose a new file")
    os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))  # private from its first byte
    source = engine.raw_connection()
    try:
        destination = sqlite3.connect(target)
        try:
            source.driver_connection.backup(destination)  # type: ignore[union-attr]
        finally:
            destination.close()
    except BaseException:
        target.unlink(missing_ok=True)  # no half-written copy that looks like a backup
        raise
    finally:
        source.close()

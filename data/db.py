"""The database engine: SQLite (the embedded default) or PostgreSQL (production), and its schema.

SQLite: every connection runs in WAL mode with foreign keys on, and transactions are opened by us, not by the
sqlite3 driver, so that a writing unit of work can start with ``BEGIN IMMEDIATE`` (see
:mod:`services.unit_of_work`). A database file is created only when asked (``create=True``: ``python main.py
init``, the demo); every connection opens it with ``mode=rw``, so that a vanished file is never silently replaced
by a new empty one, and every write first checks that the file it opened is still the one at its path (a removed
data directory would otherwise take writes into deleted files).

PostgreSQL: psycopg 3, ``READ COMMITTED``; writers lock the rows they decide on with ``SELECT … FOR UPDATE``. The
portal never creates a PostgreSQL database (its operator does, and ``python main.py db upgrade`` or ``init``
creates the schema in it), and never seeds one.

The schema is Alembic's (``data/migrations``): the embedded SQLite database upgrades itself when it is
opened; a PostgreSQL database is upgraded by ``python main.py db upgrade`` only, and an instance refuses to
start on an outdated one, so that several instances never race to migrate.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from urllib.parse import quote
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, Engine, event
from sqlalchemy.engine import ExceptionContext, make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlmodel import Session, create_engine

import data.models  # noqa: F401 - registers every table on SQLModel.metadata
from data import migrations

BUSY_TIMEOUT_MS = 10_000
SQLITE = "sqlite"
POSTGRESQL = "postgresql"
_engine: Engine | None = None
_identities: WeakKeyDictionary[Engine, tuple[int, int]] = WeakKeyDictionary()  # the file each engine opened


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


class DatabaseEmpty(DatabaseMissing):
    """A database file of no bytes (truncated, or made by hand) where a portal's data should be: refused like a
    missing one, never taken for a new portal (the schema would be written into it and the server would serve
    an empty portal as if nothing had happened)."""

    def __init__(self, path: Path) -> None:
        SystemExit.__init__(
            self,
            f"The database file {path} is empty (0 bytes). If the portal had data, restore it from a backup "
            "(`python main.py backup` makes one); to start a new portal there, remove the file and run "
            "`python main.py init`.",
        )
        self.path = path


# SQLite's result codes (by name, as ``sqlite3`` reports them) that say the database cannot be written now.
CANNOT_WRITE = ("SQLITE_READONLY", "SQLITE_IOERR", "SQLITE_FULL", "SQLITE_CANTOPEN", "SQLITE_PERM", "SQLITE_NOTADB")
BUSY = ("SQLITE_BUSY", "SQLITE_LOCKED")
# PostgreSQL's SQLSTATEs (classes by their first two characters) that say the same: the connection is lost or
# refused (08), the server shuts down or restarts (57P), it is out of disk or memory (53), the database or the
# transaction is read-only (25006, a hot standby too); and that it is busy: a lock wait or deadlock ended (55P03,
# 40P01), a serialization failure (40001).
POSTGRESQL_CANNOT_WRITE = ("08", "57P", "53", "25006")
POSTGRESQL_BUSY = ("55P03", "40P01", "40001")


def write_fault(error: BaseException) -> str | None:
    """``"cannot write"`` when ``error`` says the database cannot be written (read-only, gone, full, failing,
    unreachable), ``"busy"`` when its lock stayed taken too long, else ``None`` (a bug, not a fault)."""
    if isinstance(error, DatabaseUnavailable):
        return "cannot write"
    original = getattr(error, "orig", error)
    name = getattr(original, "sqlite_errorname", "") or ""
    if name.startswith(CANNOT_WRITE):
        return "cannot write"
    if name.startswith(BUSY):
        return "busy"
    state = getattr(original, "sqlstate", None)
    if state is not None:
        if state.startswith(POSTGRESQL_BUSY):
            return "busy"
        if state.startswith(POSTGRESQL_CANNOT_WRITE):
            return "cannot write"
        return None
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return "cannot write"  # the connection broke (PostgreSQL went away) without a SQLSTATE
    if type(original).__module__.startswith("psycopg") and type(original).__name__ == "OperationalError":
        return "cannot write"  # psycopg could not connect at all (no SQLSTATE: the server never answered)
    return None


def database_path(engine_or_url: Engine | str) -> Path | None:
    """The SQLite database file of an engine or URL (``None`` for an in-memory database and for PostgreSQL)."""
    url = engine_or_url.url if isinstance(engine_or_url, Engine) else make_url(engine_or_url)
    if url.get_backend_name() != SQLITE:
        return None
    return Path(url.database).resolve() if url.database and url.database != ":memory:" else None


def _empty(path: Path) -> bool:
    """No byte in the file nor in its write-ahead log (a database's first page goes to the file when it is made,
    so even a new one has bytes)."""
    wal = path.with_name(path.name + "-wal")
    return path.stat().st_size == 0 and (not wal.exists() or wal.stat().st_size == 0)


def _identity(path: Path) -> tuple[int, int]:
    status = path.stat()
    return status.st_dev, status.st_ino


def _open(path: Path) -> sqlite3.Connection:
    """A connection to an existing database file: ``mode=rw`` never creates one (not even in a removed
    directory)."""
    return sqlite3.connect(
        f"file:{quote(str(path))}?mode=rw", uri=True, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000
    )


def make_engine(database_url: str, *, create: bool = False, schema_command: bool = False) -> Engine:
    """Create an engine for ``database_url``: ``sqlite:///…`` or ``postgresql+psycopg://…``. A SQLite database
    file must exist, unless ``create`` (then a missing one is created, empty), and hold something, unless opened
    by a ``schema_command`` (``db upgrade`` makes the schema in an empty file as in an operator's empty
    PostgreSQL database); a PostgreSQL database is never created here (``create`` does not apply)."""
    url = make_url(database_url)
    backend = url.get_backend_name()
    if backend == POSTGRESQL:
        return _postgresql_engine(database_url)
    if backend != SQLITE:
        raise SystemExit("PORTAL_DATABASE_URL must be a sqlite:/// or postgresql+psycopg:// URL")
    path = database_path(database_url)
    identity: tuple[int, int] | None = None
    if path is None:
        engine = create_engine(database_url, connect_args={"check_same_thread": False}, hide_parameters=True)
    else:
        if not path.exists():
            if not create:
                raise DatabaseMissing(path)
            path.parent.mkdir(parents=True, exist_ok=True)
            sqlite3.connect(path).close()
        elif not create and not schema_command and _empty(path):
            raise DatabaseEmpty(path)  # ``db upgrade``/``db current`` may be pointed at one on purpose
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
    def _begin(connection: Connection) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "")
        if mode == "IMMEDIATE" and path is not None and identity is not None:
            _require_the_same_file(path, identity)
        connection.exec_driver_sql(f"BEGIN {mode}".strip())

    return engine


def _postgresql_engine(database_url: str) -> Engine:
    if make_url(database_url).get_driver_name() != "psycopg":
        raise SystemExit("PORTAL_DATABASE_URL: use the psycopg 3 driver, postgresql+psycopg://…")
    # A few connections per process (the server and each worker): the work is short transactions.
    engine = create_engine(
        database_url,
        pool_size=4,
        max_overflow=4,
        pool_pre_ping=True,
        hide_parameters=True,  # an error's message never carries the values (emails, hashes) it was given
    )

    @event.listens_for(engine, "handle_error")
    def _without_values(context: ExceptionContext) -> None:
        """PostgreSQL's own message repeats a violated key's value ("Key (email)=(…) already exists"): keep
        it out of the error's text as well (the unit of work reads what was violated from ``orig.diag``)."""
        error, detail = (
            context.sqlalchemy_exception,
            getattr(getattr(context.original_exception, "diag", None), "message_detail", None),
        )
        if error is not None and detail and error.args and isinstance(error.args[0], str):
            error.args = (error.args[0].replace(detail, "(the values are not shown)"), *error.args[1:])

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
    """Whether the database can take a write now: ``"writable"``, ``"read-only"``, ``"missing"`` (SQLite: its
    file or directory was removed; PostgreSQL: the server cannot be reached) or ``"replaced"`` (SQLite: another
    file is at its path now). Tried on a new connection, with a write that is rolled back."""
    engine = engine or get_engine()
    if dialect(engine) == POSTGRESQL:
        return _postgresql_write_check(engine)
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


def _postgresql_write_check(engine: Engine) -> str:
    """A real write on PostgreSQL (the schema revision's row set to itself), rolled back, waiting at most half a
    second for anything: a read-only server or transaction (a hot standby, ``default_transaction_read_only``)
    refuses it; an unreachable server is ``"missing"``; a row held by ``db upgrade`` meanwhile is ``"writable"``."""
    try:
        with engine.connect() as connection, connection.begin() as transaction:
            connection.exec_driver_sql("SET LOCAL statement_timeout = 500")
            connection.exec_driver_sql("SET LOCAL lock_timeout = 500")
            connection.exec_driver_sql("UPDATE alembic_version SET version_num = version_num")
            transaction.rollback()
    except SQLAlchemyError as error:
        fault = write_fault(error)
        if fault == "busy" or getattr(getattr(error, "orig", None), "sqlstate", None) == "57014":
            return "writable"  # another transaction holds the row: the database takes writes
        state = getattr(getattr(error, "orig", None), "sqlstate", None) or ""
        return "read-only" if state == "25006" else "missing"
    return "writable"


def dialect(engine: Engine) -> str:
    """``sqlite`` or ``postgresql``."""
    return engine.dialect.name


def create_tables(engine: Engine) -> None:
    """Bring the database to the newest schema (Alembic's head), whatever it holds now: nothing, a release
    before Alembic (SQLite schema 3 to 6), or an older revision."""
    migrations.upgrade(engine)


def configure(database_url: str, *, create: bool = False) -> Engine:
    """Set up the process-wide engine used by :mod:`services.unit_of_work`. SQLite: on the existing database, or,
    with ``create``, on a new one (:class:`DatabaseMissing` otherwise), which upgrades itself to the newest
    schema. PostgreSQL must already be at the newest schema (``python main.py db upgrade``), else the process
    refuses to start; ``create`` never applies to it."""
    global _engine
    if _engine is not None:
        _engine.dispose()
    _engine = make_engine(database_url, create=create)
    if dialect(_engine) == SQLITE:
        if migrations.current(_engine) != migrations.head():
            create_tables(_engine)
    else:
        migrations.require_current(_engine)
    return _engine


def get_engine() -> Engine:
    """The process-wide engine; :func:`configure` must have been called."""
    if _engine is None:
        raise RuntimeError("the database is not configured; call data.db.configure() first")
    return _engine


def new_session(engine: Engine | None = None) -> Session:
    """A new session on ``engine`` (default: the process-wide one). Only the unit of work opens sessions for
    services; tests and the benchmark use this to look at the database behind the services' backs."""
    return Session(engine or get_engine(), expire_on_commit=False)


def add_in_order(session: Session, *rows: object) -> None:
    """Insert rows in the order given (parents before children). The tables have foreign keys but no ORM
    relationships, so SQLAlchemy does not know the order by itself."""
    for row in rows:
        session.add(row)
        session.flush()


class BackupNotSupported(Exception):
    """``main.py backup`` works on the embedded SQLite database only."""


class BackupTargetExists(FileExistsError):
    """A backup never overwrites a file."""


class BackupFolderMissing(FileNotFoundError):
    """A backup goes into an existing folder: a mistyped path is told, not made into folders."""


def backup(engine: Engine, target: Path) -> None:
    """A consistent copy of the database at ``target`` with SQLite's online backup API: safe while the
    server is running and writing. A PostgreSQL database is backed up with its own tools (``pg_dump``)."""
    if dialect(engine) != SQLITE:
        raise BackupNotSupported(
            "main.py backup copies the embedded SQLite database only; back up PostgreSQL with pg_dump "
            "(for example: pg_dump --format=custom --file=portal.dump DATABASE), see docs/DEPLOYMENT.md"
        )
    if not target.parent.is_dir():
        raise BackupFolderMissing(f"there is no folder {target.parent}; create it first, or choose another path")
    if target.exists():
        raise BackupTargetExists(f"{target} exists already; choose a new file")
    os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))  # private from its first byte
    source = engine.raw_connection()
    try:
        destination = sqlite3.connect(target)
        try:
            driver = source.driver_connection
            assert isinstance(driver, sqlite3.Connection)  # backup() refused every other database above
            driver.backup(destination)
        finally:
            destination.close()
    except BaseException:
        target.unlink(missing_ok=True)  # no half-written copy that looks like a backup
        raise
    finally:
        source.close()

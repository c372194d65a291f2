"""The schema's one path: Alembic revisions in ``versions/``, applied by :func:`upgrade`.

A new table or column is a new revision (``alembic revision --autogenerate`` against a database at head
writes a first draft; see docs/DEPLOYMENT.md), never an edit of an old one. A SQLite database made before
Alembic (schema 3 to 6, told by ``PRAGMA user_version``) is adopted: schema 3 first gets the search index that
schema 4 added; schema 4 is stamped as revision 0001, which is exactly it, schema 5 as 0002 and schema 6 as 0003.
"""

from __future__ import annotations

import importlib
import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect

if TYPE_CHECKING:
    from typing import Literal

    from alembic.autogenerate.api import AutogenContext
    from alembic.config import Config
    from alembic.runtime.environment import NameFilterParentNames, NameFilterType

# Alembic is imported only where a schema changes or is compared: every process (each service worker, each
# command) opens a database at the newest revision without it (head() and current() read the files and the
# alembic_version table themselves).

HERE = Path(__file__).resolve().parent
BASELINE = "0001"
# PRAGMA user_version of a SQLite database once Alembic manages it: the releases before Alembic refuse any
# version they do not know, so an older release never opens (and writes to) a newer database.
ALEMBIC_USER_VERSION = 1000
# The revision each schema version of the releases before Alembic is (schema 3 once it has the search index).
_LEGACY_SCHEMAS = {3: BASELINE, 4: BASELINE, 5: "0002", 6: "0003"}
UPGRADE_LOCK_ID = 0x504F5254414C  # "PORTAL": one ``db upgrade`` at a time on a PostgreSQL database


class OutdatedSchema(SystemExit):
    """The database is not at the schema this code needs, and this process may not upgrade it."""


def include_name(name: str | None, kind: NameFilterType, _parents: NameFilterParentNames) -> bool:
    """For autogenerate: leave out what the revisions make by hand and it cannot compare, the invitation search
    (SQLite's FTS5 table and its shadow tables, PostgreSQL's table and trigram index)."""
    return not (name or "").startswith(("invitation_search", "ix_invitation_search"))


def render_item(kind: str, item: object, _context: AutogenContext) -> str | Literal[False]:
    """For autogenerate: write the models' column types as the plain SQLAlchemy types they store (so that a
    revision does not import the models, which change after it is written)."""
    from sqlmodel.sql.sqltypes import AutoString

    from data.models.types import UTCDateTime

    if kind == "type" and isinstance(item, AutoString):
        return f"sa.String(length={item.length})" if item.length else "sa.String()"
    if kind == "type" and isinstance(item, UTCDateTime):
        return "sa.DateTime()"
    return False


def config(connection: Connection | None = None) -> Config:
    """Alembic's configuration, in code (there is no alembic.ini to keep in step)."""
    from alembic.config import Config

    alembic_config = Config()
    alembic_config.set_main_option("script_location", str(HERE))
    alembic_config.attributes["connection"] = connection
    return alembic_config


_REVISION = re.compile(r"^(down_)?revision = (?:\"(\w+)\"|None)", re.MULTILINE)


@cache
def head() -> str:
    """The newest revision this code knows: the one no other revision revises (read from the revision files;
    ``tests/unit/test_schema.py`` checks it against Alembic's own answer)."""
    revisions: set[str] = set()
    revised: set[str] = set()
    for path in (HERE / "versions").glob("*.py"):
        for down, name in _REVISION.findall(path.read_text(encoding="utf-8")):
            if name:
                (revised if down else revisions).add(name)
    [newest] = revisions - revised
    return newest


def current(engine: Engine) -> str | None:
    """The database's revision; ``None`` for an empty database or one made before Alembic."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()


def has_tables(engine: Engine) -> bool:
    """Whether the database holds any table besides Alembic's own (an empty database holds none)."""
    with engine.connect() as connection:
        return any(name != "alembic_version" for name in inspect(connection).get_table_names())


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Upgrade the database to ``revision`` in one transaction: a failed upgrade leaves it as it was. Two
    processes upgrading at once queue (SQLite: ``BEGIN IMMEDIATE``; PostgreSQL: an advisory lock) and the
    second finds nothing left to do."""
    from alembic import command
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            connection.execution_options(sqlite_begin="IMMEDIATE")
        with connection.begin():
            if engine.dialect.name == "postgresql":
                connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({UPGRADE_LOCK_ID})")
            else:
                _adopt_legacy_sqlite(engine, connection)
            found = MigrationContext.configure(connection).get_current_revision()
            if found is not None and found not in _known():
                raise _newer(engine, found)
            command.upgrade(config(connection), revision)
            if engine.dialect.name == "sqlite":
                connection.exec_driver_sql(f"PRAGMA user_version = {ALEMBIC_USER_VERSION}")


def draft(engine: Engine, message: str) -> str:
    """Write Alembic's draft of the next revision (numbered after the head) from what the models have that the
    database lacks; returns the new file's path."""
    from alembic import command

    number = f"{int(head()) + 1:04d}"
    with engine.begin() as connection:
        script = command.revision(config(connection), message=message, autogenerate=True, rev_id=number)
    assert script is not None and not isinstance(script, list)
    return str(script.path)


def require_current(engine: Engine) -> None:
    """Refuse to run on a database that is not at this code's schema, saying what to do."""
    found = current(engine)
    wanted = head()
    if found == wanted:
        return
    where = engine.url.render_as_string(hide_password=True)
    if found is None:
        raise OutdatedSchema(
            f"The database {where} has no portal schema yet. Create it with: python main.py db upgrade"
        )
    if found not in _known():
        raise _newer(engine, found)
    raise OutdatedSchema(
        f"The database {where} is at schema revision {found}; this version needs {wanted}. "
        "Upgrade it first (once, from one machine): python main.py db upgrade"
    )


def _known() -> set[str]:
    from alembic.script import ScriptDirectory

    return {script.revision for script in ScriptDirectory.from_config(config()).walk_revisions()}


def _newer(engine: Engine, found: str) -> OutdatedSchema:
    return OutdatedSchema(
        f"The database {engine.url.render_as_string(hide_password=True)} is at schema revision {found}, made by a "
        f"newer version of the portal (this one knows up to {head()}). Run the newer version."
    )


def _adopt_legacy_sqlite(engine: Engine, connection: Connection) -> None:
    """Stamp a SQLite database made before Alembic as the baseline revision (after bringing schema 3 to 4);
    refuse one of a version that never existed here."""
    from alembic import command
    from alembic.runtime.migration import MigrationContext

    has_tables = connection.exec_driver_sql(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name != 'alembic_version'"
    ).scalar()
    if not has_tables or MigrationContext.configure(connection).get_current_revision() is not None:
        return
    version = int(connection.exec_driver_sql("PRAGMA user_version").scalar() or 0)
    if version not in _LEGACY_SCHEMAS:
        raise OutdatedSchema(
            f"The database {engine.url.database} was made by another version of the portal (schema {version}, "
            "this one upgrades schema 3 to 6 and Alembic revisions). Move it away (or delete it) to start afresh."
        )
    if version == 3:
        baseline = importlib.import_module("data.migrations.versions.0001_baseline")
        for statement in baseline.SQLITE_SEARCH:
            connection.exec_driver_sql(statement)
        connection.exec_driver_sql(baseline.SQLITE_SEARCH_FILL)
    command.stamp(config(connection), _LEGACY_SCHEMAS[version])

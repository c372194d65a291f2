"""Fresh portal databases at the newest schema for the tests, on SQLite or PostgreSQL.

The schema is made once per test run through Alembic (a template), and each test gets a copy: a copied file on
SQLite, ``CREATE DATABASE … TEMPLATE`` on PostgreSQL. Either way every test starts from an empty database that
went through the same migrations as production.
"""

from __future__ import annotations

import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from data import db

TEMPLATE = "portal_template"


@dataclass
class Databases:
    """Makes and drops test databases of one dialect."""

    dialect: str
    template: str  # SQLite: the template file's path; PostgreSQL: the server's URL (its postgres database)

    @classmethod
    def sqlite(cls, folder: Path) -> Databases:
        path = folder / "template.db"
        engine = db.make_engine(f"sqlite:///{path}", create=True)
        db.create_tables(engine)
        engine.dispose()  # the last connection checkpoints the WAL: the file alone is the database
        return cls(db.SQLITE, str(path))

    @classmethod
    def postgresql(cls, server_url: str) -> Databases:
        databases = cls(db.POSTGRESQL, server_url)
        databases._administer(f'DROP DATABASE IF EXISTS "{TEMPLATE}" WITH (FORCE)', f'CREATE DATABASE "{TEMPLATE}"')
        engine = db.make_engine(databases._url(TEMPLATE))
        db.create_tables(engine)
        engine.dispose()
        return databases

    def new(self, folder: Path) -> str:
        """The URL of a new, empty database at the newest schema."""
        if self.dialect == db.SQLITE:
            path = folder / "portal.db"
            shutil.copyfile(self.template, path)
            return f"sqlite:///{path}"
        name = f"portal_test_{uuid.uuid4().hex[:12]}"
        self._administer(f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE}"')
        return self._url(name)

    def drop(self, url: str) -> None:
        """Drop a database :meth:`new` made (on SQLite the test's folder goes with pytest's tmp_path)."""
        if self.dialect == db.POSTGRESQL:
            self._administer(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')

    def empty(self, folder: Path) -> str:
        """The URL of a new database with nothing in it at all (no schema)."""
        if self.dialect == db.SQLITE:
            return f"sqlite:///{folder / 'empty.db'}"
        name = f"portal_empty_{uuid.uuid4().hex[:12]}"
        self._administer(f'CREATE DATABASE "{name}"')
        return self._url(name)

    def _url(self, name: str) -> str:
        return make_url(self.template).set(database=name).render_as_string(hide_password=False)

    def _administer(self, *statements: str) -> None:
        engine = create_engine(self.template, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                for statement in statements:
                    connection.exec_driver_sql(statement)
        finally:
            engine.dispose()

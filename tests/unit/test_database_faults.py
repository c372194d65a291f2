"""A database that cannot be written, or whose file vanished, is said so: writes are refused with "cannot save
right now" (never taken into a deleted file), the health check names the fault, and no new empty database is
ever made in its place. SQLite's file faults, and PostgreSQL's read-only and unreachable server."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from sqlmodel import func, select

from data import db
from data.models import Invitation
from portal_testing.factories import Portal
from services import workers
from services.actors import Operator
from services.distributor import invitations as distributor_invitations
from services.errors import CannotSave


@pytest.fixture
def served(portal: Portal, monkeypatch: pytest.MonkeyPatch) -> Portal:
    """The portal's database as the server's services use it (run_action's process-wide engine)."""
    monkeypatch.setattr(db, "_engine", portal.engine)
    return portal


def invitations(path: Path) -> int:
    connection = sqlite3.connect(path)
    try:
        return connection.execute("SELECT count(*) FROM invitation").fetchone()[0]
    finally:
        connection.close()


@pytest.mark.sqlite_only
def test_a_missing_database_is_never_made_unless_asked(tmp_path: Path) -> None:
    path = tmp_path / "var" / "portal.db"
    with pytest.raises(db.DatabaseMissing, match="There is no database at"):
        db.make_engine(f"sqlite:///{path}")
    assert not path.parent.exists()
    engine = db.make_engine(f"sqlite:///{path}", create=True)
    db.create_tables(engine)
    engine.dispose()
    assert path.exists()


@pytest.mark.sqlite_only
def test_writes_into_a_removed_data_directory_are_refused(served: Portal) -> None:
    actor = served.distributor_user()
    workers.run_action(distributor_invitations.invite, None, (actor,), {"company_name": "Before Ltd"})
    assert db.write_check(served.engine) == "writable"
    kept = served.path.parent.with_name("kept")
    shutil.copytree(served.path.parent, kept)  # what a backup taken just before would hold
    shutil.rmtree(served.path.parent)  # the data directory, removed while the engine's connections are open
    with pytest.raises(CannotSave, match="cannot save right now"):
        workers.run_action(distributor_invitations.invite, None, (actor,), {"company_name": "Into The Void Ltd"})
    with db.new_session(served.engine) as session:  # reading goes on from what was open
        assert session.exec(select(func.count()).select_from(Invitation)).one() == 1
    assert db.write_check(served.engine) == "missing"
    assert not served.path.parent.exists()  # nothing made a new, empty database in its place
    with pytest.raises(db.DatabaseMissing):
        db.make_engine(f"sqlite:///{served.path}")


@pytest.mark.sqlite_only
def test_a_replaced_database_file_takes_no_writes_meant_for_the_old_one(served: Portal) -> None:
    actor = served.distributor_user()
    served.engine.dispose()  # let the copy below be a complete database
    with db.new_session(served.engine) as session:
        assert session.exec(select(func.count()).select_from(Invitation)).one() == 0
    copy = served.path.with_name("copy.db")
    shutil.copyfile(served.path, copy)
    copy.replace(served.path)  # e.g. a restore while serving: the path now names another file
    assert db.write_check(served.engine) == "replaced"
    with pytest.raises(CannotSave):
        workers.run_action(distributor_invitations.invite, None, (actor,), {"company_name": "Misrouted Ltd"})
    assert invitations(served.path) == 0


@pytest.mark.sqlite_only
def test_a_read_only_database_refuses_writes_then_takes_them_again(served: Portal) -> None:
    if shutil.which("chattr") is None:
        pytest.skip("needs chattr (e2fsprogs)")
    actor = served.distributor_user()
    workers.run_action(distributor_invitations.invite, None, (actor,), {"company_name": "Before Ltd"})
    files = [served.path, served.path.with_name("portal.db-wal")]
    made: list[Path] = []
    try:
        for path in files:
            if subprocess.run(["chattr", "+i", str(path)], capture_output=True, check=False).returncode:
                pytest.skip("cannot make files immutable here")
            made.append(path)
        assert db.write_check(served.engine) == "read-only"
        with pytest.raises(CannotSave, match="cannot save right now"):
            workers.run_action(distributor_invitations.invite, None, (actor,), {"company_name": "Refused Ltd"})
    finally:
        for path in made:
            subprocess.run(["chattr", "-i", str(path)], check=True)
    assert db.write_check(served.engine) == "writable"
    workers.run_action(distributor_invitations.invite, None, (actor,), {"company_name": "After Ltd"})
    served.engine.dispose()
    connection = sqlite3.connect(served.path)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        names = [row[0] for row in connection.execute("SELECT company_name FROM invitation ORDER BY created_at")]
    finally:
        connection.close()
    assert names == ["Before Ltd", "After Ltd"]  # nothing lost, nothing invented


def test_a_read_only_postgresql_database_refuses_writes_then_takes_them_again(served: Portal) -> None:
    """A PostgreSQL database that takes no writes (a hot standby, or ``default_transaction_read_only``, as here)
    is "cannot save right now" for a write and ``read-only`` for the health check; reads go on."""
    if not served.is_postgresql:
        pytest.skip("PostgreSQL's read-only database; SQLite's file faults are tested above")
    actor = served.distributor_user()
    workers.run_action(distributor_invitations.invite, None, (actor,), {"company_name": "Before Ltd"})
    name = served.engine.url.database

    def read_only(on: bool) -> None:
        with served.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("SET default_transaction_read_only = off")  # this connection may change it
            connection.exec_driver_sql(
                f'ALTER DATABASE "{name}" SET default_transaction_read_only = {"on" if on else "off"}'
            )
        served.engine.dispose()  # the setting applies to new connections

    read_only(True)
    try:
        assert db.write_check(served.engine) == "read-only"
        with pytest.raises(CannotSave, match="cannot save right now"):
            workers.run_action(distributor_invitations.invite, None, (actor,), {"company_name": "Refused Ltd"})
        found = workers.run_action(distributor_invitations.list_invitations, None, (actor,), {})
        assert [row.company_name for row in found.rows] == ["Before Ltd"]
    finally:
        read_only(False)
    assert db.write_check(served.engine) == "writable"
    workers.run_action(distributor_invitations.invite, None, (actor,), {"company_name": "After Ltd"})


def test_an_unreachable_postgresql_server_is_cannot_save_not_a_server_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing listens where the database should be: the health check says ``missing`` and a service call says
    "cannot save right now" (never a traceback)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again: nothing listens there
    engine = db.make_engine(f"postgresql+psycopg://portal:secret@127.0.0.1:{port}/portal?connect_timeout=2")
    monkeypatch.setattr(db, "_engine", engine)
    try:
        assert db.write_check(engine) == "missing"
        with pytest.raises(CannotSave):
            workers.run_action(distributor_invitations.list_invitations, None, (Operator(),), {})
    finally:
        engine.dispose()

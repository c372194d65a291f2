"""The command line on the database ``--db`` chooses (SQLite or PostgreSQL), as a real subprocess: the commands
that act on a configured ``PORTAL_DATABASE_URL``, the schema commands, and what differs per database (``init``
creates a SQLite file but only the schema in a PostgreSQL database; ``backup`` is SQLite's; on PostgreSQL every
command refuses an outdated schema)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sqlmodel import select

from data import db, migrations
from data.models import Account
from portal_testing.databases import Databases
from portal_testing.factories import PASSWORD
from services.activation import steps as activation
from services.unit_of_work import UnitOfWork

ROOT = Path(__file__).resolve().parents[2]
ACME = "Acme Distribution Ltd"


def cli_env(database_url: str, tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env.update(
        PORTAL_DATA_DIR=str(tmp_path),
        PORTAL_DATABASE_URL=database_url,
        PORTAL_BASE_URL="https://portal.example",
        **extra,
    )
    return env


def run_cli(
    database_url: str, tmp_path: Path, *args: str, stdin: str | None = None, **extra: str
) -> subprocess.CompletedProcess[str]:
    """``python main.py ARGS`` on ``database_url``."""
    return subprocess.run(
        [sys.executable, "main.py", *args],
        cwd=ROOT,
        env=cli_env(database_url, tmp_path, **extra),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def create_acme(database_url: str, tmp_path: Path) -> None:
    created = run_cli(
        database_url,
        tmp_path,
        "distributor",
        "create",
        ACME,
        "--admin-email",
        "ops@acme.example",
        "--password-stdin",
        stdin=PASSWORD,
    )
    assert created.returncode == 0, created.stderr


def test_invite_list_revoke_reissue(database_url: str, tmp_path: Path) -> None:
    create_acme(database_url, tmp_path)
    first = run_cli(database_url, tmp_path, "invite", "--distributor", ACME, "--email", "ann@reseller.example")
    assert first.returncode == 0, first.stderr
    token = first.stdout.strip().splitlines()[-1].rsplit("/", 1)[1]
    engine = db.make_engine(database_url)
    try:
        view = activation.open_invitation(UnitOfWork(engine), token)
    finally:
        engine.dispose()
    assert view.distributor_name == ACME and view.email == "ann@reseller.example"

    [row] = json.loads(run_cli(database_url, tmp_path, "invitations", "list", "--json").stdout)
    revoked = run_cli(database_url, tmp_path, "invitations", "revoke", row["invitation_id"], "--json")
    assert json.loads(revoked.stdout)["status"] == "revoked"
    reissued = run_cli(database_url, tmp_path, "invitations", "reissue", row["invitation_id"])
    assert reissued.returncode == 0, reissued.stderr
    again = run_cli(database_url, tmp_path, "invitations", "reissue", row["invitation_id"])
    assert again.returncode == 2 and "reissued already" in again.stderr and "Traceback" not in again.stderr


def test_init_makes_the_schema_in_a_configured_database_once(databases: Databases, tmp_path: Path) -> None:
    """SQLite: ``init`` creates the file. PostgreSQL: the database is the operator's to create; ``init`` makes
    the portal's schema in it. Either way a second ``init`` changes nothing, and nothing is seeded."""
    empty = databases.empty(tmp_path)
    try:
        first = run_cli(empty, tmp_path, "init")
        assert first.returncode == 0, first.stderr
        again = run_cli(empty, tmp_path, "init")
        assert again.returncode == 2 and "nothing was changed" in again.stderr and "Traceback" not in again.stderr
        current = run_cli(empty, tmp_path, "db", "current")
        assert current.stdout.startswith(f"{migrations.head()} (newest")
        engine = db.make_engine(empty)
        try:
            with db.new_session(engine) as session:
                assert session.exec(select(Account.id)).all() == []
        finally:
            engine.dispose()
    finally:
        databases.drop(empty)


def test_db_current_and_upgrade(databases: Databases, database_url: str, tmp_path: Path) -> None:
    """``db current`` says whether this version runs on the database; ``db upgrade`` brings an empty one to
    the newest schema, and says so when there is nothing to do."""
    current = run_cli(database_url, tmp_path, "db", "current")
    assert current.returncode == 0 and current.stdout.startswith(f"{migrations.head()} (newest")
    empty = databases.empty(tmp_path)
    if databases.dialect == db.SQLITE:
        Path(empty.removeprefix("sqlite:///")).touch()  # an empty file: db upgrade never creates one
    try:
        before = run_cli(empty, tmp_path, "db", "current")
        assert "no schema" in before.stdout and "python main.py db upgrade" in before.stdout
        upgraded = run_cli(empty, tmp_path, "db", "upgrade")
        assert upgraded.returncode == 0, upgraded.stderr
        assert f"from nothing to {migrations.head()}" in upgraded.stdout
        again = run_cli(empty, tmp_path, "db", "upgrade")
        assert "newest schema already" in again.stdout
    finally:
        databases.drop(empty)


def test_a_configured_database_that_is_empty_is_never_seeded_or_served(databases: Databases, tmp_path: Path) -> None:
    """Instances never race to migrate or seed: on PostgreSQL a command (like the server) refuses an empty or
    outdated database and says what to run, PORTAL_DEMO=1 included; a configured SQLite file that does not exist
    is refused too (``init`` creates it)."""
    empty = databases.empty(tmp_path)
    try:
        for command in (["invitations", "list"], []):
            result = run_cli(empty, tmp_path, *command, PORTAL_DEMO="1")
            assert result.returncode != 0 and "Traceback" not in result.stderr
            if databases.dialect == db.POSTGRESQL:
                assert "python main.py db upgrade" in result.stderr
            else:
                assert "There is no database at" in result.stderr and "python main.py init" in result.stderr
        assert "Demo:" not in result.stdout
    finally:
        databases.drop(empty)


def test_backup_copies_sqlite_and_points_postgresql_to_pg_dump(database_url: str, tmp_path: Path) -> None:
    create_acme(database_url, tmp_path)
    result = run_cli(database_url, tmp_path, "backup", str(tmp_path / "copy.db"))
    if database_url.startswith("postgresql"):
        assert result.returncode == 2 and "pg_dump" in result.stderr and "Traceback" not in result.stderr
        assert not (tmp_path / "copy.db").exists()
    else:
        assert result.returncode == 0, result.stderr
        copy = db.make_engine(f"sqlite:///{tmp_path / 'copy.db'}")
        with db.new_session(copy) as session:
            assert session.exec(select(Account.name)).all() == [ACME]
        copy.dispose()


def test_demo_full_and_the_chapter_two_lists(database_url: str, tmp_path: Path) -> None:
    """``demo --full`` on a configured database that has the demo distributor (never created or seeded there
    otherwise), then ``hubs list`` and ``marketplaces list`` for that reseller; an unknown name is an error."""
    created = run_cli(
        database_url,
        tmp_path,
        "distributor",
        "create",
        "Mighty Mick's LLC",
        "--admin-email",
        "mick@mightymicks.example",
        "--password-stdin",
        stdin=PASSWORD,
    )
    assert created.returncode == 0, created.stderr
    full = run_cli(database_url, tmp_path, "demo", "--full")
    assert full.returncode == 0, full.stderr
    assert "Demo reseller Apollo Creed Inc has activated its portal" in full.stdout
    hubs = json.loads(
        run_cli(database_url, tmp_path, "hubs", "list", "--reseller", "Apollo Creed Inc", "--json").stdout
    )
    assert [hub["name"] for hub in hubs[0]["hubs"]] == ["Apollo web shop"]
    table = run_cli(database_url, tmp_path, "marketplaces", "list", "--reseller", "Apollo Creed Inc")
    assert table.returncode == 0 and "North America" in table.stdout and "CA US" in table.stdout
    unknown = run_cli(database_url, tmp_path, "marketplaces", "list", "--reseller", "Apollo Creed")
    assert unknown.returncode == 2 and "No reseller is called" in unknown.stderr

"""The schema's one path, Alembic: a database of an earlier release upgrades with every row kept and ends up
the same as a freshly created one (a landed schema-4 database made by the released code included:
tests/fixtures/make_schema_4.py); the revisions match the models; the database itself holds to the rules the
services assume, and a violation reaches people as a domain error, on both databases."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from datetime import timedelta
from enum import StrEnum
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, col, select

from data import db, migrations
from data.migrations import include_name
from data.models import (
    Account,
    AccountKind,
    Agreement,
    AgreementVersion,
    AuditEvent,
    CompletedRequest,
    Contract,
    ContractStatus,
    Invitation,
    InvitationStatus,
    ListingStatus,
    RequestStatus,
    SyndicationContractStatus,
    User,
    UserStatus,
)
from data.models.types import utcnow
from portal_testing.databases import Databases
from portal_testing.factories import PASSWORD, Portal, open_portal
from services import errors, workers
from services.accounts import authenticate
from services.distributor import invitations as distributor_invitations
from services.unit_of_work import UnitOfWork

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
PREVIOUS_RELEASE = FIXTURES / "portal-release-schema4.db"
# Databases made by the releases before Alembic: schema 4 (before issue 10), schema 5 (issue 10) and schema 6
# (issues 11 and 12, the last one).
RELEASES = [FIXTURES / f"portal-release-schema{version}.db" for version in (4, 5, 6)]


def sqlite_schema(path: Path) -> dict[str, object]:
    """Everything that makes a SQLite schema, in an order-independent form: each table's columns, foreign keys,
    indexes (with their predicates) and triggers, and the search index's definition."""
    connection = sqlite3.connect(path)
    try:
        objects = connection.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name"
        ).fetchall()
        schema: dict[str, object] = {}
        for kind, name, table, sql in objects:
            if kind == "table" and not (sql or "").startswith("CREATE VIRTUAL"):
                # by name: schema 5 rebuilt set_password_link with its new columns in the model's order, revision
                # 0002 appends them; the portal reads and writes columns by name
                columns = sorted(column[1:] for column in connection.execute(f'PRAGMA table_info("{name}")'))
                keys = connection.execute(f'PRAGMA foreign_key_list("{name}")').fetchall()
                schema[f"table {name}"] = (columns, sorted(key[2:] for key in keys))  # (id, seq) vary with order
            elif kind == "index":
                columns = connection.execute(f'PRAGMA index_info("{name}")').fetchall()
                schema[f"index {name}"] = (table, columns, sql)
            else:
                schema[f"{kind} {name}"] = sql
        return schema
    finally:
        connection.close()


def rows(path: Path) -> dict[str, list[dict[str, object]]]:
    """Every row of every table (the search index by its columns), by column name."""
    connection = sqlite3.connect(path)
    connection.row_factory = sqlite3.Row
    try:
        tables = [
            name
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                "AND name NOT LIKE 'invitation_search_%' AND name != 'alembic_version'"
            )
        ]
        return {
            table: [dict(row) for row in connection.execute(f'SELECT * FROM "{table}"')]  # noqa: S608 - names from sqlite_master
            for table in tables
        }
    finally:
        connection.close()


@pytest.mark.sqlite_only
@pytest.mark.parametrize("release", RELEASES, ids=lambda path: path.stem)
def test_the_previous_releases_database_upgrades_keeping_every_row(
    databases: Databases, tmp_path: Path, release: Path
) -> None:
    """The landed demo database of a release before Alembic (schema 4, 5 or 6, FTS5 index included) upgrades itself
    when the portal opens it, keeps every row, and is then the same schema as a freshly created one."""
    copy = tmp_path / "portal.db"
    shutil.copyfile(release, copy)
    before = rows(copy)
    assert sum(len(table) for table in before.values()) > 50  # a database with something in it

    engine = db.configure(f"sqlite:///{copy}")
    try:
        assert migrations.current(engine) == migrations.head()
        actor = Portal(engine).distributor_user()
        found = distributor_invitations.list_invitations(UnitOfWork(engine), actor, search="owner0@exam")
    finally:
        engine.dispose()

    assert [row.reseller_name for row in found.rows] == ["Acme Inc."]  # the upgraded search index answers
    after = rows(copy)
    for table, kept in before.items():  # every row is still there with its values (columns may have been added)
        assert len(after[table]) >= len(kept), f"{table} lost rows in the upgrade"
        for row in kept:
            assert any(row.items() <= later.items() for later in after[table]), f"{table} changed {row}"
    fresh = Path(databases.template)
    assert sqlite_schema(copy) == sqlite_schema(fresh)
    assert sqlite3.connect(copy).execute("PRAGMA user_version").fetchone() == (migrations.ALEMBIC_USER_VERSION,)


@pytest.mark.sqlite_only
def test_a_schema_3_database_gets_the_search_index_and_keeps_its_invitations(tmp_path: Path) -> None:
    copy = tmp_path / "portal.db"
    shutil.copyfile(PREVIOUS_RELEASE, copy)
    connection = sqlite3.connect(copy)  # make it what schema 3 was: no search index
    with connection:
        for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'invitation_search%'"
        ).fetchall():
            connection.execute(f"DROP TRIGGER {name}")
        connection.execute("DROP TABLE invitation_search")
        connection.execute("PRAGMA user_version = 3")
    connection.close()
    portal = open_portal(copy)
    actor = portal.distributor_user()
    found = distributor_invitations.list_invitations(portal.uow(), actor, search="globex")
    portal.engine.dispose()
    assert [row.company_name for row in found.rows] == ["Globex LLC"]


@pytest.mark.sqlite_only
@pytest.mark.parametrize("version", [2, 7])
def test_a_sqlite_database_of_an_unknown_schema_version_is_refused(tmp_path: Path, version: int) -> None:
    copy = tmp_path / "portal.db"
    shutil.copyfile(PREVIOUS_RELEASE, copy)
    connection = sqlite3.connect(copy)
    connection.execute(f"PRAGMA user_version = {version}")
    connection.close()
    with pytest.raises(SystemExit, match="another version of the portal"):
        db.configure(f"sqlite:///{copy}")


def test_a_database_of_a_newer_revision_is_refused(portal: Portal) -> None:
    with portal.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(SystemExit, match="revision 9999, made by a newer version of the portal"):
        db.configure(portal.url)


def test_the_revisions_make_exactly_the_models_schema(portal: Portal) -> None:
    """What Alembic's revisions built is what the models describe (nothing for autogenerate to add): a model
    change without its revision fails here, on both databases."""
    with portal.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_name": include_name, "compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []


def test_audit_events_cannot_be_changed_or_deleted(portal: Portal) -> None:
    portal.invite()
    for statement in ("UPDATE audit_event SET actor = 'someone else'", "DELETE FROM audit_event"):
        with pytest.raises(IntegrityError, match="append-only"), portal.engine.begin() as connection:
            connection.execute(text(statement))


def test_postgresql_searches_invitations_through_the_trigram_index(portal: Portal) -> None:
    if not portal.is_postgresql:
        pytest.skip("PostgreSQL's pg_trgm index; SQLite's FTS5 index is covered by the search tests")
    actor = portal.distributor_user()
    distributor_invitations.invite(portal.uow(), actor, company_name="Trigram Testing Ltd")
    with portal.engine.connect() as connection:
        connection.exec_driver_sql("SET enable_seqscan = off")  # a tiny table: make the planner show the index
        explained = text("EXPLAIN SELECT reference FROM invitation_search WHERE company ILIKE :pattern")
        plan = "\n".join(row[0] for row in connection.execute(explained, {"pattern": "%gram test%"}))
    assert "ix_invitation_search_company" in plan
    found = distributor_invitations.list_invitations(portal.uow(), actor, search="GRAM TEST")
    assert [row.company_name for row in found.rows] == ["Trigram Testing Ltd"]


@pytest.mark.sqlite_only
def test_a_schema_4_set_password_link_still_works_after_the_upgrade(tmp_path: Path) -> None:
    """Schema 4 made the representative's user up front (status invited); revision 0002 gives its links that
    user's email and name, and they still work."""
    from data.models import User, UserStatus
    from portal_testing.factories import PASSWORD
    from services import accounts
    from services.distributor import partners

    portal = open_portal(tmp_path / "portal.db")
    actor = portal.distributor_user()
    direct = partners.create_reseller_account(
        portal.uow(),
        actor,
        legal_name="Legacy Ltd",
        representative_name="Lee Legacy",
        representative_email="lee@l.example",
    )
    portal.engine.dispose()
    connection = sqlite3.connect(portal.path)  # make it what schema 4 was: the user made up front, no Alembic
    with connection:
        connection.execute(
            "INSERT INTO user (id, account_id, email, full_name, status, created_at) VALUES "
            "('UR-0000-legacy', ?, 'lee@l.example', 'Lee Legacy', 'INVITED', '2026-01-01 00:00:00')",
            (direct.account_id,),
        )
        connection.execute("UPDATE contract SET signee_user_id = 'UR-0000-legacy' WHERE id = ?", (direct.contract_id,))
        connection.execute("ALTER TABLE set_password_link RENAME TO new_shape")
        connection.execute("DROP INDEX ix_set_password_link_user_id")
        connection.execute("DROP INDEX ix_set_password_link_contract_id")
        connection.execute(
            "CREATE TABLE set_password_link (id VARCHAR NOT NULL PRIMARY KEY, user_id VARCHAR NOT NULL REFERENCES "
            "user (id), contract_id VARCHAR NOT NULL REFERENCES contract (id), token_hash VARCHAR(64) NOT NULL "
            "UNIQUE, created_at DATETIME NOT NULL, expires_at DATETIME NOT NULL, used_at DATETIME)"
        )
        connection.execute("CREATE INDEX ix_set_password_link_user_id ON set_password_link (user_id)")
        connection.execute(
            "INSERT INTO set_password_link SELECT id, 'UR-0000-legacy', contract_id, token_hash, created_at, "
            "expires_at, used_at FROM new_shape"
        )
        connection.execute("DROP TABLE new_shape")
        for statement in (  # and without what revisions 0004 to 0007 added
            "DROP TABLE fulfilment_request_item",
            "DROP TABLE fulfilment_request",
            "DROP TABLE subscription_item",
            "DROP TABLE subscription",
            "DROP TABLE customer",
            "DROP TABLE marketplace_hub",
            "DROP TABLE marketplace_country",
            "DROP TABLE marketplace",
            "DROP TABLE hub",
            "DROP TABLE contract_termination",
            "DROP TABLE notification_setting",
            "DROP TABLE account_link",
            "DROP TABLE outbox_email",
            "ALTER TABLE user DROP COLUMN session_version",
            "DROP TABLE listing",
            "DROP TABLE syndication_contract",
            "DROP TABLE item_price",
            "DROP TABLE item",
            "DROP TABLE product",
        ):
            connection.execute(statement)
        for statement in (  # and without what revision 0003 added
            "DROP INDEX ux_user_email_lower",
            "DROP INDEX ux_invitation_one_open_successor",
            "DROP INDEX ix_invitation_reissued_from_id",
            "DROP TABLE completed_request",
            "ALTER TABLE activation_draft DROP COLUMN revision",
            "DROP INDEX ux_account_distributor_name",
            "CREATE UNIQUE INDEX ux_account_distributor_name ON account (name) WHERE kind = 'distributor'",
        ):
            connection.execute(statement)
        connection.execute("DROP TABLE alembic_version")
        connection.execute("PRAGMA user_version = 4")
    connection.close()

    engine = db.configure(f"sqlite:///{portal.path}")
    try:
        assert migrations.current(engine) == migrations.head()
        upgraded = Portal(engine)
        view = partners.open_set_password_link(upgraded.uow(), direct.token)
        assert (view.full_name, view.email) == ("Lee Legacy", "lee@l.example")
        done = partners.set_password(upgraded.uow(), direct.token, password=PASSWORD, accepted=True)
        assert accounts.authenticate(upgraded.uow(), "lee@l.example", PASSWORD).user_id == "UR-0000-legacy"
        with upgraded.session() as session:
            user = session.get(User, done.user_id)
        assert user is not None and user.status == UserStatus.ACTIVE
    finally:
        engine.dispose()


def test_the_head_read_from_the_files_is_alembics() -> None:
    from alembic.script import ScriptDirectory

    assert migrations.head() == ScriptDirectory.from_config(migrations.config()).get_current_head()


@pytest.mark.sqlite_only
def test_opening_a_database_at_the_newest_revision_does_not_load_alembic(portal: Portal) -> None:
    """Every service worker and command opens the database at start; only a schema change needs Alembic."""
    check = (
        "import sys; from data import db; db.configure(sys.argv[1]); "
        "print(sorted(name for name in sys.modules if name.split('.')[0] in ('alembic', 'mako')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", check, portal.url], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "[]"


# ---------------------------------------------------------------- landed schema-4 files made by the released code

STORED_ENUMS: tuple[type[StrEnum], ...] = (
    AccountKind,
    UserStatus,
    ContractStatus,
    InvitationStatus,
    SyndicationContractStatus,
    ListingStatus,
    RequestStatus,
)


def landed(tmp_path: Path, name: str = "portal-schema-4.db") -> Path:
    """A copy of a schema-4 database made by the released code."""
    path = tmp_path / "portal.db"
    shutil.copyfile(FIXTURES / name, path)
    return path


def query(path: Path, sql: str, *parameters: object) -> list[tuple[object, ...]]:
    connection = sqlite3.connect(path)
    try:
        return connection.execute(sql, parameters).fetchall()
    finally:
        connection.close()


def upgrade(path: Path) -> None:
    engine = db.make_engine(f"sqlite:///{path}")
    try:
        db.create_tables(engine)
    finally:
        engine.dispose()


@pytest.mark.sqlite_only
def test_a_landed_schema_4_database_is_upgraded_in_place_keeping_every_row(
    databases: Databases, tmp_path: Path
) -> None:
    path = landed(tmp_path)
    before = rows(path)
    assert query(path, "PRAGMA user_version") == [(4,)]
    upgrade(path)
    assert query(path, "PRAGMA user_version") == [(migrations.ALEMBIC_USER_VERSION,)]
    after = rows(path)
    assert {table: len(kept) for table, kept in after.items() if table in before} == {
        table: len(kept) for table, kept in before.items()
    }
    assert {table: len(after[table]) for table in after.keys() - before.keys()} == {
        table: 0
        for table in after.keys() - before.keys()  # tables added since schema 4: completed_request, …
    }
    assert query(path, "PRAGMA integrity_check") == [("ok",)]
    assert query(path, "PRAGMA foreign_key_check") == []
    assert query(path, "SELECT DISTINCT revision FROM activation_draft") == [(0,)]
    assert sqlite_schema(path) == sqlite_schema(Path(databases.template))

    engine = db.make_engine(f"sqlite:///{path}")
    try:
        apollo = authenticate(UnitOfWork(engine), "apollo@creed.example", PASSWORD)
        admin = authenticate(UnitOfWork(engine), "second.admin@mightymicks.example", PASSWORD)
        found = distributor_invitations.list_invitations(UnitOfWork(engine), admin, search="Lang Holdings")
    finally:
        engine.dispose()
    assert apollo.account_kind == "reseller"
    assert [row.company_name for row in found.rows] == ["Clubber Lang LLC"]


@pytest.mark.sqlite_only
def test_duplicate_reissues_of_schema_4_keep_their_links_and_one_stays_the_successor(tmp_path: Path) -> None:
    """Revision 0003 repairs what a double click on Reissue made before it: the newest open successor stays the
    successor, the other keeps its working link, and the repair is an audit event."""
    path = landed(tmp_path, "portal-schema-4-duplicate-reissue.db")
    open_successors = (
        "SELECT id FROM invitation WHERE status = 'PENDING' AND (reissued_from_id IS NOT NULL OR id IN "
        "(SELECT object_id FROM audit_event WHERE action = 'invitation.successor_link_cleared')) ORDER BY created_at"
    )
    before = query(path, "SELECT id, reissued_from_id FROM invitation WHERE reissued_from_id IS NOT NULL")
    assert len(before) == 2 and before[0][1] == before[1][1]  # what a double click on Reissue made
    upgrade(path)
    older, newer = (row[0] for row in query(path, open_successors))
    assert query(path, "SELECT reissued_from_id FROM invitation WHERE id = ?", newer) == [(before[0][1],)]
    assert query(path, "SELECT reissued_from_id, status FROM invitation WHERE id = ?", older) == [(None, "PENDING")]
    cleared = query(path, "SELECT actor, details FROM audit_event WHERE action = 'invitation.successor_link_cleared'")
    assert [(actor, json.loads(str(details))) for actor, details in cleared] == [
        ("schema upgrade to 6", {"link": "still works", "reissued_from": before[0][1], "successor_kept": newer})
    ]
    assert query(path, "PRAGMA integrity_check") == [("ok",)]


def test_duplicate_reissues_are_repaired_by_revision_0003_on_either_database(
    databases: Databases, tmp_path: Path
) -> None:
    """The same repair through Alembic on the database ``--db`` chooses: a database at revision 0002 holding one
    invitation reissued twice (both successors open) upgrades, and the older successor loses only its link."""
    url = databases.empty(tmp_path)
    engine = db.make_engine(url, create=True)
    try:
        migrations.upgrade(engine, "0002")
        portal = Portal(engine)
        old_token = portal.invite()
        old = portal.invitation_for(old_token)
        with portal.session() as session:
            successors = []
            for number in range(2):
                contract = Contract(distributor_id=old.distributor_id, agreement_version_id=old.agreement_version_id)
                session.add(contract)
                session.flush()
                invitation = Invitation(
                    distributor_id=old.distributor_id,
                    contract_id=contract.id,
                    agreement_version_id=old.agreement_version_id,
                    token_hash=f"{number:064d}",
                    reissued_from_id=old.id,
                    created_at=utcnow() + timedelta(seconds=number),
                    expires_at=utcnow() + timedelta(days=1),
                )
                session.add(invitation)
                session.flush()
                successors.append(invitation.id)
            session.commit()
        migrations.upgrade(engine)
        assert migrations.current(engine) == migrations.head()
        with portal.session() as session:
            links = dict(session.exec(select(Invitation.id, Invitation.reissued_from_id)).all())
            cleared = session.exec(
                select(AuditEvent.object_id).where(AuditEvent.action == "invitation.successor_link_cleared")
            ).all()
        assert (links[successors[0]], links[successors[1]]) == (None, old.id)
        assert cleared == [successors[0]]
    finally:
        engine.dispose()
        databases.drop(url)


@pytest.mark.sqlite_only
def test_an_upgrade_that_cannot_apply_names_the_rows_and_leaves_the_database_as_it_was(tmp_path: Path) -> None:
    path = landed(tmp_path)
    connection = sqlite3.connect(path)
    with connection:  # schema 4's index on distributor names never applied, so this was possible
        connection.execute(
            "INSERT INTO account (id, kind, name, created_at) VALUES "
            "('PA-TWIN', 'DISTRIBUTOR', 'Mighty Mick''s LLC', '2026-11-01 10:00:00.000000')"
        )
    connection.close()
    before = sqlite_schema(path)
    with pytest.raises(SystemExit, match='several distributors are named "Mighty Mick\'s LLC"'):
        upgrade(path)
    assert query(path, "PRAGMA user_version") == [(4,)]
    assert sqlite_schema(path) == before


def test_every_partial_index_compares_with_what_is_stored(portal: Portal) -> None:
    """SQLAlchemy stores an enum member's name ('DISTRIBUTOR'): a partial index comparing with anything else
    covers no row (schemas 1-5 on SQLite did); on both databases every literal is a stored name."""
    stored_names = {member.name for enum in STORED_ENUMS for member in enum}
    with portal.engine.connect() as connection:
        if portal.is_postgresql:
            partial = connection.execute(
                text("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND indexdef LIKE :where"),
                {"where": "% WHERE %"},
            ).all()
        else:
            partial = connection.execute(
                text("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql LIKE :where"),
                {"where": "% WHERE %"},
            ).all()
    assert {name for name, _ in partial} >= {
        "ux_account_distributor_name",
        "ux_invitation_one_open_successor",
        "ux_fulfilment_request_open",
    }
    for name, sql in partial:
        for literal in re.findall(r"'([^']*)'", str(sql).split(" WHERE ", 1)[1]):
            assert literal in stored_names, f"{name} compares with {literal!r}, which is never stored"


# ---------------------------------------------------------------- the database itself refuses duplicates


def distributor(session: Session, name: str) -> None:
    session.add(Account(kind=AccountKind.DISTRIBUTOR, name=name))
    session.flush()


def two_distributors_with_one_name(session: Session) -> None:
    distributor(session, "Twin Distribution Ltd")
    session.add(Account(kind=AccountKind.RESELLER, name="Twin Distribution Ltd"))  # a reseller may share it
    session.flush()
    distributor(session, "Twin Distribution Ltd")


def two_users_whose_emails_differ_in_case(session: Session) -> None:
    account = Account(kind=AccountKind.RESELLER, name="Case Ltd")
    session.add(account)
    session.flush()
    session.add(User(account_id=account.id, email="casey@case.example", full_name="Casey"))
    session.flush()
    session.add(User(account_id=account.id, email="Casey@Case.example", full_name="Casey Again"))
    session.flush()


def two_open_successors(session: Session) -> None:
    old = session.exec(select(Invitation)).first()
    assert old is not None
    for n in range(2):
        contract = Contract(distributor_id=old.distributor_id, agreement_version_id=old.agreement_version_id)
        session.add(contract)
        session.flush()
        session.add(
            Invitation(
                distributor_id=old.distributor_id,
                contract_id=contract.id,
                agreement_version_id=old.agreement_version_id,
                token_hash=f"{n:064d}",
                reissued_from_id=old.id,
                expires_at=utcnow() + timedelta(days=1),
            )
        )
        session.flush()


def two_active_versions(session: Session) -> None:
    agreement = session.exec(select(Agreement)).first()
    assert agreement is not None
    session.add(AgreementVersion(agreement_id=agreement.id, version=2, text="b", text_sha256="b" * 64, is_active=True))
    session.flush()


def one_request_key_twice(session: Session) -> None:
    for _ in range(2):
        session.add(CompletedRequest(key="k" * 32, action="invitation.create", actor="UR-1", object_id="IN-1"))
        session.flush()


VIOLATIONS: dict[str, tuple[Callable[[Session], None], type[errors.DomainError], str]] = {
    "distributor name": (two_distributors_with_one_name, errors.ValidationFailed, "A distributor has this name"),
    "email in any case": (two_users_whose_emails_differ_in_case, errors.ValidationFailed, "cannot be used"),
    "open successor": (two_open_successors, errors.InvalidState, "reissued already"),
    "active version": (two_active_versions, errors.Conflict, "published in the meantime"),
    "request key": (one_request_key_twice, errors.AlreadyDone, "done already"),
}


@pytest.mark.parametrize("rule", VIOLATIONS)
def test_the_database_itself_refuses_a_duplicate(portal: Portal, rule: str) -> None:
    portal.invite()
    violate, _, _ = VIOLATIONS[rule]
    with portal.session() as session, pytest.raises(IntegrityError):
        violate(session)
        session.commit()


def violating(uow: UnitOfWork, violate: Callable[[Session], None]) -> None:
    """A service that breaks one of the database's rules, as a racing action would."""
    with uow.write():
        violate(uow.session)
        uow.commit()


@pytest.mark.parametrize("rule", VIOLATIONS)
def test_a_refused_duplicate_reaches_the_caller_as_a_domain_error(
    portal: Portal, rule: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    portal.invite()
    monkeypatch.setattr(db, "_engine", portal.engine)  # run_action's unit of work uses the process-wide engine
    violate, error, message = VIOLATIONS[rule]
    with pytest.raises(error, match=message):
        workers.run_action(violating, None, (violate,), {})
    with portal.session() as session:  # nothing of the refused action was kept
        assert (
            session.exec(select(Account).where(col(Account.name).in_(["Twin Distribution Ltd", "Case Ltd"]))).all()
            == []
        )

"""The database itself holds to the rules the services assume, a violation reaches people as a domain error, and
a landed schema-4 database (made by the released code: tests/fixtures/make_schema_4.py) is upgraded in place."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from collections.abc import Callable
from datetime import timedelta
from enum import StrEnum
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from data import db
from data.models import (
    Account,
    AccountKind,
    Agreement,
    AgreementVersion,
    CompletedRequest,
    ContractStatus,
    Invitation,
    InvitationStatus,
    User,
    UserStatus,
)
from data.models.types import utcnow
from services import errors, workers
from services.accounts import authenticate
from services.distributor_invitations import list_invitations
from tests.helpers import PASSWORD, Portal, open_portal

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
STORED_ENUMS: tuple[type[StrEnum], ...] = (AccountKind, UserStatus, ContractStatus, InvitationStatus)


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


def row_counts(path: Path) -> dict[str, int]:
    tables = [
        name
        for (name,) in query(path, "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE TABLE%'")
    ]
    return {table: query(path, f'SELECT count(*) FROM "{table}"')[0][0] for table in tables}  # type: ignore[misc]  # noqa: S608


def schema(path: Path) -> dict[str, object]:
    """Tables (their columns), indexes, triggers and virtual tables, independent of the order they were made in."""
    objects = query(path, "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE sql IS NOT NULL")
    tables = {name: query(path, f'PRAGMA table_info("{name}")') for kind, name, _, _ in objects if kind == "table"}
    return {
        "tables": tables,
        "others": sorted(
            (kind, name, " ".join(str(sql).replace("IF NOT EXISTS ", "").split()))
            for kind, name, _, sql in objects
            if kind != "table"
        ),
    }


def upgrade(path: Path) -> None:
    engine = db.make_engine(f"sqlite:///{path}")
    try:
        db.create_tables(engine)
    finally:
        engine.dispose()


def test_a_landed_schema_4_database_is_upgraded_in_place_keeping_every_row(tmp_path: Path) -> None:
    path = landed(tmp_path)
    before = row_counts(path)
    assert query(path, "PRAGMA user_version") == [(4,)]
    upgrade(path)
    assert query(path, "PRAGMA user_version") == [(db.SCHEMA_VERSION,)]
    assert row_counts(path) == {**before, "completed_request": 0}
    assert query(path, "PRAGMA integrity_check") == [("ok",)]
    assert query(path, "PRAGMA foreign_key_check") == []
    assert query(path, "SELECT DISTINCT revision FROM activation_draft") == [(0,)]
    fresh = open_portal(tmp_path / "fresh.db")
    fresh.engine.dispose()
    assert schema(path) == schema(fresh.path)

    engine = db.make_engine(f"sqlite:///{path}")
    with db.new_session(engine) as session:
        apollo = authenticate(session, "apollo@creed.example", PASSWORD)
    with db.new_session(engine) as session:
        admin = authenticate(session, "second.admin@mightymicks.example", PASSWORD)
    with db.new_session(engine) as session:
        found = list_invitations(session, admin, search="Lang Holdings")
    engine.dispose()
    assert apollo.account_kind == "reseller"
    assert [row.company_name for row in found.rows] == ["Clubber Lang LLC"]


def test_duplicate_reissues_of_schema_4_keep_their_links_and_one_stays_the_successor(tmp_path: Path) -> None:
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


def test_an_upgrade_that_cannot_apply_names_the_rows_and_leaves_the_database_as_it_was(tmp_path: Path) -> None:
    path = landed(tmp_path)
    connection = sqlite3.connect(path)
    with connection:  # schema 4's index on distributor names never applied, so this was possible
        connection.execute(
            "INSERT INTO account (id, kind, name, created_at) VALUES "
            "('PA-TWIN', 'DISTRIBUTOR', 'Mighty Mick''s LLC', '2026-11-01 10:00:00.000000')"
        )
    connection.close()
    before = schema(path)
    with pytest.raises(SystemExit, match='several distributors are named "Mighty Mick\'s LLC"'):
        upgrade(path)
    assert query(path, "PRAGMA user_version") == [(4,)]
    assert schema(path) == before


def test_every_partial_index_compares_with_what_is_stored(portal: Portal) -> None:
    stored_names = {member.name for enum in STORED_ENUMS for member in enum}
    partial = query(portal.path, "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql LIKE '% WHERE %'")
    assert {name for name, _ in partial} >= {"ux_account_distributor_name", "ux_invitation_one_open_successor"}
    for name, sql in partial:
        for literal in re.findall(r"'([^']*)'", str(sql).split(" WHERE ", 1)[1]):
            assert literal in stored_names, f"{name} compares with {literal!r}, which is never stored"


# ---------------------------------------------------------------- the database itself refuses duplicates


def distributor(session: Session, name: str) -> None:
    session.add(Account(kind=AccountKind.DISTRIBUTOR, name=name))
    session.flush()


def two_distributors_with_one_name(session: Session) -> None:
    distributor(session, "Twin Distribution Ltd")
    distributor(session, "Twin Distribution Ltd")
    session.commit()


def two_users_whose_emails_differ_in_case(session: Session) -> None:
    account = Account(kind=AccountKind.RESELLER, name="Case Ltd")
    session.add(account)
    session.flush()
    session.add(User(account_id=account.id, email="casey@case.example", full_name="Casey"))
    session.flush()
    session.add(User(account_id=account.id, email="Casey@Case.example", full_name="Casey Again"))
    session.commit()


def two_open_successors(session: Session) -> None:
    old = session.exec(select(Invitation)).first()
    assert old is not None
    for n in range(2):
        contract_id = _pending_contract(session, old)
        session.add(
            Invitation(
                distributor_id=old.distributor_id,
                contract_id=contract_id,
                agreement_version_id=old.agreement_version_id,
                token_hash=f"{n:064d}",
                reissued_from_id=old.id,
                expires_at=utcnow() + timedelta(days=1),
            )
        )
        session.flush()
    session.commit()


def _pending_contract(session: Session, invitation: Invitation) -> str:
    from data.models import Contract

    contract = Contract(distributor_id=invitation.distributor_id, agreement_version_id=invitation.agreement_version_id)
    session.add(contract)
    session.flush()
    return contract.id


def two_active_versions(session: Session) -> None:
    agreement = session.exec(select(Agreement)).first()
    assert agreement is not None
    session.add(AgreementVersion(agreement_id=agreement.id, version=2, text="b", text_sha256="b" * 64, is_active=True))
    session.commit()


def one_request_key_twice(session: Session) -> None:
    for _ in range(2):
        session.add(CompletedRequest(key="k" * 32, action="invitation.create", actor="UR-1", object_id="IN-1"))
        session.flush()
    session.commit()


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


@pytest.mark.parametrize("rule", VIOLATIONS)
def test_a_refused_duplicate_reaches_the_caller_as_a_domain_error(
    portal: Portal, rule: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    portal.invite()
    monkeypatch.setattr(db, "_engine", portal.engine)  # run_action's sessions use the process-wide engine
    violate, error, message = VIOLATIONS[rule]
    with pytest.raises(error, match=message):
        workers.run_action(violate, None, (), {})
    assert query(portal.path, "PRAGMA integrity_check") == [("ok",)]

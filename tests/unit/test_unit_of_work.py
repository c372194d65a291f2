"""The unit of work: nothing persists without commit(), an error rolls the block back, a constraint violation
is a domain error, racing writers take turns on both databases, and no service manages a transaction itself."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest
from sqlmodel import func, select

from data.models import Account, AccountKind, AgreementVersion, User
from portal_testing.factories import PASSWORD, Portal
from services.distributor import agreements
from services.errors import Conflict, DomainError, InvalidState, ValidationFailed
from services.unit_of_work import UnitOfWork

ROOT = Path(__file__).resolve().parents[2]
# What only the unit of work may do: open sessions or connections, begin, commit or roll back a transaction.
TRANSACTION_CONTROL = re.compile(
    r"new_session\(|\bSession\(|\.begin\(|begin_write|\bBEGIN\b|\.rollback\(|(?<!uow)\.commit\(|"
    r"\.connect\(|raw_connection\(|exec_driver_sql\("
)


def accounts(portal: Portal) -> list[str]:
    with portal.session() as session:
        return list(session.exec(select(Account.name).order_by(Account.name)))


def test_no_service_or_page_opens_or_commits_a_transaction_outside_the_unit_of_work() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for folder in ("services", "ui")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if path.name != "unit_of_work.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if TRANSACTION_CONTROL.search(line.split("#")[0])
    ]
    assert offenders == []


def test_the_grep_would_catch_a_service_that_commits_by_itself() -> None:
    for line in ("session.commit()", "db.new_session()", "session.rollback()", "begin_write(session)"):
        assert TRANSACTION_CONTROL.search(line)
    assert not TRANSACTION_CONTROL.search("uow.commit()")


def test_nothing_persists_without_commit(portal: Portal) -> None:
    uow = portal.uow()
    with uow.write():
        uow.session.add(Account(kind=AccountKind.RESELLER, name="Forgotten Ltd"))
        uow.session.flush()
    with uow.write():
        uow.session.add(Account(kind=AccountKind.RESELLER, name="Kept Ltd"))
        uow.commit()
    assert accounts(portal) == ["Kept Ltd"]


def test_a_domain_error_rolls_the_whole_block_back(portal: Portal) -> None:
    uow = portal.uow()
    with pytest.raises(InvalidState), uow.write():
        uow.session.add(Account(kind=AccountKind.RESELLER, name="Half Done Ltd"))
        uow.session.flush()
        raise InvalidState("changed my mind")
    assert accounts(portal) == []


def test_a_read_block_never_commits_and_blocks_do_not_nest(portal: Portal) -> None:
    uow = portal.uow()
    with uow.read():
        with pytest.raises(RuntimeError, match="read block does not commit"):
            uow.commit()
        with pytest.raises(RuntimeError, match="one transaction at a time"), uow.write():
            pass
    with pytest.raises(RuntimeError, match="open the unit of work first"):
        uow.session  # noqa: B018 - the property raises outside a block


def test_a_constraint_violation_becomes_the_domain_error_given_or_a_conflict(portal: Portal) -> None:
    admin = portal.distributor_user(email="taken@distributor.example")
    uow = portal.uow()
    taken = ValidationFailed({"email": "That email is taken."})

    def duplicate(email: str = "taken@distributor.example") -> User:
        return User(account_id=admin.account_id, email=email, full_name="Twin")

    with pytest.raises(ValidationFailed) as failure, uow.write(conflicts={"user.email": taken}):
        uow.session.add(duplicate())
        uow.commit()
    assert failure.value.errors == {"email": "That email is taken."}
    with pytest.raises(ValidationFailed) as failure, uow.write():  # the rule's own error, in every action
        uow.session.add(duplicate("TAKEN@distributor.example"))
        uow.commit()
    assert failure.value.errors == {"email": "This email cannot be used: it already belongs to a user."}
    with pytest.raises(Conflict) as conflict, uow.write():  # a rule no error is given for
        uow.session.add(Account(id=admin.account_id, kind=AccountKind.RESELLER, name="Same Key Ltd"))
        uow.commit()
    assert isinstance(conflict.value, DomainError) and "account.id" in conflict.value.constraints
    assert "Same Key" not in conflict.value.message and "account" not in conflict.value.message
    with uow.read():
        assert uow.session.exec(select(func.count()).select_from(User)).one() == 1


def test_versions_published_at_the_same_moment_get_consecutive_numbers(portal: Portal) -> None:
    """Publishing locks the agreement (PostgreSQL: FOR UPDATE; SQLite: BEGIN IMMEDIATE): without it both would
    take number 2 and one would fail on the unique (agreement, version)."""
    actor = portal.distributor_user()
    [summary] = agreements.list_agreements(portal.uow(), actor)
    barrier = threading.Barrier(6)
    failures: list[BaseException] = []

    def publish(number: int) -> None:
        barrier.wait()
        try:
            agreements.publish_version(portal.uow(), actor, summary.agreement_id, text=f"# Terms {number}")
        except BaseException as error:  # the assertion below shows any
            failures.append(error)

    threads = [threading.Thread(target=publish, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    with portal.session() as session:
        versions = session.exec(select(AgreementVersion.version, AgreementVersion.is_active)).all()
    assert sorted(number for number, _ in versions) == [1, 2, 3, 4, 5, 6, 7]
    assert [number for number, active in versions if active] == [7]


def test_a_sign_in_is_counted_in_the_shared_database(portal: Portal) -> None:
    """Throttling counts failures in the database every instance uses (not in a process's memory): a second
    unit of work, as another instance would have, sees the first one's failures."""
    from services import accounts as account_services
    from services import throttle
    from services.errors import AuthenticationFailed

    limits = throttle.Limits(sign_in_failures_per_account=2)
    for _ in range(2):
        with pytest.raises(AuthenticationFailed):
            account_services.authenticate(portal.uow(), "who@x.example", "not " + PASSWORD, limits=limits)
    other_instance = UnitOfWork(portal.engine)
    with pytest.raises(throttle.TooManyAttempts):
        account_services.authenticate(other_instance, "who@x.example", PASSWORD, limits=limits)

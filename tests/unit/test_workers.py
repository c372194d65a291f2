"""The server's service worker processes: results, domain errors and audit origins cross the process
boundary intact, and a worker that dies does not take the pool with it."""

from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
import sqlite3
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import TypeVar

import pytest
from sqlmodel import select

from data import db, migrations
from data.models import AuditEvent
from portal_testing.factories import EMAIL, Portal
from services import errors, rules, throttle, workers
from services.activation import steps as activation

R = TypeVar("R")


@pytest.fixture
def running_workers(portal: Portal) -> Iterator[None]:
    workers.start(1, portal.url, throttle.Limits(), wait=True)
    try:
        yield
    finally:
        workers.stop()


def call(action: Callable[..., R], *args: object, origin: str | None = None, **kwargs: object) -> R:
    return workers.submit(action, origin, args, kwargs).result(timeout=30)


def test_a_step_runs_in_a_worker_and_records_the_browser_address(portal: Portal, running_workers: None) -> None:
    assert workers.ready()
    token = portal.invite()
    view = call(activation.accept_agreement, token, email=EMAIL, accepted=True, revision=0, origin="198.51.100.7")
    assert isinstance(view, activation.ActivationView)
    assert view.email == EMAIL
    assert view.furthest_step == activation.STEP_USER
    with portal.session() as session:
        saved = session.exec(select(AuditEvent).where(AuditEvent.action == "activation.step_saved")).one()
    assert saved.client_address == "198.51.100.7"


def common_password_list_loaded(_session: object) -> bool:
    return rules._common_passwords.cache_info().currsize == 1


def test_a_worker_loads_the_common_password_list_before_the_first_password(running_workers: None) -> None:
    assert call(common_password_list_loaded) is True


def test_domain_errors_arrive_whole(portal: Portal, running_workers: None) -> None:
    token = portal.invite()
    with pytest.raises(errors.ValidationFailed) as failure:
        call(activation.accept_agreement, token, email="not an email", accepted=False, revision=0)
    assert set(failure.value.errors) == {"email", "accepted"}
    with pytest.raises(errors.StepIncomplete) as incomplete:
        call(activation.save_company_properties, token, company_name="Acme Ltd", revision=0)
    assert incomplete.value.step == activation.STEP_AGREEMENT
    with pytest.raises(errors.InvitationNotFound):
        call(activation.open_invitation, "no-such-token")


@pytest.mark.parametrize(
    "error",
    [
        errors.InvitationNotFound(),
        errors.InvitationExpired(),
        errors.ValidationFailed({"email": "Enter a valid email."}),
        errors.StepIncomplete(3),
        errors.Forbidden(),
        errors.NotFound("No such distributor."),
        throttle.TooManyAttempts(timedelta(minutes=5)),
    ],
)
def test_every_kind_of_domain_error_pickles_by_state(error: errors.DomainError) -> None:
    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes
    assert type(copy) is type(error)
    assert copy.message == error.message
    assert copy.__dict__ == error.__dict__


def die(_session: object) -> None:
    """An action that kills the worker running it, as the kernel's OOM killer would."""
    os.kill(os.getpid(), signal.SIGKILL)


def test_a_dead_worker_is_replaced(portal: Portal, running_workers: None) -> None:
    token = portal.invite()
    with pytest.raises(workers.WorkerLost):
        call(die)
    assert call(activation.open_invitation, token).furthest_step == activation.STEP_AGREEMENT


def slow_pid(_uow: object, seconds: float) -> int:
    time.sleep(seconds)  # a call in flight while another worker dies
    return os.getpid()


def test_one_dead_worker_fails_only_its_own_call(portal: Portal) -> None:
    workers.start(2, portal.url, throttle.Limits(), wait=True)
    try:
        in_flight = workers.submit(slow_pid, None, (1.5,), {})
        dying = workers.submit(die, None, (), {})
        queued = [workers.submit(worker_pid, None, (), {}) for _ in range(6)]
        with pytest.raises(Exception) as lost:
            dying.result(timeout=30)
        assert in_flight.result(timeout=30) in workers.pids()  # the other worker finished its call
        assert all(isinstance(call.result(timeout=30), int) for call in queued)
        assert type(lost.value).__name__ == "WorkerLost"
        deadline = time.monotonic() + 30
        while len(workers.pids()) < 2:  # the dead one is replaced on its own
            assert time.monotonic() < deadline, "the dead worker was not replaced"
            time.sleep(0.05)  # polling for the replacement to be up
    finally:
        workers.stop()


def test_a_worker_killed_while_idle_is_replaced_before_the_next_call(portal: Portal, running_workers: None) -> None:
    [pid] = workers.pids()
    os.kill(pid, signal.SIGKILL)  # kill -9, as the fault injection does
    token = portal.invite()
    assert call(activation.open_invitation, token).furthest_step == activation.STEP_AGREEMENT
    assert workers.pids() != [pid]


@pytest.mark.sqlite_only
def test_no_worker_that_can_start_fails_calls_at_once(tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("")
    workers.start(1, f"sqlite:///{blocked / 'portal.db'}", throttle.Limits(), wait=True)
    try:
        assert not workers.ready()
        with pytest.raises(workers.WorkersUnavailable):
            workers.submit(worker_pid, None, (), {}).result(timeout=5)
    finally:
        workers.stop()


@pytest.mark.sqlite_only
def test_a_worker_opens_the_database_while_another_process_writes(portal: Portal) -> None:
    """A worker starting up (or a command-line run) must not need the write lock on an existing database."""
    writer = sqlite3.connect(portal.path, timeout=0)
    writer.execute("BEGIN IMMEDIATE")  # the server in the middle of a write
    try:
        workers.start(1, portal.url, throttle.Limits(), wait=True)
        assert workers.ready()
    finally:
        writer.rollback()
        writer.close()
        workers.stop()


@pytest.mark.sqlite_only
def test_two_processes_creating_a_new_database_at_once_both_succeed(tmp_path: Path) -> None:
    """The embedded SQLite database upgrades itself at start; two processes doing it at once queue."""
    url = f"sqlite:///{tmp_path / 'new.db'}"
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        for started in [pool.submit(open_database, url) for _ in range(2)]:
            assert started.result(timeout=60) == migrations.head()


def open_database(url: str) -> str | None:
    """In a fresh process: set the database up (creating it), and say which schema revision it has."""
    return migrations.current(db.configure(url, create=True))


def worker_pid(_session: object) -> int:
    return os.getpid()


def test_a_healthy_worker_is_kept(running_workers: None) -> None:
    before = call(worker_pid)
    assert [call(worker_pid) for _ in range(3)] == [before] * 3


def broken(_session: object) -> None:
    raise ValueError("a bug in a service")


def test_a_bug_in_a_worker_arrives_with_the_workers_traceback(running_workers: None) -> None:
    with pytest.raises(ValueError, match="a bug in a service") as bug:
        call(broken)
    assert isinstance(bug.value.__cause__, workers.RemoteTraceback)
    assert 'in broken\n    raise ValueError("a bug in a service")' in str(bug.value.__cause__)
    assert call(worker_pid)  # the worker lives on

"""Fault injection on the real server in Chromium: a service worker killed mid-action, the database made
read-only, the data directory removed. Each shows the person a clear message, /healthz says what is wrong,
nothing is lost or invented, and PRAGMA integrity_check is ok afterwards."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from portal_testing.factories import PASSWORD
from portal_testing.launch import ROOT, Server, sign_in
from services.accounts import authenticate
from services.distributor import invitations as distributor_invitations
from tests.e2e.distributor import close_link_dialog, create_invitation, unique_email

COULD_NOT_FINISH = "The server could not finish that; please try again. What you typed is still here."
CANNOT_SAVE = "The portal cannot save right now, so nothing was changed. Please try again later."


def health(server: Server) -> tuple[int, dict[str, object]]:
    try:
        with urllib.request.urlopen(f"{server.base_url}/healthz", timeout=10) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what}: not in {timeout} s"
        time.sleep(0.05)  # polling a process state that has no event to wait on


def integrity(path: Path) -> tuple[str, ...]:
    connection = sqlite3.connect(path)
    try:
        return connection.execute("PRAGMA integrity_check").fetchone()
    finally:
        connection.close()


def rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    connection = sqlite3.connect(path)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


def worker_pids(server: Server) -> list[int]:
    """The server's service worker processes (spawned multiprocessing children)."""
    assert server.process is not None
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
            command = (status.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(server.process.pid) and b"spawn_main" in command:
            found.append(int(status.parent.name))
    return found


def waiting_for_the_write_lock(pid: int) -> bool:
    """Whether the process sleeps in SQLite's busy handler (not in its pipe read, where an idle worker waits)."""
    try:
        return Path(f"/proc/{pid}/wchan").read_text() == "hrtimer_nanosleep"
    except OSError:
        return False


@pytest.fixture
def distributor_page(tmp_path: Path, browser: Browser) -> Iterator[tuple[Server, Callable[[], Page], str]]:
    """A running server with a distributor user, and a way to open a signed-in browser tab as it."""
    server = Server(tmp_path / "data", log_dir=tmp_path / "logs")
    server.start()
    email = server.distributor_user(unique_email("ops"))
    contexts = []

    def signed_in() -> Page:
        context = browser.new_context()
        contexts.append(context)
        page = context.new_page()
        sign_in(page, server.base_url, email)
        expect(page.get_by_role("button", name="Create invitation")).to_be_visible()
        return page

    try:
        yield server, signed_in, email
    finally:
        for context in contexts:
            context.close()
        server.stop()


def test_a_worker_killed_mid_action_fails_only_its_own_call(
    distributor_page: tuple[Server, Callable[[], Page], str],
) -> None:
    server, signed_in, email = distributor_page
    database = server.data_dir / "portal.db"
    portal = server.portal()
    actor = authenticate(portal.uow(), email, PASSWORD)
    ids = []
    for company in ("Killed Call Ltd", "Other Call Ltd"):
        ids.append(distributor_invitations.invite(portal.uow(), actor, company_name=company).invitation.id)
    pages = [signed_in(), signed_in()]
    assert len(worker_pids(server)) == 2

    writer = sqlite3.connect(database, timeout=0)
    writer.execute("BEGIN IMMEDIATE")  # each Revoke below waits for this lock in its worker: both are mid-action
    try:
        for page, invitation_id in zip(pages, ids, strict=True):
            page.get_by_role("button", name=f"Revoke invitation {invitation_id}").click()
            page.get_by_role("alertdialog").get_by_role("button", name="Revoke").click()
        wait_for(lambda: all(map(waiting_for_the_write_lock, worker_pids(server))), "both workers mid-action")
        victim = worker_pids(server)[0]
        os.kill(victim, signal.SIGKILL)  # kill -9 one worker in the middle of its Revoke
        wait_for(lambda: victim not in worker_pids(server), "the killed worker gone")
        status, answer = health(server)
        assert status == 200 and answer["status"] == "ok"  # one worker down: the server still serves
    finally:
        writer.rollback()
        writer.close()

    failed = []
    for page, invitation_id in zip(pages, ids, strict=True):
        expect(page.get_by_text(COULD_NOT_FINISH).or_(page.get_by_text("Invitation revoked")).first).to_be_visible()
        if page.get_by_text(COULD_NOT_FINISH).count():
            failed.append((page, invitation_id))
    assert len(failed) == 1, "exactly the killed worker's call failed, the other worker's call succeeded"
    [(retry, retried_id)] = failed
    assert rows(database, f"SELECT status FROM invitation WHERE id = '{retried_id}'") == [("PENDING",)]  # noqa: S608
    retry.get_by_role("button", name=f"Revoke invitation {retried_id}").click()  # the retry is safe
    retry.get_by_role("alertdialog").get_by_role("button", name="Revoke").click()
    expect(retry.get_by_text("Invitation revoked")).to_be_visible()
    wait_for(lambda: health(server)[1]["workers"] == {"running": 2, "of": 2}, "the worker replaced")
    assert victim not in worker_pids(server)
    server.stop()
    assert integrity(database) == ("ok",)
    revoked = rows(
        database, "SELECT object_id, count(*) FROM audit_event WHERE action = 'invitation.revoked' GROUP BY object_id"
    )
    assert sorted(revoked) == sorted((invitation_id, 1) for invitation_id in ids)  # each revoked once, none lost


@contextmanager
def immutable(*paths: Path) -> Iterator[None]:
    """Make files read-only in a way that binds root too and open file descriptors too (chattr +i)."""
    made: list[Path] = []
    try:
        for path in paths:
            result = subprocess.run(["chattr", "+i", str(path)], capture_output=True, text=True, check=False)
            if result.returncode:
                pytest.skip(f"cannot make {path} immutable here: {result.stderr.strip()}")
            made.append(path)
        yield
    finally:
        for path in made:
            subprocess.run(["chattr", "-i", str(path)], check=True)


@pytest.mark.skipif(shutil.which("chattr") is None, reason="needs chattr (e2fsprogs) to make the database read-only")
def test_a_read_only_database_is_reported_and_refuses_writes_without_loss(
    distributor_page: tuple[Server, Callable[[], Page], str],
) -> None:
    server, signed_in, _ = distributor_page
    database = server.data_dir / "portal.db"
    page = signed_in()
    create_invitation(page, company="Before Ltd")
    close_link_dialog(page)
    assert health(server)[0] == 200

    with immutable(database, database.with_name("portal.db-wal")):
        status, answer = health(server)
        assert (status, answer["database"], answer["status"]) == (503, "read-only", "unavailable")
        page.get_by_role("button", name="Create invitation").click()
        dialog = page.get_by_role("dialog")
        dialog.get_by_label("Company name (optional)").fill("Typed During The Fault Ltd")
        dialog.get_by_role("button", name="Create", exact=True).click()
        expect(page.get_by_text(CANNOT_SAVE)).to_be_visible()
        expect(dialog.get_by_label("Company name (optional)")).to_have_value("Typed During The Fault Ltd")

    assert health(server)[0] == 200
    dialog.get_by_role("button", name="Create", exact=True).click()  # the retry, with what was typed
    expect(page.get_by_role("dialog").get_by_label("Link")).to_be_visible()
    server.stop()
    assert integrity(database) == ("ok",)
    names = rows(database, "SELECT company_name FROM invitation WHERE company_name != 'Champions Corp'")
    assert sorted(names) == [("Before Ltd",), ("Typed During The Fault Ltd",)]  # nothing lost, nothing invented


def test_a_removed_data_directory_stops_writes_and_is_never_replaced_by_an_empty_one(
    tmp_path: Path, distributor_page: tuple[Server, Callable[[], Page], str]
) -> None:
    server, signed_in, _ = distributor_page
    database = server.data_dir / "portal.db"
    page = signed_in()
    create_invitation(page, company="Before Ltd")
    close_link_dialog(page)
    backup = tmp_path / "backup" / "portal.db"  # the operator's backup, just before the accident
    backup.parent.mkdir()  # a backup goes into an existing folder
    assert (
        subprocess.run(
            [sys.executable, "main.py", "backup", str(backup)],
            cwd=ROOT,
            env=server.env,
            capture_output=True,
            check=False,
        ).returncode
        == 0
    )

    shutil.rmtree(server.data_dir)
    status, answer = health(server)
    assert (status, answer["database"]) == (503, "missing")
    page.get_by_role("button", name="Create invitation").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Company name (optional)").fill("Into The Void Ltd")
    dialog.get_by_role("button", name="Create", exact=True).click()
    expect(page.get_by_text(CANNOT_SAVE)).to_be_visible()
    assert not server.data_dir.exists()  # no new empty database, no new session secret
    server.stop()

    for extra in ({"PORTAL_DEMO": "0"}, {"PORTAL_DATABASE_URL": f"sqlite:///{database}"}):
        restart = subprocess.run(
            [sys.executable, "main.py"],
            cwd=ROOT,
            env={**server.env, **extra},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert restart.returncode == 2 and f"There is no database at {database}" in restart.stderr
        assert "Traceback" not in restart.stderr and not server.data_dir.exists()

    server.data_dir.mkdir()
    shutil.copyfile(backup, database)  # restored: everything acknowledged before the removal is there
    assert integrity(database) == ("ok",)
    server.start()
    page = signed_in()
    expect(page.get_by_text("Before Ltd")).to_be_visible()
    assert rows(database, "SELECT count(*) FROM invitation WHERE company_name = 'Into The Void Ltd'") == [(0,)]
    assert rows(database, "SELECT count(*) FROM user WHERE email = 'admin@mightymicks.example'") == [(1,)]

"""Nothing is lost and nothing is half done when the process dies (SIGKILL) mid-wizard or mid-commit."""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from playwright.sync_api import Browser, expect
from sqlmodel import select

from data.models import ActivationDraft, Invitation
from portal_testing.factories import FULL_NAME, PASSWORD, Portal, open_portal
from portal_testing.launch import ROOT, Server
from services.activation import steps as activation
from services.security import hash_password
from tests.e2e.wizard import Wizard

CRASH_POINTS = 25
PREPARED = 400


def invariants(path: Path) -> dict[str, int]:
    """Check that no activation is half done; returns counts for the report."""
    connection = sqlite3.connect(path)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        half_done = {
            "reseller account without an active contract": """
                SELECT a.id FROM account a WHERE a.kind = 'RESELLER'
                AND NOT EXISTS (SELECT 1 FROM contract c WHERE c.reseller_account_id = a.id AND c.status = 'ACTIVE')""",
            "reseller account without a user": """
                SELECT a.id FROM account a WHERE a.kind = 'RESELLER'
                AND NOT EXISTS (SELECT 1 FROM user u WHERE u.account_id = a.id)""",
            "active contract without signee or account": """
                SELECT id FROM contract WHERE status = 'ACTIVE' AND (signee_user_id IS NULL
                OR reseller_account_id IS NULL OR signed_at IS NULL)""",
            "invitation activated without account": """
                SELECT i.id FROM invitation i WHERE i.status = 'ACTIVATED' AND (i.reseller_account_id IS NULL
                OR NOT EXISTS (SELECT 1 FROM account a WHERE a.id = i.reseller_account_id))""",
            "signed contract whose invitation is not activated": """
                SELECT c.id FROM contract c JOIN invitation i ON i.contract_id = c.id
                WHERE c.status = 'ACTIVE' AND i.status != 'ACTIVATED'""",
        }
        for problem, query in half_done.items():
            assert connection.execute(query).fetchall() == [], problem
        return {
            "activated": connection.execute("SELECT count(*) FROM invitation WHERE status = 'ACTIVATED'").fetchone()[0],
        }
    finally:
        connection.close()


def prepare_drafts(portal: Portal, count: int) -> list[str]:
    """``count`` invitations whose reseller has saved every step (sharing one password hash, to be quick)."""
    tokens = [portal.invite() for _ in range(count)]
    password_hash = hash_password(PASSWORD)
    with portal.session() as session:
        for n, token in enumerate(tokens):
            invitation = session.exec(select(Invitation).where(Invitation.id == portal.invitation_for(token).id)).one()
            session.add(
                ActivationDraft(
                    invitation_id=invitation.id,
                    furthest_step=activation.STEP_ACTIVATE,
                    email=f"crash{n}@x.example",
                    accepted_at=invitation.created_at,
                    accepted_text_sha256="0" * 64,
                    full_name=FULL_NAME,
                    password_hash=password_hash,
                    company_name=f"Crash {n} Ltd",
                )
            )
        session.commit()
    return tokens


def test_sigkill_during_activations_never_leaves_one_half_done(tmp_path: Path) -> None:
    portal = open_portal(tmp_path / "portal.db")
    tokens = prepare_drafts(portal, PREPARED)
    portal.engine.dispose()
    tokens_file = tmp_path / "tokens.txt"
    tokens_file.write_text("\n".join(tokens))
    chance = random.Random(20261127)
    activated = 0
    for _ in range(CRASH_POINTS):
        worker = subprocess.Popen(
            [sys.executable, "-m", "tests.e2e.crash_worker", str(portal.path), str(tokens_file)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert worker.stdout is not None
        assert worker.stdout.readline().strip() == "ready"
        worker.stdout.readline()  # at least one activation went through: the worker is in its loop
        time.sleep(chance.uniform(0.0, 0.05))  # a random point inside the next activations
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        counts = invariants(portal.path)
        assert counts["activated"] > activated  # progress was kept
        activated = counts["activated"]
    assert activated < PREPARED, "every crash point should fall inside the run"


def test_sigkill_of_the_server_mid_wizard_and_mid_activate(tmp_path: Path, browser: Browser) -> None:
    server = Server(tmp_path / "server")
    server.start()
    contexts = [browser.new_context() for _ in range(3)]
    try:
        pages = [context.new_page() for context in contexts]
        urls = [server.invite("--company", f"Midway {n} Ltd") for n in range(3)]
        emails = [f"midway{n}@x.example" for n in range(3)]
        for page, url, email in zip(pages, urls, emails, strict=True):
            page.goto(url)
            Wizard(page).agree(email)
        Wizard(pages[1]).user_properties()
        Wizard(pages[2]).user_properties()
        Wizard(pages[2]).company("Midway 2 Ltd")
        Wizard(pages[2]).checkbox("I sign this service contract on behalf of Midway 2 Ltd").click()
        Wizard(pages[2]).button("Activate").click(no_wait_after=True)
        server.stop(signal.SIGKILL)  # while the activation may be committing
        invariants(server.data_dir / "portal.db")
        for page in pages:
            page.close()  # an old tab reloads on its own when the server is back, racing a goto
        server.start()
        pages = [context.new_page() for context in contexts]
        expectations = [("Full name", None), ("Company name", None), (None, None)]
        for page, url, email, (field, _) in zip(pages, urls, emails, expectations, strict=True):
            page.goto(url)
            if field:
                expect(page.get_by_label(field, exact=True)).to_be_visible()
                page.get_by_role("button", name="Back", exact=True).filter(visible=True).click()
                if field == "Company name":
                    expect(page.get_by_label("Full name", exact=True)).to_have_value(FULL_NAME)
                    page.get_by_role("button", name="Back", exact=True).filter(visible=True).click()
                expect(page.get_by_label("Email", exact=True)).to_have_value(email)
            else:  # the third either activated before the kill, or resumes at Activate with everything kept
                expect(
                    page.get_by_role("heading", name="Portal already activated").or_(
                        page.get_by_role("button", name="Activate")
                    )
                ).to_be_visible()
        invariants(server.data_dir / "portal.db")
    finally:
        for context in contexts:
            context.close()
        server.stop()


def run_backup(server: Server, target: Path) -> subprocess.CompletedProcess[str]:
    """``python main.py backup TARGET`` against the server's database, while it runs."""
    return server.cli("backup", str(target), check=False)


def test_backup_while_serving_and_restore(tmp_path: Path, browser: Browser) -> None:
    server = Server(tmp_path / "live")
    server.start()
    try:
        url = server.invite("--company", "Backed Up Inc")
        context = browser.new_context()
        page = context.new_page()
        page.goto(url)
        wizard = Wizard(page)
        wizard.agree("backup@x.example")
        wizard.user_properties()
        wizard.company("Backed Up Inc")
        wizard.sign_and_activate("Backed Up Inc")
        expect(page.get_by_role("heading", name="Hub and Marketplace Creation")).to_be_visible()
        context.close()
        copy = tmp_path / "restore" / "portal.db"
        copy.parent.mkdir()  # a backup goes into an existing folder
        result = run_backup(server, copy)
        assert result.returncode == 0, result.stderr
        again = run_backup(server, copy)
        assert again.returncode == 2 and "exists already" in again.stderr
    finally:
        server.stop()
    invariants(copy)
    restored = Server(copy.parent)
    restored.start()
    try:
        context = browser.new_context()
        page = context.new_page()
        page.goto(f"{restored.base_url}/login")
        page.get_by_label("Email", exact=True).fill("backup@x.example")
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", name="Backed Up Inc")).to_be_visible()
        context.close()
    finally:
        restored.stop()


def test_the_invariant_check_catches_a_half_done_activation(tmp_path: Path) -> None:
    portal = open_portal(tmp_path / "portal.db")
    portal.activate(portal.invite())
    invariants(portal.path)
    connection = sqlite3.connect(portal.path)
    connection.execute("UPDATE invitation SET status = 'IN_PROGRESS'")  # contract signed, invitation not
    connection.commit()
    connection.close()
    try:
        invariants(portal.path)
    except AssertionError as error:
        assert "signed contract whose invitation is not activated" in str(error)
    else:
        raise AssertionError("the half-done activation went unnoticed")


def children_of(pid: int) -> set[int]:
    """The direct child processes of ``pid`` (from /proc)."""
    found = set()
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(pid):
            found.add(int(status.parent.name))
    return found


def alive(pid: int) -> bool:
    status = Path(f"/proc/{pid}/status")
    return status.exists() and "State:\tZ" not in status.read_text()


def test_worker_processes_never_outlive_the_server(tmp_path: Path) -> None:
    for stop in (signal.SIGTERM, signal.SIGKILL):
        server = Server(tmp_path / f"server-{stop.name}")
        server.start()
        assert server.process is not None
        workers = children_of(server.process.pid)
        assert workers, "the server runs its services in child processes"
        server.stop(stop)
        deadline = time.monotonic() + 10
        while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.05)  # polling for the children to exit
        assert not any(alive(pid) for pid in workers), f"orphaned worker processes after {stop.name}"

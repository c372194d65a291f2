"""The command line, run as a real subprocess on the embedded database of a temporary data directory (where
``init``, the demo and a missing database are about files); tests/unit/test_cli_databases.py runs the commands on
whichever database ``--db`` chooses."""

from __future__ import annotations

import json
import os
import pty
import select
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from data import db
from portal_testing.factories import PASSWORD
from services.activation import steps as activation
from services.unit_of_work import UnitOfWork

pytestmark = pytest.mark.sqlite_only
ROOT = Path(__file__).resolve().parents[2]
ACME = "Acme Distribution Ltd"


def cli_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env.update(PORTAL_DATA_DIR=str(tmp_path), PORTAL_BASE_URL="https://portal.example", **extra)
    return env


def run_cli(
    tmp_path: Path, *args: str, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "main.py", *args],
        cwd=ROOT,
        env=env or cli_env(tmp_path),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def acme(tmp_path: Path) -> Path:
    """A new portal database with the distributor Acme Distribution Ltd, made as an operator would."""
    assert run_cli(tmp_path, "init").returncode == 0
    created = run_cli(
        tmp_path, "distributor", "create", ACME, "--admin-email", "ops@acme.example", "--password-stdin", stdin=PASSWORD
    )
    assert created.returncode == 0, created.stderr
    return tmp_path


def test_init_makes_an_empty_database_once(tmp_path: Path) -> None:
    first = run_cli(tmp_path, "init")
    assert first.returncode == 0, first.stderr
    assert f"Created an empty portal database at {tmp_path / 'portal.db'}" in first.stdout
    again = run_cli(tmp_path, "init")
    assert again.returncode == 2 and "exists already; nothing was changed" in again.stderr


@pytest.mark.parametrize(
    "command",
    [[], ["serve"], ["invite", "--distributor", ACME], ["invitations", "list"], ["backup", "copy.db"]],
    ids=["serve (default)", "serve", "invite", "invitations list", "backup"],
)
def test_without_its_database_nothing_runs_and_nothing_is_created(tmp_path: Path, command: list[str]) -> None:
    data = tmp_path / "var"
    result = run_cli(tmp_path, *command, env=cli_env(data))
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"error: There is no database at {data / 'portal.db'}." in result.stderr
    assert "python main.py init" in result.stderr and "Traceback" not in result.stderr
    assert not data.exists()  # no new empty database, no new session secret


def test_the_demo_is_never_made_in_a_configured_database(tmp_path: Path) -> None:
    configured = tmp_path / "elsewhere" / "portal.db"
    env = cli_env(tmp_path / "var", PORTAL_DEMO="1", PORTAL_DATABASE_URL=f"sqlite:///{configured}")
    result = run_cli(tmp_path, env=env)
    assert result.returncode == 2 and "There is no database at" in result.stderr
    assert not configured.parent.exists() and not (tmp_path / "var").exists()


def test_invite_prints_a_working_url_last(acme: Path) -> None:
    first = run_cli(
        acme, "invite", "--distributor", ACME, "--email", "ann@reseller.example", "--company", "Reseller Inc"
    )
    assert first.returncode == 0, first.stderr
    lines = first.stdout.strip().splitlines()
    assert lines[-1].startswith("https://portal.example/activate/")
    token = lines[-1].rsplit("/", 1)[1]
    second = run_cli(acme, "invite", "--distributor", ACME, "--expires-days", "3")
    assert second.returncode == 0 and second.stdout.strip().splitlines()[-1] != lines[-1]

    engine = db.make_engine(f"sqlite:///{acme / 'portal.db'}")
    view = activation.open_invitation(UnitOfWork(engine), token)
    engine.dispose()
    assert view.distributor_name == ACME
    assert view.email == "ann@reseller.example" and view.company_name == "Reseller Inc"
    assert token not in (acme / "portal.db").read_bytes().decode("latin-1")


@pytest.mark.parametrize(
    ("typed", "suggested"),
    [
        ("acme distribution ltd", f"Did you mean '{ACME}'?"),
        ("Acme Distributon Ltd", f"Did you mean '{ACME}'?"),
        ("Zenith Wholesale", None),
    ],
)
def test_invite_for_an_unknown_distributor_is_refused_with_the_names_it_resembles(
    acme: Path, typed: str, suggested: str | None
) -> None:
    result = run_cli(acme, "invite", "--distributor", typed)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.startswith(f"error: No distributor is named {typed!r}.")
    assert (suggested in result.stderr) if suggested else ("Did you mean" not in result.stderr)
    connection = sqlite3.connect(acme / "portal.db")
    try:
        assert connection.execute("SELECT name FROM account").fetchall() == [(ACME,)]  # no new distributor
        assert connection.execute("SELECT count(*) FROM invitation").fetchone() == (0,)
    finally:
        connection.close()


@pytest.mark.parametrize(
    ("args", "message"), [(["--expires-days", "0"], "expires"), (["--email", "not-an-email"], "email")]
)
def test_invite_rejects_bad_options_clearly(acme: Path, args: list[str], message: str) -> None:
    result = run_cli(acme, "invite", "--distributor", ACME, *args)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_invite_requires_a_distributor(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "invite")
    assert result.returncode == 2 and "--distributor" in result.stderr


def test_distributor_create_reads_the_password_from_stdin(tmp_path: Path) -> None:
    assert run_cli(tmp_path, "init").returncode == 0
    create = ["distributor", "create", "Northwind Traders Ltd", "--admin-email", "Ops@Northwind.example"]
    result = run_cli(tmp_path, *create, "--password-stdin", stdin="a long and unusual passphrase\n")
    assert result.returncode == 0, result.stderr
    assert "Created distributor Northwind Traders Ltd" in result.stdout and "ops@northwind.example" in result.stdout
    assert "a long and unusual passphrase" not in result.stdout + result.stderr
    weak = run_cli(
        tmp_path,
        *["distributor", "create", "Weak Ltd", "--admin-email", "w@weak.example", "--password-stdin"],
        stdin="short\n",
    )
    assert weak.returncode == 2 and "password" in weak.stderr and "Traceback" not in weak.stderr


def read_until(fd: int, wanted: bytes, seen: bytearray, timeout: float = 30) -> None:
    """Read the terminal's output into ``seen`` until ``wanted`` appears (or the program ends)."""
    deadline = time.monotonic() + timeout
    while wanted not in seen:
        assert time.monotonic() < deadline, f"{wanted!r} never appeared in {bytes(seen)!r}"
        ready, _, _ = select.select([fd], [], [], 1)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # the program ended and closed the terminal
                return
            if not chunk:
                return
            seen.extend(chunk)


def test_password_stdin_typed_at_a_terminal_is_not_echoed(tmp_path: Path) -> None:
    assert run_cli(tmp_path, "init").returncode == 0
    secret = "terminal typed passphrase, never shown"
    pid, terminal = pty.fork()
    if pid == 0:  # the child: the command with a terminal as its standard input and output
        os.chdir(ROOT)
        args = ["main.py", "distributor", "create", "Tty Ltd", "--admin-email", "tty@x.example", "--password-stdin"]
        os.execve(sys.executable, [sys.executable, *args], cli_env(tmp_path))  # noqa: S606 - no shell wanted
    seen = bytearray()
    try:
        read_until(terminal, b"Password", seen)
        os.write(terminal, f"{secret}\n".encode())
        read_until(terminal, b"Repeat", seen, timeout=10)
        os.write(terminal, f"{secret}\n".encode())
        read_until(terminal, b"Sign in at", seen)
    finally:
        if os.waitpid(pid, os.WNOHANG) == (0, 0):
            time.sleep(1)  # a moment to exit after its last line
            if os.waitpid(pid, os.WNOHANG) == (0, 0):
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
        os.close(terminal)
    assert secret.encode() not in seen, bytes(seen)
    assert b"Created distributor Tty Ltd" in seen


def test_backup_to_a_path_it_cannot_write_says_so_in_one_line(acme: Path) -> None:
    blocker = acme / "a-file"
    blocker.write_text("not a directory")
    for target in (blocker / "backup.db", Path("/proc/portal-backup.db")):
        result = run_cli(acme, "backup", str(target))
        assert result.returncode == 2, result.stdout
        assert result.stderr.startswith(f"error: cannot write the backup to {target}: ")
        assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
        assert not target.exists()


def test_invitations_list_revoke_reissue_and_publish(acme: Path) -> None:
    url = run_cli(acme, "invite", "--distributor", ACME, "--company", "Listed Inc")
    assert url.returncode == 0
    listed = run_cli(acme, "invitations", "list", "--json")
    [row] = json.loads(listed.stdout)
    assert row["company_name"] == "Listed Inc" and row["status"] == "pending"
    table = run_cli(acme, "invitations", "list", "--distributor", ACME)
    assert "Listed Inc" in table.stdout and "STATUS" in table.stdout and "1 invitation(s)" in table.stdout

    reissue_too_early = run_cli(acme, "invitations", "reissue", row["invitation_id"])
    assert reissue_too_early.returncode == 2 and "expired or revoked" in reissue_too_early.stderr
    revoked = run_cli(acme, "invitations", "revoke", row["invitation_id"], "--json")
    assert json.loads(revoked.stdout)["status"] == "revoked"
    reissued = run_cli(acme, "invitations", "reissue", row["invitation_id"])
    assert reissued.returncode == 0
    assert reissued.stdout.strip().splitlines()[-1].startswith("https://portal.example/activate/")
    statuses = sorted(r["status"] for r in json.loads(run_cli(acme, "invitations", "list", "--json").stdout))
    assert statuses == ["pending", "revoked"]

    terms = acme / "terms.md"
    terms.write_text("# Terms v2\n\nNew terms.", encoding="utf-8")
    published = run_cli(acme, "agreements", "publish", "--distributor", ACME, "--file", str(terms), "--json")
    assert published.returncode == 0, published.stderr
    assert json.loads(published.stdout)["version"] == 2
    missing = run_cli(acme, "agreements", "publish", "--distributor", "Nobody Ltd", "--file", str(terms))
    assert missing.returncode == 2 and "No distributor" in missing.stderr


def test_invitations_list_never_prints_control_characters_to_the_terminal(acme: Path) -> None:
    """Names stored before the input rules refused them (or written by another tool) print as escapes."""
    tmp_path = acme
    assert run_cli(tmp_path, "invite", "--distributor", ACME, "--company", "Plain Inc").returncode == 0
    hostile = "Evil\x1b]0;pwned\x07\x1b[2J Inc\u202e\r\nFORGED LINE"
    connection = sqlite3.connect(tmp_path / "portal.db")
    with connection:
        connection.execute(
            "UPDATE invitation SET company_name = ?, invitee_email = ?", (hostile, "a\x1b[31m@x.example")
        )
    connection.close()
    listed = run_cli(tmp_path, "invitations", "list")
    assert listed.returncode == 0, listed.stderr
    for character in ("\x1b", "\x07", "\u202e", "\r"):
        assert character not in listed.stdout
    assert "Evil\\x1b]0;pwned\\x07\\x1b[2J Inc\\u202e\\x0d\\x0aFORGED LINE" in listed.stdout
    assert not any(line.startswith("FORGED") for line in listed.stdout.splitlines())


def test_demo_full_seeds_a_reseller_past_chapter_two_and_the_lists_show_it(tmp_path: Path) -> None:
    """``demo --full`` on a new database: the demo, and a reseller with a hub and a marketplace that can sign in
    with the password printed once; ``hubs list`` and ``marketplaces list`` show them, as a table and as JSON."""
    env = cli_env(tmp_path, PORTAL_DEMO="1")
    seeded = run_cli(tmp_path, "demo", "--full", env=env)
    assert seeded.returncode == 0, seeded.stderr
    sign_in = seeded.stdout.strip().splitlines()[-1]
    assert "Demo reseller Apollo Creed Inc" in sign_in and "https://portal.example/login" in sign_in
    email, password = sign_in.split(" as ")[1].split(" with password ")
    password = password.split(" ")[0]
    from services.accounts import authenticate

    engine = db.make_engine(f"sqlite:///{tmp_path / 'portal.db'}")
    try:
        assert authenticate(UnitOfWork(engine), email, password).account_kind == "reseller"
    finally:
        engine.dispose()
    hubs = run_cli(tmp_path, "hubs", "list", "--reseller", "Apollo Creed Inc")
    assert hubs.returncode == 0 and "Apollo web shop" in hubs.stdout and "1 hub(s)" in hubs.stdout
    listed = json.loads(run_cli(tmp_path, "marketplaces", "list", "--reseller", "Apollo Creed Inc", "--json").stdout)
    [reseller] = listed
    [marketplace] = reseller["marketplaces"]
    assert (marketplace["name"], marketplace["currency"], marketplace["countries"]) == (
        "North America",
        "USD",
        ["CA", "US"],
    )
    assert run_cli(tmp_path, "demo", "--full", env=env).returncode == 0  # another one, alongside
    both = json.loads(run_cli(tmp_path, "hubs", "list", "--reseller", "Apollo Creed Inc", "--json").stdout)
    assert len(both) == 2 and all(len(entry["hubs"]) == 1 for entry in both)
    unknown = run_cli(tmp_path, "hubs", "list", "--reseller", "Nobody Inc")
    assert unknown.returncode == 2 and "No reseller is called 'Nobody Inc'." in unknown.stderr


@pytest.mark.parametrize(
    ("content", "said"), [(b"", "is empty (0 bytes)"), (b"not a database " * 20, "is not a portal database")]
)
@pytest.mark.parametrize("command", [[], ["invitations", "list"]], ids=["serve", "invitations list"])
def test_an_empty_or_damaged_database_file_is_refused_in_one_line_and_left_as_it_was(
    tmp_path: Path, content: bytes, said: str, command: list[str]
) -> None:
    """An empty file silently became a new, empty portal (schema written into it, /healthz 200)."""
    database = tmp_path / "portal.db"
    database.write_bytes(content)
    result = run_cli(tmp_path, *command)
    assert result.returncode == 2 and str(database) in result.stderr
    assert said in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert database.read_bytes() == content


def test_a_data_directory_that_cannot_be_made_is_said_in_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    result = run_cli(tmp_path, "init", env=cli_env(blocker))
    assert result.returncode == 2 and result.stderr.startswith("error: ") and str(blocker) in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_an_unreachable_postgresql_is_said_in_one_line_without_its_password(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"postgresql+psycopg://portal:secret-pw@127.0.0.1:{port}/portal"
    for command in (["invitations", "list"], []):
        result = run_cli(tmp_path, *command, env=cli_env(tmp_path, PORTAL_DATABASE_URL=url))
        assert result.returncode == 2 and result.stderr.startswith("error: cannot use the database "), result.stderr
        assert len(result.stderr.strip().splitlines()) == 1 and "secret-pw" not in result.stderr


def test_a_backup_into_a_folder_that_does_not_exist_makes_no_folder(acme: Path) -> None:
    result = run_cli(acme, "backup", str(acme / "typo" / "copy.db"))
    assert result.returncode == 2 and "there is no folder" in result.stderr
    assert not (acme / "typo").exists()


def test_ctrl_d_at_the_password_prompt_stops_in_one_line(tmp_path: Path) -> None:
    assert run_cli(tmp_path, "init").returncode == 0
    pid, terminal = pty.fork()
    if pid == 0:
        os.chdir(ROOT)
        args = ["main.py", "distributor", "create", "Eof Ltd", "--admin-email", "eof@x.example"]
        os.execve(sys.executable, [sys.executable, *args], cli_env(tmp_path))  # noqa: S606 - no shell wanted
    seen = bytearray()
    try:
        read_until(terminal, b"Password", seen)
        os.write(terminal, b"\x04")  # Ctrl-D: end of input
        read_until(terminal, b"stopped", seen, timeout=10)
        _, status = os.waitpid(pid, 0)
        read_until(terminal, b"\n", seen, timeout=1)
    finally:
        os.close(terminal)
    assert b"error: stopped" in seen and b"Traceback" not in seen, bytes(seen)
    assert os.waitstatus_to_exitcode(status) == 130

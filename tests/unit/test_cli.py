"""The command line, run as a real subprocess on a temporary database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from data import db
from services import activation

ROOT = Path(__file__).resolve().parents[2]


def run_cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PORTAL_DATA_DIR": str(tmp_path), "PORTAL_BASE_URL": "https://portal.example"}
    env.pop("PORTAL_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "main.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
    )


def test_invite_prints_a_working_url_last_and_creates_the_distributor_once(tmp_path: Path) -> None:
    first = run_cli(
        tmp_path,
        "invite",
        "--distributor",
        "Acme Distribution Ltd",
        "--email",
        "ann@reseller.example",
        "--company",
        "Reseller Inc",
        "--expires-days",
        "3",
    )
    assert first.returncode == 0, first.stderr
    lines = first.stdout.strip().splitlines()
    assert "Created distributor Acme Distribution Ltd" in lines[0]
    assert lines[-1].startswith("https://portal.example/activate/")
    token = lines[-1].rsplit("/", 1)[1]

    second = run_cli(tmp_path, "invite", "--distributor", "Acme Distribution Ltd")
    assert second.returncode == 0 and "Created distributor" not in second.stdout
    assert second.stdout.strip().splitlines()[-1] != lines[-1]

    engine = db.make_engine(f"sqlite:///{tmp_path / 'portal.db'}")
    with db.new_session(engine) as session:
        view = activation.open_invitation(session, token)
    engine.dispose()
    assert view.distributor_name == "Acme Distribution Ltd"
    assert view.email == "ann@reseller.example" and view.company_name == "Reseller Inc"
    assert token not in (tmp_path / "portal.db").read_bytes().decode("latin-1")


@pytest.mark.parametrize(
    ("args", "message"), [(["--expires-days", "0"], "expires"), (["--email", "not-an-email"], "email")]
)
def test_invite_rejects_bad_options_clearly(tmp_path: Path, args: list[str], message: str) -> None:
    result = run_cli(tmp_path, "invite", "--distributor", "Acme Distribution Ltd", *args)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_invite_requires_a_distributor(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "invite")
    assert result.returncode == 2 and "--distributor" in result.stderr


def test_distributor_create_reads_the_password_from_stdin(tmp_path: Path) -> None:
    env = {**os.environ, "PORTAL_DATA_DIR": str(tmp_path)}
    result = subprocess.run(
        [
            sys.executable,
            "main.py",
            "distributor",
            "create",
            "Northwind Traders Ltd",
            "--admin-email",
            "Ops@Northwind.example",
            "--password-stdin",
        ],
        cwd=ROOT,
        env=env,
        input="a long and unusual passphrase\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Created distributor Northwind Traders Ltd" in result.stdout and "ops@northwind.example" in result.stdout
    assert "a long and unusual passphrase" not in result.stdout + result.stderr
    weak = subprocess.run(
        [
            sys.executable,
            "main.py",
            "distributor",
            "create",
            "Weak Ltd",
            "--admin-email",
            "w@weak.example",
            "--password-stdin",
        ],
        cwd=ROOT,
        env=env,
        input="short\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert weak.returncode == 2 and "password" in weak.stderr and "Traceback" not in weak.stderr


def test_invitations_list_revoke_reissue_and_publish(tmp_path: Path) -> None:
    import json

    url = run_cli(tmp_path, "invite", "--distributor", "Acme Distribution Ltd", "--company", "Listed Inc")
    assert url.returncode == 0
    listed = run_cli(tmp_path, "invitations", "list", "--json")
    [row] = json.loads(listed.stdout)
    assert row["company_name"] == "Listed Inc" and row["status"] == "pending"
    table = run_cli(tmp_path, "invitations", "list", "--distributor", "Acme Distribution Ltd")
    assert "Listed Inc" in table.stdout and "STATUS" in table.stdout and "1 invitation(s)" in table.stdout

    reissue_too_early = run_cli(tmp_path, "invitations", "reissue", row["invitation_id"])
    assert reissue_too_early.returncode == 2 and "expired or revoked" in reissue_too_early.stderr
    revoked = run_cli(tmp_path, "invitations", "revoke", row["invitation_id"], "--json")
    assert json.loads(revoked.stdout)["status"] == "revoked"
    reissued = run_cli(tmp_path, "invitations", "reissue", row["invitation_id"])
    assert reissued.returncode == 0
    assert reissued.stdout.strip().splitlines()[-1].startswith("https://portal.example/activate/")
    statuses = sorted(r["status"] for r in json.loads(run_cli(tmp_path, "invitations", "list", "--json").stdout))
    assert statuses == ["pending", "revoked"]

    terms = tmp_path / "terms.md"
    terms.write_text("# Terms v2\n\nNew terms.", encoding="utf-8")
    published = run_cli(
        tmp_path, "agreements", "publish", "--distributor", "Acme Distribution Ltd", "--file", str(terms), "--json"
    )
    assert published.returncode == 0, published.stderr
    assert json.loads(published.stdout)["version"] == 2
    missing = run_cli(tmp_path, "agreements", "publish", "--distributor", "Nobody Ltd", "--file", str(terms))
    assert missing.returncode == 2 and "No distributor" in missing.stderr


def test_invitations_list_never_prints_control_characters_to_the_terminal(tmp_path: Path) -> None:
    """Names stored before the input rules refused them (or written by another tool) print as escapes."""
    import sqlite3

    assert (
        run_cli(tmp_path, "invite", "--distributor", "Acme Distribution Ltd", "--company", "Plain Inc").returncode == 0
    )
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

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

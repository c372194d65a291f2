"""Settings and the session secret."""

from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path

import pytest

from data.settings import Settings
from portal_testing.factories import Portal

ROOT = Path(__file__).resolve().parents[2]


def test_defaults_need_no_configuration(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ["PORTAL_DATA_DIR", "PORTAL_DATABASE_URL", "PORTAL_HOST", "PORTAL_PORT", "PORTAL_BASE_URL"]:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    settings = Settings.from_env()
    assert settings.database_url == f"sqlite:///{tmp_path / 'var' / 'portal.db'}"
    assert (settings.host, settings.port, settings.base_url) == ("127.0.0.1", 8080, "http://127.0.0.1:8080")
    assert not settings.secure_cookies


def test_session_secret_is_generated_once_kept_private_or_taken_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PORTAL_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PORTAL_SESSION_SECRET", raising=False)
    settings = Settings.from_env()
    first = settings.session_secret()
    assert len(first) >= 48 and settings.session_secret() == first
    assert stat.S_IMODE((tmp_path / "session-secret").stat().st_mode) == 0o600
    from_environment = "from-the-environment-" + "x" * 40
    monkeypatch.setenv("PORTAL_SESSION_SECRET", from_environment)
    assert Settings.from_env().session_secret() == from_environment


@pytest.mark.parametrize("secret", ["", "   ", "short", "x" * 31])
def test_an_empty_or_short_session_secret_is_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, secret: str
) -> None:
    monkeypatch.setenv("PORTAL_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PORTAL_SESSION_SECRET", secret)
    with pytest.raises(SystemExit, match="at least 32"):
        Settings.from_env().session_secret()
    monkeypatch.delenv("PORTAL_SESSION_SECRET")
    (tmp_path / "session-secret").write_text(secret)
    with pytest.raises(SystemExit, match="at least 32"):
        Settings.from_env().session_secret()


@pytest.mark.parametrize("base_url", ["HTTPS://portal.example", "Https://portal.example/", "https://portal.example"])
def test_https_makes_cookies_secure_whatever_the_case_of_the_scheme(
    monkeypatch: pytest.MonkeyPatch, base_url: str
) -> None:
    monkeypatch.setenv("PORTAL_BASE_URL", base_url)
    assert Settings.from_env().secure_cookies


def test_trusted_proxies_are_none_by_default_and_validated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PORTAL_TRUSTED_PROXIES", raising=False)
    assert Settings.from_env().trusted_proxies == ()
    monkeypatch.setenv("PORTAL_TRUSTED_PROXIES", "10.0.0.1, 192.168.0.0/16")
    assert Settings.from_env().trusted_proxies == ("10.0.0.1/32", "192.168.0.0/16")
    monkeypatch.setenv("PORTAL_TRUSTED_PROXIES", "10.0.0.1,proxy.local")
    with pytest.raises(SystemExit, match="PORTAL_TRUSTED_PROXIES"):
        Settings.from_env()


def test_session_storage_lives_in_the_data_directory(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PORTAL_DATA_DIR", str(tmp_path / "data"))
    assert Settings.from_env().session_storage_dir == tmp_path / "data" / "sessions"


def test_database_errors_never_carry_the_values_they_were_given(portal: Portal) -> None:
    from sqlalchemy.exc import IntegrityError

    from data.models import User

    actor = portal.distributor_user(email="taken@example.com")
    with portal.session() as session:
        session.add(User(account_id=actor.account_id, email="taken@example.com", full_name="x", password_hash="$h"))
        with pytest.raises(IntegrityError) as failure:
            session.commit()
    assert "taken@example.com" not in str(failure.value) and "$h" not in str(failure.value)


def test_https_base_url_makes_cookies_secure(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORTAL_BASE_URL", "https://portal.example/")
    settings = Settings.from_env()
    assert settings.secure_cookies and settings.activation_url("t") == "https://portal.example/activate/t"


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("PORTAL_PORT", "eighty", "PORTAL_PORT: must be a whole number (got 'eighty')"),
        ("PORTAL_PORT", "99999", "PORTAL_PORT: Input should be less than or equal to 65535"),
        ("PORTAL_PORT", "0", "PORTAL_PORT: Input should be greater than or equal to 1"),
        ("PORTAL_INVITATION_DAYS", "500", "PORTAL_INVITATION_DAYS: Input should be less than or equal to 90"),
        ("PORTAL_LINK_GUESS_LIMIT", "-1", "PORTAL_LINK_GUESS_LIMIT: Input should be greater than or equal to 1"),
        ("PORTAL_SIGN_IN_ACCOUNT_LIMIT", "0", "PORTAL_SIGN_IN_ACCOUNT_LIMIT: Input should be greater than"),
        ("PORTAL_THROTTLE_WINDOW_MINUTES", "-15", "PORTAL_THROTTLE_WINDOW_MINUTES: Input should be greater"),
        (
            "PORTAL_DATABASE_URL",
            "mysql://db/portal",
            "PORTAL_DATABASE_URL: must be sqlite:///PATH or postgresql+psycopg",
        ),
        ("PORTAL_BASE_URL", "portal.example", "PORTAL_BASE_URL: must start with http:// or https://"),
        ("PORTAL_REDIS_URL", "localhost:6379", "PORTAL_REDIS_URL: must be redis://"),
    ],
)
def test_bad_values_are_refused_at_start_with_the_variables_name(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, message: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SystemExit) as refused:
        Settings.from_env()
    assert message in str(refused.value)


def test_the_server_refuses_to_start_on_a_bad_setting(tmp_path: Path) -> None:
    """What an operator sees: one line naming the variable, no traceback, a non-zero exit."""
    result = subprocess.run(
        [sys.executable, "main.py"],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "PORTAL_DATA_DIR": str(tmp_path), "PORTAL_PORT": "99999"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "PORTAL_PORT: Input should be less than or equal to 65535 (got '99999')" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_secret_is_never_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORTAL_SESSION_SECRET", "a-secret-nobody-may-read-" + "x" * 20)
    assert "nobody-may-read" not in repr(Settings.from_env())
    monkeypatch.setenv("PORTAL_SESSION_SECRET", "short-secret")
    with pytest.raises(SystemExit) as refused:
        Settings.from_env()
    assert "short-secret" not in str(refused.value) and "at least 32" in str(refused.value)


def test_instances_on_one_redis_share_one_generated_session_secret(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Without PORTAL_SESSION_SECRET, the first instance on a Redis stores a secret there and every other one
    signs cookies with it (so a sign-in on A is valid on B); each data directory stays untouched."""
    from portal_testing.servers import redis_server

    monkeypatch.delenv("PORTAL_SESSION_SECRET", raising=False)
    with redis_server() as redis_url:
        monkeypatch.setenv("PORTAL_REDIS_URL", redis_url)
        monkeypatch.setenv("PORTAL_DATA_DIR", str(tmp_path / "a"))
        first = Settings.from_env().session_secret()
        monkeypatch.setenv("PORTAL_DATA_DIR", str(tmp_path / "b"))
        second = Settings.from_env().session_secret()
    assert first == second and len(first) >= 48
    assert not (tmp_path / "a" / "session-secret").exists()


def test_an_unreachable_redis_is_refused_at_start(monkeypatch: pytest.MonkeyPatch) -> None:
    from portal_testing.servers import free_port

    monkeypatch.delenv("PORTAL_SESSION_SECRET", raising=False)
    monkeypatch.setenv("PORTAL_REDIS_URL", f"redis://127.0.0.1:{free_port()}/0")
    with pytest.raises(SystemExit, match="PORTAL_REDIS_URL: cannot reach Redis"):
        Settings.from_env().session_secret()

"""All configuration in one typed object, read from ``PORTAL_*`` environment variables."""

from __future__ import annotations

import ipaddress
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

SESSION_SECRET_MIN = 32  # characters; the generated one has 64 (48 random bytes)


def _long_enough(secret: str, source: str) -> str:
    if len(secret) < SESSION_SECRET_MIN:
        raise SystemExit(
            f"The session secret in {source} has {len(secret)} characters; it needs at least {SESSION_SECRET_MIN} "
            "random ones (for example: python -c 'import secrets; print(secrets.token_urlsafe(48))')."
        )
    return secret


def _env_flag(name: str) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    if raw in {"", "0", "no", "false"}:
        return False
    if raw in {"1", "yes", "true"}:
        return True
    raise SystemExit(f"{name} must be 1 or 0, got {raw!r}")


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as error:
        raise SystemExit(f"{name} must be a whole number, got {raw!r}") from error


def _env_trusted_proxies() -> tuple[str, ...]:
    """``PORTAL_TRUSTED_PROXIES``: comma-separated addresses or networks (CIDR) of the proxies whose
    ``X-Forwarded-For`` and ``X-Forwarded-Proto`` are believed; none by default."""
    raw = os.environ.get("PORTAL_TRUSTED_PROXIES", "").strip()
    proxies = []
    for part in filter(None, (item.strip() for item in raw.split(","))):
        try:
            proxies.append(str(ipaddress.ip_network(part, strict=False)))
        except ValueError:
            raise SystemExit(f"PORTAL_TRUSTED_PROXIES must list IP addresses or networks, got {part!r}") from None
    return tuple(proxies)


@dataclass(frozen=True)
class Settings:
    """The portal's settings; every field has a default that works for the demo."""

    data_dir: Path
    database_url: str
    host: str
    port: int
    base_url: str
    invitation_days: int
    link_guess_limit: int = 20
    sign_in_account_limit: int = 5
    sign_in_address_limit: int = 20
    throttle_window_minutes: int = 15
    throttle_first_delay_seconds: int = 60
    trusted_proxies: tuple[str, ...] = field(default_factory=tuple)
    demo: bool = False  # PORTAL_DEMO=1 (scripts/run.sh): create the database if there is none, and seed the demo
    database_configured: bool = False  # PORTAL_DATABASE_URL is set: that database must exist, and is never seeded

    @classmethod
    def from_env(cls) -> Settings:
        """Read the settings from the environment (``PORTAL_*``), falling back to the demo defaults."""
        data_dir = Path(os.environ.get("PORTAL_DATA_DIR", "var")).resolve()
        database_url = os.environ.get("PORTAL_DATABASE_URL") or f"sqlite:///{data_dir / 'portal.db'}"
        host = os.environ.get("PORTAL_HOST", "127.0.0.1")
        port = _env_int("PORTAL_PORT", 8080)
        shown_host = "127.0.0.1" if host in {"0.0.0.0", "::"} else host  # noqa: S104 - display only
        base_url = os.environ.get("PORTAL_BASE_URL") or f"http://{shown_host}:{port}"
        return cls(
            data_dir=data_dir,
            database_url=database_url,
            host=host,
            port=port,
            base_url=base_url.rstrip("/"),
            invitation_days=_env_int("PORTAL_INVITATION_DAYS", 14),
            link_guess_limit=_env_int("PORTAL_LINK_GUESS_LIMIT", 20),
            sign_in_account_limit=_env_int("PORTAL_SIGN_IN_ACCOUNT_LIMIT", 5),
            sign_in_address_limit=_env_int("PORTAL_SIGN_IN_ADDRESS_LIMIT", 20),
            throttle_window_minutes=_env_int("PORTAL_THROTTLE_WINDOW_MINUTES", 15),
            throttle_first_delay_seconds=_env_int("PORTAL_THROTTLE_FIRST_DELAY_SECONDS", 60),
            trusted_proxies=_env_trusted_proxies(),
            demo=_env_flag("PORTAL_DEMO"),
            database_configured=bool(os.environ.get("PORTAL_DATABASE_URL")),
        )

    @property
    def secure_cookies(self) -> bool:
        """Whether session cookies must be marked Secure (the portal is served over https)."""
        return urlsplit(self.base_url).scheme.lower() == "https"

    @property
    def session_storage_dir(self) -> Path:
        """Where NiceGUI keeps the server side of browser sessions: in the data directory, never the working one."""
        return self.data_dir / "sessions"

    @property
    def demo_may_create(self) -> bool:
        """Whether starting the server may create a missing database and seed the demo in it: only when asked
        (``PORTAL_DEMO=1``), and never for a configured database, which was expected to exist."""
        return self.demo and not self.database_configured

    def activation_url(self, token: str) -> str:
        """The full activation link for an invitation token."""
        return f"{self.base_url}/activate/{token}"

    def session_secret(self) -> str:
        """The secret that signs session cookies: ``PORTAL_SESSION_SECRET``, else one generated once and
        kept in the data directory (never a constant in the code). An empty or short one is refused: anyone
        who guesses it can sign cookies, and so act as any signed-in user."""
        from_env = os.environ.get("PORTAL_SESSION_SECRET")
        if from_env is not None:
            return _long_enough(from_env.strip(), "PORTAL_SESSION_SECRET")
        path = self.data_dir / "session-secret"
        if path.exists():
            return _long_enough(path.read_text().strip(), str(path))
        self.data_dir.mkdir(parents=True, exist_ok=True)
        secret = secrets.token_urlsafe(48)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secret)
        return secret

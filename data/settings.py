"""All configuration in one typed, validated object, read from ``PORTAL_*`` environment variables.

A wrong value stops the process at start with the variable's name and what it must be, never later."""

from __future__ import annotations

import ipaddress
import os
import secrets
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, PrivateAttr, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

MAX_INVITATION_DAYS = 90
DEFAULT_INVITATION_DAYS = 14  # PORTAL_INVITATION_DAYS unset: how long a new link is valid
SESSION_SECRET_MIN = 32  # characters; the generated one has 64 (48 random bytes)
PositiveCount = Annotated[int, Field(ge=1, le=1_000_000)]


def _long_enough(secret: str, source: str) -> str:
    if len(secret) < SESSION_SECRET_MIN:
        raise SystemExit(
            f"The session secret in {source} has {len(secret)} characters; it needs at least {SESSION_SECRET_MIN} "
            "random ones (for example: python -c 'import secrets; print(secrets.token_urlsafe(48))')."
        )
    return secret


class Settings(BaseSettings):
    """The portal's settings; every field has a default that works for the demo."""

    model_config = SettingsConfigDict(env_prefix="PORTAL_", env_ignore_empty=True, extra="ignore", frozen=True)

    data_dir: Path = Path("var")
    database_url: str = ""  # default: sqlite:///<data_dir>/portal.db
    host: str = "127.0.0.1"
    port: int = Field(8080, ge=1, le=65535)
    base_url: str = ""  # default: http://<host>:<port>
    invitation_days: int = Field(DEFAULT_INVITATION_DAYS, ge=1, le=MAX_INVITATION_DAYS)
    link_guess_limit: PositiveCount = 20
    sign_in_account_limit: PositiveCount = 5  # failed sign-ins of one account from one address
    sign_in_account_total_limit: PositiveCount = 100  # of one account from every address together
    sign_in_address_limit: PositiveCount = 20
    throttle_window_minutes: int = Field(15, ge=1, le=7 * 24 * 60)
    throttle_first_delay_seconds: int = Field(60, ge=1, le=24 * 60 * 60)
    # Proxies whose X-Forwarded-For and X-Forwarded-Proto are believed: comma-separated addresses or networks
    # (CIDR); none by default.
    trusted_proxies: Annotated[tuple[str, ...], NoDecode] = ()
    # Several instances share sessions through Redis (NiceGUI's per-user storage) and sign cookies with one
    # secret: PORTAL_SESSION_SECRET, else one generated once and kept in that Redis (a single instance keeps it
    # in its data directory).
    redis_url: str | None = None
    session_secret_value: SecretStr | None = Field(
        None, validation_alias=AliasChoices("PORTAL_SESSION_SECRET", "session_secret_value"), repr=False
    )
    # Email: PORTAL_SMTP_URL (smtp://USER:PASSWORD@HOST:587 with STARTTLS, smtps://… implicit TLS; its password is
    # a secret, never shown); without it emails are written as .eml files into <data_dir>/mail (the demo).
    smtp_url: SecretStr | None = Field(None, repr=False)
    mail_from: str = ""  # default: Reseller Portal <no-reply@HOST of PORTAL_BASE_URL>
    demo: bool = False  # PORTAL_DEMO=1 (scripts/run.sh): create the database if there is none, and seed the demo
    # Whether PORTAL_DATABASE_URL was given: that database must exist, and is never seeded.
    _database_configured: bool = PrivateAttr(False)

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        if value and not value.startswith(("sqlite:///", "postgresql+psycopg://")):
            raise ValueError("must be sqlite:///PATH or postgresql+psycopg://USER:PASSWORD@HOST:PORT/DATABASE")
        return value

    @field_validator("base_url")
    @classmethod
    def _web_address(cls, value: str) -> str:
        if value and urlsplit(value).scheme.lower() not in {"http", "https"}:
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _networks(cls, value: object) -> tuple[str, ...]:
        # The environment gives a string; a Settings made in code gives a sequence of strings.
        parts = value.split(",") if isinstance(value, str) else list(value)  # type: ignore[call-overload]
        proxies = []
        for part in filter(None, (str(item).strip() for item in parts)):
            try:
                proxies.append(str(ipaddress.ip_network(part, strict=False)))
            except ValueError:
                raise ValueError(f"must list IP addresses or networks, got {part!r}") from None
        return tuple(proxies)

    @field_validator("session_secret_value", mode="before")
    @classmethod
    def _secret_long_enough(cls, value: object) -> object:
        if isinstance(value, str) and len(value.strip()) < SESSION_SECRET_MIN:
            raise ValueError(
                f"has {len(value.strip())} characters; it needs at least {SESSION_SECRET_MIN} random ones "
                "(for example: python -c 'import secrets; print(secrets.token_urlsafe(48))')"
            )
        return value.strip() if isinstance(value, str) else value

    @field_validator("smtp_url", mode="before")
    @classmethod
    def _smtp_address(cls, value: object) -> object:
        if isinstance(value, str) and value.strip():
            parts = urlsplit(value.strip())
            if parts.scheme.lower() not in {"smtp", "smtps"} or not parts.hostname:
                raise ValueError("must be smtp://USER:PASSWORD@HOST:PORT (STARTTLS) or smtps://… (implicit TLS)")
            try:
                parts.port  # noqa: B018 - raises on a port that is not a number
            except ValueError:
                raise ValueError("has a port that is not a number") from None
            return value.strip()
        return value

    @field_validator("mail_from")
    @classmethod
    def _sender_address(cls, value: str) -> str:
        from email.headerregistry import Address
        from email.utils import parseaddr

        value = value.strip()
        if not value:
            return value
        name, address = parseaddr(value)
        if "@" not in address or any(ch in value for ch in "\r\n"):
            raise ValueError("must be an email address, optionally with a name: Portal <portal@example.com>")
        try:
            Address(display_name=name, addr_spec=address)
        except (ValueError, IndexError):
            raise ValueError("must be an email address, optionally with a name: Portal <portal@example.com>") from None
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_address(cls, value: str | None) -> str | None:
        if value and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must be redis://HOST:PORT/DB, rediss://… or unix://PATH")
        return value or None

    @model_validator(mode="after")
    def _fill_defaults(self) -> Settings:
        if self.session_secret_value is None and os.environ.get("PORTAL_SESSION_SECRET") is not None:
            raise ValueError(  # set but blank, which the other settings read as unset
                f"PORTAL_SESSION_SECRET: is empty; it needs at least {SESSION_SECRET_MIN} random characters"
            )
        data_dir = self.data_dir.resolve()
        object.__setattr__(self, "data_dir", data_dir)
        self._database_configured = bool(self.database_url)
        if not self.database_url:
            object.__setattr__(self, "database_url", f"sqlite:///{data_dir / 'portal.db'}")
        if not self.base_url:
            shown_host = "127.0.0.1" if self.host in {"0.0.0.0", "::"} else self.host  # noqa: S104 - display only
            object.__setattr__(self, "base_url", f"http://{shown_host}:{self.port}")
        if not self.mail_from:
            host = urlsplit(self.base_url).hostname or "localhost"
            domain = host if "." in host and not host.replace(".", "").isdigit() else "localhost"
            object.__setattr__(self, "mail_from", f"Reseller Portal <no-reply@{domain}>")
        return self

    @classmethod
    def from_env(cls, **overrides: Any) -> Settings:
        """Read the settings from the environment (``PORTAL_*``), falling back to the demo defaults; a wrong
        value stops the process with the variable's name."""
        try:
            return cls(**overrides)
        except ValidationError as error:
            lines = "\n".join(_describe(problem) for problem in error.errors())
            raise SystemExit(f"Configuration error:\n{lines}") from None

    @property
    def is_postgresql(self) -> bool:
        return self.database_url.startswith("postgresql")

    @property
    def secure_cookies(self) -> bool:
        """Whether session cookies must be marked Secure (the portal is served over https)."""
        return urlsplit(self.base_url).scheme.lower() == "https"

    @property
    def mail_dir(self) -> Path:
        """Where emails are written as .eml files when no SMTP server is configured (the demo)."""
        return self.data_dir / "mail"

    @property
    def session_storage_dir(self) -> Path:
        """Where NiceGUI keeps the server side of browser sessions: in the data directory, never the working one."""
        return self.data_dir / "sessions"

    @property
    def database_configured(self) -> bool:
        """Whether ``PORTAL_DATABASE_URL`` was set (rather than the default file in the data directory)."""
        return self._database_configured

    @property
    def demo_may_create(self) -> bool:
        """Whether starting the server may create a missing database and seed the demo in it: only when asked
        (``PORTAL_DEMO=1``), and never for a configured database, which was expected to exist."""
        return self.demo and not self.database_configured

    def activation_url(self, token: str) -> str:
        """The full activation link for an invitation token."""
        return f"{self.base_url}/activate/{token}"

    def session_secret(self) -> str:
        """The secret that signs session cookies: ``PORTAL_SESSION_SECRET``, else one generated once and kept
        where every instance finds it (in Redis with ``PORTAL_REDIS_URL``, else in the data directory); never a
        constant in the code. An empty or short one is refused: anyone who guesses it can sign cookies, and so act
        as any signed-in user."""
        if self.session_secret_value is not None:
            return self.session_secret_value.get_secret_value()
        if self.redis_url:
            return _shared_secret(self.redis_url)
        path = self.data_dir / "session-secret"
        if path.exists():
            return _long_enough(path.read_text().strip(), str(path))
        self.data_dir.mkdir(parents=True, exist_ok=True)
        secret = secrets.token_urlsafe(48)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secret)
        return secret


REDIS_SECRET_KEY = "portal:session-secret"  # noqa: S105 - the name of the Redis key, not a secret


def _shared_secret(redis_url: str) -> str:
    """The session secret every instance on this Redis uses: the first instance to start stores one (SET NX),
    the others read it."""
    import redis

    with redis.Redis.from_url(redis_url, socket_connect_timeout=5) as client:
        try:
            client.set(REDIS_SECRET_KEY, secrets.token_urlsafe(48), nx=True)
            stored = client.get(REDIS_SECRET_KEY)
        except redis.RedisError as error:
            raise SystemExit(f"PORTAL_REDIS_URL: cannot reach Redis at {redis_url} ({error})") from None
    assert isinstance(stored, bytes)
    return stored.decode()


_VARIABLES = {"session_secret_value": "PORTAL_SESSION_SECRET"}
_SECRET_FIELDS = {"session_secret_value", "smtp_url"}  # their values are never shown


def _describe(problem: Any) -> str:
    """One line per wrong setting: the variable, what it must be, and what it was (never a secret's value)."""
    field = str(problem["loc"][0]) if problem["loc"] else ""
    message = str(problem["msg"]).removeprefix("Value error, ")
    if not field:  # a rule across fields; its message names the variables
        return f"  {message}"
    variable = field if field.startswith("PORTAL_") else _VARIABLES.get(field, f"PORTAL_{field.upper()}")
    if problem["type"] == "int_parsing":
        message = "must be a whole number"
    shown = "" if field in _SECRET_FIELDS or "secret" in field.lower() else f" (got {problem['input']!r})"
    return f"  {variable}: {message}{shown}"

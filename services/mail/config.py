"""What composing and sealing an email needs in every process that does it (the server, its service workers,
a command): the portal's base URL for links, the sender address, and the key that seals an email's text in the
outbox. Read from the settings once per process, or set by :func:`configure` (the server at start; tests)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from data.settings import Settings


@dataclass(frozen=True)
class MailConfig:
    base_url: str
    sender: str  # the From header: "Reseller Portal <no-reply@example.com>"
    sealing_key: bytes = field(repr=False)  # a Fernet key (urlsafe base64 of 32 bytes)

    @property
    def domain(self) -> str:
        """The domain of the Message-IDs: the sender address's."""
        address = self.sender.rsplit("<", 1)[-1].rstrip(">")
        return address.rsplit("@", 1)[-1] or urlsplit(self.base_url).hostname or "localhost"


def sealing_key(secret: str) -> bytes:
    """The outbox's sealing key, derived from the portal's secret (PORTAL_SESSION_SECRET or the one generated
    once), which every instance shares: any instance's sender opens what any instance's action sealed."""
    digest = hmac.new(secret.encode(), b"reseller-portal outbox sealing key v1", hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest)


def from_settings(settings: Settings) -> MailConfig:
    return MailConfig(settings.base_url, settings.mail_from, sealing_key(settings.session_secret()))


_config: MailConfig | None = None
_lock = threading.Lock()


def configure(config: MailConfig | None) -> None:
    """Use ``config`` in this process (``None``: read the settings again when next needed)."""
    global _config
    _config = config


def current() -> MailConfig:
    """This process's mail configuration (from ``PORTAL_*`` on first use, as the server was started with)."""
    global _config
    with _lock:
        if _config is None:
            _config = from_settings(Settings.from_env())
        return _config

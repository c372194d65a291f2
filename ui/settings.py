"""The settings the running app was started with, for pages that print links."""

from __future__ import annotations

from services.settings import Settings

_settings: Settings | None = None


def use(settings: Settings) -> None:
    """Remember the settings the server runs with."""
    global _settings
    _settings = settings


def activation_url(token: str) -> str:
    """The full activation link for an invitation token."""
    return _current().activation_url(token)


def set_password_url(token: str) -> str:
    """The full set-password link for a representative's token."""
    return f"{_current().base_url}/set-password/{token}"


def invitation_days() -> int:
    """How many days a new link is valid unless the distributor says otherwise (``PORTAL_INVITATION_DAYS``)."""
    return _current().invitation_days


def _current() -> Settings:
    if _settings is None:
        raise RuntimeError("the app's settings are not set; ui.settings.use() is called at start-up")
    return _settings

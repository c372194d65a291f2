"""The portal's settings as the interface and the command line read them: one validated object from the
``PORTAL_*`` environment variables (defined in ``data.settings``, where the engine reads it too)."""

from __future__ import annotations

from data.settings import DEFAULT_INVITATION_DAYS, MAX_INVITATION_DAYS, Settings

__all__ = ["DEFAULT_INVITATION_DAYS", "MAX_INVITATION_DAYS", "Settings"]

"""Doing a request once: a dialog generates a key when it opens and sends it with every press of its button;
the service records the key in the action's own transaction, so a double click, a retry after a lost answer
or a replayed message finds it and does nothing a second time (:class:`~services.errors.AlreadyDone`).
The table's primary key refuses a second row even if two presses were to race past the check."""

from __future__ import annotations

import re
import secrets

from sqlmodel import Session

from data.models import CompletedRequest
from services.errors import AlreadyDone, ValidationFailed

KEY_SHAPE = re.compile(r"[A-Za-z0-9_-]{16,64}")


def new_request_key() -> str:
    """A key for one opening of a dialog (128 random bits)."""
    return secrets.token_urlsafe(16)


def check_not_done(session: Session, request_key: str | None) -> None:
    """Within the action's write transaction, before it changes anything: :class:`AlreadyDone` when the request
    with this key was done already. No key (the command line) means no check."""
    if request_key is None:
        return
    if not KEY_SHAPE.fullmatch(request_key):
        raise ValidationFailed({"request_key": "This request cannot be recognised; reload the page."})
    done = session.get(CompletedRequest, request_key)
    if done is not None:
        raise AlreadyDone(done.object_id)


def record_done(session: Session, request_key: str | None, *, action: str, actor: str, object_id: str) -> None:
    """Within the action's write transaction: remember that the request with this key made ``object_id``."""
    if request_key is not None:
        session.add(CompletedRequest(key=request_key, action=action, actor=actor, object_id=object_id))

"""Writing to the append-only audit log (within the caller's transaction)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from sqlmodel import Session, col, select

from data.models import AuditEvent

_origin: ContextVar[str | None] = ContextVar("audit_origin", default=None)


@contextmanager
def acting_from(client_address: str | None) -> Iterator[None]:
    """Within this block, audit events without an explicit client address record this one (the UI wraps
    each service call in it, so every action a browser causes names the browser's address)."""
    reset = _origin.set(client_address)
    try:
        yield
    finally:
        _origin.reset(reset)


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    client_address: str | None = None,
    **details: str | int | None,
) -> AuditEvent:
    """Add an audit event to the session; it is saved when the calling service commits."""
    event = AuditEvent(
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        client_address=client_address if client_address is not None else _origin.get(),
        details=json.dumps(details, sort_keys=True) if details else None,
    )
    session.add(event)
    return event


def events_for(session: Session, object_id: str) -> list[AuditEvent]:
    """The audit events about one object, oldest first."""
    statement = select(AuditEvent).where(AuditEvent.object_id == object_id).order_by(col(AuditEvent.id))
    return list(session.exec(statement))

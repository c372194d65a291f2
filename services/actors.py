"""Who acts: the one actor type every distributor action takes.

A person signed in to the portal (:class:`SignedInUser`, read again from the database for every action by
``services.access.as_signed_in``), or the operator at the command line (:class:`Operator`), who acts over every
distributor, or for one. Both go through the same service functions; ``services.access`` says what each may
touch. This module imports no other service, so that every service can import it.
"""

from __future__ import annotations

from dataclasses import dataclass

OPERATOR_NAME = "command line"  # how the audit trail names the operator (and the history shows "An operator")


@dataclass(frozen=True)
class SignedInUser:
    """Who is signed in: stored in the browser session by ID only."""

    user_id: str
    account_id: str
    account_kind: str
    full_name: str
    session_version: int = 0  # the user's when this session signed in (a newer password signs it out)

    @property
    def audit_name(self) -> str:
        """The name the audit trail records for this actor's actions."""
        return self.user_id


@dataclass(frozen=True)
class Operator:
    """The operator at the command line: over every distributor (``distributor_id`` None), or acting for one."""

    distributor_id: str | None = None

    @property
    def audit_name(self) -> str:
        """The name the audit trail records for this actor's actions."""
        return OPERATOR_NAME


Actor = SignedInUser | Operator

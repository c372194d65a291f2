"""What a service's database error means to the person who asked: every constraint violation becomes the domain
error they can act on, and a database that cannot be written becomes "cannot save right now", never a 500.

Both the server's service calls (:func:`services.workers.run_action`) and the command line run services inside
:func:`as_domain_errors`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy.exc import IntegrityError, OperationalError

from data import db
from services.errors import AlreadyDone, Busy, CannotSave, Conflict, DomainError, InvalidState, ValidationFailed

log = logging.getLogger("portal.faults")

EMAIL_TAKEN = "This email cannot be used: it already belongs to a user."
# Each rule the database holds to, by index name (PostgreSQL names it) and by the columns SQLite names.
CONSTRAINT_ERRORS: dict[str, Callable[[], DomainError]] = {
    "ux_account_distributor_name": lambda: ValidationFailed({"distributor": "A distributor has this name already."}),
    "account.name": lambda: ValidationFailed({"distributor": "A distributor has this name already."}),
    "ux_user_email_lower": lambda: ValidationFailed({"email": EMAIL_TAKEN}),
    "user.email": lambda: ValidationFailed({"email": EMAIL_TAKEN}),
    "ux_invitation_one_open_successor": lambda: InvalidState(
        "This invitation has been reissued already: use its new link, or reissue that one."
    ),
    "invitation.reissued_from_id": lambda: InvalidState(
        "This invitation has been reissued already: use its new link, or reissue that one."
    ),
    "ux_agreement_version_active": lambda: Conflict(
        "Another version of this agreement was published in the meantime. Reload the page to see it."
    ),
    "agreement_version.agreement_id": lambda: Conflict(
        "Another version of this agreement was published in the meantime. Reload the page to see it."
    ),
    "ux_agreement_version_number": lambda: Conflict(
        "Another version of this agreement was published in the meantime. Reload the page to see it."
    ),
    "agreement_version.agreement_id, agreement_version.version": lambda: Conflict(
        "Another version of this agreement was published in the meantime. Reload the page to see it."
    ),
    "completed_request.key": AlreadyDone,
    "completed_request_pkey": AlreadyDone,
}


def constraint_error(error: IntegrityError) -> DomainError:
    """The domain error for a constraint violation (a generic :class:`Conflict` for a rule not listed)."""
    named = getattr(getattr(error.orig, "diag", None), "constraint_name", None)  # PostgreSQL names the constraint
    text = str(error.orig)
    if named is None and "constraint failed: " in text:  # SQLite: "UNIQUE constraint failed: account.name"
        named = text.split("constraint failed: ", 1)[1].removeprefix("index ").strip("'")
    make = CONSTRAINT_ERRORS.get(named or "")
    if make is None:
        log.warning("a write was refused by the database: %s", text)
        return Conflict()
    return make()


@contextmanager
def as_domain_errors() -> Iterator[None]:
    """Run a service, turning database errors into the domain errors a person can act on."""
    try:
        yield
    except IntegrityError as error:
        raise constraint_error(error) from error
    except (OperationalError, db.DatabaseUnavailable) as error:
        fault = db.write_fault(error)
        if fault is None:
            raise
        log.warning("the database could not be written (%s): %s", fault, getattr(error, "orig", error))
        raise (Busy() if fault == "busy" else CannotSave()) from error

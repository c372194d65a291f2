"""The unit of work: the one place that opens a database session and a transaction for a service.

Every service takes a :class:`UnitOfWork` as its first argument and does its reading and writing inside it::

    def revoke_invitation(uow: UnitOfWork, actor: SignedInUser, invitation_id: str) -> Invitation:
        with uow.write():                                        # BEGIN (IMMEDIATE on SQLite)
            invitation = uow.get_for_update(Invitation, invitation_id)   # FOR UPDATE on PostgreSQL
            ...                                                  # check the rules, change rows, audit
            uow.commit()                                         # nothing persists without this line
        return invitation

    def invitation_detail(uow: UnitOfWork, ...) -> InvitationDetail:
        with uow.read():                                         # a read: never committed
            return ...(uow.session)

The rules it keeps:

- **One transaction per block.** ``with uow.read():`` or ``with uow.write():`` opens a new session and its
  transaction; leaving the block closes both. A service may run several blocks one after the other (read,
  hash a password outside any transaction, then write), never one inside another.
- **Commit is explicit.** Only :meth:`UnitOfWork.commit` persists. Leaving a block without it, or by an
  exception (a domain error included), rolls everything back.
- **Locking per database.** SQLite: a write block starts with ``BEGIN IMMEDIATE``, so writers queue on the
  database's one write lock and the second of two racing actions sees the first one's result. PostgreSQL
  (``READ COMMITTED``): a write block locks the rows the action decides on, with :meth:`get_for_update` or
  :meth:`lock` (``SELECT … FOR UPDATE``); the second of two racing actions waits on that row and then reads
  its committed state. Lock the row whose state the action checks (the invitation being activated, the
  contract being terminated), before checking it.
- **Database errors are domain errors**, here and nowhere else. An ``IntegrityError`` (a unique email taken by a
  racing action, say) leaves the block as the domain error given for that column or constraint in
  ``write(conflicts=…)``, else as the one :data:`CONSTRAINT_ERRORS` gives for it (every rule the schema holds
  to), else as a plain :class:`~services.errors.Conflict`. A database that cannot be written now (SQLite: read-only,
  full, its file removed or replaced; PostgreSQL: read-only or unreachable) leaves it as
  :class:`~services.errors.CannotSave`, one whose lock stayed taken as :class:`~services.errors.Busy`. Never as a
  database error, and never with the database's message (it may name the values) in the error's text.

Helpers that work inside the caller's transaction keep taking the plain ``Session`` (``uow.session``).
"""

from __future__ import annotations

import copy
import logging
import re
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any, TypeVar

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError, SQLAlchemyError
from sqlalchemy.sql import Select
from sqlmodel import Session

from data import db
from services.errors import AlreadyDone, Busy, CannotSave, Conflict, DomainError, InvalidState, ValidationFailed

T = TypeVar("T")
S = TypeVar("S", bound=Select[Any])
log = logging.getLogger("portal.faults")

EMAIL_TAKEN = "This email cannot be used: it already belongs to a user."
_NAME_TAKEN = {"distributor": "A distributor has this name already."}
_REISSUED = "This invitation has been reissued already: use its new link, or reissue that one."
_PUBLISHED = "Another version of this agreement was published in the meantime. Reload the page to see it."
# Each rule the schema holds to, by the names a violation reports: the index or constraint's name (PostgreSQL
# names it, SQLite names an index on an expression) and ``table.column`` (SQLite names the columns of any other
# unique index; PostgreSQL's message names them too).
CONSTRAINT_ERRORS: dict[str, Callable[[], DomainError]] = {
    "ux_account_distributor_name": lambda: ValidationFailed(dict(_NAME_TAKEN)),
    "account.name": lambda: ValidationFailed(dict(_NAME_TAKEN)),
    "ux_user_email_lower": lambda: ValidationFailed({"email": EMAIL_TAKEN}),
    "user.email": lambda: ValidationFailed({"email": EMAIL_TAKEN}),
    "ux_invitation_one_open_successor": lambda: InvalidState(_REISSUED),
    "invitation.reissued_from_id": lambda: InvalidState(_REISSUED),
    "ux_agreement_version_active": lambda: Conflict(_PUBLISHED),
    "ux_agreement_version_number": lambda: Conflict(_PUBLISHED),
    "agreement_version.agreement_id": lambda: Conflict(_PUBLISHED),
    "completed_request_pkey": AlreadyDone,
    "completed_request.key": AlreadyDone,
}


class UnitOfWork:
    """A service's access to the database: one transaction per ``with uow.read()`` / ``with uow.write()``.

    ``engine`` defaults to the process-wide one (:func:`data.db.configure`); tests pass their own."""

    def __init__(self, engine: Engine | None = None) -> None:
        self._engine = engine
        self._session: Session | None = None
        self._writing = False
        self._conflicts: Mapping[str, DomainError] = {}

    @property
    def engine(self) -> Engine:
        return self._engine or db.get_engine()

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    @property
    def session(self) -> Session:
        """The session of the open block."""
        if self._session is None:
            raise RuntimeError("open the unit of work first: `with uow.read():` or `with uow.write():`")
        return self._session

    def read(self) -> UnitOfWork:
        """A block that only reads (``with uow.read():``); whatever it changes is rolled back."""
        return self._prepare(writing=False, conflicts={})

    def write(self, conflicts: Mapping[str, DomainError] | None = None) -> UnitOfWork:
        """A block that writes (``with uow.write():``) and ends with :meth:`commit`. ``conflicts`` maps a
        ``table.column`` (or a constraint's name) to the domain error its violation means in this action, where
        :data:`CONSTRAINT_ERRORS` would not say it right, for instance ``{"user.email": ValidationFailed(…)}``."""
        return self._prepare(writing=True, conflicts=conflicts or {})

    def _prepare(self, *, writing: bool, conflicts: Mapping[str, DomainError]) -> UnitOfWork:
        if self._session is not None:
            raise RuntimeError("a unit of work holds one transaction at a time; close this block first")
        self._writing = writing
        self._conflicts = conflicts
        return self

    def __enter__(self) -> UnitOfWork:
        if self._session is not None:
            raise RuntimeError("a unit of work holds one transaction at a time; close this block first")
        session = Session(self.engine, expire_on_commit=False)
        if self._writing and self.dialect == db.SQLITE:
            try:
                session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})  # take the write lock now
            except BaseException as error:
                session.close()
                self._writing, self._conflicts = False, {}
                translated = domain_error(error)
                if translated is None:
                    raise
                raise translated from None
        self._session = session
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        session, self._session = self._session, None
        conflicts, self._conflicts, self._writing = self._conflicts, {}, False
        if session is not None:
            try:
                # Detach what the block loaded first, so that the rows it returns stay readable as they were
                # (a rollback would expire them); then end the transaction: after commit() there is nothing
                # left to roll back, otherwise everything is.
                session.expunge_all()
                session.rollback()
            except SQLAlchemyError as ending:
                if error is None:  # the block itself went well: this is the error to report
                    error = ending
            finally:
                session.close()
        if error is None:
            return
        translated = domain_error(error, conflicts)
        if translated is not None:  # not chained: the database's message may name the values
            raise translated from None
        if kind is None:  # the block went well, but ending its transaction did not
            raise error
        # otherwise the block's own error goes on as it is

    def commit(self) -> None:
        """Persist everything the block did. Only a write block commits."""
        if not self._writing:
            raise RuntimeError("a read block does not commit; use `with uow.write():`")
        self.session.commit()

    def lock(self, statement: S) -> S:
        """``statement`` with ``FOR UPDATE`` on PostgreSQL: the rows it reads stay locked until the block ends.
        On SQLite, ``BEGIN IMMEDIATE`` already holds the whole database, and the statement is unchanged."""
        return statement.with_for_update() if self._locks_rows else statement

    def get_for_update(self, model: type[T], key: object) -> T | None:
        """``session.get`` that locks the row on PostgreSQL (and reads it anew, whatever the session held)."""
        if not self._locks_rows:
            return self.session.get(model, key)
        return self.session.get(model, key, with_for_update=True, populate_existing=True)

    @property
    def _locks_rows(self) -> bool:
        return self._writing and self.dialect == db.POSTGRESQL


def domain_error(error: BaseException, conflicts: Mapping[str, DomainError] | None = None) -> DomainError | None:
    """The domain error a database error means to the person who asked, or ``None`` for any other error (a bug,
    which goes on as it is): a constraint violation, or a database that cannot be written now or is busy."""
    if isinstance(error, IntegrityError):
        return _constraint_error(error, conflicts or {})
    if isinstance(error, DBAPIError | db.DatabaseUnavailable):  # PostgreSQL's read-only is an InternalError
        fault = db.write_fault(error)
        if fault is None:
            return None
        log.warning("the database could not be written (%s): %s", fault, getattr(error, "orig", error))
        return Busy() if fault == "busy" else CannotSave()
    return None


_SQLITE_VIOLATION = re.compile(r"constraint failed: (.+)$", re.MULTILINE)
_POSTGRESQL_KEY = re.compile(r"Key \(([^)]*)\)")


def violated(error: IntegrityError) -> list[str]:
    """What an ``IntegrityError`` says was violated: the constraint's or index's name and ``table.column`` names
    (in that order)."""
    found: list[str] = []
    diagnostics = getattr(error.orig, "diag", None)
    if diagnostics is not None:  # PostgreSQL
        table = diagnostics.table_name or ""
        if diagnostics.constraint_name:
            found.append(diagnostics.constraint_name)
        key = _POSTGRESQL_KEY.search(diagnostics.message_detail or "")
        if key:
            found.extend(f"{table}.{column.strip()}" for column in key.group(1).split(","))
        if diagnostics.column_name:
            found.append(f"{table}.{diagnostics.column_name}")
    else:  # SQLite: "UNIQUE constraint failed: user.email" or "… failed: index 'ux_user_email_lower'"
        match = _SQLITE_VIOLATION.search(str(error.orig))
        if match:
            named = match.group(1).strip()
            if named.startswith("index "):
                found.append(named.removeprefix("index ").strip("'\""))
            else:
                found.extend(name.strip() for name in named.split(","))
    return found


# Names of one rule: the unique email is a constraint on the column and an index on its lower case; a block's
# ``conflicts`` may name it either way.
_SAME_RULE = {"ux_user_email_lower": "user.email", "user_email_key": "user.email"}


def _constraint_error(error: IntegrityError, conflicts: Mapping[str, DomainError]) -> DomainError:
    names = violated(error)
    names += [_SAME_RULE[name] for name in names if name in _SAME_RULE]
    for name in names:
        if name in conflicts:
            return copy.copy(conflicts[name])
    for name in names:
        if name in CONSTRAINT_ERRORS:
            return CONSTRAINT_ERRORS[name]()
    log.warning("a write was refused by the database: %s", ", ".join(names) or type(error.orig).__name__)
    return Conflict(constraints=names)

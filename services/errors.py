"""Domain errors. The UI turns each into a message next to a field or a clear error page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class DomainError(Exception):
    """Base of every error a service raises on purpose; ``message`` is fit to show a user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle by state, not by constructor arguments: errors cross from the service workers to the UI."""
        return _restore, (type(self), self.args, self.__dict__)


def _restore(kind: type[DomainError], args: tuple[Any, ...], state: dict[str, Any]) -> DomainError:
    error = kind.__new__(kind)
    error.args = args
    error.__dict__.update(state)
    return error


class InvitationProblem(DomainError):
    """An activation link that cannot be used; subclasses say why. ``distributor_name``: who sent the link, for
    a link that exists (an unknown one names nobody)."""

    distributor_name: str | None = None


class InvitationNotFound(InvitationProblem):
    def __init__(self) -> None:
        super().__init__("This activation link is not valid.")


class InvitationExpired(InvitationProblem):
    def __init__(self, distributor_name: str | None = None) -> None:
        super().__init__("This activation link has expired.")
        self.distributor_name = distributor_name


class InvitationRevoked(InvitationProblem):
    def __init__(self, distributor_name: str | None = None) -> None:
        super().__init__("This activation link has been revoked.")
        self.distributor_name = distributor_name


class InvitationAlreadyActivated(InvitationProblem):
    def __init__(self, distributor_name: str | None = None) -> None:
        super().__init__("This portal is already activated.")
        self.distributor_name = distributor_name


class InvitationForExistingAccount(InvitationProblem):
    """A new contract offered to an existing reseller account: a user of that account signs it, signed in,
    instead of walking the stepper that makes a new account."""

    def __init__(self) -> None:
        super().__init__("This invitation is for an existing reseller account: sign in to review and sign it.")


class ValidationFailed(DomainError):
    """One or more fields are wrong; ``errors`` maps each field name to its message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


class StepIncomplete(DomainError):
    """A later step was attempted before an earlier one was saved."""

    def __init__(self, step: int) -> None:
        super().__init__(f"Step {step} is not complete yet.")
        self.step = step


class AuthenticationFailed(DomainError):
    def __init__(self) -> None:
        super().__init__("The email or password is incorrect.")


class NotFound(DomainError):
    """A named object (a distributor, an account) does not exist."""


class Forbidden(DomainError):
    """The signed-in user may not do this (a reseller on a distributor page, another distributor's data)."""

    def __init__(self, message: str = "You do not have access to this.") -> None:
        super().__init__(message)


class SignedOut(DomainError):
    """The browser's session has ended (signed out elsewhere) or its user may no longer act."""

    def __init__(self) -> None:
        super().__init__("You have been signed out. Sign in again to continue.")


class InvalidState(DomainError):
    """The action does not apply to the object as it is now (revoking an activated invitation, ...)."""


class SetPasswordLinkProblem(DomainError):
    """A set-password link that cannot be used: unknown, expired or already used. ``distributor_name``: who
    created the account, for a link that exists."""

    def __init__(self, message: str, distributor_name: str | None = None) -> None:
        super().__init__(message)
        self.distributor_name = distributor_name


class Conflict(DomainError):
    """The action met data saved meanwhile that it may not overwrite or repeat (a rule the database holds to
    refused it, or another action made the same change at the same moment); reloading shows what is saved now."""

    def __init__(
        self,
        message: str = "This changed in the meantime, so nothing was saved. Reload the page and try again.",
        *,
        constraints: list[str] | None = None,
    ) -> None:
        super().__init__(message)
        self.constraints = constraints or []  # what the database said was violated, for the logs


class CatalogImportRefused(DomainError):
    """A catalog CSV file with bad rows: nothing of it was imported. ``problems``: (line number, message) for each
    bad row found (the first ones, when there are many); ``total``: how many were found."""

    def __init__(self, problems: list[tuple[int, str]], *, total: int | None = None) -> None:
        count = total if total is not None else len(problems)
        super().__init__(f"Nothing was imported: {count} problem{'s' if count != 1 else ''} in the file.")
        self.problems = problems
        self.total = count


class AlreadyDone(DomainError):
    """The request was done already (its dialog's key is recorded): a double click or a retry did nothing."""

    def __init__(self, object_id: str | None = None) -> None:
        super().__init__("This was done already; nothing was done twice.")
        self.object_id = object_id


class Unavailable(DomainError):
    """The portal could not run the action now (its database cannot be written or is busy); nothing was changed
    and trying again later may work."""


class CannotSave(Unavailable):
    def __init__(self) -> None:
        super().__init__("The portal cannot save right now, so nothing was changed. Please try again later.")


class Busy(Unavailable):
    def __init__(self) -> None:
        super().__init__("The portal is too busy to save this right now. Please try again in a moment.")


class FieldErrors:
    """Collects what is wrong with several fields, so that one :class:`ValidationFailed` names them all."""

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def check(self, clean: Callable[..., T], *args: Any) -> T | None:
        """``clean(*args)``, or ``None`` with its field error kept."""
        try:
            return clean(*args)
        except ValidationFailed as failure:
            self.errors.update(failure.errors)
            return None

    def add(self, field: str, message: str) -> None:
        self.errors[field] = message

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationFailed(self.errors)

"""Signing in, and what a signed-in reseller sees of its own account."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from data.models import Account, Agreement, AgreementVersion, Contract, ContractStatus, User, UserStatus
from services import audit, throttle
from services.errors import AuthenticationFailed, FieldErrors, NotFound, ValidationFailed
from services.rules import check_password, clean_email, clean_full_name, is_storable
from services.security import hash_password, verify_password
from services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class SignedInUser:
    """Who is signed in: stored in the browser session by ID only."""

    user_id: str
    account_id: str
    account_kind: str
    full_name: str
    session_version: int = 0  # the user's when this session signed in (a newer password signs it out)


@dataclass(frozen=True)
class ContractSummary:
    contract_id: str
    status: str
    distributor_name: str
    agreement_title: str
    agreement_version: int
    signed_at: datetime | None


@dataclass(frozen=True)
class PortalView:
    """The reseller portal's home: the company, the user and the signed service contract(s)."""

    company_name: str
    account_id: str
    user_full_name: str
    user_email: str
    contracts: list[ContractSummary]

    @property
    def has_active_contract(self) -> bool:
        """Whether the reseller may use reseller features (it has a signed, not terminated, contract)."""
        return any(contract.status == "active" for contract in self.contracts)


def authenticate(
    uow: UnitOfWork,
    email: str,
    password: str,
    *,
    client_address: str | None = None,
    limits: throttle.Limits | None = None,
) -> SignedInUser:
    """Check an email and password. The answer and its timing are the same whether or not the email exists.
    Failures count per account and per client address; past the limits, :class:`TooManyAttempts`."""
    key = email.strip().lower() if isinstance(email, str) else ""  # a browser may send anything
    password = password if isinstance(password, str) else ""
    missing = FieldErrors()
    if not key:
        missing.add("email", "Enter your email address.")
    if not password:
        missing.add("password", "Enter your password.")
    missing.raise_if_any()  # nothing to check: not an attempt, not counted
    if not is_storable(key):
        key = key.encode("utf-8", "replace").decode("utf-8")  # cannot match a user; still counted and verified
    limits = limits or throttle.current_limits()
    keys = {
        throttle.account_key(key): limits.sign_in_failures_per_account,
        throttle.address_key(client_address): limits.sign_in_failures_per_address,
    }
    with uow.read():
        throttle.check(uow.session, throttle.SIGN_IN, keys, limits=limits)
        user = uow.session.exec(select(User).where(User.email == key)).first() if key else None
        account = uow.session.get(Account, user.account_id) if user else None
    valid = verify_password(password or "", user.password_hash if user else None)  # outside any transaction
    ok = user is not None and valid and user.status == UserStatus.ACTIVE
    with uow.write():
        audit.record(
            uow.session,
            actor=user.id if user else "anonymous",
            action="auth.sign_in" if ok else "auth.sign_in_failed",
            object_type="user",
            object_id=user.id if user else "-",
            client_address=client_address,
        )
        if ok:
            throttle.clear(uow.session, throttle.SIGN_IN, throttle.account_key(key))
        else:
            throttle.record_failure(uow.session, throttle.SIGN_IN, list(keys))
        uow.commit()
    if not ok or user is None or account is None:
        raise AuthenticationFailed()
    return _signed_in(user, account)


def _signed_in(user: User, account: Account) -> SignedInUser:
    return SignedInUser(
        user_id=user.id,
        account_id=account.id,
        account_kind=account.kind,
        full_name=user.full_name,
        session_version=user.session_version,
    )


def signed_in_user(uow: UnitOfWork, user_id: str, session_version: int | None = None) -> SignedInUser | None:
    """The user behind a session's user ID, if that user still exists and is active, and (given the version the
    session signed in under) its password has not changed since."""
    with uow.read():
        user = uow.session.get(User, user_id) if isinstance(user_id, str) and is_storable(user_id) else None
        if user is None or user.status != UserStatus.ACTIVE:
            return None
        if session_version is not None and session_version != user.session_version:
            return None  # signed out by a newer password
        account = uow.session.get(Account, user.account_id)
    assert account is not None
    return _signed_in(user, account)


def portal_view(uow: UnitOfWork, user_id: str) -> PortalView:
    """The reseller portal's home for a user."""
    with uow.read():
        return _portal_view(uow.session, user_id)


def _portal_view(session: Session, user_id: str) -> PortalView:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    account = session.get(Account, user.account_id)
    assert account is not None
    rows = session.exec(
        select(Contract, AgreementVersion, Agreement, Account)
        .join(AgreementVersion, col(AgreementVersion.id) == col(Contract.agreement_version_id))
        .join(Agreement, col(Agreement.id) == col(AgreementVersion.agreement_id))
        .join(Account, col(Account.id) == col(Contract.distributor_id))
        .where(
            Contract.reseller_account_id == account.id,
            col(Contract.status).in_([ContractStatus.ACTIVE, ContractStatus.TERMINATED]),
        )
        .order_by(col(Contract.signed_at).desc())
    ).all()
    contracts = [
        ContractSummary(
            contract_id=contract.id,
            status=contract.status,
            distributor_name=distributor.name,
            agreement_title=agreement.title,
            agreement_version=version.version,
            signed_at=contract.signed_at,
        )
        for contract, version, agreement, distributor in rows
    ]
    return PortalView(
        company_name=account.name,
        account_id=account.id,
        user_full_name=user.full_name,
        user_email=user.email,
        contracts=contracts,
    )


@dataclass(frozen=True)
class DistributorAdmin:
    """The result of :func:`create_distributor_user`."""

    distributor_id: str
    distributor_name: str
    distributor_created: bool
    user_id: str
    email: str


def create_distributor_user(
    uow: UnitOfWork,
    distributor_name: str,
    *,
    email: str,
    password: str,
    full_name: str | None = None,
    actor: str = "operator",
) -> DistributorAdmin:
    """A user for a distributor (created, with the stock service agreement, when it does not exist yet).
    The password follows the same policy as a reseller's and is stored as an argon2id hash."""
    from services.distributor.agreements import add_distributor, clean_distributor_name

    name = clean_distributor_name(distributor_name)
    cleaned_email = clean_email(email)
    cleaned_full_name = clean_full_name(full_name or f"{name} administrator")
    check_password(password, cleaned_email)
    password_hash = hash_password(password)  # before the write lock is taken
    email_taken = ValidationFailed({"email": "This email cannot be used: it already belongs to a user."})
    with uow.write(conflicts={"user.email": email_taken}):
        session = uow.session
        if session.exec(select(User.id).where(User.email == cleaned_email)).first() is not None:
            raise email_taken
        setup = add_distributor(session, name, actor=actor)
        user = User(
            account_id=setup.distributor.id,
            email=cleaned_email,
            full_name=cleaned_full_name,
            password_hash=password_hash,
        )
        session.add(user)
        audit.record(session, actor=actor, action="user.created", object_type="user", object_id=user.id)
        uow.commit()
    return DistributorAdmin(setup.distributor.id, setup.distributor.name, setup.created, user.id, user.email)

"""Signing in, and what a signed-in reseller sees of its own account."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from data.models import Account, Agreement, AgreementVersion, Contract, ContractStatus, User, UserStatus
from services import audit, throttle
from services.actors import SignedInUser
from services.distributor.agreements import add_distributor, clean_distributor_name
from services.errors import AuthenticationFailed, FieldErrors, NotFound, ValidationFailed
from services.rules import check_password, clean_email, clean_full_name, is_storable
from services.security import hash_password, verify_password
from services.unit_of_work import UnitOfWork


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


def _sign_in_email(email: object) -> str:
    """The email as accounts store it (:func:`~services.rules.clean_email`: one Unicode form, the domain as typed
    or as punycode, which is what a browser's email field sends for a non-ASCII domain), so that everyone who
    could activate can sign in. Text that is no valid email cannot match a user; it is still looked up, counted
    and verified, so that its answer and timing are those of any other failure."""
    key = email.strip().lower() if isinstance(email, str) else ""  # a browser may send anything
    try:
        return clean_email(key) if key else key
    except ValidationFailed:
        return key


def authenticate(
    uow: UnitOfWork,
    email: str,
    password: str,
    *,
    client_address: str | None = None,
    limits: throttle.Limits | None = None,
) -> SignedInUser:
    """Check an email and password. The answer and its timing are the same whether or not the email exists.
    Failures count per account and address, per account and per address (:mod:`services.throttle`); past a
    limit, :class:`TooManyAttempts`."""
    key = _sign_in_email(email)
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
        throttle.account_address_key(key, client_address): limits.sign_in_failures_per_account,
        throttle.account_key(key): limits.sign_in_failures_per_account_everywhere,
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
            throttle.clear(uow.session, throttle.SIGN_IN, throttle.account_address_key(key, client_address))
        else:
            throttle.record_failure(uow.session, throttle.SIGN_IN, list(keys))
        uow.commit()
    if not ok or user is None or account is None:
        raise AuthenticationFailed()
    return SignedInUser(user.id, account.id, account.kind, user.full_name, user.session_version)


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

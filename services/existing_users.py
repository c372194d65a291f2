"""Whom an email belongs to already, and why an invitation or a reseller account for it could never be completed:
said to the distributor when it is created, not to the reseller at step 1. Judged only from what this distributor
may know (its own users and its partners' users): whether an email belongs to another tenant's user is never
told to a distributor; that is settled with the email's owner, at step 1 or on the set-password link."""

from __future__ import annotations

from sqlmodel import Session, select

from data.models import Account, Contract, ContractStatus, User


def email_problem(session: Session, distributor_id: str, email: str) -> str | None:
    """What the distributor can do instead, when ``email`` belongs to one of its own users or its partners' users;
    otherwise ``None``."""
    user = session.exec(select(User).where(User.email == email)).first()
    if user is None:
        return None
    if user.account_id == distributor_id:
        return "This email already belongs to one of your users or your partners' users."
    account = session.get(Account, user.account_id)
    assert account is not None  # guaranteed by the foreign key
    statuses = set(
        session.exec(
            select(Contract.status).where(
                Contract.distributor_id == distributor_id, Contract.reseller_account_id == account.id
            )
        ).all()
    )
    if ContractStatus.ACTIVE in statuses:
        return f"{email} belongs to a user of {account.name}, which is your partner already."
    if ContractStatus.PENDING in statuses:
        return f"{email} belongs to a user of {account.name}, which has a contract from you waiting to be signed."
    if ContractStatus.TERMINATED in statuses:
        return (
            f"{email} belongs to a user of {account.name}, a partner you removed, so a new invitation could never "
            "be completed. Offer them a new contract from their page in Partners."
        )
    return None

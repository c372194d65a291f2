"""Distributors and their service agreements."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

from sqlmodel import Session, col, select

from data.db import begin_write
from data.models import Account, AccountKind, Agreement, AgreementVersion
from services import audit
from services.errors import NotFound, ValidationFailed
from services.rules import NAME_MAX
from services.security import text_sha256


@dataclass(frozen=True)
class DistributorSetup:
    """The result of :func:`ensure_distributor`."""

    distributor: Account
    created: bool


def stock_agreement_text(distributor_name: str) -> str:
    """The stock reseller service agreement (Markdown) for a distributor."""
    template = resources.files("services").joinpath("stock_agreement.md").read_text(encoding="utf-8")
    return template.replace("{distributor}", distributor_name)


def find_distributor(session: Session, name: str) -> Account | None:
    """The distributor with exactly this name, if any."""
    statement = select(Account).where(Account.kind == AccountKind.DISTRIBUTOR, Account.name == name.strip())
    return session.exec(statement).first()


def get_distributor(session: Session, name: str) -> Account:
    """The distributor with this name, or :class:`NotFound`."""
    distributor = find_distributor(session, name)
    if distributor is None:
        raise NotFound(f"No distributor is named {name!r}.")
    return distributor


def ensure_distributor(session: Session, name: str, *, actor: str = "operator") -> DistributorSetup:
    """The distributor called ``name``; created, with the stock service agreement published as version 1,
    when it does not exist yet."""
    cleaned = " ".join(name.split())
    if not cleaned or len(cleaned) > NAME_MAX:
        raise ValidationFailed({"distributor": f"A distributor name has 1 to {NAME_MAX} characters."})
    begin_write(session)
    existing = find_distributor(session, cleaned)
    if existing is not None:
        return DistributorSetup(existing, created=False)
    distributor = Account(kind=AccountKind.DISTRIBUTOR, name=cleaned)
    agreement = Agreement(distributor_id=distributor.id, title=f"{cleaned} Reseller Service Agreement")
    text = stock_agreement_text(cleaned)
    version = AgreementVersion(
        agreement_id=agreement.id, version=1, text=text, text_sha256=text_sha256(text), is_active=True
    )
    session.add(distributor)
    session.flush()
    session.add(agreement)
    session.flush()
    session.add(version)
    audit.record(session, actor=actor, action="account.created", object_type="account", object_id=distributor.id)
    audit.record(
        session,
        actor=actor,
        action="agreement.published",
        object_type="agreement",
        object_id=agreement.id,
        version=1,
    )
    session.commit()
    return DistributorSetup(distributor, created=True)


def active_version_for(session: Session, distributor_id: str) -> AgreementVersion:
    """The active version of the distributor's newest service agreement, for new signees."""
    statement = (
        select(AgreementVersion)
        .join(Agreement, col(Agreement.id) == col(AgreementVersion.agreement_id))
        .where(Agreement.distributor_id == distributor_id, col(AgreementVersion.is_active).is_(True))
        .order_by(col(Agreement.created_at).desc())
    )
    version = session.exec(statement).first()
    if version is None:
        raise NotFound("This distributor has no published service agreement.")
    return version

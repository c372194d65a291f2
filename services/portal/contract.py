"""**Your contract**: the reseller's service contract exactly as signed (the agreement's text, version and SHA-256,
who signed, when and from where), how it ended if it was terminated, and the same as a file to keep. The one
portal page a terminated reseller still reaches."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select

from data.models import Account, Agreement, AgreementVersion, Contract, ContractStatus, ContractTermination, User
from services import audit
from services.actors import SignedInUser
from services.errors import NotFound
from services.portal.access import reseller_account
from services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class SignedContract:
    """A reseller's signed service contract and its acceptance evidence."""

    contract_id: str
    status: str
    company_name: str
    distributor_name: str
    agreement_title: str
    agreement_version: int
    agreement_text: str
    agreement_sha256: str  # the version's text, as published
    accepted_sha256: str | None  # what the signee's browser was shown and accepted
    signee_name: str | None
    signee_email: str | None
    signed_at: datetime | None
    accepted_at: datetime | None
    client_address: str | None
    user_agent: str | None
    terminated_at: datetime | None
    termination_reason: str | None

    @property
    def active(self) -> bool:
        return self.status == ContractStatus.ACTIVE.value

    @property
    def file_name(self) -> str:
        return f"{self.contract_id}-service-contract.md"


def my_contract(uow: UnitOfWork, actor: SignedInUser) -> SignedContract:
    """The actor's account's service contract: the active one, else the last one terminated."""
    account_id = reseller_account(actor)
    with uow.read():
        rows = uow.session.exec(
            select(Contract, AgreementVersion, Agreement, Account)
            .join(AgreementVersion, col(AgreementVersion.id) == col(Contract.agreement_version_id))
            .join(Agreement, col(Agreement.id) == col(AgreementVersion.agreement_id))
            .join(Account, col(Account.id) == col(Contract.distributor_id))
            .where(
                col(Contract.reseller_account_id) == account_id,
                col(Contract.status).in_([ContractStatus.ACTIVE, ContractStatus.TERMINATED]),
            )
            .order_by(col(Contract.signed_at).desc())
        ).all()
        if not rows:
            raise NotFound("Your company has no signed service contract.")
        contract, version, agreement, distributor = next(
            (row for row in rows if row[0].status == ContractStatus.ACTIVE), rows[0]
        )
        company = uow.session.get(Account, account_id)
        signee = uow.session.get(User, contract.signee_user_id) if contract.signee_user_id else None
        termination = uow.session.get(ContractTermination, contract.id)
    assert company is not None
    return SignedContract(
        contract_id=contract.id,
        status=contract.status.value,
        company_name=company.name,
        distributor_name=distributor.name,
        agreement_title=agreement.title,
        agreement_version=version.version,
        agreement_text=version.text,
        agreement_sha256=version.text_sha256,
        accepted_sha256=contract.evidence_text_sha256,
        signee_name=contract.evidence_name or (signee.full_name if signee else None),
        signee_email=contract.evidence_email or (signee.email if signee else None),
        signed_at=contract.signed_at,
        accepted_at=contract.evidence_accepted_at,
        client_address=contract.evidence_client_address,
        user_agent=contract.evidence_user_agent,
        terminated_at=contract.terminated_at,
        termination_reason=termination.reason if termination else None,
    )


def _time(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC") if moment else "—"


def contract_document(uow: UnitOfWork, actor: SignedInUser) -> tuple[str, str]:
    """The signed contract as a Markdown file to keep: the evidence first, then the agreement's text exactly as
    signed (its SHA-256 is the one recorded). Returns (file name, text). The download is audited."""
    contract = my_contract(uow, actor)
    evidence = [
        ("Contract", contract.contract_id),
        ("Status", contract.status),
        ("Reseller", contract.company_name),
        ("Distributor", contract.distributor_name),
        ("Agreement", f"{contract.agreement_title}, version {contract.agreement_version}"),
        ("SHA-256 of the agreement text", contract.agreement_sha256),
        ("SHA-256 of the text accepted", contract.accepted_sha256 or "—"),
        ("Signed by", f"{contract.signee_name or '—'} <{contract.signee_email or '—'}>"),
        ("Accepted at", _time(contract.accepted_at)),
        ("Signed at", _time(contract.signed_at)),
        ("Signed from (client address)", contract.client_address or "—"),
        ("Browser (user agent)", contract.user_agent or "—"),
    ]
    if contract.terminated_at:
        evidence.append(("Terminated at", _time(contract.terminated_at)))
        evidence.append(("Reason for termination", contract.termination_reason or "—"))
    lines = [f"# Service contract {contract.contract_id}", "", "## Evidence recorded at signing", ""]
    lines += [f"- {label}: `{value}`" if "`" not in value else f"- {label}: {value}" for label, value in evidence]
    lines += [
        "",
        "## The agreement as signed",
        "",
        "Everything after the line below is the agreement's text, byte for byte as signed; its SHA-256 is the one "
        "above.",
        "",
        "-----",
        "",
    ]
    document = "\n".join(lines) + contract.agreement_text
    with uow.write():
        audit.record(
            uow.session,
            actor=actor.user_id,
            action="contract.downloaded",
            object_type="contract",
            object_id=contract.contract_id,
        )
        uow.commit()
    return contract.file_name, document

"""The service contract between a distributor and a reseller, with its acceptance evidence."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from data.ids import readable_id
from data.models.types import UTCDateTime, utcnow


class ContractStatus(StrEnum):
    PENDING = "pending"  # activation link issued
    ACTIVE = "active"  # signed
    REJECTED = "rejected"  # the reseller declined
    TERMINATED = "terminated"  # ended by the distributor; kept readable
    WITHDRAWN = "withdrawn"  # a directly created account removed by the distributor before it was signed


class Contract(SQLModel, table=True):
    """A service contract. Created ``pending`` with its invitation; signing fills the signee and evidence."""

    id: str = Field(default_factory=lambda: readable_id("CRD", 4), primary_key=True)
    distributor_id: str = Field(foreign_key="account.id", index=True)
    agreement_version_id: str = Field(foreign_key="agreement_version.id", index=True)
    reseller_account_id: str | None = Field(default=None, foreign_key="account.id", index=True)
    signee_user_id: str | None = Field(default=None, foreign_key="user.id")
    note_to_signee: str | None = Field(default=None, max_length=2000)
    status: ContractStatus = ContractStatus.PENDING
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    signed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    # Acceptance evidence, recorded when the reseller accepts the agreement and signs.
    evidence_text_sha256: str | None = Field(default=None, max_length=64)
    evidence_email: str | None = None
    evidence_name: str | None = None
    evidence_accepted_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    evidence_client_address: str | None = None
    evidence_user_agent: str | None = None
    terminated_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))


TERMINATION_REASON_MAX = 500


class ContractTermination(SQLModel, table=True):
    """Why a distributor terminated a contract, as it told the reseller (contracts terminated before revision 0004
    have none). A table of its own, so that the contract's row keeps the shape every earlier revision gave it."""

    __tablename__ = "contract_termination"

    contract_id: str = Field(foreign_key="contract.id", primary_key=True)
    reason: str = Field(max_length=TERMINATION_REASON_MAX)
    terminated_by: str = Field(foreign_key="user.id")

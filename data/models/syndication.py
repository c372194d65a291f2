"""Chapter 3's enrolments: a reseller's syndication contract for one product on one of its marketplaces, and the
listing that its approval makes."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Index, text
from sqlmodel import Field, SQLModel

from data.ids import readable_id
from data.models.types import UTCDateTime, utcnow

OPEN_CONTRACT = "status IN ('PENDING', 'ACTIVE')"  # SyndicationContractStatus.PENDING / ACTIVE as stored (names)
LISTED = "status = 'LISTED'"  # ListingStatus.LISTED as stored


class SyndicationContractStatus(StrEnum):
    PENDING = "pending"  # the reseller enrolled; the distributor decides
    ACTIVE = "active"  # approved: the product is listed on the marketplace
    REJECTED = "rejected"  # refused by the distributor, with a reason
    TERMINATED = "terminated"  # ended by the distributor after approval: the listing is unlisted


class SyndicationContract(SQLModel, table=True):
    """A reseller's enrolment of one product on one of its marketplaces, accepting the distributor's syndication
    agreement with the same evidence as the service contract. One pending or active contract per product and
    marketplace (``ux_syndication_contract_open``)."""

    __tablename__ = "syndication_contract"
    __table_args__ = (
        Index(
            "ux_syndication_contract_open",
            "product_id",
            "marketplace_id",
            unique=True,
            sqlite_where=text(OPEN_CONTRACT),
            postgresql_where=text(OPEN_CONTRACT),
        ),
        # The distributor's list: its contracts of one status, newest first.
        Index("ix_syndication_contract_desk", "distributor_id", "status", "created_at"),
    )

    id: str = Field(default_factory=lambda: readable_id("CRS", 4), primary_key=True)
    distributor_id: str = Field(foreign_key="account.id")
    reseller_account_id: str = Field(foreign_key="account.id", index=True)
    product_id: str = Field(foreign_key="product.id", index=True)
    marketplace_id: str = Field(foreign_key="marketplace.id", index=True, max_length=20)
    agreement_version_id: str = Field(foreign_key="agreement_version.id")
    signee_user_id: str = Field(foreign_key="user.id")
    status: SyndicationContractStatus = SyndicationContractStatus.PENDING
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    decided_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    decided_by: str | None = Field(default=None, max_length=50)  # the user (or "service contract terminated")
    rejection_reason: str | None = Field(default=None, max_length=2000)
    terminated_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    # Acceptance evidence, as the service contract records it.
    evidence_text_sha256: str = Field(max_length=64)
    evidence_email: str = Field(max_length=320)
    evidence_name: str = Field(max_length=200)
    evidence_accepted_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    evidence_client_address: str | None = None
    evidence_user_agent: str | None = None


class ListingStatus(StrEnum):
    LISTED = "listed"
    UNLISTED = "unlisted"  # its contract was terminated; subscriptions made meanwhile keep running


class Listing(SQLModel, table=True):
    """A product listed on a marketplace, made when its syndication contract is approved."""

    __table_args__ = (
        Index(
            "ux_listing_listed",
            "product_id",
            "marketplace_id",
            unique=True,
            sqlite_where=text(LISTED),
            postgresql_where=text(LISTED),
        ),
    )

    id: str = Field(default_factory=lambda: readable_id("LST"), primary_key=True)
    contract_id: str = Field(foreign_key="syndication_contract.id", unique=True)
    product_id: str = Field(foreign_key="product.id", index=True)
    marketplace_id: str = Field(foreign_key="marketplace.id", index=True, max_length=20)
    status: ListingStatus = ListingStatus.LISTED
    listed_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    unlisted_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))

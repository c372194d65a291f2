"""Chapter 2: a reseller's hubs (the commerce systems it sells from) and marketplaces (its go-to-market channels),
with each marketplace's countries and the hubs it uses."""

from __future__ import annotations

import secrets
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Index, UniqueConstraint, func
from sqlmodel import Field, SQLModel

from data.models.types import UTCDateTime, utcnow

HUB_NAME_MAX = 100
INSTANCE_ID_MAX = 100
MARKETPLACE_NAME_MAX = 100
DESCRIPTION_MAX = 2000
EXTERNAL_ID_MAX = 100


def _digits(count: int) -> str:
    return "".join(str(secrets.randbelow(10)) for _ in range(count))


def new_hub_id() -> str:
    """``HB-1234-5678``."""
    return f"HB-{_digits(4)}-{_digits(4)}"


def new_marketplace_id() -> str:
    """``MP-12345`` (only 100,000 of them: the service checks a new one is free before using it)."""
    return f"MP-{_digits(5)}"


class HubType(StrEnum):
    API = "api"  # the reseller's own system, talking to the portal's API
    COMMERCE_PLATFORM = "commerce_platform"  # a commerce platform (a web shop, a billing system)


class Hub(SQLModel, table=True):
    """A commerce system a reseller sells from. No status; one used by a marketplace cannot be deleted."""

    __table_args__ = (UniqueConstraint("account_id", "instance_id", name="ux_hub_instance_id"),)

    id: str = Field(default_factory=new_hub_id, primary_key=True, max_length=20)
    account_id: str = Field(foreign_key="account.id", index=True)
    name: str = Field(max_length=HUB_NAME_MAX)
    type: HubType
    instance_id: str = Field(max_length=INSTANCE_ID_MAX)  # the hub's identifier on the reseller's side
    description: str | None = Field(default=None, max_length=DESCRIPTION_MAX)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


class Marketplace(SQLModel, table=True):
    """A reseller's go-to-market channel: one currency, one or more countries, one or more hubs."""

    id: str = Field(default_factory=new_marketplace_id, primary_key=True, max_length=20)
    account_id: str = Field(foreign_key="account.id", index=True)
    name: str = Field(max_length=MARKETPLACE_NAME_MAX)
    description: str | None = Field(default=None, max_length=DESCRIPTION_MAX)
    currency: str = Field(max_length=3)  # ISO 4217
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


# One marketplace per name within an account, whatever its case ("EU Store" and "eu store" are one name to people).
Index(
    "ux_marketplace_name",
    Marketplace.__table__.c.account_id,  # type: ignore[attr-defined]
    func.lower(Marketplace.__table__.c.name),  # type: ignore[attr-defined]
    unique=True,
)


class MarketplaceCountry(SQLModel, table=True):
    """A country (ISO 3166 alpha-2) a marketplace sells in."""

    __tablename__ = "marketplace_country"

    marketplace_id: str = Field(foreign_key="marketplace.id", primary_key=True, max_length=20)
    country: str = Field(primary_key=True, max_length=2)


class MarketplaceHub(SQLModel, table=True):
    """A hub a marketplace uses, with the reseller's own account ID in that hub's system."""

    __tablename__ = "marketplace_hub"

    marketplace_id: str = Field(foreign_key="marketplace.id", primary_key=True, max_length=20)
    hub_id: str = Field(foreign_key="hub.id", primary_key=True, index=True, max_length=20)
    external_id: str = Field(max_length=EXTERNAL_ID_MAX)  # the tier account external ID

"""Chapter 4: a reseller's customers (tier accounts), for whom it orders subscriptions."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Index, func
from sqlmodel import Field, SQLModel

from data.ids import readable_id
from data.models.types import UTCDateTime, utcnow

COMPANY_NAME_MAX = 200
EXTERNAL_ID_MAX = 100
TAX_ID_MAX = 50
ADDRESS_LINE_MAX = 200
CITY_MAX = 100
STATE_MAX = 100
POSTAL_CODE_MAX = 20
PERSON_NAME_MAX = 100
EMAIL_MAX = 254
PHONE_MAX = 16  # E.164: "+" and at most 15 digits


def new_customer_id() -> str:
    """``TA-1234-5678-9012``."""
    return readable_id("TA", 3, digits=4)


class CustomerStatus(StrEnum):
    ACTIVE = "active"
    DECOMMISSIONED = "decommissioned"  # gets no new subscriptions; its existing ones are unaffected


class Customer(SQLModel, table=True):
    """A reseller's customer: its company, its address and its technical contact. The External ID is the
    reseller's own ID for it, unique within the reseller whatever its case (``ux_customer_external_id``)."""

    id: str = Field(default_factory=new_customer_id, primary_key=True, max_length=20)
    account_id: str = Field(foreign_key="account.id")  # the reseller that owns it (indexed by the two below)
    company_name: str = Field(max_length=COMPANY_NAME_MAX)
    external_id: str | None = Field(default=None, max_length=EXTERNAL_ID_MAX)
    tax_id: str | None = Field(default=None, max_length=TAX_ID_MAX)
    address_line1: str = Field(max_length=ADDRESS_LINE_MAX)
    address_line2: str | None = Field(default=None, max_length=ADDRESS_LINE_MAX)
    city: str = Field(max_length=CITY_MAX)
    state: str | None = Field(default=None, max_length=STATE_MAX)
    postal_code: str = Field(max_length=POSTAL_CODE_MAX)
    country: str = Field(max_length=2)  # ISO 3166-1 alpha-2
    contact_first_name: str | None = Field(default=None, max_length=PERSON_NAME_MAX)
    contact_last_name: str | None = Field(default=None, max_length=PERSON_NAME_MAX)
    contact_email: str = Field(max_length=EMAIL_MAX)  # lower-cased
    contact_phone: str | None = Field(default=None, max_length=PHONE_MAX)  # E.164, "+14155550123"
    status: CustomerStatus = Field(default=CustomerStatus.ACTIVE)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    decommissioned_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))


_customer = Customer.__table__  # type: ignore[attr-defined]
# One customer per External ID within a reseller, whatever its case ("ACME-1" and "acme-1" are one ID to people);
# customers without one do not collide (NULLs are distinct in a unique index on both databases).
Index("ux_customer_external_id", _customer.c.account_id, func.lower(_customer.c.external_id), unique=True)
# The directory: a reseller's customers newest first, of one status or all.
Index("ix_customer_directory", _customer.c.account_id, _customer.c.status, _customer.c.created_at)

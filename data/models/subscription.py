"""Chapter 4: subscriptions (a customer's order of a listed product on a marketplace), their items, and the
fulfilment requests that ask the distributor to purchase, change, suspend, resume or cancel them.

The statuses and which moves between them are allowed are the business's rules: they live in one table in
``services/fulfilment.py``. The database holds to the one rule that racing actions could break: at most one
open (pending or inquiring) request per subscription (``ux_fulfilment_request_open``)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import CheckConstraint, Column, Index, Numeric, func, text
from sqlmodel import Field, SQLModel

from data.ids import readable_id
from data.models.types import UTCDateTime, stored, utcnow

# Money: NUMERIC(14, 4), never a float: at most 4 decimal places and below 10^10, so that SQLite (which keeps
# NUMERIC as a 64-bit float) returns exactly the decimal that was stored. Totals are refused beyond it.
MONEY = Numeric(14, 4, asdecimal=True)
MONEY_LIMIT = Decimal("10000000000")
EXTERNAL_ID_MAX = 100
TEXT_MAX = 2000  # a question, an answer, a message or a reason
QUANTITY_MAX = 1_000_000


def new_subscription_id() -> str:
    """``AS-1234-5678-9012``."""
    return readable_id("AS", 3, digits=4)


def request_id(subscription_id: str, sequence: int) -> str:
    """``PR-1234-5678-9012-001``: the subscription's number and the request's sequence number within it."""
    return f"PR-{subscription_id.removeprefix('AS-')}-{sequence:03d}"


class SubscriptionStatus(StrEnum):
    PROCESSING = "processing"  # its purchase request is open
    ACTIVE = "active"
    SUSPENDED = "suspended"
    TERMINATING = "terminating"  # its cancel request is open
    TERMINATED = "terminated"  # cancelled, or its purchase failed


class RequestType(StrEnum):
    PURCHASE = "purchase"
    CHANGE = "change"  # new quantities
    SUSPEND = "suspend"
    RESUME = "resume"
    CANCEL = "cancel"


class RequestStatus(StrEnum):
    PENDING = "pending"  # with the distributor
    INQUIRING = "inquiring"  # the distributor asked a question; with the reseller
    APPROVED = "approved"
    FAILED = "failed"


OPEN_REQUEST_STATUSES = (RequestStatus.PENDING, RequestStatus.INQUIRING)
_OPEN = f"status IN ('{stored(RequestStatus.PENDING)}', '{stored(RequestStatus.INQUIRING)}')"  # as stored (names)


class Subscription(SQLModel, table=True):
    """A customer's subscription to a product listed on one of the reseller's marketplaces. Its totals are per
    billing period, in the marketplace's currency, from the prices the items had when ordered."""

    __table_args__ = (
        CheckConstraint("cost_total >= 0 AND msrp_total >= 0", name="ck_subscription_totals"),
        Index("ix_subscription_reseller_created", "reseller_id", "created_at"),
        Index("ix_subscription_reseller_status", "reseller_id", "status", "created_at"),
    )

    id: str = Field(default_factory=new_subscription_id, primary_key=True, max_length=20)
    reseller_id: str = Field(foreign_key="account.id")
    distributor_id: str = Field(foreign_key="account.id", index=True)  # who fulfils it
    customer_id: str = Field(foreign_key="customer.id", index=True, max_length=20)
    marketplace_id: str = Field(max_length=20, index=True)
    product_id: str = Field(max_length=40, index=True)
    external_id: str | None = Field(default=None, max_length=EXTERNAL_ID_MAX)
    billing_period: str = Field(max_length=20)
    currency: str = Field(max_length=3)
    cost_total: Decimal = Field(sa_column=Column(MONEY, nullable=False))
    msrp_total: Decimal = Field(sa_column=Column(MONEY, nullable=False))
    status: SubscriptionStatus = Field(default=SubscriptionStatus.PROCESSING)
    requests_made: int = 0  # the last request's sequence number: the next one's is one more, never reused
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


_subscription = Subscription.__table__  # type: ignore[attr-defined]
# A subscription found by its External ID (whatever its case) among a reseller's.
Index("ix_subscription_external_id", _subscription.c.reseller_id, func.lower(_subscription.c.external_id))


class SubscriptionItem(SQLModel, table=True):
    """An item of a subscription with its quantity (0: offered but not ordered) and its price when ordered."""

    __tablename__ = "subscription_item"
    __table_args__ = (
        CheckConstraint("quantity >= 0", name="ck_subscription_item_quantity"),
        CheckConstraint("unit_cost >= 0 AND unit_msrp >= 0", name="ck_subscription_item_prices"),
    )

    subscription_id: str = Field(foreign_key="subscription.id", primary_key=True, max_length=20)
    item_id: str = Field(primary_key=True, max_length=40)
    quantity: int
    unit_cost: Decimal = Field(sa_column=Column(MONEY, nullable=False))
    unit_msrp: Decimal = Field(sa_column=Column(MONEY, nullable=False))


class FulfilmentRequest(SQLModel, table=True):
    """A request to the distributor about a subscription. ``question`` and ``answer`` are the last inquiry and
    the reseller's answer to it (every one is in the audit log); ``message`` goes with an approval, ``reason``
    with a failure."""

    __tablename__ = "fulfilment_request"
    __table_args__ = (
        # At most one open request per subscription: two racing orders of "Suspend" and "Cancel" make one.
        Index(
            "ux_fulfilment_request_open",
            "subscription_id",
            unique=True,
            sqlite_where=text(_OPEN),
            postgresql_where=text(_OPEN),
        ),
        # The distributor's queue, oldest first: all its requests, of one status, of one type.
        Index("ix_fulfilment_request_desk", "distributor_id", "created_at"),
        Index("ix_fulfilment_request_queue", "distributor_id", "status", "created_at"),
        Index("ix_fulfilment_request_type", "distributor_id", "type", "created_at"),
    )

    id: str = Field(primary_key=True, max_length=30)
    subscription_id: str = Field(foreign_key="subscription.id", index=True, max_length=20)
    distributor_id: str = Field(foreign_key="account.id")
    reseller_id: str = Field(foreign_key="account.id", index=True)
    type: RequestType
    status: RequestStatus = Field(default=RequestStatus.PENDING)
    question: str | None = Field(default=None, max_length=TEXT_MAX)
    answer: str | None = Field(default=None, max_length=TEXT_MAX)
    message: str | None = Field(default=None, max_length=TEXT_MAX)
    reason: str | None = Field(default=None, max_length=TEXT_MAX)
    created_by: str = Field(foreign_key="user.id")
    decided_by: str | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    decided_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))


class RequestItem(SQLModel, table=True):
    """A change request's quantities: the new ones it asks for, and the old ones it replaces (kept after
    approval, so the history shows what changed)."""

    __tablename__ = "fulfilment_request_item"
    __table_args__ = (CheckConstraint("old_quantity >= 0 AND new_quantity >= 0", name="ck_request_item_quantity"),)

    request_id: str = Field(foreign_key="fulfilment_request.id", primary_key=True, max_length=30)
    item_id: str = Field(primary_key=True, max_length=40)
    old_quantity: int
    new_quantity: int

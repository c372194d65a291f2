"""A distributor's catalog: products, their items (SKUs) and each item's price per currency."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import CheckConstraint, Column, Index, Numeric, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from data.ids import readable_id
from data.models.types import UTCDateTime, utcnow

# Money: NUMERIC(14, 4), never a float. At most 4 decimal places and below 10^10, so that SQLite (which keeps
# NUMERIC as a 64-bit float, read back rounded to 4 places) returns exactly the decimal that was stored.
MONEY = Numeric(14, 4, asdecimal=True)


class ProductStatus(StrEnum):
    DRAFT = "draft"  # being written; resellers do not see it
    PUBLISHED = "published"  # in the resellers' catalog
    END_OF_SALE = "end_of_sale"  # no longer offered; kept for what was sold


class BillingPeriod(StrEnum):
    MONTHLY = "monthly"
    YEARLY = "yearly"
    ONE_TIME = "one_time"


class Product(SQLModel, table=True):
    """A product a distributor offers to its resellers. Its name is unique within the distributor (the CSV
    import finds a product by it)."""

    __table_args__ = (
        UniqueConstraint("distributor_id", "name", name="ux_product_name"),
        # Lists walk a distributor's products by category and name (bench/catalog.py).
        Index("ix_product_distributor_category_name", "distributor_id", "category", "name"),
    )

    id: str = Field(default_factory=lambda: readable_id("PRD"), primary_key=True)
    distributor_id: str = Field(foreign_key="account.id")
    name: str = Field(max_length=200)
    category: str = Field(max_length=100)
    short_description: str = Field(max_length=300)
    description: str = Field(sa_column=Column(Text, nullable=False))  # Markdown
    status: ProductStatus = Field(default=ProductStatus.DRAFT, index=True)
    items_added: int = 0  # the items ever added: the next item's number, never reused
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


class Item(SQLModel, table=True):
    """An item (SKU) of a product, ``PRD-123-456-789-0001``; its MPN is unique within the product."""

    __table_args__ = (UniqueConstraint("product_id", "mpn", name="ux_item_mpn"),)

    id: str = Field(primary_key=True, max_length=40)
    product_id: str = Field(foreign_key="product.id", index=True)
    mpn: str = Field(max_length=100)
    name: str = Field(max_length=200)
    billing_period: BillingPeriod
    unit: str = Field(max_length=50)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


class ItemPrice(SQLModel, table=True):
    """What an item costs the reseller and its suggested retail price (MSRP), in one ISO 4217 currency; one
    price per item and currency, cost never above MSRP (both held by the database too)."""

    __tablename__ = "item_price"
    __table_args__ = (
        UniqueConstraint("item_id", "currency", name="ux_item_price_currency"),
        CheckConstraint("cost >= 0 AND cost <= msrp", name="ck_item_price_cost_within_msrp"),
        Index("ix_item_price_currency", "currency"),
    )

    id: int | None = Field(default=None, primary_key=True)
    item_id: str = Field(foreign_key="item.id", index=True, max_length=40)
    currency: str = Field(max_length=3)
    cost: Decimal = Field(sa_column=Column(MONEY, nullable=False))
    msrp: Decimal = Field(sa_column=Column(MONEY, nullable=False))

"""The catalog (chapter 3): a distributor's products, their items and prices. (A syndication agreement is an
agreement whose ID starts ``SYN-``: it needs no schema change.)

- ``product``: name unique within the distributor (``ux_product_name``), status draft → published → end of sale.
- ``item``: MPN unique within its product (``ux_item_mpn``); its ID is the product's and a sequence number.
- ``item_price``: one price per item and currency (``ux_item_price_currency``); cost and MSRP as NUMERIC(14, 4),
  cost never above MSRP (``ck_item_price_cost_within_msrp``).

Revision ID: 0005
Revises: 0004
Created: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "product",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("distributor_id", sa.String(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("category", sa.String(length=100), nullable=False),
        sa.Column("short_description", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.Enum("DRAFT", "PUBLISHED", "END_OF_SALE", name="productstatus"), nullable=False),
        sa.Column("items_added", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["distributor_id"], ["account.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("distributor_id", "name", name="ux_product_name"),
    )
    op.create_index(
        "ix_product_distributor_category_name", "product", ["distributor_id", "category", "name"], unique=False
    )
    op.create_index("ix_product_status", "product", ["status"], unique=False)
    op.create_table(
        "item",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("product_id", sa.String(), nullable=False),
        sa.Column("mpn", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("billing_period", sa.Enum("MONTHLY", "YEARLY", "ONE_TIME", name="billingperiod"), nullable=False),
        sa.Column("unit", sa.String(length=50), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["product_id"], ["product.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("product_id", "mpn", name="ux_item_mpn"),
    )
    op.create_index("ix_item_product_id", "item", ["product_id"], unique=False)
    op.create_table(
        "item_price",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.String(length=40), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("cost", sa.Numeric(precision=14, scale=4), nullable=False),
        sa.Column("msrp", sa.Numeric(precision=14, scale=4), nullable=False),
        sa.CheckConstraint("cost >= 0 AND cost <= msrp", name="ck_item_price_cost_within_msrp"),
        sa.ForeignKeyConstraint(["item_id"], ["item.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("item_id", "currency", name="ux_item_price_currency"),
    )
    op.create_index("ix_item_price_currency", "item_price", ["currency"], unique=False)
    op.create_index("ix_item_price_item_id", "item_price", ["item_id"], unique=False)


def downgrade() -> None:
    raise NotImplementedError("not undone: restore a backup taken before the upgrade instead")

"""The catalog (chapter 3): a distributor's products, their items and prices. (A syndication agreement is an
agreement whose ID starts ``SYN-``: it needs no schema change.)

- ``product``: name unique within the distributor (``ux_product_name``), status draft → published → end of sale.
- ``item``: MPN unique within its product (``ux_item_mpn``); its ID is the product's and a sequence number.
- ``syndication_contract``: a reseller's enrolment of a product on one of its marketplaces, with its acceptance
  evidence; one pending or active per product and marketplace (``ux_syndication_contract_open``).
- ``listing``: what an approved contract lists; one listed per product and marketplace (``ux_listing_listed``).
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
    op.create_table(
        "syndication_contract",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("distributor_id", sa.String(), nullable=False),
        sa.Column("reseller_account_id", sa.String(), nullable=False),
        sa.Column("product_id", sa.String(), nullable=False),
        sa.Column("marketplace_id", sa.String(length=20), nullable=False),
        sa.Column("agreement_version_id", sa.String(), nullable=False),
        sa.Column("signee_user_id", sa.String(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("PENDING", "ACTIVE", "REJECTED", "TERMINATED", name="syndicationcontractstatus"),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decided_by", sa.String(length=50), nullable=True),
        sa.Column("rejection_reason", sa.String(length=2000), nullable=True),
        sa.Column("terminated_at", sa.DateTime(), nullable=True),
        sa.Column("evidence_text_sha256", sa.String(length=64), nullable=False),
        sa.Column("evidence_email", sa.String(length=320), nullable=False),
        sa.Column("evidence_name", sa.String(length=200), nullable=False),
        sa.Column("evidence_accepted_at", sa.DateTime(), nullable=False),
        sa.Column("evidence_client_address", sa.String(), nullable=True),
        sa.Column("evidence_user_agent", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(
            ["agreement_version_id"],
            ["agreement_version.id"],
        ),
        sa.ForeignKeyConstraint(
            ["distributor_id"],
            ["account.id"],
        ),
        sa.ForeignKeyConstraint(
            ["marketplace_id"],
            ["marketplace.id"],
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["product.id"],
        ),
        sa.ForeignKeyConstraint(
            ["reseller_account_id"],
            ["account.id"],
        ),
        sa.ForeignKeyConstraint(
            ["signee_user_id"],
            ["user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("syndication_contract", schema=None) as batch_op:
        batch_op.create_index("ix_syndication_contract_desk", ["distributor_id", "status", "created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_syndication_contract_marketplace_id"), ["marketplace_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_syndication_contract_product_id"), ["product_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_syndication_contract_reseller_account_id"), ["reseller_account_id"], unique=False
        )
        batch_op.create_index(
            "ux_syndication_contract_open",
            ["product_id", "marketplace_id"],
            unique=True,
            sqlite_where=sa.text("status IN ('PENDING', 'ACTIVE')"),
            postgresql_where=sa.text("status IN ('PENDING', 'ACTIVE')"),
        )

    op.create_table(
        "listing",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("contract_id", sa.String(), nullable=False),
        sa.Column("product_id", sa.String(), nullable=False),
        sa.Column("marketplace_id", sa.String(length=20), nullable=False),
        sa.Column("status", sa.Enum("LISTED", "UNLISTED", name="listingstatus"), nullable=False),
        sa.Column("listed_at", sa.DateTime(), nullable=False),
        sa.Column("unlisted_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["syndication_contract.id"],
        ),
        sa.ForeignKeyConstraint(
            ["marketplace_id"],
            ["marketplace.id"],
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["product.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("contract_id"),
    )
    with op.batch_alter_table("listing", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_listing_marketplace_id"), ["marketplace_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_listing_product_id"), ["product_id"], unique=False)
        batch_op.create_index(
            "ux_listing_listed",
            ["product_id", "marketplace_id"],
            unique=True,
            sqlite_where=sa.text("status = 'LISTED'"),
            postgresql_where=sa.text("status = 'LISTED'"),
        )


def downgrade() -> None:
    raise NotImplementedError("not undone: restore a backup taken before the upgrade instead")

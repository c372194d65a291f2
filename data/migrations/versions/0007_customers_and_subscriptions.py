"""Chapter 4: customers, subscriptions and fulfilment requests.

- ``customer``: a reseller's customer (tier account); its External ID is unique within the reseller whatever
  its case (``ux_customer_external_id``, on ``lower(external_id)``; customers without one do not collide).
- ``subscription`` and ``subscription_item``: a customer's order of a listed product on a marketplace, with
  each item's quantity and its price when ordered; the totals are per billing period.
- ``fulfilment_request`` and ``fulfilment_request_item``: requests to the distributor (purchase, change,
  suspend, resume, cancel); at most one open (pending or inquiring) request per subscription
  (``ux_fulfilment_request_open``, a partial unique index); a change's old and new quantities.

Nothing existing changes; no row is rewritten.

Revision ID: 0007
Revises: 0006
Created: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

MONEY = sa.Numeric(precision=14, scale=4)
OPEN = "status IN ('PENDING', 'INQUIRING')"  # RequestStatus.PENDING / INQUIRING as stored (their names)


def upgrade() -> None:
    op.create_table(
        "customer",
        sa.Column("id", sa.String(length=20), nullable=False),
        sa.Column("account_id", sa.String(), nullable=False),
        sa.Column("company_name", sa.String(length=200), nullable=False),
        sa.Column("external_id", sa.String(length=100), nullable=True),
        sa.Column("tax_id", sa.String(length=50), nullable=True),
        sa.Column("address_line1", sa.String(length=200), nullable=False),
        sa.Column("address_line2", sa.String(length=200), nullable=True),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("state", sa.String(length=100), nullable=True),
        sa.Column("postal_code", sa.String(length=20), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("contact_first_name", sa.String(length=100), nullable=True),
        sa.Column("contact_last_name", sa.String(length=100), nullable=True),
        sa.Column("contact_email", sa.String(length=254), nullable=False),
        sa.Column("contact_phone", sa.String(length=16), nullable=True),
        sa.Column("status", sa.Enum("ACTIVE", "DECOMMISSIONED", name="customerstatus"), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("decommissioned_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_customer_directory", "customer", ["account_id", "status", "created_at"], unique=False)
    op.create_index("ux_customer_external_id", "customer", ["account_id", sa.text("lower(external_id)")], unique=True)

    op.create_table(
        "subscription",
        sa.Column("id", sa.String(length=20), nullable=False),
        sa.Column("reseller_id", sa.String(), nullable=False),
        sa.Column("distributor_id", sa.String(), nullable=False),
        sa.Column("customer_id", sa.String(length=20), nullable=False),
        sa.Column("marketplace_id", sa.String(length=20), nullable=False),
        sa.Column("product_id", sa.String(length=40), nullable=False),
        sa.Column("external_id", sa.String(length=100), nullable=True),
        sa.Column("billing_period", sa.String(length=20), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("cost_total", MONEY, nullable=False),
        sa.Column("msrp_total", MONEY, nullable=False),
        sa.Column(
            "status",
            sa.Enum("PROCESSING", "ACTIVE", "SUSPENDED", "TERMINATING", "TERMINATED", name="subscriptionstatus"),
            nullable=False,
        ),
        sa.Column("requests_made", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("cost_total >= 0 AND msrp_total >= 0", name="ck_subscription_totals"),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"]),
        sa.ForeignKeyConstraint(["distributor_id"], ["account.id"]),
        sa.ForeignKeyConstraint(["reseller_id"], ["account.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_subscription_customer_id", "subscription", ["customer_id"], unique=False)
    op.create_index(
        "ix_subscription_external_id", "subscription", ["reseller_id", sa.text("lower(external_id)")], unique=False
    )
    op.create_index("ix_subscription_distributor_id", "subscription", ["distributor_id"], unique=False)
    op.create_index("ix_subscription_marketplace_id", "subscription", ["marketplace_id"], unique=False)
    op.create_index("ix_subscription_product_id", "subscription", ["product_id"], unique=False)
    op.create_index("ix_subscription_reseller_created", "subscription", ["reseller_id", "created_at"], unique=False)
    op.create_index(
        "ix_subscription_reseller_status", "subscription", ["reseller_id", "status", "created_at"], unique=False
    )

    op.create_table(
        "subscription_item",
        sa.Column("subscription_id", sa.String(length=20), nullable=False),
        sa.Column("item_id", sa.String(length=40), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_cost", MONEY, nullable=False),
        sa.Column("unit_msrp", MONEY, nullable=False),
        sa.CheckConstraint("quantity >= 0", name="ck_subscription_item_quantity"),
        sa.CheckConstraint("unit_cost >= 0 AND unit_msrp >= 0", name="ck_subscription_item_prices"),
        sa.ForeignKeyConstraint(["subscription_id"], ["subscription.id"]),
        sa.PrimaryKeyConstraint("subscription_id", "item_id"),
    )

    op.create_table(
        "fulfilment_request",
        sa.Column("id", sa.String(length=30), nullable=False),
        sa.Column("subscription_id", sa.String(length=20), nullable=False),
        sa.Column("distributor_id", sa.String(), nullable=False),
        sa.Column("reseller_id", sa.String(), nullable=False),
        sa.Column(
            "type", sa.Enum("PURCHASE", "CHANGE", "SUSPEND", "RESUME", "CANCEL", name="requesttype"), nullable=False
        ),
        sa.Column(
            "status", sa.Enum("PENDING", "INQUIRING", "APPROVED", "FAILED", name="requeststatus"), nullable=False
        ),
        sa.Column("question", sa.String(length=2000), nullable=True),
        sa.Column("answer", sa.String(length=2000), nullable=True),
        sa.Column("message", sa.String(length=2000), nullable=True),
        sa.Column("reason", sa.String(length=2000), nullable=True),
        sa.Column("created_by", sa.String(), nullable=False),
        sa.Column("decided_by", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["created_by"], ["user.id"]),
        sa.ForeignKeyConstraint(["decided_by"], ["user.id"]),
        sa.ForeignKeyConstraint(["distributor_id"], ["account.id"]),
        sa.ForeignKeyConstraint(["reseller_id"], ["account.id"]),
        sa.ForeignKeyConstraint(["subscription_id"], ["subscription.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_fulfilment_request_desk", "fulfilment_request", ["distributor_id", "created_at"], unique=False)
    op.create_index(
        "ix_fulfilment_request_queue", "fulfilment_request", ["distributor_id", "status", "created_at"], unique=False
    )
    op.create_index(
        "ix_fulfilment_request_type", "fulfilment_request", ["distributor_id", "type", "created_at"], unique=False
    )
    op.create_index("ix_fulfilment_request_reseller_id", "fulfilment_request", ["reseller_id"], unique=False)
    op.create_index("ix_fulfilment_request_subscription_id", "fulfilment_request", ["subscription_id"], unique=False)
    op.create_index(
        "ux_fulfilment_request_open",
        "fulfilment_request",
        ["subscription_id"],
        unique=True,
        sqlite_where=sa.text(OPEN),
        postgresql_where=sa.text(OPEN),
    )

    op.create_table(
        "fulfilment_request_item",
        sa.Column("request_id", sa.String(length=30), nullable=False),
        sa.Column("item_id", sa.String(length=40), nullable=False),
        sa.Column("old_quantity", sa.Integer(), nullable=False),
        sa.Column("new_quantity", sa.Integer(), nullable=False),
        sa.CheckConstraint("old_quantity >= 0 AND new_quantity >= 0", name="ck_request_item_quantity"),
        sa.ForeignKeyConstraint(["request_id"], ["fulfilment_request.id"]),
        sa.PrimaryKeyConstraint("request_id", "item_id"),
    )


def downgrade() -> None:
    raise NotImplementedError("not undone: restore a backup taken before the upgrade instead")

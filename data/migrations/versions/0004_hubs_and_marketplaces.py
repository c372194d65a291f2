"""Chapter 2: hubs and marketplaces, and the reason a contract was terminated.

- ``hub``: a reseller's commerce system; its instance ID is unique within the account (``ux_hub_instance_id``).
- ``marketplace``: a reseller's go-to-market channel; its name is unique within the account whatever its case
  (``ux_marketplace_name``, on ``lower(name)``).
- ``marketplace_country`` and ``marketplace_hub``: a marketplace's countries, and the hubs it uses with the tier
  account external ID.
- ``contract_termination``: why the distributor terminated a contract, and who did (contracts terminated earlier
  have none). A table of its own, so the contract's row keeps its shape.

Nothing existing changes; no row is rewritten.

Revision ID: 0004
Revises: 0003
Created: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hub",
        sa.Column("id", sa.String(length=20), nullable=False),
        sa.Column("account_id", sa.String(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("type", sa.Enum("API", "COMMERCE_PLATFORM", name="hubtype"), nullable=False),
        sa.Column("instance_id", sa.String(length=100), nullable=False),
        sa.Column("description", sa.String(length=2000), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("account_id", "instance_id", name="ux_hub_instance_id"),
    )
    op.create_index("ix_hub_account_id", "hub", ["account_id"], unique=False)
    op.create_table(
        "marketplace",
        sa.Column("id", sa.String(length=20), nullable=False),
        sa.Column("account_id", sa.String(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.String(length=2000), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_marketplace_account_id", "marketplace", ["account_id"], unique=False)
    op.create_index("ux_marketplace_name", "marketplace", ["account_id", sa.text("lower(name)")], unique=True)
    op.create_table(
        "marketplace_country",
        sa.Column("marketplace_id", sa.String(length=20), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.ForeignKeyConstraint(["marketplace_id"], ["marketplace.id"]),
        sa.PrimaryKeyConstraint("marketplace_id", "country"),
    )
    op.create_table(
        "marketplace_hub",
        sa.Column("marketplace_id", sa.String(length=20), nullable=False),
        sa.Column("hub_id", sa.String(length=20), nullable=False),
        sa.Column("external_id", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["hub_id"], ["hub.id"]),
        sa.ForeignKeyConstraint(["marketplace_id"], ["marketplace.id"]),
        sa.PrimaryKeyConstraint("marketplace_id", "hub_id"),
    )
    op.create_index("ix_marketplace_hub_hub_id", "marketplace_hub", ["hub_id"], unique=False)
    op.create_table(
        "contract_termination",
        sa.Column("contract_id", sa.String(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("terminated_by", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["contract_id"], ["contract.id"]),
        sa.ForeignKeyConstraint(["terminated_by"], ["user.id"]),
        sa.PrimaryKeyConstraint("contract_id"),
    )


def downgrade() -> None:
    raise NotImplementedError("not undone: restore a backup taken before the upgrade instead")

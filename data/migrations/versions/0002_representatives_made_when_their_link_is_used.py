"""Representatives made when their link is used (what SQLite schema 5 was, before Alembic).

A set-password link carries the representative's email and name, and the user is created when the link is used
(``user_id`` becomes nullable), so that an email typed by a distributor reserves nothing; a link can be revoked;
a contract can be withdrawn. Links made before keep the user they point at, and get that user's email and name.

A SQLite database upgraded to schema 5 by the release before Alembic is stamped with this revision instead
(data/migrations/__init__.py).

Revision ID: 0002
Revises: 0001
Created: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TYPE contractstatus ADD VALUE IF NOT EXISTS 'WITHDRAWN'")
    # (SQLite stores the status as VARCHAR(10), which WITHDRAWN fits.)
    with op.batch_alter_table("set_password_link") as table:  # SQLite rebuilds the table; PostgreSQL alters it
        table.alter_column("user_id", existing_type=sa.String(), nullable=True)
        table.add_column(sa.Column("email", sa.String(length=320), nullable=True))
        table.add_column(sa.Column("full_name", sa.String(length=200), nullable=True))
        table.add_column(sa.Column("revoked_at", sa.DateTime(), nullable=True))
        table.create_index("ix_set_password_link_contract_id", ["contract_id"], unique=False)
    op.execute(
        'UPDATE set_password_link SET email = (SELECT email FROM "user" WHERE "user".id = set_password_link.user_id), '
        'full_name = (SELECT full_name FROM "user" WHERE "user".id = set_password_link.user_id)'
    )


def downgrade() -> None:
    raise NotImplementedError("not undone: restore a backup taken before the upgrade instead")

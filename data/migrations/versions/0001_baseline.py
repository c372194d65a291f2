"""Baseline: the schema of the last release before Alembic (SQLite schema 4), on SQLite and PostgreSQL.

A SQLite database of that release is stamped with this revision rather than upgraded through it (see
data/migrations/__init__.py): it already is this schema. Besides the tables, the database itself enforces that
the audit log is append-only, and keeps the invitation search index current with triggers: on SQLite an FTS5
trigram table, on PostgreSQL a plain table with a pg_trgm GIN index.

Revision ID: 0001
Revises:
Created: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# The audit log is append-only, enforced by the database itself.
SQLITE_APPEND_ONLY_AUDIT = (
    "CREATE TRIGGER IF NOT EXISTS audit_event_no_update BEFORE UPDATE ON audit_event "
    "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS audit_event_no_delete BEFORE DELETE ON audit_event "
    "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END",
)
POSTGRESQL_APPEND_ONLY_AUDIT = (
    "CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "RAISE EXCEPTION 'audit events are append-only' USING ERRCODE = 'integrity_constraint_violation'; END $$",
    "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
    "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()",
    "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
    "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()",
)

# Substring search over invitations (ID, invitee email, company name, and the reseller account's name once
# activated). SQLite: an FTS5 trigram index, kept current by triggers; rows are found by their ``reference``
# (the invitation ID) with an indexed phrase query, never by rowid (VACUUM renumbers rowids).
SQLITE_SEARCH = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS invitation_search "
    "USING fts5(reference, email, company, reseller, tokenize = 'trigram')",
    "CREATE TRIGGER IF NOT EXISTS invitation_search_insert AFTER INSERT ON invitation BEGIN "
    "INSERT INTO invitation_search (reference, email, company, reseller) VALUES (new.id, new.invitee_email, "
    "new.company_name, (SELECT name FROM account WHERE id = new.reseller_account_id)); END",
    "CREATE TRIGGER IF NOT EXISTS invitation_search_update "
    "AFTER UPDATE OF invitee_email, company_name, reseller_account_id ON invitation BEGIN "
    "UPDATE invitation_search SET email = new.invitee_email, company = new.company_name, "
    "reseller = (SELECT name FROM account WHERE id = new.reseller_account_id) "
    "WHERE invitation_search MATCH 'reference : \"' || old.id || '\"' AND reference = old.id; END",
    "CREATE TRIGGER IF NOT EXISTS invitation_search_delete AFTER DELETE ON invitation BEGIN "
    "DELETE FROM invitation_search "
    "WHERE invitation_search MATCH 'reference : \"' || old.id || '\"' AND reference = old.id; END",
    "CREATE TRIGGER IF NOT EXISTS invitation_search_account_renamed AFTER UPDATE OF name ON account "
    "WHEN EXISTS (SELECT 1 FROM invitation WHERE reseller_account_id = new.id) BEGIN "
    "UPDATE invitation_search SET reseller = new.name WHERE invitation_search MATCH "
    "(SELECT group_concat('reference : \"' || id || '\"', ' OR ') FROM invitation WHERE reseller_account_id = new.id) "
    "AND reference IN (SELECT id FROM invitation WHERE reseller_account_id = new.id); END",
)
SQLITE_SEARCH_FILL = (
    "INSERT INTO invitation_search (reference, email, company, reseller) "
    "SELECT invitation.id, invitee_email, company_name, account.name FROM invitation "
    "LEFT JOIN account ON account.id = invitation.reseller_account_id"
)
# PostgreSQL: the same four columns in a table kept current by triggers, with a trigram GIN index on each (pg_trgm
# answers ILIKE '%text%' from them; one index over all four made the planner's estimate so high that it read the
# whole table instead: 130-270 ms against 0.4-2 ms for a search matching few of 100,000 invitations).
POSTGRESQL_SEARCH = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE TABLE invitation_search (reference VARCHAR PRIMARY KEY REFERENCES invitation (id) ON DELETE CASCADE, "
    "email VARCHAR, company VARCHAR, reseller VARCHAR)",
    *(
        f"CREATE INDEX ix_invitation_search_{column} ON invitation_search USING gin ({column} gin_trgm_ops) "
        "WITH (fastupdate = off)"
        for column in ("reference", "email", "company", "reseller")
    ),
    "CREATE FUNCTION invitation_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "INSERT INTO invitation_search (reference, email, company, reseller) VALUES (NEW.id, NEW.invitee_email, "
    "NEW.company_name, (SELECT name FROM account WHERE id = NEW.reseller_account_id)) "
    "ON CONFLICT (reference) DO UPDATE SET email = EXCLUDED.email, company = EXCLUDED.company, "
    "reseller = EXCLUDED.reseller; RETURN NULL; END $$",
    "CREATE TRIGGER invitation_search_sync AFTER INSERT OR UPDATE OF invitee_email, company_name, "
    "reseller_account_id ON invitation FOR EACH ROW EXECUTE FUNCTION invitation_search_sync()",
    "CREATE FUNCTION invitation_search_account_renamed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "UPDATE invitation_search SET reseller = NEW.name "
    "WHERE reference IN (SELECT id FROM invitation WHERE reseller_account_id = NEW.id); RETURN NULL; END $$",
    "CREATE TRIGGER invitation_search_account_renamed AFTER UPDATE OF name ON account "
    "FOR EACH ROW EXECUTE FUNCTION invitation_search_account_renamed()",
)


def upgrade() -> None:
    op.create_table(
        "account",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("kind", sa.Enum("DISTRIBUTOR", "RESELLER", name="accountkind"), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_account_kind", "account", ["kind"], unique=False)
    op.create_index(
        "ux_account_distributor_name",
        "account",
        ["name"],
        unique=True,
        sqlite_where=sa.text("kind = 'distributor'"),
        postgresql_where=sa.text("kind = 'DISTRIBUTOR'"),
    )

    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=100), nullable=False),
        sa.Column("object_type", sa.String(length=50), nullable=False),
        sa.Column("object_id", sa.String(length=50), nullable=False),
        sa.Column("client_address", sa.String(), nullable=True),
        sa.Column("details", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_audit_event_action", "audit_event", ["action"], unique=False)
    op.create_index("ix_audit_event_object_id", "audit_event", ["object_id"], unique=False)

    op.create_table(
        "failed_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_failed_attempt_kind_key_at", "failed_attempt", ["kind", "key", "at"], unique=False)

    op.create_table(
        "agreement",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("distributor_id", sa.String(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["distributor_id"],
            ["account.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_agreement_distributor_id", "agreement", ["distributor_id"], unique=False)

    op.create_table(
        "user",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("account_id", sa.String(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(), nullable=True),
        sa.Column("status", sa.Enum("INVITED", "ACTIVE", "DISABLED", name="userstatus"), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("email"),
    )
    op.create_index("ix_user_account_id", "user", ["account_id"], unique=False)

    op.create_table(
        "agreement_version",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("agreement_id", sa.String(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("text_sha256", sa.String(length=64), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreement.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("agreement_id", "version", name="ux_agreement_version_number"),
    )
    op.create_index("ix_agreement_version_agreement_id", "agreement_version", ["agreement_id"], unique=False)
    op.create_index(
        "ux_agreement_version_active",
        "agreement_version",
        ["agreement_id"],
        unique=True,
        sqlite_where=sa.text("is_active = 1"),
        postgresql_where=sa.text("is_active"),
    )

    op.create_table(
        "contract",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("distributor_id", sa.String(), nullable=False),
        sa.Column("agreement_version_id", sa.String(), nullable=False),
        sa.Column("reseller_account_id", sa.String(), nullable=True),
        sa.Column("signee_user_id", sa.String(), nullable=True),
        sa.Column("note_to_signee", sa.String(length=2000), nullable=True),
        sa.Column(
            "status", sa.Enum("PENDING", "ACTIVE", "REJECTED", "TERMINATED", name="contractstatus"), nullable=False
        ),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("signed_at", sa.DateTime(), nullable=True),
        sa.Column("evidence_text_sha256", sa.String(length=64), nullable=True),
        sa.Column("evidence_email", sa.String(), nullable=True),
        sa.Column("evidence_name", sa.String(), nullable=True),
        sa.Column("evidence_accepted_at", sa.DateTime(), nullable=True),
        sa.Column("evidence_client_address", sa.String(), nullable=True),
        sa.Column("evidence_user_agent", sa.String(), nullable=True),
        sa.Column("terminated_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["agreement_version_id"],
            ["agreement_version.id"],
        ),
        sa.ForeignKeyConstraint(
            ["distributor_id"],
            ["account.id"],
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
    op.create_index("ix_contract_agreement_version_id", "contract", ["agreement_version_id"], unique=False)
    op.create_index("ix_contract_distributor_id", "contract", ["distributor_id"], unique=False)
    op.create_index("ix_contract_reseller_account_id", "contract", ["reseller_account_id"], unique=False)

    op.create_table(
        "invitation",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("distributor_id", sa.String(), nullable=False),
        sa.Column("contract_id", sa.String(), nullable=False),
        sa.Column("agreement_version_id", sa.String(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("invitee_email", sa.String(length=320), nullable=True),
        sa.Column("company_name", sa.String(length=200), nullable=True),
        sa.Column("note_to_signee", sa.String(length=2000), nullable=True),
        sa.Column(
            "status",
            sa.Enum("PENDING", "IN_PROGRESS", "ACTIVATED", "EXPIRED", "REVOKED", name="invitationstatus"),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("first_opened_at", sa.DateTime(), nullable=True),
        sa.Column("activated_at", sa.DateTime(), nullable=True),
        sa.Column("reseller_account_id", sa.String(), nullable=True),
        sa.Column("reissued_from_id", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(
            ["agreement_version_id"],
            ["agreement_version.id"],
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contract.id"],
        ),
        sa.ForeignKeyConstraint(
            ["distributor_id"],
            ["account.id"],
        ),
        sa.ForeignKeyConstraint(
            ["reissued_from_id"],
            ["invitation.id"],
        ),
        sa.ForeignKeyConstraint(
            ["reseller_account_id"],
            ["account.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("contract_id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_invitation_distributor_created", "invitation", ["distributor_id", "created_at"], unique=False)
    op.create_index("ix_invitation_distributor_id", "invitation", ["distributor_id"], unique=False)
    op.create_index("ix_invitation_status", "invitation", ["status"], unique=False)

    op.create_table(
        "set_password_link",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("contract_id", sa.String(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contract.id"],
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_set_password_link_user_id", "set_password_link", ["user_id"], unique=False)

    op.create_table(
        "activation_draft",
        sa.Column("invitation_id", sa.String(), nullable=False),
        sa.Column("furthest_step", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(), nullable=True),
        sa.Column("accepted_at", sa.DateTime(), nullable=True),
        sa.Column("accepted_text_sha256", sa.String(length=64), nullable=True),
        sa.Column("accepted_client_address", sa.String(), nullable=True),
        sa.Column("accepted_user_agent", sa.String(), nullable=True),
        sa.Column("full_name", sa.String(), nullable=True),
        sa.Column("password_hash", sa.String(), nullable=True),
        sa.Column("company_name", sa.String(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["invitation_id"],
            ["invitation.id"],
        ),
        sa.PrimaryKeyConstraint("invitation_id"),
    )
    dialect = op.get_bind().dialect.name
    for statement in (
        SQLITE_APPEND_ONLY_AUDIT + SQLITE_SEARCH
        if dialect == "sqlite"
        else (POSTGRESQL_APPEND_ONLY_AUDIT + POSTGRESQL_SEARCH)
    ):
        op.get_bind().exec_driver_sql(statement)


def downgrade() -> None:
    raise NotImplementedError("the baseline is not undone: restore a backup taken before the upgrade instead")

"""The rules the services assume, held by the database itself (what SQLite schema 6 was, before Alembic).

- ``ux_account_distributor_name``: SQLite schemas 1-5 said ``kind = 'distributor'``, but SQLAlchemy stores an
  enum member's *name* (``'DISTRIBUTOR'``), so on SQLite the index covered no row. Recreated on what is stored,
  on both databases (PostgreSQL's baseline predicate already compared with the stored name).
- ``ux_user_email_lower``: one user per email whatever its case.
- ``ux_invitation_one_open_successor``: a reissued invitation has at most one open successor;
  ``ix_invitation_reissued_from_id`` finds the successor that a list row shows.
- ``activation_draft.revision``: the version of the draft a page showed (a save from a stale page is refused).
- ``completed_request``: the keys of requests already done (a double click does not do it twice).

A landed database can hold what the new rules forbid only where earlier releases let the services make it: one
invitation reissued several times, each successor open. Those are repaired, not refused, and every repair is an
audit event: the newest open successor keeps its link to the old invitation, the older ones lose the link (their
own link keeps working; nothing is revoked behind the distributor's back). What no release could make (two
distributors with one name, two users whose emails differ only in case) stops the upgrade with the rows named,
leaving the database as it was (the upgrade is one transaction).

A SQLite database upgraded to schema 6 by the release before Alembic is stamped with this revision instead
(data/migrations/__init__.py).

Revision ID: 0003
Revises: 0002
Created: 2026-11-30
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

OPEN = "status IN ('PENDING', 'IN_PROGRESS')"  # InvitationStatus.PENDING / IN_PROGRESS as stored (their names)
DISTRIBUTOR = "kind = 'DISTRIBUTOR'"  # AccountKind.DISTRIBUTOR as stored
UPGRADE_ACTOR = "schema upgrade to 6"  # the audit events' actor, as the release before Alembic wrote it

audit_event = sa.table(
    "audit_event",
    sa.column("at", sa.DateTime()),
    sa.column("actor", sa.String()),
    sa.column("action", sa.String()),
    sa.column("object_type", sa.String()),
    sa.column("object_id", sa.String()),
    sa.column("details", sa.String()),
)
invitation = sa.table("invitation", sa.column("id", sa.String()), sa.column("reissued_from_id", sa.String()))


def upgrade() -> None:
    connection = op.get_bind()
    _refuse_what_no_release_could_make(connection)
    _keep_one_open_successor(connection)
    op.drop_index("ux_account_distributor_name", table_name="account")
    op.create_index(
        "ux_account_distributor_name",
        "account",
        ["name"],
        unique=True,
        sqlite_where=sa.text(DISTRIBUTOR),
        postgresql_where=sa.text(DISTRIBUTOR),
    )
    op.create_index("ux_user_email_lower", "user", [sa.text("lower(email)")], unique=True)
    successor = f"reissued_from_id IS NOT NULL AND {OPEN}"
    op.create_index(
        "ux_invitation_one_open_successor",
        "invitation",
        ["reissued_from_id"],
        unique=True,
        sqlite_where=sa.text(successor),
        postgresql_where=sa.text(successor),
    )
    op.create_index("ix_invitation_reissued_from_id", "invitation", ["reissued_from_id"], unique=False)
    op.add_column("activation_draft", sa.Column("revision", sa.Integer(), server_default=sa.text("0"), nullable=False))
    op.create_table(
        "completed_request",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=50), nullable=False),
        sa.Column("actor", sa.String(length=50), nullable=False),
        sa.Column("object_id", sa.String(length=50), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )


def _refuse_what_no_release_could_make(connection: sa.Connection) -> None:
    problems = []
    for (name,) in connection.execute(
        sa.text(f"SELECT name FROM account WHERE {DISTRIBUTOR} GROUP BY name HAVING count(*) > 1")  # noqa: S608
    ):
        problems.append(f"several distributors are named {name!r}")
    for (email,) in connection.execute(
        sa.text('SELECT lower(email) FROM "user" GROUP BY lower(email) HAVING count(*) > 1')
    ):
        problems.append(f"several users have the email {email!r} (in different cases)")
    if problems:
        where = connection.engine.url.render_as_string(hide_password=True)
        raise SystemExit(
            f"The database {where} cannot be upgraded to schema revision 0003: {'; '.join(problems)}. It was left "
            "as it was. Rename the distributors or change the emails (on a backup first), then upgrade again."
        )


def _keep_one_open_successor(connection: sa.Connection) -> None:
    """Where an earlier release reissued one invitation several times, the newest open successor stays its
    successor; the others keep their own (working) link but no longer name the invitation they came from."""
    rows = connection.execute(
        sa.text(
            f"SELECT reissued_from_id, id FROM invitation WHERE reissued_from_id IS NOT NULL AND {OPEN} "  # noqa: S608
            "ORDER BY reissued_from_id, created_at DESC, id DESC"
        )
    ).all()
    kept: dict[str, str] = {}
    now = datetime.now(UTC).replace(tzinfo=None)  # stored as naive UTC, as data.models.types.UTCDateTime does
    for old_id, successor_id in rows:
        if old_id not in kept:
            kept[old_id] = successor_id
            continue
        connection.execute(invitation.update().where(invitation.c.id == successor_id).values(reissued_from_id=None))
        details = {"reissued_from": old_id, "successor_kept": kept[old_id], "link": "still works"}
        connection.execute(
            audit_event.insert().values(
                at=now,
                actor=UPGRADE_ACTOR,
                action="invitation.successor_link_cleared",
                object_type="invitation",
                object_id=successor_id,
                details=json.dumps(details, sort_keys=True),
            )
        )


def downgrade() -> None:
    raise NotImplementedError("not undone: restore a backup taken before the upgrade instead")

"""Schema 5 → 6: the rules the services assume, enforced by the database itself.

Every statement of this step is in :data:`SCHEMA_6_DDL` (for an Alembic revision to take as it is); the models
in ``data/models`` declare the same objects for a new database, and ``tests/unit/test_schema.py`` checks that
an upgraded database and a new one have the same schema.

- ``ux_account_distributor_name``: schemas 1-5 said ``kind = 'distributor'``, but SQLAlchemy stores an enum
  member's *name* (``'DISTRIBUTOR'``), so the index never applied. Recreated on what is stored.
- ``ux_user_email_lower``: one user per email whatever its case.
- ``ux_invitation_one_open_successor``: a reissued invitation has at most one open successor;
  ``ix_invitation_reissued_from_id`` finds the successor that a list row shows.
- ``activation_draft.revision``: the version of the draft a page showed (a save from a stale page is refused).
- ``completed_request``: the keys of requests already done (a double click does not do it twice).

A landed database can hold what the new rules forbid only where earlier schemas let the services make it: one
invitation reissued several times, each successor open. Those are repaired, not refused, and every repair is an
audit event: the newest open successor keeps its link to the old invitation, the older ones lose the link (their
own link keeps working; nothing is revoked behind the distributor's back). What no release could make (two
distributors with one name, two users whose emails differ only in case) stops the upgrade with the rows named,
leaving the database as it was.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import Connection

OPEN = "('PENDING', 'IN_PROGRESS')"  # InvitationStatus.PENDING / IN_PROGRESS as stored (their names)
SCHEMA_6_DDL = (
    "DROP INDEX IF EXISTS ux_account_distributor_name",
    "CREATE UNIQUE INDEX ux_account_distributor_name ON account (name) WHERE kind = 'DISTRIBUTOR'",
    "CREATE UNIQUE INDEX IF NOT EXISTS ux_user_email_lower ON user (lower(email))",
    "CREATE UNIQUE INDEX IF NOT EXISTS ux_invitation_one_open_successor ON invitation (reissued_from_id) "
    f"WHERE reissued_from_id IS NOT NULL AND status IN {OPEN}",
    "CREATE INDEX IF NOT EXISTS ix_invitation_reissued_from_id ON invitation (reissued_from_id)",
    "ALTER TABLE activation_draft ADD COLUMN revision INTEGER DEFAULT 0 NOT NULL",
    "CREATE TABLE IF NOT EXISTS completed_request (\n"
    '\t"key" VARCHAR(64) NOT NULL, \n'
    "\taction VARCHAR(50) NOT NULL, \n"
    "\tactor VARCHAR(50) NOT NULL, \n"
    "\tobject_id VARCHAR(50) NOT NULL, \n"
    "\tcreated_at DATETIME NOT NULL, \n"
    '\tPRIMARY KEY ("key")\n'
    ")",
)
UPGRADE_ACTOR = "schema upgrade to 6"


def upgrade(connection: Connection) -> None:
    """Bring a schema-5 database to schema 6, inside the caller's transaction."""
    _refuse_what_no_release_could_make(connection)
    _keep_one_open_successor(connection)
    has_revision = any(
        row[1] == "revision" for row in connection.exec_driver_sql("PRAGMA table_info(activation_draft)")
    )
    for statement in SCHEMA_6_DDL:
        if statement.startswith("ALTER TABLE activation_draft") and has_revision:
            continue
        connection.exec_driver_sql(statement)


def _refuse_what_no_release_could_make(connection: Connection) -> None:
    problems = []
    for (name,) in connection.exec_driver_sql(
        "SELECT name FROM account WHERE kind = 'DISTRIBUTOR' GROUP BY name HAVING count(*) > 1"
    ):
        problems.append(f"several distributors are named {name!r}")
    for (email,) in connection.exec_driver_sql(
        "SELECT lower(email) FROM user GROUP BY lower(email) HAVING count(*) > 1"
    ):
        problems.append(f"several users have the email {email!r} (in different cases)")
    if problems:
        database = connection.engine.url.database
        raise SystemExit(
            f"The database {database} cannot be upgraded to schema 6: {'; '.join(problems)}. It was left as it "
            "was. Rename the distributors or change the emails (with the sqlite3 shell, on a backup first), then "
            "start again."
        )


def _keep_one_open_successor(connection: Connection) -> None:
    """Where an earlier schema reissued one invitation several times, the newest open successor stays its successor."""
    rows = connection.exec_driver_sql(
        "SELECT reissued_from_id, id FROM invitation WHERE reissued_from_id IS NOT NULL "
        "AND status IN ('PENDING', 'IN_PROGRESS') ORDER BY reissued_from_id, created_at DESC, id DESC"
    ).all()
    kept: dict[str, str] = {}
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")  # as SQLAlchemy stores a timestamp
    for old_id, successor_id in rows:
        if old_id not in kept:
            kept[old_id] = successor_id
            continue
        connection.exec_driver_sql("UPDATE invitation SET reissued_from_id = NULL WHERE id = ?", (successor_id,))
        details = {"reissued_from": old_id, "successor_kept": kept[old_id], "link": "still works"}
        connection.exec_driver_sql(
            "INSERT INTO audit_event (at, actor, action, object_type, object_id, details) VALUES (?, ?, ?, ?, ?, ?)",
            (
                now,
                UPGRADE_ACTOR,
                "invitation.successor_link_cleared",
                "invitation",
                successor_id,
                json.dumps(details, sort_keys=True),
            ),
        )

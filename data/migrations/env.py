"""Alembic's environment: runs on the connection (and within the transaction) that data.migrations gives it."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import data.models  # noqa: F401 - registers every table on SQLModel.metadata
from data.migrations import include_name, render_item

connection = context.config.attributes.get("connection")
if connection is None:  # the alembic command line: PORTAL_DATABASE_URL, as the portal itself reads it
    from data.db import make_engine
    from data.settings import Settings

    engine = make_engine(Settings.from_env().database_url)
    with engine.connect() as connection, connection.begin():
        context.configure(
            connection=connection,
            target_metadata=SQLModel.metadata,
            include_name=include_name,
            render_item=render_item,
            render_as_batch=True,
            transactional_ddl=True,
        )
        context.run_migrations()
else:
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        include_name=include_name,
        render_item=render_item,
        render_as_batch=True,  # SQLite alters a table by copying it; Alembic's batch mode does that
        transactional_ddl=True,
    )
    with context.begin_transaction():
        context.run_migrations()

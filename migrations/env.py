"""Alembic environment: the metadata of every domain package, on whatever URL the caller set."""
from alembic import context
from sqlalchemy import pool

import care.models  # noqa: F401
import core.admin_audit  # noqa: F401  (registers tables on the shared metadata)
import core.idempotency  # noqa: F401
import core.work_queue  # noqa: F401
import core.sign_in  # noqa: F401
import core.users  # noqa: F401
import dispatch.jobs.models  # noqa: F401  (with the models it relates to)
import dispatch.planning.models  # noqa: F401
import dispatch.quotes.models  # noqa: F401
import fieldwork.models  # noqa: F401
import inventory.models  # noqa: F401
from core.db import Base, make_engine, ours

config = context.config
target_metadata = Base.metadata


def run_migrations_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata,
                      literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = make_engine(config.get_main_option("sqlalchemy.url"), poolclass=pool.NullPool)
    with engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            # Batch migrations rebuild a table (copy, drop, rename); with foreign keys on, the drop
            # would cascade deletes into its child tables. The pragma only works outside a
            # transaction, hence the raw connection.
            connection.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")
        # Batch mode lets ALTER-style migrations run on SQLite, which rebuilds the table.
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True,
                          compare_type=True, include_name=ours)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()

"""Procrastinate's own schema on PostgreSQL (its jobs, workers, periodic defers), for background work there.

Nothing on SQLite: the embedded queue (work_items) serves it. The schema is Procrastinate's, applied as it
ships with the installed version; a later Procrastinate release brings its own migration scripts
(`procrastinate schema --migrations-path`), to be applied in a migration of ours.

Revision ID: 0024
Revises: 0015
Create Date: 2026-12-03 08:00:00
"""
from alembic import op

revision = '0024'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    from procrastinate.schema import SchemaManager

    # On the driver's connection without parameters: the schema's own '%' and ':' stay SQL.
    bind.connection.driver_connection.execute(SchemaManager.get_schema())


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    for table in ("procrastinate_periodic_defers", "procrastinate_events", "procrastinate_jobs",
                  "procrastinate_workers"):
        op.execute(f"DROP TABLE IF EXISTS {table} CASCADE")
    functions = bind.exec_driver_sql(
        "SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
        "WHERE n.nspname = current_schema() AND p.proname LIKE 'procrastinate%%'").scalars().all()
    for function in functions:
        op.execute(f"DROP FUNCTION IF EXISTS {function} CASCADE")
    for type_name in ("procrastinate_job_to_defer_v1", "procrastinate_job_event_type", "procrastinate_job_status"):
        op.execute(f"DROP TYPE IF EXISTS {type_name} CASCADE")

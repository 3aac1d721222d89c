"""An index on jobs by appliance and time of resolution: the 三包 repeat-repair rule reads an
appliance's finished repairs while a report is taken, and without it that read scans every job
(the partial one-open-job-per-asset index holds only open jobs).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 14:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Partial: finished jobs only, so the open-job look-up keeps its own index.
    finished = sa.text("status IN ('closed', 'completed')")
    op.create_index('ix_jobs_finished_per_asset', 'jobs', ['asset_id', 'resolved_at'], sqlite_where=finished,
                    postgresql_where=finished)


def downgrade() -> None:
    op.drop_index('ix_jobs_finished_per_asset', table_name='jobs')

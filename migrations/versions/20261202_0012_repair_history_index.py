"""An index on jobs by appliance and time of resolution: the 三包 repeat-repair rule reads an
appliance's finished repairs while a report is taken, and without it that read scans every job
(the partial one-open-job-per-asset index holds only open jobs).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 14:00:00
"""
from alembic import op


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_jobs_asset_id_resolved_at', 'jobs', ['asset_id', 'resolved_at'])


def downgrade() -> None:
    op.drop_index('ix_jobs_asset_id_resolved_at', table_name='jobs')

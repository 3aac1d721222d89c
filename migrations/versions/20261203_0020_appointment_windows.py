"""Appointment windows: a job's confirmed arrival window (UTC), who confirmed it (a staff user, or the
customer: no user) and when. Nullable: a job without a window is planned as before.

Revision ID: 0020
Revises: 0023
Create Date: 2026-12-03 08:00:00
"""
from alembic import op
import sqlalchemy as sa

import core.db


revision = '0020'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('jobs') as batch:
        batch.add_column(sa.Column('window_start', core.db.UtcDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('window_end', core.db.UtcDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('window_confirmed_by_user_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('window_confirmed_by', sa.String(length=120), nullable=True))
        batch.add_column(sa.Column('window_confirmed_at', core.db.UtcDateTime(timezone=True), nullable=True))
        batch.create_foreign_key('fk_jobs_window_confirmed_by_user_id_users', 'users',
                                 ['window_confirmed_by_user_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('jobs') as batch:
        batch.drop_constraint('fk_jobs_window_confirmed_by_user_id_users', type_='foreignkey')
        batch.drop_column('window_confirmed_at')
        batch.drop_column('window_confirmed_by')
        batch.drop_column('window_confirmed_by_user_id')
        batch.drop_column('window_end')
        batch.drop_column('window_start')

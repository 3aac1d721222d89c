"""Escalations: drop the resolution columns nothing ever wrote.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 07:00:00
"""
from alembic import op
import sqlalchemy as sa
import core.db


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('escalations') as batch:
        batch.drop_constraint('fk_escalations_resolved_by_user_id_users', type_='foreignkey')
        batch.drop_column('resolved_by_user_id')
        batch.drop_column('resolved_at')


def downgrade() -> None:
    with op.batch_alter_table('escalations') as batch:
        batch.add_column(sa.Column('resolved_at', core.db.UtcDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('resolved_by_user_id', sa.Integer(), nullable=True))
        batch.create_foreign_key('fk_escalations_resolved_by_user_id_users', 'users', ['resolved_by_user_id'], ['id'])

"""Users and API tokens: the session version that ending a user's sessions moves on.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 09:00:00

Sessions signed in before this revision carry no version, so everyone signs in once more after it;
API tokens issued before it match version 0 and keep working until they expire or are ended.
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('session_version', sa.Integer(), server_default='0', nullable=False))
    with op.batch_alter_table('api_tokens') as batch:
        batch.add_column(sa.Column('session_version', sa.Integer(), server_default='0', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('api_tokens') as batch:
        batch.drop_column('session_version')
    with op.batch_alter_table('users') as batch:
        batch.drop_column('session_version')

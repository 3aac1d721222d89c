"""Messages at every step of a job: an outbox message may be held until the end of the customer's quiet
hours (`not_before`); a customer has a message language, a preferred channel and an opt-out of the
non-essential messages. Nullable: existing rows keep today's behaviour.

Revision ID: 0018
Revises: 0016
Create Date: 2026-12-02 18:15:00
"""
from alembic import op
import sqlalchemy as sa

import core.db


revision = '0018'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outbox_messages') as batch:
        batch.add_column(sa.Column('not_before', core.db.UtcDateTime(timezone=True), nullable=True))
    with op.batch_alter_table('customers') as batch:
        batch.add_column(sa.Column('locale', sa.String(length=8), nullable=True))
        batch.add_column(sa.Column('preferred_channel', sa.String(length=16), nullable=True))
        batch.add_column(sa.Column('messages_opted_out_at', core.db.UtcDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('customers') as batch:
        batch.drop_column('messages_opted_out_at')
        batch.drop_column('preferred_channel')
        batch.drop_column('locale')
    with op.batch_alter_table('outbox_messages') as batch:
        batch.drop_column('not_before')

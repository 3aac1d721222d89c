"""Transfers', purchase orders' and follow-up tasks' reasons stored as a code with its facts beside their English text,
so the stock and task pages can say them in the reader's language. Nullable: rows written before keep only
their text.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 15:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

TABLES = ('transfers', 'purchase_orders', 'follow_up_tasks')


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column('reason_code', sa.String(length=48), nullable=True))
            batch.add_column(sa.Column('reason_facts', sa.JSON(), nullable=True))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column('reason_facts')
            batch.drop_column('reason_code')

"""Purchase orders above the approval limit wait for a manager: who approved or declined, and when.

The new status 'pending_approval' needs no schema change: order statuses are plain strings of up to
16 characters, checked in Python (core.db.string_enum).

Revision ID: 0009
Revises: 0010
Create Date: 2026-12-02 12:00:00
"""
from alembic import op
import sqlalchemy as sa
import core.db


revision = '0009'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('purchase_orders') as batch:
        batch.add_column(sa.Column('approved_by', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('approved_at', core.db.UtcDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('declined_by', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('declined_at', core.db.UtcDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    # An order still waiting for approval was never placed: it goes back as cancelled.
    op.execute("UPDATE purchase_orders SET status = 'cancelled' WHERE status = 'pending_approval'")
    with op.batch_alter_table('purchase_orders') as batch:
        batch.drop_column('declined_at')
        batch.drop_column('declined_by')
        batch.drop_column('approved_at')
        batch.drop_column('approved_by')

"""Close the loop: callback plans, outbox messages, surveys, follow-up tasks, SLA watch.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 10:00:00
"""
from alembic import op
import sqlalchemy as sa
import core.db


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

"""Technician field work: status updates from phones (idempotent), photos, part needs.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 10:00:00
"""
from alembic import op
import sqlalchemy as sa
import core.db


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

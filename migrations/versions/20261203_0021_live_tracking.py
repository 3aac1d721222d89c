"""Live tracking: a technician's portrait for the customer's tracking page (a random stored name, like job
photos) and a region's own service hotline (None: the installation's AFTERCARE_HOTLINE).

Revision ID: 0021
Revises: 0024
Create Date: 2026-12-03 08:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0021'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('technicians') as batch:
        batch.add_column(sa.Column('photo_name', sa.String(length=64), nullable=True))
        batch.create_unique_constraint('uq_technicians_photo_name', ['photo_name'])
    with op.batch_alter_table('regions') as batch:
        batch.add_column(sa.Column('hotline', sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('regions') as batch:
        batch.drop_column('hotline')
    with op.batch_alter_table('technicians') as batch:
        batch.drop_constraint('uq_technicians_photo_name', type_='unique')
        batch.drop_column('photo_name')

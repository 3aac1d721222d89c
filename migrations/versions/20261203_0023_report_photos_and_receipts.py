"""Photos a customer sends with a report: a job photo has a kind (the technician's, the fault, the
purchase receipt), may have no uploading user (the customer), and a receipt has an agent's review.
Existing photos are the technician's.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-03 08:00:00
"""
from alembic import op
import sqlalchemy as sa

import core.db


revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('job_photos') as batch:
        batch.add_column(sa.Column('kind', sa.String(length=16), nullable=False, server_default='field'))
        batch.add_column(sa.Column('review', sa.String(length=16), nullable=True))
        batch.add_column(sa.Column('reviewed_at', core.db.UtcDateTime(timezone=True), nullable=True))
        batch.alter_column('uploaded_by_user_id', existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    # The older schema has no photo without an uploading user: the customers' photos go (their files stay
    # in the storage, unreferenced and never served).
    op.execute("DELETE FROM job_photos WHERE uploaded_by_user_id IS NULL")
    with op.batch_alter_table('job_photos') as batch:
        batch.alter_column('uploaded_by_user_id', existing_type=sa.Integer(), nullable=False)
        batch.drop_column('reviewed_at')
        batch.drop_column('review')
        batch.drop_column('kind')

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
    op.create_table('field_updates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('technician_id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.String(length=64), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=24), nullable=False),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.Column('received_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('result', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], name=op.f('fk_field_updates_job_id_jobs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['technician_id'], ['technicians.id'], name=op.f('fk_field_updates_technician_id_technicians'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_field_updates')),
    sa.UniqueConstraint('technician_id', 'client_id', name='uq_field_updates_technician_id_client_id')
    )
    with op.batch_alter_table('field_updates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_field_updates_job_id'), ['job_id'], unique=False)

    op.create_table('job_photos',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_by_user_id', sa.Integer(), nullable=False),
    sa.Column('stored_name', sa.String(length=64), nullable=False),
    sa.Column('content_type', sa.String(length=32), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('created_at', core.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], name=op.f('fk_job_photos_job_id_jobs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_user_id'], ['users.id'], name=op.f('fk_job_photos_uploaded_by_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_photos')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_job_photos_stored_name'))
    )
    with op.batch_alter_table('job_photos', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_photos_job_id'), ['job_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('job_photos', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_photos_job_id'))
    op.drop_table('job_photos')
    with op.batch_alter_table('field_updates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_field_updates_job_id'))
    op.drop_table('field_updates')
